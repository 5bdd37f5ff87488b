using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.AtomicContext;

public class AtomicContextImbalanceTests
{
    private static string InMethod(string name, string body, string attributes = "") => $$"""
        using FpuGuard.Runtime;

        static class Driver
        {
            {{attributes}}
            static void {{name}}(Kernel kernel, bool flag)
            {
                {{body}}
            }
        }
        """;

    [Fact]
    public async Task A_lock_held_on_return_is_reported_at_the_method()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("{|#0:Leak|}", "kernel.FpregsLock(); if (flag) return; kernel.FpregsUnlock();"),
            VerifyCS.Diagnostic("FPU0004").WithLocation(0).WithArguments("'Leak' may return with FpuRegisterLock still held: the FPU registers are locked on some path out of it"));
    }

    // Structured bodies are analysed on their operation tree, others (a loop here) through a control-flow graph:
    // the judgement is the same either way (StructuredContextFlowTests compares the two on whole sources).
    [Theory]
    [InlineData("kernel.FpregsLock(); var size = kernel.GetXStateSize(XFeatureMask.X87); return;", true)]
    [InlineData("kernel.PreemptDisable(); kernel.FpregsLock(); kernel.PreemptEnable();", true)]
    [InlineData("kernel.FpregsLock(); throw new System.InvalidOperationException();", false)]
    [InlineData("var held = flag && Lock(kernel); kernel.FpregsUnlock();", false)]
    [InlineData("kernel.FpregsLock(); try { if (flag) return; } finally { kernel.FpregsUnlock(); }", false)]
    [InlineData("kernel.FpregsLock(); try { if (flag) return; } finally { if (flag) kernel.FpregsUnlock(); }", true)]
    [InlineData("while (flag) { kernel.FpregsLock(); kernel.FpregsUnlock(); flag = false; }", false)]
    [InlineData("kernel.FpregsLock(); while (flag) { flag = false; }", true)]
    public async Task Structured_bodies_are_judged_as_through_the_graph(string body, bool leaks)
    {
        const string extra = """
            [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)]
            static bool Lock(Kernel kernel) { kernel.FpregsLock(); return true; }
            """;
        var source = InMethod("{|#0:Run|}", body).Replace("    static void {|#0:Run|}", extra + "\n    static void {|#0:Run|}");
        if (leaks)
        {
            await VerifyCS.VerifyAnalyzerAsync(source,
                VerifyCS.Diagnostic("FPU0004").WithLocation(0).WithArguments("'Run' may return with FpuRegisterLock still held: the FPU registers are locked on some path out of it"));
        }
        else
        {
            await VerifyCS.VerifyAnalyzerAsync(source.Replace("{|#0:Run|}", "Run"), body.Contains("flag &&")
                ? new[] { VerifyCS.Diagnostic("FPU0004").WithSpan(10, 42, 10, 63).WithArguments("'Run' exits FpuRegisterLock here, where on some path it was not entered") }
                : System.Array.Empty<Microsoft.CodeAnalysis.Testing.DiagnosticResult>());
        }
    }

    // A scope's Dispose exits the FPU register lock; other types' Dispose calls are ordinary calls.
    [Theory]
    [InlineData("static void Release(FpregsLockScope scope) { {|FPU0004:scope.Dispose()|}; }")]
    [InlineData("static void Release(System.IO.Stream stream, FpregsLockScope scope) { stream.Dispose(); {|FPU0004:scope.Dispose()|}; }")]
    [InlineData("static void Close(System.IO.Stream stream, System.Threading.Timer timer) { stream.Dispose(); timer?.Dispose(); }")]
    [InlineData("static void Close(Kernel kernel, System.IO.Stream stream) { var scope = kernel.LockFpregs(); stream.Dispose(); scope.Dispose(); }")]
    public async Task Explicit_Dispose_calls_are_judged_by_their_symbol(string method)
    {
        await VerifyCS.VerifyAnalyzerAsync("using FpuGuard.Runtime;\n\nstatic class Driver\n{\n    " + method + "\n}\n");
    }

    [Fact]
    public async Task An_exit_without_its_entry_is_reported_at_the_exit()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("Unlock", "if (flag) kernel.PreemptDisable(); {|#0:kernel.PreemptEnable()|};"),
            VerifyCS.Diagnostic("FPU0004").WithLocation(0).WithArguments("'Unlock' exits PreemptionDisabled here, where on some path it was not entered"));
    }

    // The #NM handler's shape (handle_xfd_event): it may leave the context its caller holds, but must take it again
    // before it returns, since the caller goes on as if it never left.
    [Fact]
    public async Task A_required_context_left_on_a_path_out_is_reported_at_the_method()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("{|#0:Handler|}", "kernel.LocalIrqEnable(); if (flag) return; kernel.LocalIrqDisable();",
                "[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]"),
            VerifyCS.Diagnostic("FPU0004").WithLocation(0).WithArguments("'Handler' requires InterruptsDisabled and may return without it: on some path out of it the context its caller holds was left and not entered again"));
    }

    [Theory]
    [InlineData("kernel.LocalIrqEnable(); if (flag) throw new System.InvalidOperationException(); kernel.LocalIrqDisable();", "[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]")]
    [InlineData("kernel.LocalIrqEnable(); try { if (flag) return; } finally { kernel.LocalIrqDisable(); }", "[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]")]
    [InlineData("kernel.LocalIrqEnable();", "[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)] [ExitsAtomicContext(AtomicContextKind.InterruptsDisabled)]")]
    [InlineData("if (flag) { kernel.PreemptEnable(); kernel.PreemptDisable(); }", "[RequiresAtomicContext(AtomicContextKind.PreemptionDisabled)]")]
    public async Task A_required_context_held_again_on_every_return_is_not_reported(string body, string attributes)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("Handler", body, attributes));
    }

    [Theory]
    [InlineData("kernel.FpregsLock(); kernel.FpregsUnlock();", "")]
    [InlineData("using (kernel.LockFpregs()) { if (flag) return; }", "")]
    [InlineData("using var scope = kernel.LockFpregs(); if (flag) return;", "")]
    [InlineData("kernel.LocalIrqDisable(); try { if (flag) return; } finally { kernel.LocalIrqEnable(); }", "")]
    [InlineData("kernel.FpregsLock();", "[EntersAtomicContext(AtomicContextKind.FpuRegisterLock)]")]
    [InlineData("kernel.FpregsUnlock();", "[ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)]")]
    [InlineData("kernel.LocalIrqEnable(); kernel.LocalIrqDisable();", "[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]")]
    [InlineData("if (flag) kernel.FpregsLock(); kernel.SwitchTo(kernel.Idle); if (flag) kernel.FpregsUnlock();", "")]
    [InlineData("var locked = !flag; if (locked) kernel.PreemptDisable(); if (!locked) return; kernel.PreemptEnable();", "")]
    public async Task Balanced_and_declared_imbalance_is_not_reported(string body, string attributes)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("Balanced", body, attributes));
    }
}
