using System.Threading.Tasks;
using FpuGuard.Analyzers.CodeFixes.Rules.AtomicContext;
using FpuGuard.Analyzers.Rules.AtomicContext;
using FpuGuard.Analyzers.Tests.Helpers;
using FpuGuard.Runtime;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpCodeFixVerifier<
    FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer,
    FpuGuard.Analyzers.CodeFixes.Rules.AtomicContext.MaySleepInAtomicContextFixer>;

namespace FpuGuard.Analyzers.Tests.Rules.AtomicContext;

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
                    kernel.Memory.Vfree(state);
                    kernel.Memory.Vfree(spare);
                }
            }
            """;
        // The second allocation moves past the first because both move, in their order; the region they leave
        // empty goes with them.
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);
        var (kernel, task) = FixMeaning.RunningTask();
        Assert.Throws<SleepInAtomicContextException>(() => FixMeaning.Run(source.Replace("{|FPU0001:", "").Replace("|}", ""), "Xstate.Realloc", kernel, task.Fpu, 4096));
        (kernel, task) = FixMeaning.RunningTask();
        FixMeaning.Run(fixedSource, "Xstate.Realloc", kernel, task.Fpu, 4096);
        Assert.Equal(2, kernel.Memory.AllocationAttempts);
        Assert.Equal(0, kernel.Memory.LiveAllocations);
        FixMeaning.AssertConsistent(kernel, task.Fpu);
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
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);
        var (kernel, task) = FixMeaning.RunningTask();
        FixMeaning.Run(fixedSource, "Xstate.Grow", kernel, task);
        Assert.Equal(10752, task.Fpu.StateSize);
        Assert.Equal(1, task.Fpu.State.Bytes[0]);
        FixMeaning.AssertConsistent(kernel, task.Fpu);
    }

    [Fact]
    public async Task The_readmes_allocation_in_the_region_is_hoisted_with_its_declaration()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Grow(Kernel kernel, Fpu fpu)
                {
                    var mask = fpu.StateMask | XFeatureMask.XTileData;
                    var size = kernel.GetXStateSize(mask);
                    XStateBuffer? old;
                    using (kernel.LockFpregs())
                    {
                        var bigger = {|FPU0001:kernel.Memory.Vzalloc(size)|}!;
                        old = Kernel.SwapFpState(fpu, bigger, mask, size);
                    }

                    kernel.Memory.Vfree(old);
                }
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Grow(Kernel kernel, Fpu fpu)
                {
                    var mask = fpu.StateMask | XFeatureMask.XTileData;
                    var size = kernel.GetXStateSize(mask);
                    XStateBuffer? old;
                    var bigger = kernel.Memory.Vzalloc(size)!;
                    using (kernel.LockFpregs())
                    {
                        old = Kernel.SwapFpState(fpu, bigger, mask, size);
                    }

                    kernel.Memory.Vfree(old);
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);
        var (kernel, task) = FixMeaning.RunningTask();
        Assert.Throws<SleepInAtomicContextException>(() => FixMeaning.Run(source.Replace("{|FPU0001:", "").Replace("|}", ""), "Xstate.Grow", kernel, task.Fpu));
        (kernel, task) = FixMeaning.RunningTask();
        FixMeaning.Run(fixedSource, "Xstate.Grow", kernel, task.Fpu);
        Assert.Equal(10752, task.Fpu.StateSize);
        FixMeaning.AssertConsistent(kernel, task.Fpu);
    }

    [Fact]
    public async Task A_using_region_left_empty_is_removed()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Allocate(Kernel kernel)
                {
                    XStateBuffer? first, second;
                    using (kernel.LockFpregs())
                    {
                        first = {|FPU0001:kernel.Memory.Vzalloc(64)|};
                        second = {|FPU0001:kernel.Memory.Vzalloc(128)|};
                    }

                    kernel.Memory.Vfree(first);
                    kernel.Memory.Vfree(second);
                }
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Allocate(Kernel kernel)
                {
                    XStateBuffer? first, second;
                    first = kernel.Memory.Vzalloc(64);
                    second = kernel.Memory.Vzalloc(128);

                    kernel.Memory.Vfree(first);
                    kernel.Memory.Vfree(second);
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);
        var (kernel, task) = FixMeaning.RunningTask();
        FixMeaning.Run(fixedSource, "Xstate.Allocate", kernel);
        Assert.Equal(0, kernel.Memory.LiveAllocations);
        FixMeaning.AssertConsistent(kernel, task.Fpu);
    }

    [Theory]
    [InlineData("kernel.FpregsLock(); var size = kernel.GetXStateSize(fpu.StateMask); var state = {|FPU0001:kernel.Memory.Vzalloc(size)|}; kernel.FpregsUnlock();")]
    [InlineData("kernel.LocalIrqDisable(); {|FPU0001:kernel.Memory.Vzalloc(64)|}; kernel.LocalIrqEnable();")]
    [InlineData("kernel.FpregsLock(); if ({|FPU0001:kernel.Memory.Vzalloc(64)|} is null) { } kernel.FpregsUnlock();")]
    [InlineData("kernel.FpregsLock(); fpu.State.Bytes[0] = 1; var state = {|FPU0001:kernel.Memory.Vzalloc(64)|}; kernel.FpregsUnlock();")]
    [InlineData("kernel.FpregsLock(); var n = Count(); var state = {|FPU0001:kernel.Memory.Vzalloc(64)|}; kernel.FpregsUnlock();")]
    [InlineData("using (kernel.LockFpregs()) { var state = {|FPU0001:kernel.Memory.Vzalloc(64)|}; } { var state = 1; }")]
    [InlineData("using (var scope = kernel.LockFpregs()) { var state = {|FPU0001:Allocate(kernel, scope)|}; }")]
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

                static int Count() => 1;

                [MaySleep]
                static XStateBuffer? Allocate(Kernel kernel, FpregsLockScope scope) => null;
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
    public async Task A_local_function_sleeping_under_its_own_lock_is_reported_there_not_at_its_calls()
    {
        // The region is the local function's: the sleep is reported inside it, and not again at each call (moving a
        // call out of the caller's region would not help).
        const string source = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Realloc(Kernel kernel, int size)
                {
                    void Grow()
                    {
                        using (kernel.LockFpregs())
                        {
                            {|FPU0001:kernel.Memory.Vzalloc(size)|};
                        }
                    }

                    kernel.PreemptDisable();
                    Grow();
                    kernel.PreemptEnable();
                    Grow();
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task No_move_is_offered_inside_a_try_whose_finally_leaves_the_context()
    {
        // Moved before the entry, an exception in the allocation would run the finally's enable with preemption
        // never disabled: the meaning would change.
        const string source = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Realloc(Kernel kernel, int size)
                {
                    try
                    {
                        kernel.PreemptDisable();
                        {|FPU0001:kernel.Memory.Vzalloc(size)|};
                    }
                    finally
                    {
                        kernel.PreemptEnable();
                    }
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

}
