using System.Linq;
using System.Threading.Tasks;
using FpuGuard.Analyzers.CodeFixes.Rules.AtomicContext;
using FpuGuard.Analyzers.Rules.AtomicContext;
using FpuGuard.Analyzers.Tests.Helpers;
using FpuGuard.Runtime;
using Microsoft.CodeAnalysis.Testing;
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

    // ANALYZER_BUGS.md item 5: FixAll planned the second region's move as not offered, because the first region came
    // before it; fixing one at a time offered it once the first region was gone. Offerability is decided per region
    // now, so FixAll (which the verifier runs at document, project and solution scope, in one pass) and one by one
    // give the same code.
    [Theory]
    [InlineData("""
        using (k.LockFpregs())
        {
            {|FPU0001:k.Memory.Vzalloc(64)|};
        }
        using (k.LockFpregs())
        {
            {|FPU0001:k.Memory.Vzalloc(64)|};
        }
        """, """
        k.Memory.Vzalloc(64);
        k.Memory.Vzalloc(64);
        """)]
    [InlineData("""
        k.FpregsLock();
        var a = {|FPU0001:k.Memory.Vzalloc(64)|};
        k.FpregsUnlock();
        k.FpregsLock();
        var b = {|FPU0001:k.Memory.Vzalloc(64)|};
        k.FpregsUnlock();
        k.Memory.Vfree(a);
        k.Memory.Vfree(b);
        """, """
        var a = k.Memory.Vzalloc(64);
        var b = k.Memory.Vzalloc(64);
        k.Memory.Vfree(a);
        k.Memory.Vfree(b);
        """)]
    [InlineData("""
        k.PreemptDisable();
        {|FPU0001:k.Memory.Vzalloc(64)|};
        k.PreemptEnable();
        using (k.LockFpregs())
        {
            {|FPU0001:k.Memory.Vzalloc(64)|};
            _ = fpu.StateMask;
        }
        """, """
        k.Memory.Vzalloc(64);
        k.Memory.Vzalloc(64);
        using (k.LockFpregs())
        {
            _ = fpu.StateMask;
        }
        """)]
    public async Task Sibling_regions_that_each_start_with_a_sleep_are_all_fixed_by_FixAll_as_one_by_one(string body, string fixedBody)
    {
        var source = Method(body);
        var fixedSource = Method(fixedBody);
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
        await AssertSleepsOutsideEveryContextAsync(source, fixedSource, allocations: 2);
    }

    [Theory]
    // The second region is nested in a region of the same kind: moved out of the inner one, the call would still sleep
    // under the outer lock.
    [InlineData("""
        using (k.LockFpregs())
        {
            {|FPU0001:k.Memory.Vzalloc(64)|};
        }
        using (k.LockFpregs())
        {
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
            }
        }
        """, """
        k.Memory.Vzalloc(64);
        using (k.LockFpregs())
        {
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
            }
        }
        """)]
    // Something before the sleep in the second region runs first and might depend on it: the call may not move past it.
    [InlineData("""
        using (k.LockFpregs())
        {
            {|FPU0001:k.Memory.Vzalloc(64)|};
        }
        using (k.LockFpregs())
        {
            var n = Count();
            var s = {|FPU0001:k.Memory.Vzalloc(n)|};
        }
        """, """
        k.Memory.Vzalloc(64);
        using (k.LockFpregs())
        {
            var n = Count();
            var s = {|FPU0001:k.Memory.Vzalloc(n)|};
        }
        """)]
    // The second region's entry may not run (it is conditional): before it the other lock may be held.
    [InlineData("""
        using (k.LockFpregs())
        {
            {|FPU0001:k.Memory.Vzalloc(64)|};
        }
        if (c) k.FpregsLock();
        if (!c) k.FpregsLock();
        {|FPU0001:k.Memory.Vzalloc(64)|};
        k.FpregsUnlock();
        """, """
        k.Memory.Vzalloc(64);
        if (c) k.FpregsLock();
        if (!c) k.FpregsLock();
        {|FPU0001:k.Memory.Vzalloc(64)|};
        k.FpregsUnlock();
        """)]
    public async Task FixAll_leaves_a_second_region_whose_move_would_not_keep_the_meaning_as_one_by_one_does(string body, string fixedBody)
    {
        var test = new VerifyCS.Test { TestCode = Method(body) };
        test.FixedState.Sources.Add(Method(fixedBody));
        test.FixedState.MarkupHandling = MarkupMode.Allow;
        await test.RunAsync();
    }

    [Fact]
    public async Task A_region_in_a_loop_body_moves_within_the_loop()
    {
        // The analysis says the lock is held once at the call, and the using enters it: nothing is held before the using,
        // in any iteration.
        var source = Method("""
            for (var i = 0; i < 2; i++)
            {
                using (k.LockFpregs())
                {
                    {|FPU0001:k.Memory.Vzalloc(64)|};
                }
                using (k.LockFpregs())
                {
                    {|FPU0001:k.Memory.Vzalloc(64)|};
                }
            }
            """);
        var fixedSource = Method("""
            for (var i = 0; i < 2; i++)
            {
                k.Memory.Vzalloc(64);
                k.Memory.Vzalloc(64);
            }
            """);
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
        await AssertSleepsOutsideEveryContextAsync(source, fixedSource, allocations: 4);
    }

    [Fact]
    public async Task A_local_functions_own_region_gives_up_its_sleep()
    {
        var source = Method("""
            void L()
            {
                using (k.LockFpregs())
                {
                    {|FPU0001:k.Memory.Vzalloc(64)|};
                }
            }

            L();
            L();
            """);
        var fixedSource = Method("""
            void L()
            {
                k.Memory.Vzalloc(64);
            }

            L();
            L();
            """);
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
        await AssertSleepsOutsideEveryContextAsync(source, fixedSource, allocations: 2);
    }

    [Fact]
    public async Task FixAll_fixes_the_regions_of_local_functions_and_of_the_member_together()
    {
        // Sibling regions in a local function that calls itself, another local function that calls it, and a region of
        // the member before the calls.
        var source = Method("""
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
            }

            void L(int depth)
            {
                using (k.LockFpregs())
                {
                    var a = {|FPU0001:k.Memory.Vzalloc(64)|};
                    _ = a;
                }

                k.FpregsLock();
                var b = {|FPU0001:k.Memory.Vzalloc(64)|};
                k.FpregsUnlock();
                k.Memory.Vfree(b);
                if (depth > 0) L(depth - 1);
            }

            void Twice()
            {
                L(0);
                L(0);
            }

            L(1);
            Twice();
            """);
        var fixedSource = Method("""
            k.Memory.Vzalloc(64);

            void L(int depth)
            {
                var a = k.Memory.Vzalloc(64);
                using (k.LockFpregs())
                {
                    _ = a;
                }
                var b = k.Memory.Vzalloc(64);
                k.Memory.Vfree(b);
                if (depth > 0) L(depth - 1);
            }

            void Twice()
            {
                L(0);
                L(0);
            }

            L(1);
            Twice();
            """);
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
        await AssertSleepsOutsideEveryContextAsync(source, fixedSource, allocations: 1 + 2 * 4);
    }

    [Theory]
    // The member calls the local function with the register lock held: moved out of the function's region, the
    // allocation would still sleep under the caller's lock.
    [InlineData("""
        void L()
        {
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
            }
        }

        L();
        using (k.LockFpregs())
        {
            L();
        }
        """)]
    // ... or with preemption disabled.
    [InlineData("""
        void L()
        {
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
            }
        }

        k.PreemptDisable();
        L();
        k.PreemptEnable();
        """)]
    // ... or by its own recursion, inside its region.
    [InlineData("""
        void L(bool again)
        {
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
                if (again) L(false);
            }
        }

        L(true);
        """)]
    // ... or by another local function, inside that one's region.
    [InlineData("""
        void L()
        {
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
            }
        }

        void K()
        {
            using (k.LockFpregs())
            {
                L();
            }
        }

        L();
        K();
        """)]
    // The function escapes as a delegate: it may run where the analysis does not look.
    [InlineData("""
        void L()
        {
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
            }
        }

        Run(L);
        """)]
    // A lambda may run anywhere it is passed.
    [InlineData("""
        Run(() =>
        {
            using (k.LockFpregs())
            {
                {|FPU0001:k.Memory.Vzalloc(64)|};
            }
        });
        """)]
    // Nested regions of the same kind in the local function.
    [InlineData("""
        void L()
        {
            using (k.LockFpregs())
            {
                using (k.LockFpregs())
                {
                    {|FPU0001:k.Memory.Vzalloc(64)|};
                }
            }
        }

        L();
        """)]
    public async Task No_move_in_a_function_whose_sleep_would_stay_in_an_atomic_context_or_whose_calls_are_not_known(string body)
    {
        var source = Method(body);
        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    // A member whose sleep is under its own lock, called in some caller's atomic region (directly, through another
    // member, through a property): moved out of its own region the sleep would still run in the caller's, and be
    // reported there. Its caller is not reported now (the callee's own region is reported in the callee, once).
    [Theory]
    [InlineData("static void Caller(Kernel k) { k.FpregsLock(); Grow(k); k.FpregsUnlock(); }")]
    [InlineData("static void Caller(Kernel k) { using (k.LockFpregs()) { Middle(k); } } static void Middle(Kernel k) => Grow(k);")]
    [InlineData("static void Caller(Kernel k) { k.PreemptDisable(); Grow(k); k.PreemptEnable(); }")]
    [InlineData("static readonly Kernel Shared = default!; static int Size { get { Grow(Shared); return 1; } } static void Caller(Kernel k) { using (k.LockFpregs()) { var n = Size; } }")]
    public async Task No_move_in_a_member_that_an_atomic_region_calls(string caller)
    {
        var source = $$"""
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Grow(Kernel k)
                {
                    k.FpregsLock();
                    var state = {|FPU0001:k.Memory.Vzalloc(64)|};
                    k.FpregsUnlock();
                }

                {{caller}}
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    // The same member called outside every region, or where its caller's region has ended: the move is offered.
    [Theory]
    [InlineData("static void Caller(Kernel k) { Grow(k); }")]
    [InlineData("static void Caller(Kernel k) { k.FpregsLock(); k.FpregsUnlock(); Grow(k); }")]
    [InlineData("static void Caller(Kernel k) { k.LocalIrqDisable(); k.LocalIrqEnable(); Middle(k); } static void Middle(Kernel k) => Grow(k);")]
    public async Task The_move_is_offered_in_a_member_no_atomic_region_calls(string caller)
    {
        var source = $$"""
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Grow(Kernel k)
                {
                    k.FpregsLock();
                    var state = {|FPU0001:k.Memory.Vzalloc(64)|};
                    k.FpregsUnlock();
                }

                {{caller}}
            }
            """;
        var fixedSource = $$"""
            using FpuGuard.Runtime;

            static class Xstate
            {
                static void Grow(Kernel k)
                {
                    var state = k.Memory.Vzalloc(64);
                }

                {{caller}}
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);
    }

    private static string Method(string body) => $$"""
        using FpuGuard.Runtime;

        static class Xstate
        {
            static void M(Kernel k, Fpu fpu, bool c)
            {
        {{Indent(body, "        ")}}
            }

            static int Count() => 1;

            static void Run(System.Action action) => action();
        }
        """;

    private static string Indent(string body, string indent) => string.Join("\n", body.Split('\n').Select(line => line.Length == 0 ? line : indent + line));

    // The fixed code compiles, no FPU rule reports on it, and run on the kernel model (the condition either way) it
    // sleeps outside every context where the original slept under one.
    private static async Task AssertSleepsOutsideEveryContextAsync(string source, string fixedSource, int allocations)
    {
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);
        var original = source.Replace("{|FPU0001:", "").Replace("|}", "");
        foreach (var condition in new[] { false, true })
        {
            var (kernel, task) = FixMeaning.RunningTask();
            Assert.Throws<SleepInAtomicContextException>(() => FixMeaning.Run(original, "Xstate.M", kernel, task.Fpu, condition));
            (kernel, task) = FixMeaning.RunningTask();
            FixMeaning.Run(fixedSource, "Xstate.M", kernel, task.Fpu, condition);
            Assert.Equal(allocations, kernel.Memory.AllocationAttempts);
            FixMeaning.AssertConsistent(kernel, task.Fpu);
        }
    }
}
