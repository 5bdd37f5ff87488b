using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// FPU0002 as a new user writes it (issue 19): the state reaching a free through ordinary C#, guards written the
/// ways C# allows, and what ends a guard. Each shape reported where the state may reach the free, and not where a
/// guard covers it or no state reaches it.
/// </summary>
public class FreeOfDefaultFpuStateFormsTests
{
    private static string InMethod(string body) => $$"""
        #nullable enable
        using System;
        using FpuGuard.Runtime;

        record Snapshot(XStateBuffer? Buffer, int Size);

        static class Driver
        {
            static XStateBuffer StateOf(Fpu f) => f.State;
            static XStateBuffer DefaultOf(Fpu f) { var d = f.DefaultState; return d; }
            static XStateBuffer? Fresh(Kernel k) => k.Memory.Vzalloc(64);
            static XStateBuffer? Swapped(Fpu f, XStateBuffer b) => Kernel.SwapFpState(f, b, XFeatureMask.FpSse, 576);
            static bool TryGetState(Fpu f, out XStateBuffer s) { s = f.State; return true; }
            static bool TryGetFresh(Kernel k, out XStateBuffer? s) { s = k.Memory.Vzalloc(64); return s is not null; }
            static bool IsDynamic(Fpu f) => !ReferenceEquals(f.State, f.DefaultState);
            static bool OnDefault(Fpu f) { if (f.State is null) return true; return f.State == f.DefaultState; }
            static bool HasState(Fpu f) => f.State is not null;
            static bool Reassigns(Fpu f, Fpu g) { f = g; return f.State != f.DefaultState; }
            static void Reset(Fpu f, XStateBuffer b) => Kernel.SwapFpState(f, b, XFeatureMask.FpSse, 576);
            static void ResetThrough(Fpu f, XStateBuffer b) => Reset(f, b);
            static void Look(Fpu f) { var size = f.StateSize; }

            static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag, XStateBuffer buffer, XStateBuffer? maybe, KernelTask? task)
            {
        {{body}}
            }
        }
        """;

