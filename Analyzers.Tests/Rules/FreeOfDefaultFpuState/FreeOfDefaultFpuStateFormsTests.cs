using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading.Tasks;
using FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
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
            static XStateBuffer StateOfSecond(Fpu f, Fpu g) { f = g; return f.State; }
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
    [InlineData("if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(StateOfSecond(fpu, other))|};")]
    public async Task The_state_reaching_a_free_through_CSharp_is_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("kernel.Memory.Vfree(StateOf(fpu))", "StateOf(fpu)", "; it holds 'fpu.State', and no check that it differs from 'fpu.DefaultState' guards this path")]
    [InlineData("kernel.Memory.Vfree(DefaultOf(other))", "DefaultOf(other)", " — it holds 'other.DefaultState', the default state itself")]
    [InlineData("kernel.Memory.Vfree(flag ? fpu.State : buffer)", "flag ? fpu.State : buffer", "; it holds 'fpu.State', and no check that it differs from 'fpu.DefaultState' guards this path")]
    [InlineData("kernel.Memory.Vfree(task?.Fpu.State)", "task?.Fpu.State", "; it holds 'task.Fpu.State', and no check that it differs from 'task.Fpu.DefaultState' guards this path")]
    public async Task The_message_names_where_the_state_came_from(string free, string argument, string why)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        {|#0:" + free + "|};"), VerifyCS.Diagnostic("FPU0002").WithLocation(0).WithArguments("Vfree", argument, why));
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
    [InlineData("var dynamic = fpu.State != fpu.DefaultState; Kernel.SwapFpState(fpu, other.State, XFeatureMask.FpSse, 576); if (dynamic) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("var dynamic = other.State != other.DefaultState; if (dynamic) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("var onDefault = fpu.State == fpu.DefaultState; if (onDefault) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (IsDynamic(other)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (!IsDynamic(fpu)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (HasState(fpu)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (Reassigns(fpu, other)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.IsDynamic) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) throw new InvalidOperationException(); fpu = other; {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State != fpu.DefaultState) { Reset(fpu, other.State); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { ResetThrough(fpu, fpu.DefaultState); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { GC.KeepAlive(fpu); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { _ = fpu.ToString(); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (task!.Fpu.State != task.Fpu.DefaultState) { GC.KeepAlive(task); {|FPU0002:kernel.Memory.Vfree(task.Fpu.State)|}; }")]
    public async Task Guards_end_where_the_state_may_change_and_others_do_not_cover(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }
}

public class FreeOfDefaultFpuStateOwnContractsTests
{
    // A codebase with its own contract copies, an owner whose swap helper is an instance method, a buffer type that
    // overrides Equals, and an is_valloc-like property in source.
    private static string Kernel(string body) => $$"""
        namespace Teaching.Kernel
        {
            [System.AttributeUsage(System.AttributeTargets.All)] sealed class DefaultFpuStateAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.All)] sealed class FpuStateFieldAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.All)] sealed class FreesMemoryAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.All)] sealed class FpuStateSwapHelperAttribute : System.Attribute { }

            class Area { }

            sealed class Compared
            {
                public override bool Equals(object? other) => other is Compared;
                public override int GetHashCode() => 0;
            }

            sealed class TaskFpu
            {
                [DefaultFpuState] public readonly Area Embedded = new();
                [FpuStateField] public Area Current;
                public TaskFpu() => Current = Embedded;

                public bool IsValloc => Current != Embedded;
                public bool OnEmbedded { get { return ReferenceEquals(Current, Embedded); } }

                [FpuStateSwapHelper] public Area Swap(Area next) { var old = Current; Current = next; return old; }
            }

            sealed class OtherFpu
            {
                [DefaultFpuState] public readonly Compared Embedded = new();
                [FpuStateField] public Compared Current;
                public OtherFpu() => Current = Embedded;
            }

            static class Allocator
            {
                [FreesMemory] public static void Release(Area area) { }
                [FreesMemory] public static void Release(Compared area) { }

                static void Exit(TaskFpu fpu, OtherFpu other, Area fresh, TaskFpu other2)
                {
                    {{body}}
                }
            }
        }
        """;

    [Theory]
    [InlineData("if (fpu.IsValloc) Release(fpu.Current);")]
    [InlineData("if (fpu.OnEmbedded) return; Release(fpu.Current);")]
    [InlineData("if (fpu is { IsValloc: true }) Release(fpu.Current);")]
    [InlineData("if (!fpu.Current.Equals(fpu.Embedded)) Release(fpu.Current);")]
    [InlineData("Release(fpu.Swap(fresh));")]
    [InlineData("fpu.Swap(fresh); Release(fpu.Current);")]
    [InlineData("if (other2.IsValloc) { fpu.Swap(other2.Current); Release(fpu.Current); }")]
    public async Task Understood_with_own_contracts(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(Kernel(body));
    }

    [Theory]
    [InlineData("if (fpu.IsValloc) { fpu.Swap(fpu.Embedded); {|FPU0002:Release(fpu.Current)|}; }")]
    [InlineData("if (fpu.Current != fpu.Embedded) { fpu.Swap(other2.Current); {|FPU0002:Release(fpu.Current)|}; }")]
    [InlineData("if (!other.Current.Equals(other.Embedded)) {|FPU0002:Release(other.Current)|};")]
    [InlineData("if (fpu.OnEmbedded) {|FPU0002:Release(fpu.Current)|};")]
    public async Task Reported_with_own_contracts(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(Kernel(body));
    }
}

public class FreeOfDefaultFpuStateHelperBoundsTests
{
    // Helpers calling each other deeper than the summary bound: the helper beyond it is read as "may return the
    // default, may write every state", and FPU0007 says so; the rest of the analysis stands.
    [Fact]
    public async Task Helpers_deeper_than_the_bound_give_the_conservative_answer_and_FPU0007()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Driver
            {
                static XStateBuffer? H1(Fpu f, XStateBuffer b) => H2(f, b);
                static XStateBuffer? H2(Fpu f, XStateBuffer b) => H3(f, b);
                static XStateBuffer? H3(Fpu f, XStateBuffer b) => H4(f, b);
                static XStateBuffer? H4(Fpu f, XStateBuffer b) => H5(f, b);
                static XStateBuffer? H5(Fpu f, XStateBuffer b) => H6(f, b);
                static XStateBuffer? H6(Fpu f, XStateBuffer b) => Kernel.SwapFpState(f, b, XFeatureMask.FpSse, 576);

                static void {|#1:Run|}(Kernel kernel, Fpu fpu, XStateBuffer buffer)
                {
                    {|#0:kernel.Memory.Vfree(H1(fpu, buffer))|};
                }

                static void Shallow(Kernel kernel, Fpu fpu, XStateBuffer buffer) => kernel.Memory.Vfree(H5(fpu, buffer));
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source,
            VerifyCS.Diagnostic("FPU0002").WithLocation(0).WithArguments("Vfree", "H1(fpu, buffer)", "; it holds 'H1(fpu, buffer)', and no check that it differs from its owner's default state guards this path"),
            VerifyCS.Diagnostic("FPU0007").WithLocation(1).WithArguments("The default-state analysis (FPU0002)", "Run", $"helpers call each other more than {HelperSummaries.MaxDepth} deep",
                "a helper beyond the bound is taken to return a default state and to write every state it reaches"));
    }

    // The same, with a member that reads the helpers below the bound analysed first: the summaries it leaves for
    // the compilation are not taken where reading them afresh would reach the bound, so the answer is the same
    // whichever member the driver analyses first.
    [Fact]
    public async Task The_bound_answers_alike_when_a_shallower_reader_came_first()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Driver
            {
                static void Shallow(Kernel kernel, Fpu fpu, XStateBuffer buffer) => kernel.Memory.Vfree(H5(fpu, buffer));
                static void Shallower(Kernel kernel, Fpu fpu, XStateBuffer buffer) => kernel.Memory.Vfree(H3(fpu, buffer));

                static XStateBuffer? H1(Fpu f, XStateBuffer b) => H2(f, b);
                static XStateBuffer? H2(Fpu f, XStateBuffer b) => H3(f, b);
                static XStateBuffer? H3(Fpu f, XStateBuffer b) => H4(f, b);
                static XStateBuffer? H4(Fpu f, XStateBuffer b) => H5(f, b);
                static XStateBuffer? H5(Fpu f, XStateBuffer b) => H6(f, b);
                static XStateBuffer? H6(Fpu f, XStateBuffer b) => Kernel.SwapFpState(f, b, XFeatureMask.FpSse, 576);

                static void {|#1:Run|}(Kernel kernel, Fpu fpu, XStateBuffer buffer)
                {
                    {|#0:kernel.Memory.Vfree(H1(fpu, buffer))|};
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source,
            VerifyCS.Diagnostic("FPU0002").WithLocation(0).WithArguments("Vfree", "H1(fpu, buffer)", "; it holds 'H1(fpu, buffer)', and no check that it differs from its owner's default state guards this path"),
            VerifyCS.Diagnostic("FPU0007").WithLocation(1).WithArguments("The default-state analysis (FPU0002)", "Run", $"helpers call each other more than {HelperSummaries.MaxDepth} deep",
                "a helper beyond the bound is taken to return a default state and to write every state it reaches"));
    }

    [Theory]
    [InlineData("static XStateBuffer? Loop(Fpu f, int n) => n == 0 ? f.State : Loop(f, n - 1);", "{|FPU0002:kernel.Memory.Vfree(Loop(fpu, 3))|};")]
    [InlineData("static XStateBuffer? Loop(Fpu f, int n) => n == 0 ? f.DefaultState : Loop(f, n - 1);", "{|FPU0002:kernel.Memory.Vfree(Loop(fpu, 3))|};")]
    [InlineData("static XStateBuffer? Swap(Fpu f, XStateBuffer b, int n) => n == 0 ? Kernel.SwapFpState(f, b, XFeatureMask.FpSse, 576) : Swap(f, b, n - 1);", "{|FPU0002:kernel.Memory.Vfree(Swap(fpu, buffer, 3))|};")]
    public async Task A_recursive_helper_is_read_as_may_return_the_default(string helper, string body)
    {
        var source = $$"""
            using FpuGuard.Runtime;

            static class Driver
            {
                {{helper}}

                static void Run(Kernel kernel, Fpu fpu, XStateBuffer buffer)
                {
                    {{body}}
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Theory]
    [InlineData("var (a, = (fpu.State, 1); kernel.Memory.Vfree(a);")]
    [InlineData("if (fpu.State is { } s kernel.Memory.Vfree(s);")]
    [InlineData("kernel.Memory.Vfree(flag ? fpu.State : );")]
    [InlineData("kernel.Memory.Vfree(Missing(fpu));")]
    [InlineData("ref var s = ref ; kernel.Memory.Vfree(s);")]
    [InlineData("var t = (fpu.State, ); kernel.Memory.Vfree(t.Item1);")]
    [InlineData("kernel.Memory.Vfree(Half(fpu));")]
    public async Task Code_being_typed_in_the_new_shapes_does_not_throw(string body)
    {
        var source = $$"""
            using FpuGuard.Runtime;

            static class Driver
            {
                static XStateBuffer Half(Fpu f) => f.
                static void Run(Kernel kernel, Fpu fpu, bool flag)
                {
                    {{body}}
                }
            }
            """;
        var tree = CSharpSyntaxTree.ParseText(source);
        var compilation = CSharpCompilation.Create("Typing", new[] { tree }, TestReferences.HostFrameworkAndRuntime(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), (e, _, _) => exceptions.Add(e),
            concurrentAnalysis: false, logAnalyzerExecutionTime: false);
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new FreeOfDefaultFpuStateAnalyzer()), options).GetAnalyzerDiagnosticsAsync();
        Assert.Empty(exceptions);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }
}

public class FreeOfDefaultFpuStateInlineArrayTests
{
    private static string InMethod(string body) => $$"""
        using System.Runtime.CompilerServices;
        using FpuGuard.Runtime;

        [InlineArray(2)]
        struct Buffers { private XStateBuffer? _element; }

        static class Driver
        {
            static void Run(Kernel kernel, Fpu fpu, XStateBuffer buffer)
            {
                var buffers = new Buffers();
                {{body}}
            }
        }
        """;

    // The 4.8 operation API does not model an inline array's element: FPU0002 reads it from syntax, and takes every
    // element to hold what any was given.
    [Theory]
    [InlineData("buffers[0] = fpu.State; {|FPU0002:kernel.Memory.Vfree(buffers[0])|};")]
    [InlineData("buffers[0] = fpu.State; buffers[1] = buffer; {|FPU0002:kernel.Memory.Vfree(buffers[1])|};")]
    [InlineData("buffers[0] = fpu.State; if (buffers[0] != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(buffers[1])|};")]
    public async Task An_inline_array_element_given_the_state_is_reported_conservatively(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body));
    }

    [Theory]
    [InlineData("buffers[0] = buffer; kernel.Memory.Vfree(buffers[0]);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; buffers[0] = fpu.State; kernel.Memory.Vfree(buffers[0]);")]
    public async Task An_inline_array_without_a_state_is_not_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod(body));
    }
}
