using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpCodeFixVerifier<
    FpuGuard.Analyzers.Rules.MaySleepInAtomicContextAnalyzer,
    FpuGuard.Analyzers.CodeFixes.Rules.MaySleepInAtomicContextFixer>;

namespace FpuGuard.Analyzers.Tests.Rules;

public class MaySleepInAtomicContextFixerTests
{
    [Fact]
    public async Task Allocations_move_before_the_lock_as_the_review_asked()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Realloc(Kernel kernel, Fpu fpu, int size)
                {
                    kernel.FpregsLock();
                    var state = {|FPU0001:kernel.Memory.Vzalloc(size)|};
                    var spare = {|FPU0001:kernel.Memory.Vzalloc(size)|};
                    kernel.FpregsUnlock();
                    kernel.Memory.Vfree(state);
                    kernel.Memory.Vfree(spare);
                }
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Realloc(Kernel kernel, Fpu fpu, int size)
                {
                    var state = kernel.Memory.Vzalloc(size);
                    var spare = kernel.Memory.Vzalloc(size);
                    kernel.FpregsLock();
                    kernel.FpregsUnlock();
                    kernel.Memory.Vfree(state);
                    kernel.Memory.Vfree(spare);
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task A_call_inside_a_using_scope_moves_before_the_using()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Grow(Kernel kernel, KernelTask task)
                {
                    using (kernel.LockFpregs())
                    {
                        {|FPU0001:kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData)|};
                        task.Fpu.State.Bytes[0] = 1;
                    }
                }
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Grow(Kernel kernel, KernelTask task)
                {
                    kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData);
                    using (kernel.LockFpregs())
                    {
                        task.Fpu.State.Bytes[0] = 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Theory]
    [InlineData("kernel.FpregsLock(); var size = kernel.GetXStateSize(fpu.StateMask); var state = {|FPU0001:kernel.Memory.Vzalloc(size)|}; kernel.FpregsUnlock();")]
    [InlineData("kernel.LocalIrqDisable(); {|FPU0001:kernel.Memory.Vzalloc(64)|}; kernel.LocalIrqEnable();")]
    [InlineData("kernel.FpregsLock(); if ({|FPU0001:kernel.Memory.Vzalloc(64)|} is null) { } kernel.FpregsUnlock();")]
    public async Task No_fix_where_moving_would_change_the_meaning_or_no_region_start_is_known(string body)
    {
        var source = $$"""
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Run(Kernel kernel, Fpu fpu)
                {
                    {{body}}
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task The_handler_enables_interrupts_around_the_allocation()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Traps
            {
                [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
                static void ExcDeviceNotAvailable(Kernel kernel, KernelTask task)
                {
                    {|FPU0001:kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData)|};
                    var result = {|FPU0001:kernel.XfdEnableFeature(XFeatureMask.XTileData)|};
                    _ = result;
                }
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Traps
            {
                [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
                static void ExcDeviceNotAvailable(Kernel kernel, KernelTask task)
                {
                    kernel.LocalIrqEnable();
                    kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData);
                    kernel.LocalIrqDisable();
                    kernel.LocalIrqEnable();
                    var result = kernel.XfdEnableFeature(XFeatureMask.XTileData);
                    kernel.LocalIrqDisable();
                    _ = result;
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    // The local function sleeps under a lock of its own: moving its call out of the caller's region would leave the
    // sleep where it is, so no fix is offered (the robustness run's fix check found this with recursive local functions).
    [Fact]
    public async Task No_move_is_offered_where_the_callee_sleeps_under_its_own_lock()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Realloc(Kernel kernel, int size)
                {
                    void Grow(int n)
                    {
                        using (kernel.LockFpregs())
                        {
                            kernel.Memory.Vzalloc(size);
                            if (n > 0) Grow(n - 1);
                        }
                    }

                    kernel.PreemptDisable();
                    {|FPU0001:Grow(2)|};
                    kernel.PreemptEnable();
                    {|FPU0001:Grow(1)|};
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, source);
    }
}
