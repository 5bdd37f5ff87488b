using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// After a swap the owner's buffer is what the swap installed (the swap helper's parameter of the buffer's type), with
/// what the analysis knows of it: a new buffer, an allocation or a buffer a guard proved is not the default; the default,
/// or a state nothing proved, may be. The same through helpers of this compilation that swap in what they receive.
/// </summary>
public class FreeOfDefaultFpuStateSwapTests
{
    private static string InMethod(string body) => $$"""
        #nullable enable
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static XStateBuffer? SwapFpState(this Fpu fpu, XStateBuffer state, XFeatureMask mask, int size) => Kernel.SwapFpState(fpu, state, mask, size);
            static void Install(Fpu f, XStateBuffer b) => Kernel.SwapFpState(f, b, f.StateMask, f.StateSize);
            static void InstallThrough(Fpu f, XStateBuffer b) => Install(f, b);
            static void Grow(Fpu f) => Kernel.SwapFpState(f, new XStateBuffer(4096), f.StateMask, 4096);
            static void Reset(Fpu f) => Kernel.SwapFpState(f, f.DefaultState, f.StateMask, f.DefaultState.Size);
            static void Maybe(Fpu f, XStateBuffer b, bool c) { if (c) Kernel.SwapFpState(f, b, f.StateMask, f.StateSize); }
            static void EnsureDynamic(Fpu f) { if (f.State == f.DefaultState) throw new InvalidOperationException(); }

            static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag, XStateBuffer buffer)
            {
        {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("Kernel.SwapFpState(fpu, new XStateBuffer(4096), fpu.StateMask, 4096); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var fresh = kernel.Memory.Vzalloc(4096); if (fresh is null) return; Kernel.SwapFpState(fpu, fresh, fpu.StateMask, 4096); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("fpu.SwapFpState(new XStateBuffer(4096), fpu.StateMask, 4096); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Kernel.SwapFpState(fpu, fpu.State, fpu.StateMask, fpu.StateSize); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var dynamic = fpu.State != fpu.DefaultState; Kernel.SwapFpState(fpu, fpu.State, fpu.StateMask, fpu.StateSize); if (dynamic) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (other.State == other.DefaultState) return; Kernel.SwapFpState(fpu, other.State, fpu.StateMask, fpu.StateSize); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("Kernel.SwapFpState(fpu, new XStateBuffer(4096), fpu.StateMask, 4096); var dynamic = fpu.State; kernel.Memory.Vfree(dynamic);")]
    [InlineData("Kernel.SwapFpState(fpu, flag ? new XStateBuffer(64) : new XStateBuffer(128), fpu.StateMask, 64); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("Install(fpu, new XStateBuffer(4096)); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("InstallThrough(fpu, new XStateBuffer(4096)); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("Grow(fpu); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("EnsureDynamic(fpu); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("try { Kernel.SwapFpState(fpu, new XStateBuffer(4096), fpu.StateMask, 4096); } finally { } kernel.Memory.Vfree(fpu.State);")]
    public async Task A_free_after_a_swap_that_installed_a_buffer_known_not_to_be_the_default_is_not_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("Kernel.SwapFpState(fpu, fpu.DefaultState, fpu.StateMask, fpu.StateSize); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; fpu.SwapFpState(fpu.DefaultState, fpu.StateMask, fpu.StateSize); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("Kernel.SwapFpState(fpu, fpu.State, fpu.StateMask, fpu.StateSize); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Kernel.SwapFpState(fpu, other.State, fpu.StateMask, fpu.StateSize); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("Kernel.SwapFpState(fpu, flag ? fpu.DefaultState : new XStateBuffer(64), fpu.StateMask, 64); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("var d = fpu.DefaultState; Kernel.SwapFpState(fpu, d, fpu.StateMask, fpu.StateSize); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("Install(fpu, fpu.DefaultState); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; InstallThrough(fpu, other.State); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Reset(fpu); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("Maybe(fpu, new XStateBuffer(64), flag); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    // A helper that swaps on some paths only says nothing of the state when it returns: the guard before it ends.
    [InlineData("if (fpu.State == fpu.DefaultState) return; Maybe(fpu, new XStateBuffer(64), flag); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Maybe(fpu, fpu.DefaultState, flag); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("Kernel.SwapFpState(other, new XStateBuffer(4096), other.StateMask, 4096); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; try { Kernel.SwapFpState(fpu, fpu.DefaultState, fpu.StateMask, 576); } catch (ArgumentException) { kernel.Memory.Vfree(fpu.State); }")]
    public async Task A_free_after_a_swap_that_may_have_installed_the_default_is_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }
}
