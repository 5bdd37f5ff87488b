using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// Where paths meet, a bool local's guard survives from a path where what it proves is proven outright (a swap of a new
/// buffer ended the bool's comparison there, but left the buffer not the default): oracle, seed 4242, e.g. program 4883.
/// </summary>
public class FreeOfDefaultFpuStateBoolJoinTests
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

    [Theory]
    [InlineData("var dyn = fpu.State != fpu.DefaultState; if (flag) Kernel.SwapFpState(fpu, new XStateBuffer(64), fpu.StateMask, 64); if (dyn) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var dyn = fpu.State != fpu.DefaultState; if (flag) fpu.StateSize = 64; if (dyn) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var dyn = fpu.State == fpu.DefaultState; if (flag) { Kernel.SwapFpState(fpu, new XStateBuffer(64), fpu.StateMask, 64); dyn = flag; } if (!dyn) kernel.Memory.Vfree(fpu.State);")]
    public async Task A_bools_guard_survives_a_path_that_proved_it_outright(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("var dyn = fpu.State != fpu.DefaultState; if (flag) Kernel.SwapFpState(fpu, fpu.DefaultState, fpu.StateMask, 64); if (dyn) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("var dyn = fpu.State != fpu.DefaultState; if (flag) GC.KeepAlive(fpu); if (dyn) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("var dyn = !flag; if (flag) Kernel.SwapFpState(fpu, new XStateBuffer(64), fpu.StateMask, 64); if (dyn) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    public async Task A_path_that_proves_nothing_ends_it(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }
}
