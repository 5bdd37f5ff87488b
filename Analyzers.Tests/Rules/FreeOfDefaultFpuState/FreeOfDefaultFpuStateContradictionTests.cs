using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// A way out of a test that needs the state to be its owner's default member (the true side of
/// <c>fpu.State == fpu.DefaultState</c>, the false side of a predicate such as <c>IsValloc(fpu)</c> or of a bool local
/// holding the comparison) is not taken where the state is proven not to be the default: code only that way reaches is
/// not analysed (oracle, seed 4242: the "contradictory tests" extras, e.g. program 4506).
/// </summary>
public class FreeOfDefaultFpuStateContradictionTests
{
    private static string InMethod(string body) => $$"""
        #nullable enable
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static bool IsValloc(Fpu f) => f.State != f.DefaultState;
            static bool OnDefault(Fpu f) => ReferenceEquals(f.State, f.DefaultState);
            static bool Either(Fpu f, bool flag) => flag || f.State != f.DefaultState;

            static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag)
            {
        {{body}}
            }
        }
        """;

    [Theory]
    // The repro: the second test falls through only with the default, which the first ruled out.
    [InlineData("if (!IsValloc(fpu)) return; using (kernel.LockFpregs()) { if (IsValloc(fpu)) return; } kernel.Memory.Vfree(fpu.DefaultState);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; if (ReferenceEquals(fpu.State, fpu.DefaultState)) kernel.Memory.Vfree(fpu.DefaultState);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; if (OnDefault(fpu)) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; if (fpu.State.Equals(fpu.DefaultState) is true) kernel.Memory.Vfree(fpu.DefaultState);")]
    [InlineData("var dynamic = fpu.State != fpu.DefaultState; if (!dynamic) return; if (fpu.State == fpu.DefaultState) kernel.Memory.Vfree(fpu.DefaultState);")]
    [InlineData("var dynamic = fpu.State != fpu.DefaultState; if (fpu.State == fpu.DefaultState) return; if (!dynamic) kernel.Memory.Vfree(fpu.DefaultState);")]
    // A swap that installed a new buffer: the buffer is not the default.
    [InlineData("Kernel.SwapFpState(fpu, new XStateBuffer(64), fpu.StateMask, 64); if (OnDefault(fpu)) kernel.Memory.Vfree(fpu.DefaultState);")]
    public async Task A_way_that_needs_the_default_where_it_is_proven_not_to_be_is_not_taken(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    // Nothing proven before: both ways are taken.
    [InlineData("if (IsValloc(fpu)) return; {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State != fpu.DefaultState) { } if (OnDefault(fpu)) {|FPU0002:kernel.Memory.Vfree(fpu.DefaultState)|};")]
    // A write of another state field ends the guard first.
    [InlineData("if (!IsValloc(fpu)) return; GC.KeepAlive(fpu); if (IsValloc(fpu)) return; {|FPU0002:kernel.Memory.Vfree(fpu.DefaultState)|};")]
    // Another owner's default: fpu's buffer may be it.
    [InlineData("if (fpu.State == fpu.DefaultState) return; if (fpu.State == other.DefaultState) {|FPU0002:kernel.Memory.Vfree(other.DefaultState)|};")]
    // A predicate whose false result does not need the default (flag may be false).
    [InlineData("if (fpu.State == fpu.DefaultState) return; if (!Either(fpu, flag)) {|FPU0002:kernel.Memory.Vfree(fpu.DefaultState)|};")]
    // The swap installed the default: the test may hold.
    [InlineData("if (fpu.State == fpu.DefaultState) return; Kernel.SwapFpState(fpu, fpu.DefaultState, fpu.StateMask, 64); if (OnDefault(fpu)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    public async Task A_way_that_may_be_taken_is_still_analysed(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }
}
