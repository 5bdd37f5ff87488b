using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// A filter's verdict holds in its handler when a <c>finally</c> lies between the throw and the handler: the filter runs
/// first (two-pass exception handling), the <c>finally</c> blocks then run from what it left (ANALYZER_BUGS.md item 9;
/// oracle, seed 4242, e.g. program 4757). A <c>finally</c> that changes what the filter tested ends its verdict.
/// </summary>
public class FreeOfDefaultFpuStateFilterTests
{
    private static string InMethod(string body) => $$"""
        #nullable enable
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, Fpu fpu, bool flag)
            {
        {{body}}
            }
        }
        """;

    private static string Nested(string inFinally, string filter, string handler) =>
        $"try {{ try {{ kernel.Memory.Vzalloc(64); }} finally {{ kernel.Memory.Vzalloc(64); {inFinally} }} }} catch (Exception) when ({filter}) {{ {handler} }}";

    [Theory]
    [InlineData("", "flag", "if (!flag) kernel.Memory.Vfree(fpu.DefaultState);")]
    [InlineData("", "fpu.State != fpu.DefaultState", "kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var unrelated = flag;", "fpu.State != fpu.DefaultState", "kernel.Memory.Vfree(fpu.State);")]
    [InlineData("fpu.StateMask = 0;", "fpu.State != fpu.DefaultState", "kernel.Memory.Vfree(fpu.State);")]
    public async Task The_filters_verdict_holds_across_a_nested_finally(string inFinally, string filter, string handler)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + Nested(inFinally, filter, handler)));
    }

    [Theory]
    [InlineData("flag = false;", "flag", "if (!flag) {|FPU0002:kernel.Memory.Vfree(fpu.DefaultState)|};")]
    [InlineData("GC.KeepAlive(fpu);", "fpu.State != fpu.DefaultState", "{|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("", "flag", "{|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    public async Task A_finally_that_changes_what_the_filter_tested_ends_its_verdict(string inFinally, string filter, string handler)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + Nested(inFinally, filter, handler)));
    }
}
