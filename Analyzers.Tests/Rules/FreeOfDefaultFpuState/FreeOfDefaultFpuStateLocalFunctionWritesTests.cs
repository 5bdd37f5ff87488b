using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// A local function receives what it captured by capture: its call ends the guards below the captured variables it may
/// write a state field through, or swap (ANALYZER_BUGS.md item 10, a false negative); a recursive one, whose summary
/// cannot be read, those below every variable it or the local functions it calls refer to.
/// </summary>
public class FreeOfDefaultFpuStateLocalFunctionWritesTests
{
    private static string InMethod(string body, string local) => $$"""
        #nullable enable
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag)
            {
        {{body}}
                {{local}}
            }
        }
        """;

    [Theory]
    [InlineData("void L() { Kernel.SwapFpState(fpu, fpu.DefaultState, 0, 0); }")]
    [InlineData("void L() { fpu.State = fpu.DefaultState; }")]
    [InlineData("void L() { if (flag) L(); fpu.StateMask = 0; }")]
    [InlineData("void L() { if (flag) L(); M(); } void M() { if (flag) L(); fpu.StateSize = 64; }")]
    [InlineData("void L() { var f = flag ? fpu : other; f.State = f.DefaultState; }")]
    public async Task A_local_function_that_may_write_the_captured_owners_state_ends_its_guards(string local)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        if (fpu.State == fpu.DefaultState) return; L(); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};", local));
    }

    [Theory]
    [InlineData("void L() { kernel.Memory.Vzalloc(64); }")]
    [InlineData("void L() { other.StateSize = 64; }")]
    [InlineData("void L() { fpu.StateSize = 64; fpu.StateMask = 0; }")]
    [InlineData("void L() { if (flag) L(); kernel.Memory.Vzalloc(64); }")]
    [InlineData("void L() { Kernel.SwapFpState(fpu, new XStateBuffer(64), 0, 64); }")]
    public async Task A_local_function_that_writes_no_state_of_the_captured_owner_keeps_its_guards(string local)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        if (fpu.State == fpu.DefaultState) return; L(); kernel.Memory.Vfree(fpu.State);", local));
    }
}
