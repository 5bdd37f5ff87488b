using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// A copy of the state taken before a guard holds the same buffer while neither the copy nor the state is written, so the
/// guard covers it (oracle, seed 4242: the <c>tup.Item1</c>, <c>named.Buffer</c> and <c>da</c> extras, copies made at the
/// top of the method and freed under a later guard on <c>fpu.State</c>). And <c>(c ? null : fpu)?.State</c> where only
/// the null branch gets there reads no member.
/// </summary>
public class FreeOfDefaultFpuStateCopyTests
{
    private static string InMethod(string body) => $$"""
        #nullable disable
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag, XStateBuffer given)
            {
        {{body}}
            }

            static bool IsValloc(Fpu f) => f.State != f.DefaultState;
            static void Touch(Fpu f) => Kernel.SwapFpState(f, f.DefaultState, f.StateMask, f.DefaultState.Size);
        }
        """;

    [Theory]
    [InlineData("var s = fpu.State; if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(s);")]
    [InlineData("var t = (fpu.State, flag); if (!IsValloc(fpu)) return; kernel.Memory.Vfree(t.Item1);")]
    [InlineData("var named = (Buffer: fpu.State, Size: fpu.StateSize); if (fpu.State == fpu.DefaultState) return; kernel.Memory.Vfree(named.Buffer);")]
    [InlineData("var (a, b) = (fpu.State, fpu.StateSize); if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(a);")]
    [InlineData("var s = fpu.State; var again = s; fpu.StateMask = 0; if (IsValloc(fpu)) kernel.Memory.Vfree(again);")]
    [InlineData("var s = fpu.State; if (flag) Console.WriteLine(); if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(s);")]
    [InlineData("var s = fpu.State; Kernel.SwapFpState(fpu, fpu.State, fpu.StateMask, fpu.StateSize); if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(s);")]
    public Task A_copy_taken_before_a_guard_on_the_state_it_copied_is_covered(string body) =>
        VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));

    // Its neighbours: the state or the copy written between (a swap, a call that may write the owner, an assignment,
    // a path on which the copy holds something else), or a guard on another owner's state.
    [Theory]
    [InlineData("var s = fpu.State; Kernel.SwapFpState(fpu, new XStateBuffer(64), fpu.StateMask, 64); if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("var s = fpu.State; Touch(fpu); if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("var s = fpu.State; GC.KeepAlive(fpu); if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("var s = fpu.State; fpu.State = given; if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("var s = fpu.State; if (flag) s = fpu.DefaultState; if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("var s = other.State; if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("var s = fpu.State; fpu = other; if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("var t = (fpu.State, flag); (flag ? fpu : other).State = given; if (IsValloc(fpu)) {|FPU0002:kernel.Memory.Vfree(t.Item1)|};")]
    [InlineData("var s = fpu.DefaultState; if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    public Task A_copy_the_guard_does_not_cover_is_reported(string body) =>
        VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));

    [Theory]
    [InlineData("if (!flag) return; kernel.Memory.Vfree((flag ? null : fpu)?.State);")]
    [InlineData("if (flag) return; kernel.Memory.Vfree((flag ? fpu : null)?.State);")]
    [InlineData("try { Console.WriteLine(); } catch (Exception) when (flag) { kernel.Memory.Vfree((flag ? null : fpu)?.State); }")]
    public Task A_conditional_owner_known_to_be_null_frees_nothing(string body) =>
        VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));

    [Theory]
    [InlineData("{|FPU0002:kernel.Memory.Vfree((flag ? null : fpu)?.State)|};")]
    [InlineData("if (flag) return; {|FPU0002:kernel.Memory.Vfree((flag ? null : fpu)?.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; (flag ? fpu : other).State = fpu.DefaultState; {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    public Task A_conditional_owner_that_may_be_the_owner_is_reported(string body) =>
        VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
}
