using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.AtomicContext;

public class MaySleepInAtomicContextTests
{
    private static string InMethod(string body, string extra = "") => $$"""
        using System;
        using System.Threading.Tasks;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, KernelTask task, Fpu fpu, bool flag, int count)
            {
        {{body}}
            }
        {{extra}}
        }
        """;

    private const string Locked = "the FPU registers are locked";

    [Fact]
    public async Task Vzalloc_under_the_register_lock_is_reported()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("kernel.FpregsLock(); var buffer = {|#0:kernel.Memory.Vzalloc(64)|}; kernel.FpregsUnlock();"),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("Vzalloc", "it is marked [MaySleep]", Locked));
    }

    [Theory]
    [InlineData("using (kernel.LockFpregs()) { {|FPU0001:kernel.Memory.Vzalloc(64)|}; } kernel.Memory.Vzalloc(64);")]
    [InlineData("using var scope = kernel.LockFpregs(); {|FPU0001:kernel.Memory.Vzalloc(64)|};")]
    [InlineData("if (flag) kernel.FpregsLock(); {|FPU0001:kernel.Memory.Vzalloc(64)|}; if (flag) kernel.FpregsUnlock();")]
    [InlineData("kernel.FpregsLock(); try { {|FPU0001:kernel.Memory.Vzalloc(64)|}; } finally { kernel.FpregsUnlock(); } kernel.Memory.Vzalloc(64);")]
    [InlineData("while (flag) { {|FPU0001:kernel.Memory.Vzalloc(64)|}; kernel.PreemptDisable(); }")]
    [InlineData("kernel.LocalIrqDisable(); {|FPU0001:kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData)|}; kernel.LocalIrqEnable();")]
    [InlineData("kernel.PreemptDisable(); kernel.PreemptDisable(); kernel.PreemptEnable(); {|FPU0001:kernel.Memory.Vfree(null)|}; kernel.PreemptEnable();")]
    [InlineData("kernel.LocalBhDisable(); {|FPU0001:kernel.Fork(task)|}; kernel.LocalBhEnable();")]
    public async Task Sleeping_where_a_context_may_be_held_is_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body));
    }

    // A sleep no path reaches (the flag is known true there, so the function has returned) is no sleep point of the
    // function: calling it under a lock does not sleep. Its unreached state (no world) once read as nothing held.
    [Theory]
    [InlineData("void Grow() { if (flag) { if (flag) return; kernel.Memory.Vzalloc(64); } }")]
    [InlineData("void Grow() { using (kernel.LockFpregs()) { if (flag) { if (flag) return; Alloc(); } } } void Alloc() => kernel.Memory.Vzalloc(64);")]
    public async Task A_local_function_whose_only_sleep_no_path_reaches_does_not_sleep_at_its_call(string function)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("using (kernel.LockFpregs()) { Grow(); }\n" + function));
    }

    // A parameter no code writes has the same value in every run of a local function that captures it: a call of
    // the function where the caller knows it sleeps only where the function's own sleeps under that value do
    // (oracle, seed 4242, the FPU0001 "CallLocal" extras).
    [Theory]
    [InlineData("if (flag) return; using (kernel.LockFpregs()) { Grow(); }", "void Grow() { if (flag) kernel.Memory.Vzalloc(64); }")]
    [InlineData("using (kernel.LockFpregs()) { if (!flag) Grow(); }", "void Grow() { if (flag) kernel.Memory.Vzalloc(64); }")]
    [InlineData("if (!flag) return; using (kernel.LockFpregs()) { Grow(); }", "void Grow() { if (flag) return; Alloc(); Grow(); } void Alloc() { if (flag) return; kernel.Memory.Vzalloc(64); }")]
    [InlineData("if (flag) return; using (kernel.LockFpregs()) { Action grow = () => { if (flag) kernel.Memory.Vzalloc(64); }; grow(); }", "")]
    public async Task A_local_function_sleeping_only_under_a_value_its_caller_rules_out_does_not_sleep_at_the_call(string body, string function)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body + "\n" + function));
    }

    [Theory]
    [InlineData("using (kernel.LockFpregs()) { {|FPU0001:Grow()|}; }", "void Grow() { if (flag) kernel.Memory.Vzalloc(64); }")]
    [InlineData("if (flag) return; using (kernel.LockFpregs()) { {|FPU0001:Grow()|}; }", "void Grow() { if (!flag) kernel.Memory.Vzalloc(64); }")]
    [InlineData("if (flag) return; using (kernel.LockFpregs()) { {|FPU0001:Grow()|}; }", "void Grow() { Set(); if (flag) kernel.Memory.Vzalloc(64); } void Set() { flag = true; }")]
    [InlineData("if (flag) return; using (kernel.LockFpregs()) { {|FPU0001:Grow(true)|}; }", "void Grow(bool flag) { if (flag) kernel.Memory.Vzalloc(64); }")]
    [InlineData("if (flag) return; Touch(ref flag); using (kernel.LockFpregs()) { {|FPU0001:Grow()|}; }", "void Grow() { if (flag) kernel.Memory.Vzalloc(64); } static void Touch(ref bool b) { }")]
    public async Task A_local_function_still_sleeps_at_a_call_where_the_value_may_differ(string body, string function)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body + "\n" + function));
    }

    [Fact]
    public async Task A_method_whose_only_sleep_no_path_reaches_does_not_sleep_at_its_call()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("using (kernel.LockFpregs()) { Grow(kernel, flag); }",
            "static void Grow(Kernel kernel, bool flag) { kernel.PreemptDisable(); kernel.PreemptEnable(); if (!flag) { if (!flag) return; kernel.Memory.Vzalloc(64); } }"));
    }

    // Reassigning the flag makes what the branch learned stale: the sleep may be under the lock, and the lock is
    // unbalanced (FPU0004, from the same analysis).
    [Fact]
    public async Task A_reassigned_flag_is_not_correlated()
    {
        var source = InMethod("if (flag) kernel.FpregsLock(); flag = count > 0; if (!flag) {|FPU0001:kernel.Memory.Vzalloc(64)|}; if (flag) {|FPU0004:kernel.FpregsUnlock()|};")
            .Replace("static void Run(", "static void {|FPU0004:Run|}(");
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Theory]
    [InlineData("kernel.FpregsLock(); kernel.FpregsUnlock(); kernel.Memory.Vzalloc(64);")]
    [InlineData("kernel.FpregsLock(); try { } finally { kernel.FpregsUnlock(); } kernel.Memory.Vzalloc(64);")]
    [InlineData("kernel.PreemptDisable(); if (flag) { kernel.PreemptEnable(); return; } kernel.PreemptEnable(); kernel.Memory.Vzalloc(64);")]
    [InlineData("for (var i = 0; i < count; i++) { kernel.FpregsLock(); kernel.FpregsUnlock(); } kernel.Memory.Vzalloc(64);")]
    [InlineData("using (kernel.LockFpregs()) { Action later = () => kernel.Memory.Vzalloc(64); } kernel.Memory.Vzalloc(64);")]
    [InlineData("using (kernel.LockFpregs()) { Func<XStateBuffer?> later = () => kernel.Memory.Vzalloc(64); }")]
    [InlineData("if (flag) kernel.FpregsLock(); if (!flag) kernel.Memory.Vzalloc(64); if (flag) kernel.FpregsUnlock();")]
    [InlineData("if (flag) kernel.FpregsLock(); if (flag) kernel.FpregsUnlock(); kernel.Memory.Vzalloc(64);")]
    [InlineData("if (!flag) { kernel.PreemptDisable(); } if (flag) { kernel.Memory.Vzalloc(64); } else { kernel.PreemptEnable(); }")]
    public async Task Calls_outside_every_region_are_not_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body));
    }

    [Fact]
    public async Task The_corrected_realloc_is_silent()
    {
        // The review's version: allocate, lock, copy if the registers are not live, swap, unlock, free.
        const string extra = """
            static int Realloc(Kernel kernel, Fpu fpu, XFeatureMask mask, bool isCurrent, bool registersLive)
            {
                var stateMask = fpu.StateMask | mask;
                var size = kernel.GetXStateSize(stateMask);
                var state = kernel.Memory.Vzalloc(size);
                if (state is null)
                {
                    return -12;
                }

                XStateBuffer? old;
                if (!isCurrent)
                {
                    old = Kernel.SwapFpState(fpu, state, stateMask, size);
                }
                else
                {
                    kernel.FpregsLock();
                    if (!registersLive)
                    {
                        fpu.State.Bytes.CopyTo(state.Bytes);
                    }

                    old = Kernel.SwapFpState(fpu, state, stateMask, size);
                    kernel.FpregsUnlock();
                }

                kernel.Memory.Vfree(old);
                return 0;
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(InMethod("", extra));
    }

    [Fact]
    public async Task The_seeds_nm_handler_is_reported_at_its_call_three_calls_deep()
    {
        const string extra = """
            [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
            static void ExcDeviceNotAvailable(Kernel kernel, KernelTask task)
            {
                if ({|#0:HandleXfdEvent(kernel, task)|})
                {
                    return;
                }
            }

            static bool HandleXfdEvent(Kernel kernel, KernelTask task) => XfdEnableFeature(kernel, task) == 0;

            static int XfdEnableFeature(Kernel kernel, KernelTask task) => {|#1:Realloc(kernel, task)|};

            static int Realloc(Kernel kernel, KernelTask task) => {|#2:kernel.Memory.Vzalloc(10752)|} is null ? -12 : 0;
            """;
        await VerifyCS.VerifyAnalyzerAsync(InMethod("", extra),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments(
                "HandleXfdEvent",
                "HandleXfdEvent → XfdEnableFeature → Realloc → Vzalloc",
                "interrupts are disabled (ExcDeviceNotAvailable requires it)").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
    }

    [Fact]
    public async Task The_corrected_handler_enables_interrupts_around_the_allocation()
    {
        const string extra = """
            [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
            static void ExcDeviceNotAvailable(Kernel kernel, KernelTask task)
            {
                if (HandleXfdEvent(kernel, task))
                {
                    return;
                }
            }

            [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
            static bool HandleXfdEvent(Kernel kernel, KernelTask task)
            {
                kernel.LocalIrqEnable();
                var result = XfdEnableFeature(kernel, task);
                kernel.LocalIrqDisable();
                return result == 0;
            }

            static int XfdEnableFeature(Kernel kernel, KernelTask task) => kernel.Memory.Vzalloc(10752) is null ? -12 : 0;
            """;
        await VerifyCS.VerifyAnalyzerAsync(InMethod("", extra));
    }

    [Fact]
    public async Task Recursion_terminates_and_finds_the_sleep()
    {
        const string extra = """
            static void Descend(Kernel kernel, int depth)
            {
                if (depth > 0) Descend(kernel, depth - 1); else kernel.Memory.Vzalloc(64);
            }

            static int Spin(int depth) => depth > 0 ? Spin(depth - 1) + Ping(depth) : 0;
            static int Ping(int depth) => Spin(depth - 1);
            """;
        await VerifyCS.VerifyAnalyzerAsync(InMethod("using (kernel.LockFpregs()) { {|#0:Descend(kernel, count)|}; Spin(count); }", extra),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("Descend", "Descend → Vzalloc", Locked).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
    }

    [Fact]
    public async Task The_message_names_accessors_constructors_operators_and_lambdas_as_CSharp_writes_them()
    {
        // Not by metadata name (get_P, .ctor, op_Addition) nor by a lambda's empty name ('' may sleep).
        const string extra = """
                static Kernel k = null!;
                static int P { get { k.Memory.Vzalloc(64); return 0; } set { k.Memory.Vzalloc(64); } }
                struct V
                {
                    public V(int x) { k.Memory.Vzalloc(64); }
                    public static V operator +(V a, V b) { k.Memory.Vzalloc(64); return a; }
                    public static implicit operator V(int x) { k.Memory.Vzalloc(64); return default; }
                }
                sealed class Box { public int this[int i] { get { k.Memory.Vzalloc(64); return i; } } }
            """;
        const string body = """
                    Action d0 = () => k.Memory.Vzalloc(64);
                    var box = new Box();
                    using (kernel.LockFpregs())
                    {
                        _ = {|#0:P|};
                        {|#1:P|} = 1;
                        var v = {|#2:new V(1)|};
                        v = {|#3:v + v|};
                        v = {|#4:2|};
                        _ = {|#5:box[0]|};
                        {|#6:d0()|};
                    }
            """;
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body, extra),
            Expect(0, "P.get"), Expect(1, "P.set"), Expect(2, "V.V"), Expect(3, "operator +"), Expect(4, "implicit operator V"), Expect(5, "this[].get"),
            Expect(6, "lambda at line 9"));

        static DiagnosticResult Expect(int location, string name) =>
            VerifyCS.Diagnostic("FPU0001").WithLocation(location).WithArguments(name, name + " → Vzalloc", Locked).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);
    }

    // The chain names every function the sleep is reached through, the local functions and lambdas run at their call
    // included: a reader follows it to the allocation.
    [Fact]
    public async Task The_chain_names_the_local_functions_and_lambdas_on_the_way()
    {
        const string extra = """
                static void Helper(Kernel k) { Grow(); void Grow() { Action alloc = () => k.Memory.Vzalloc(64); alloc(); } }
            """;
        const string body = """
                    void Inner() => kernel.Memory.Vzalloc(64);
                    Action outer = () => Inner();
                    using (kernel.LockFpregs())
                    {
                        {|#0:outer()|};
                        {|#1:Helper(kernel)|};
                    }
            """;
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body, extra),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("lambda at line 10", "lambda at line 10 → Inner → Vzalloc", Locked).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations),
            VerifyCS.Diagnostic("FPU0001").WithLocation(1).WithArguments("Helper", "Helper → Grow → lambda at line 17 → Vzalloc", Locked).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
    }

    // A helper that sleeps only under one value of its own bool parameter (the kernel's GFP_ATOMIC idiom: an allocation
    // that may sleep unless the caller says it is atomic) is judged with the value its call passes: a constant, or a bool
    // local or parameter the caller knows there; followed down calls that pass the parameter on as is.
    private const string Helpers = """
                static void Alloc(Kernel k, bool atomic) { if (atomic) return; k.Memory.Vzalloc(64); }
                static void MayBlock(Kernel k, bool mayBlock = true) { if (mayBlock) { k.Memory.Vzalloc(64); } }
                static void Outer(Kernel k, bool atomic) => Middle(k, atomic);
                static void Middle(Kernel k, bool atomic) { if (!atomic) k.Memory.Vzalloc(64); }
                static void Rec(Kernel k, bool stop) { if (stop) return; Rec(k, true); k.Memory.Vzalloc(64); }
                static void Written(Kernel k, bool atomic) { atomic = !atomic; if (atomic) return; k.Memory.Vzalloc(64); }
                static void Negated(Kernel k, bool atomic) => Middle(k, !atomic);
                static void Quiet(Kernel k, bool mayBlock = false) { if (mayBlock) k.Memory.Vzalloc(64); }
                sealed class Buffer { public Buffer(Kernel k, bool atomic) { if (!atomic) k.Memory.Vzalloc(64); } }
                static void Grow(this Kernel k, bool atomic) { if (!atomic) k.Memory.Vzalloc(64); }
            """;

    [Theory]
    [InlineData("Alloc(kernel, true)")]
    [InlineData("Alloc(kernel, atomic: true)")]
    [InlineData("MayBlock(kernel, false)")]
    [InlineData("MayBlock(kernel, mayBlock: !true)")]
    [InlineData("Outer(kernel, true)")]
    [InlineData("Rec(kernel, true)")]
    [InlineData("Quiet(kernel)")]
    [InlineData("_ = new Buffer(kernel, true)")]
    [InlineData("kernel.Grow(atomic: true)")]
    [InlineData("if (flag) return; using (kernel.LockFpregs()) { MayBlock(kernel, flag); }")]
    [InlineData("if (!flag) return; using (kernel.LockFpregs()) { MayBlock(kernel, !flag); }")]
    [InlineData("var atomic = true; using (kernel.LockFpregs()) { Alloc(kernel, atomic); }")]
    public async Task A_helper_called_with_the_value_that_keeps_it_from_sleeping_is_not_reported(string call)
    {
        var body = call.Contains("using") || call.Contains("return") ? call : $"using (kernel.LockFpregs()) {{ {call}; }}";
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body, Helpers));
    }

    [Theory]
    [InlineData("Alloc(kernel, false)", "Alloc", "Alloc → Vzalloc")]
    [InlineData("MayBlock(kernel)", "MayBlock", "MayBlock → Vzalloc")]
    [InlineData("MayBlock(kernel, flag)", "MayBlock", "MayBlock → Vzalloc")]
    [InlineData("Outer(kernel, false)", "Outer", "Outer → Middle → Vzalloc")]
    [InlineData("Outer(kernel, flag)", "Outer", "Outer → Middle → Vzalloc")]
    [InlineData("Rec(kernel, false)", "Rec", "Rec → Vzalloc")]
    [InlineData("Written(kernel, true)", "Written", "Written → Vzalloc")]
    [InlineData("Negated(kernel, true)", "Negated", "Negated → Middle → Vzalloc")]
    [InlineData("Quiet(kernel, true)", "Quiet", "Quiet → Vzalloc")]
    [InlineData("new Buffer(kernel, false)", "Buffer.Buffer", "Buffer.Buffer → Vzalloc")]
    [InlineData("kernel.Grow(false)", "Grow", "Grow → Vzalloc")]
    public async Task A_helper_called_with_a_value_that_may_let_it_sleep_is_reported(string call, string callee, string chain)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod($"using (kernel.LockFpregs()) {{ {{|#0:{call}|}}; }}", Helpers),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments(callee, chain, Locked).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
    }

    [Fact]
    public async Task Local_functions_count_where_they_are_called()
    {
        const string body = """
                    XStateBuffer? Grow() => kernel.Memory.Vzalloc(64);
                    XStateBuffer? Unused() => kernel.Memory.Vzalloc(64);
                    using (kernel.LockFpregs())
                    {
                        {|#0:Grow()|};
                    }
            """;
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("Grow", "Grow → Vzalloc", Locked).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));
    }

    [Fact]
    public async Task Await_under_the_lock_is_reported()
    {
        const string extra = """
            static async Task Wait(Kernel kernel)
            {
                using (kernel.LockFpregs())
                {
                    {|#0:await Task.Yield()|};
                }

                await Task.Yield();
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(InMethod("", extra),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("await", "it can suspend", Locked));
    }

    [Fact]
    public async Task Apis_listed_in_editorconfig_are_sleeping_calls()
    {
        var test = new VerifyCS.Test
        {
            TestCode = InMethod("using (kernel.LockFpregs()) { {|#0:System.Threading.Thread.Sleep(1)|}; System.Threading.Thread.Yield(); }"),
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\nfpuguard.may_sleep_apis = M:System.Threading.Thread.Sleep(System.Int32); M:Other.Api\n"));
        test.ExpectedDiagnostics.Add(VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("Sleep", "it is listed in fpuguard.may_sleep_apis", Locked));
        await test.RunAsync(CancellationToken.None);

        await VerifyCS.VerifyAnalyzerAsync(InMethod("using (kernel.LockFpregs()) { System.Threading.Thread.Sleep(1); }"));
    }

    [Fact]
    public async Task Escape_hatches_and_look_alikes()
    {
        const string source = """
            namespace User
            {
                using FpuGuard.Runtime;

                [System.AttributeUsage(System.AttributeTargets.Method)] sealed class DoesNotSleepAttribute : System.Attribute { }
                [System.AttributeUsage(System.AttributeTargets.Method)] sealed class AssertsAtomicContextAttribute : System.Attribute
                {
                    public AssertsAtomicContextAttribute(AtomicContextKind kind) { }
                }

                sealed class LookAlike { public void FpregsLock() { } public object Vzalloc(int size) => new object(); }

                static class Driver
                {
                    [DoesNotSleep]
                    static void OnlyWhenUnlocked(Kernel kernel, bool locked) { if (!locked) kernel.Memory.Vzalloc(64); }

                    [AssertsAtomicContext(AtomicContextKind.FpuRegisterLock)]
                    static void AssertLocked(Kernel kernel) { }

                    static void Run(Kernel kernel, LookAlike other)
                    {
                        using (kernel.LockFpregs())
                        {
                            OnlyWhenUnlocked(kernel, locked: true);
                        }

                        other.FpregsLock();
                        other.Vzalloc(64);
                    }

                    static void {|FPU0004:Helper|}(Kernel kernel)
                    {
                        kernel.Memory.Vzalloc(64);
                        AssertLocked(kernel);
                        {|FPU0001:kernel.Memory.Vzalloc(64)|};
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // The analyzer skips, from syntax alone, methods that name no context-changing method; these are the ways a
    // context can be entered under another name, which that filter must still see.
    [Fact]
    public async Task Contracts_through_a_using_alias_or_on_a_local_function_are_seen()
    {
        const string source = """
            namespace User
            {
                using Hold = FpuGuard.Runtime.EntersAtomicContextAttribute;
                using Release = FpuGuard.Runtime.ExitsAtomicContextAttribute;
                using FpuGuard.Runtime;

                sealed class Guard
                {
                    [Hold(AtomicContextKind.PreemptionDisabled)] public void Pin() { }
                    [Release(AtomicContextKind.PreemptionDisabled)] public void Unpin() { }
                }

                static class Driver
                {
                    static void ThroughAlias(Kernel kernel, Guard guard)
                    {
                        guard.Pin();
                        {|FPU0001:kernel.Memory.Vzalloc(64)|};
                        guard.Unpin();
                    }

                    static void {|FPU0004:ThroughLocalFunction|}(Kernel kernel)
                    {
                        [AssertsAtomicContext(AtomicContextKind.FpuRegisterLock)]
                        static void LockHeld() { }

                        LockHeld();
                        {|FPU0001:kernel.Memory.Vzalloc(64)|};
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Incomplete_code_does_not_crash_the_analyzer()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("kernel.FpregsLock(); kernel.Memory.Vzalloc(64 using (kernel.LockFpregs("),
            VerifyCS.Diagnostic("FPU0001").WithSpan(9, 22, 9, 47).WithArguments("Vzalloc", "it is marked [MaySleep]", Locked),
            VerifyCS.Diagnostic("FPU0004").WithSpan(7, 17, 7, 20).WithArguments("'Run' may return with FpuRegisterLock still held: the FPU registers are locked on some path out of it"),
            DiagnosticResult.CompilerError("CS1002").WithSpan(9, 47, 9, 52),
            DiagnosticResult.CompilerError("CS1026").WithSpan(9, 47, 9, 52),
            DiagnosticResult.CompilerError("CS1002").WithSpan(9, 72, 9, 72),
            DiagnosticResult.CompilerError("CS1026").WithSpan(9, 72, 9, 72),
            DiagnosticResult.CompilerError("CS1026").WithSpan(9, 72, 9, 72),
            DiagnosticResult.CompilerError("CS1525").WithSpan(9, 72, 9, 72).WithArguments("}"));
    }
}