    [Theory]
    // locals and aliases of the owner
    [InlineData("var owner = fpu; {|FPU0002:kernel.Memory.Vfree(owner.State)|};")]
    [InlineData("var state = fpu.State; var same = state; {|FPU0002:kernel.Memory.Vfree(same)|};")]
    // pattern variables
    [InlineData("if (fpu.State is { } s) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("if (fpu.State is var s) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("if (fpu.State is XStateBuffer s) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("if (fpu is { State: var s }) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("if (task is { Fpu.State: { } s }) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("if ((fpu.State, flag) is ({ } s, true)) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("switch (fpu.State) { case { } s: {|FPU0002:kernel.Memory.Vfree(s)|}; break; }")]
    [InlineData("var picked = fpu.State switch { { } s => s, _ => null }; {|FPU0002:kernel.Memory.Vfree(picked)|};")]
    // tuples: construction, elements, deconstruction
    [InlineData("var t = (fpu.State, flag); {|FPU0002:kernel.Memory.Vfree(t.Item1)|};")]
    [InlineData("var t = (state: fpu.State, flag); {|FPU0002:kernel.Memory.Vfree(t.state)|};")]
    [InlineData("var (a, b) = (fpu.State, flag); {|FPU0002:kernel.Memory.Vfree(a)|};")]
    [InlineData("var t = (buffer, fpu.State); var (a, b) = t; {|FPU0002:kernel.Memory.Vfree(b)|};")]
    [InlineData("XStateBuffer? a; bool b; (a, b) = (fpu.State, flag); {|FPU0002:kernel.Memory.Vfree(a)|};")]
    [InlineData("var t = ((fpu.State, 1), flag); {|FPU0002:kernel.Memory.Vfree(t.Item1.Item1)|};")]
    // conditional, null-conditional and null-coalescing arguments
    [InlineData("{|FPU0002:kernel.Memory.Vfree(flag ? fpu.State : buffer)|};")]
    [InlineData("{|FPU0002:kernel.Memory.Vfree(task?.Fpu.State)|};")]
    [InlineData("{|FPU0002:kernel.Memory.Vfree(maybe ?? fpu.State)|};")]
    [InlineData("{|FPU0002:kernel.Memory.Vfree((flag ? fpu : other).State)|};")]
    [InlineData("{|FPU0002:kernel.Memory.Vfree(flag ? buffer : fpu.DefaultState)|};")]
    // ref and ref readonly locals
    [InlineData("ref var s = ref fpu.State; {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("ref readonly var s = ref fpu.State; {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; ref var s = ref fpu.State; s = fpu.DefaultState; {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    // record members set by `with` (and by an initializer)
    [InlineData("var snap = new Snapshot(buffer, 0) with { Buffer = fpu.State }; {|FPU0002:kernel.Memory.Vfree(snap.Buffer)|};")]
    [InlineData("var first = new Snapshot(buffer, 0) with { Buffer = fpu.State }; var second = first with { Size = 1 }; {|FPU0002:kernel.Memory.Vfree(second.Buffer)|};")]
    [InlineData("var snap = new Snapshot(buffer, 0) { Buffer = fpu.State }; {|FPU0002:kernel.Memory.Vfree(snap.Buffer)|};")]
    // results and out arguments of helpers of this compilation
    [InlineData("{|FPU0002:kernel.Memory.Vfree(StateOf(fpu))|};")]
    [InlineData("var s = StateOf(fpu); {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("{|FPU0002:kernel.Memory.Vfree(DefaultOf(fpu))|};")]
    [InlineData("if (TryGetState(fpu, out var s)) {|FPU0002:kernel.Memory.Vfree(s)|};")]
    [InlineData("XStateBuffer Current() => fpu.State; {|FPU0002:kernel.Memory.Vfree(Current())|};")]
    [InlineData("if (other.State != other.DefaultState) {|FPU0002:kernel.Memory.Vfree(StateOf(fpu))|};")]
    public async Task The_state_reaching_a_free_through_CSharp_is_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("if (fpu.State != fpu.DefaultState) { var owner = fpu; kernel.Memory.Vfree(owner.State); }")]
    [InlineData("if (buffer is { } s) kernel.Memory.Vfree(s);")]
    [InlineData("if (fpu.State != fpu.DefaultState && fpu.State is { } s) kernel.Memory.Vfree(s);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; if (fpu is { State: var s }) kernel.Memory.Vfree(s);")]
    [InlineData("if (fpu is { StateSize: > 0 } && buffer is var s) kernel.Memory.Vfree(s);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; switch (fpu.State) { case { } s: kernel.Memory.Vfree(s); break; }")]
    [InlineData("var t = (fpu.State, buffer); kernel.Memory.Vfree(t.Item2);")]
    [InlineData("var (a, b) = (buffer, fpu.State); kernel.Memory.Vfree(a);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; var t = (fpu.State, flag); kernel.Memory.Vfree(t.Item1);")]
    [InlineData("var t = (fpu.State, flag); t.Item1 = buffer; kernel.Memory.Vfree(t.Item1);")]
    [InlineData("if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(flag ? fpu.State : buffer);")]
    [InlineData("kernel.Memory.Vfree(flag ? buffer : null);")]
    [InlineData("if (task is null || task.Fpu.State == task.Fpu.DefaultState) return; kernel.Memory.Vfree(task?.Fpu.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; kernel.Memory.Vfree(maybe ?? fpu.State);")]
    [InlineData("ref var s = ref fpu.State; if (s != fpu.DefaultState) kernel.Memory.Vfree(s);")]
    [InlineData("ref var s = ref fpu.State; if (fpu.State == fpu.DefaultState) return; kernel.Memory.Vfree(s);")]
    [InlineData("var snap = new Snapshot(fpu.State, 0) with { Buffer = buffer }; kernel.Memory.Vfree(snap.Buffer);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; var snap = new Snapshot(buffer, 0) with { Buffer = fpu.State }; kernel.Memory.Vfree(snap.Buffer);")]
    [InlineData("kernel.Memory.Vfree(Fresh(kernel));")]
    [InlineData("kernel.Memory.Vfree(Swapped(fpu, buffer));")]
    [InlineData("if (TryGetFresh(kernel, out var s)) kernel.Memory.Vfree(s);")]
    [InlineData("if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(StateOf(fpu));")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; if (TryGetState(fpu, out var s)) kernel.Memory.Vfree(s);")]
    public async Task The_same_shapes_guarded_or_without_a_state_are_not_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("if (!fpu.State.Equals(fpu.DefaultState)) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.DefaultState.Equals(fpu.State)) return; kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State.Equals(fpu.DefaultState) is false) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if ((fpu.State == fpu.DefaultState) is not true) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var dynamic = fpu.State != fpu.DefaultState; if (dynamic) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("bool onDefault = ReferenceEquals(fpu.State, fpu.DefaultState); if (onDefault) return; kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var onDefault = fpu.State == fpu.DefaultState; var copy = onDefault; if (!copy) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("var state = fpu.State; var dynamic = state != fpu.DefaultState; if (dynamic) kernel.Memory.Vfree(state);")]
    [InlineData("if (IsDynamic(fpu)) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (OnDefault(fpu)) return; kernel.Memory.Vfree(fpu.State);")]
    [InlineData("bool Dynamic() => fpu.State != fpu.DefaultState; if (Dynamic()) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("bool Same(XStateBuffer s) => ReferenceEquals(s, fpu.DefaultState); var state = fpu.State; if (!Same(state)) kernel.Memory.Vfree(state);")]
    [InlineData("if (fpu.State == fpu.DefaultState) throw new InvalidOperationException(); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("foreach (var f in new[] { fpu, other }) { if (f.State == f.DefaultState) continue; kernel.Memory.Vfree(f.State); }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { Look(fpu); kernel.Memory.Vfree(fpu.State); }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { GC.KeepAlive(other); Console.WriteLine(fpu.StateSize); kernel.Memory.Vfree(fpu.State); }")]
    public async Task Guards_written_the_ways_CSharp_allows_are_understood(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("var dynamic = fpu.State != fpu.DefaultState; dynamic = flag; if (dynamic) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("var dynamic = fpu.State != fpu.DefaultState; Kernel.SwapFpState(fpu, buffer, XFeatureMask.FpSse, 576); if (dynamic) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("var dynamic = other.State != other.DefaultState; if (dynamic) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("var onDefault = fpu.State == fpu.DefaultState; if (onDefault) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (IsDynamic(other)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (!IsDynamic(fpu)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (HasState(fpu)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (Reassigns(fpu, other)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.IsDynamic) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) throw new InvalidOperationException(); fpu = other; {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State != fpu.DefaultState) { Reset(fpu, buffer); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { ResetThrough(fpu, buffer); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { GC.KeepAlive(fpu); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { _ = fpu.ToString(); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (task!.Fpu.State != task.Fpu.DefaultState) { GC.KeepAlive(task); {|FPU0002:kernel.Memory.Vfree(task.Fpu.State)|}; }")]
    public async Task Guards_end_where_the_state_may_change_and_others_do_not_cover(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }
}
