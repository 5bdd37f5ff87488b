using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// A helper's summary says through which of its parameters (or its receiver) it may write a state field, so its call
/// ends the guards on what it received for those only (ANALYZER_BUGS.md item 6: a helper that receives the kernel and
/// the Fpu and only allocates through the kernel ended every guard on the Fpu).
/// </summary>
public class FreeOfDefaultFpuStateHelperWritesTests
{
    private static string InMethod(string body) => $$"""
        #nullable enable
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Allocate(Kernel k, Fpu fpu) { k.Memory.Vzalloc(64); }
            static void Enable(Kernel k, Fpu fpu) => k.LocalIrqEnable();
            static void Through(Kernel k, Fpu fpu) => Allocate(k, fpu);
            static void AllocateAndClear(Kernel k, Fpu fpu) { k.Memory.Vzalloc(64); fpu.State = fpu.DefaultState; }
            static void ClearSecond(Fpu a, Fpu b) => b.State = b.DefaultState;
            static void KeepAlive(Kernel k, Fpu fpu) => GC.KeepAlive(fpu);
            static void ClearMask(Fpu f) { f.StateMask = 0; f.StateSize++; }
            static void Reassigned(Fpu a, Fpu b) { a = b; a.State = a.DefaultState; }
            static bool OnDefault(Fpu f) => ReferenceEquals(f.State, f.DefaultState);
            static bool SameAsState(Fpu f) => ReferenceEquals(f, f.State);

            static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag)
            {
        {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Allocate(kernel, fpu); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var dynamic = fpu.State != fpu.DefaultState; Allocate(kernel, fpu); if (dynamic) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Enable(kernel, fpu); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Through(kernel, fpu); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; ClearSecond(fpu, other); kernel.Memory.Vfree(fpu.State);")]
    // The mask and the size are fields of their own: writing them leaves the buffer as it was.
    [InlineData("if (fpu.State == fpu.DefaultState) return; ClearMask(fpu); kernel.Memory.Vfree(fpu.State);")]
    // A lambda that only reads, passed to a method without source, writes nothing.
    [InlineData("if (fpu.State == fpu.DefaultState) return; _ = Array.Exists(new[] { 1 }, n => n == fpu.StateSize); kernel.Memory.Vfree(fpu.State);")]
    // A predicate that passes the state buffer to a method without source (ReferenceEquals) writes no field of its owner
    // (oracle, seed 4242: the generator's OnDefault ended every guard at its call).
    [InlineData("if (fpu.State == fpu.DefaultState) return; OnDefault(fpu); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; if (flag && OnDefault(fpu)) return; kernel.Memory.Vfree(fpu.State);")]
    public async Task A_helper_that_writes_no_state_through_the_owner_keeps_its_guards(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("if (fpu.State == fpu.DefaultState) return; AllocateAndClear(kernel, fpu); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; ClearSecond(other, fpu); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; KeepAlive(kernel, fpu); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Reassigned(other, fpu); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    // The owner itself passed to a method without source: it may write the owner's state.
    [InlineData("if (fpu.State == fpu.DefaultState) return; SameAsState(fpu); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    // A lambda that may write, passed to a method without source, may run there.
    [InlineData("if (fpu.State == fpu.DefaultState) return; Array.ForEach(new[] { 1 }, _ => fpu.State = fpu.DefaultState); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; Array.ForEach(new[] { 1 }, _ => Kernel.SwapFpState(fpu, fpu.DefaultState, 0, 0)); {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    public async Task A_helper_that_may_write_state_through_the_owner_ends_its_guards(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }
}
