using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// The three shapes issue 19's review left open, and their neighbours: a write of another state field of the owner
/// ends a guard on its buffer only where the buffer may be computed from it or its setter may change the buffer; a tuple a helper of this compilation returns is followed element
/// by element; a tuple swap moves what each local holds. Self-contained: the contract attributes are declared by name.
/// </summary>
public class FreeOfDefaultFpuStateTupleAndOwnerWriteTests
{
    private const string Preamble = """
        namespace R
        {
            using System;

            [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class FpuStateFieldAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class DefaultFpuStateAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Method)] sealed class FreesMemoryAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Method)] sealed class FpuStateSwapHelperAttribute : Attribute { }

            sealed class Buf { }

            class Fpu
            {
                [DefaultFpuState] public readonly Buf Default = new Buf();
                [FpuStateField] public Buf State;
                [FpuStateField] public ulong Mask = 3;
                [FpuStateField] public int Size { get; set; } = 576;
                public int Other;
                public Buf Scratch = new Buf();

                public Fpu() => State = Default;

                [FpuStateSwapHelper]
                public Buf SwapFpState(Buf state, ulong mask, int size)
                {
                    var old = State;
                    State = state;
                    Mask = mask;
                    Size = size;
                    return old;
                }

                public void ClearMask() => Mask = 0;      // writes a state field, not the buffer
                public ulong ReadMask() => Mask;          // writes nothing
            }

            sealed class BigFpu : Fpu
            {
                [FpuStateField] public ulong Extra;   // a state field of a derived owner
            }

            sealed class TaskS { public Fpu Fpu = new Fpu(); }

            static class Mem
            {
                [FreesMemory] public static void Free(Buf b) { }
            }
        }

        """;

    private static string Code(string body, string members) => Preamble + $$"""
        namespace R
        {
            using System;

            static class Driver
            {
        {{members}}

                static void Run(Fpu fpu, Fpu other, BigFpu big, TaskS task, Buf x, Buf y, bool c)
                {
        {{body}}
                }
            }
        }
        """;

    private const string Helpers = """
                static void ClearMask(Fpu f) => f.Mask = 0;
                static void ClearMaskThrough(Fpu f) => ClearMask(f);
                static ulong MaskOf(Fpu f) => f.Mask;
                static void SetMask(out ulong mask) => mask = 0;
                static (Buf, int) Pair(Fpu f) => (f.State, f.Size);
                static (int, Buf) Flipped(Fpu f) => (f.Size, f.State);
                static (Buf, Buf) Both(Fpu f, Buf b) => (b, f.State);
                static (Buf, int) Fresh(Buf b) => (b, 0);
                static (Buf, int) DefaultPair(Fpu f) => (f.Default, 0);
                static ((Buf, int), Buf) Nested(Fpu f, Buf b) => ((b, 1), f.State);
                static (Buf, int) Through(Fpu f) => Pair(f);
                static (Buf, int) ThroughLocal(Fpu f) { var t = (f.State, 1); return t; }
                static (Buf, int) Checked(Fpu f) => f.State != f.Default ? (f.State, 1) : (null, 0);
                static (Buf, int) Swapped(Fpu f, Buf b) => (f.SwapFpState(b, 3, 576), 1);
                static (Buf State, int Size) Named(Fpu f) => (f.State, f.Size);
                static (Buf, int) Loop(Fpu f, int n) => n == 0 ? (f.State, 0) : Loop(f, n - 1);
        """;

    private static Task Verify(string body) => VerifyCS.VerifyAnalyzerAsync(Code(body, Helpers));

    // ================================================================ a write of another state field of the owner

    // Two fields (or auto-properties) are two storage locations: a write of the mask or the size leaves the buffer the
    // owner holds as it was, so a guard on it holds (FPU0003 reports the write itself).

    [Theory]
    [InlineData("if (fpu.State == fpu.Default) return; fpu.Size = 0; Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; fpu.Mask |= 4; Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; fpu.Size++; Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; (fpu.Mask, fpu.Size) = (0UL, 0); Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; ref var m = ref fpu.Mask; m = 0; Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; SetMask(out fpu.Mask); Mem.Free(fpu.State);")]
    [InlineData("if (task.Fpu.State == task.Fpu.Default) return; task.Fpu.Mask = 0; Mem.Free(task.Fpu.State);")]
    [InlineData("if (big.State == big.Default) return; big.Extra = 1; Mem.Free(big.State);")]
    [InlineData("var dynamic = fpu.State != fpu.Default; fpu.Mask = 0; if (dynamic) Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State != fpu.Default) { fpu.Mask = 0; Mem.Free(fpu.State); }")]
    public Task A_write_of_another_plain_state_field_of_the_owner_keeps_the_guard(string body) => Verify(body);

    [Theory]
    [InlineData("if (fpu.State == fpu.Default) return; ClearMask(fpu); Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; ClearMaskThrough(fpu); Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; fpu.ClearMask(); Mem.Free(fpu.State);")]
    public Task A_helper_that_writes_another_plain_state_field_keeps_the_guard(string body) => Verify(body);

    // Where the buffer may be computed from what is written (a state property with a getter of its own), or the written
    // member's setter may change the buffer, the write ends the guard; so does a helper's such write.
    [Theory]
    [InlineData("if (cf.State == cf.Default) return; cf.Size = 0; {|FPU0002:Mem.Free(cf.State)|};")]
    [InlineData("if (cf.State == cf.Default) return; cf.Size++; {|FPU0002:Mem.Free(cf.State)|};")]
    [InlineData("if (cf.State == cf.Default) return; Shrink(cf); {|FPU0002:Mem.Free(cf.State)|};")]
    [InlineData("if (sf.State == sf.Default) return; sf.Mask = 0; {|FPU0002:Mem.Free(sf.State)|};")]
    [InlineData("if (sf.State == sf.Default) return; Clear(sf); {|FPU0002:Mem.Free(sf.State)|};")]
    [InlineData("if (fpu.State == fpu.Default) return; fpu.State = x; {|FPU0002:Mem.Free(fpu.State)|};")]
    public Task A_write_that_may_change_the_buffer_ends_the_guard(string body) => VerifyCS.VerifyAnalyzerAsync(Code(body, Helpers + Computed)
        .Replace("TaskS task, Buf x", "TaskS task, ComputedFpu cf, SetterFpu sf, Buf x"));

    private const string Computed = """
                sealed class ComputedFpu
                {
                    private readonly Buf _large = new Buf();
                    [DefaultFpuState] public readonly Buf Default = new Buf();
                    [FpuStateField] public Buf State => Size > 576 ? _large : Default;
                    [FpuStateField] public int Size { get; set; } = 1024;
                }

                sealed class SetterFpu
                {
                    private ulong _mask = 3;
                    [DefaultFpuState] public readonly Buf Default = new Buf();
                    [FpuStateField] public Buf State = new Buf();
                    [FpuStateField] public ulong Mask { get => _mask; set { _mask = value; if (value == 0) State = Default; } }
                }

                static void Shrink(ComputedFpu f) => f.Size = 0;
                static void Clear(SetterFpu f) => f.Mask = 0;
        """;

    [Theory]
    [InlineData("if (fpu.State == fpu.Default) return; other.Mask = 0; other.Size = 1; Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; fpu.Other = 1; fpu.Scratch = x; Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; var m = fpu.Mask; var n = MaskOf(fpu) + fpu.ReadMask(); Mem.Free(fpu.State);")]
    [InlineData("if (fpu.State == fpu.Default) return; ClearMask(other); Mem.Free(fpu.State);")]
    [InlineData("fpu.Mask = 0; if (fpu.State == fpu.Default) return; Mem.Free(fpu.State);")]
    [InlineData("var s = fpu.State; if (s == fpu.Default) return; fpu.Mask = 0; Mem.Free(s);")]
    public Task A_write_of_a_field_that_is_not_this_owners_state_keeps_the_guard(string body) => Verify(body);

    // ================================================================ a tuple swap

    [Theory]
    [InlineData("Buf a = fpu.State, b = x; (a, b) = (b, a); (a, b) = (b, a); {|FPU0002:Mem.Free(a)|}; Mem.Free(b);")]
    [InlineData("Buf a = fpu.Default, b = x; (a, b) = (b, a); Mem.Free(a); {|FPU0002:Mem.Free(b)|};")]
    [InlineData("Buf a = fpu.State, b = x, d = y; (a, b, d) = (b, d, a); Mem.Free(a); Mem.Free(b); {|FPU0002:Mem.Free(d)|};")]
    [InlineData("Buf a = x, b = y; (b, a) = (a, fpu.State); Mem.Free(b); {|FPU0002:Mem.Free(a)|};")]
    [InlineData("Buf a = fpu.State, b = fpu.State; if (a == fpu.Default) return; (a, b) = (b, a); {|FPU0002:Mem.Free(a)|}; Mem.Free(b);")]
    [InlineData("var t = (fpu.State, x); t = (t.Item2, t.Item1); Mem.Free(t.Item1); {|FPU0002:Mem.Free(t.Item2)|};")]
    [InlineData("var t = (fpu.State, x); (t.Item1, t.Item2) = (t.Item2, t.Item1); Mem.Free(t.Item1); {|FPU0002:Mem.Free(t.Item2)|};")]
    [InlineData("Buf a = fpu.State, b = x; (a, b) = (a, b); {|FPU0002:Mem.Free(a)|}; Mem.Free(b);")]
    [InlineData("var s = fpu.State; if (s == fpu.Default) return; var t = (fpu.State, 1); (s, _) = t; {|FPU0002:Mem.Free(s)|};")]
    public Task A_tuple_swap_moves_what_each_target_holds(string body) => Verify(body);

    [Theory]
    [InlineData("Buf a = fpu.State, b = x; if (a == fpu.Default) return; (a, b) = (b, a); Mem.Free(a); Mem.Free(b);")]
    [InlineData("Buf a = x, b = y; (a, b) = (b, a); Mem.Free(a); Mem.Free(b);")]
    [InlineData("Buf a = fpu.State, b = x; if (a == fpu.Default) return; (a, b) = (a, b); Mem.Free(a);")]
    [InlineData("var t = (fpu.State, x); if (t.Item1 == fpu.Default) return; t = (t.Item2, t.Item1); Mem.Free(t.Item1); Mem.Free(t.Item2);")]
    [InlineData("Buf a = fpu.State, b = x; (a, b) = (b, a); if (b != fpu.Default) Mem.Free(b);")]
    public Task A_tuple_swap_of_what_is_not_the_default_is_silent(string body) => Verify(body);

    // ================================================================ a tuple a helper returns

    [Theory]
    [InlineData("var t = Pair(fpu); {|FPU0002:Mem.Free(t.Item1)|};")]
    [InlineData("{|FPU0002:Mem.Free(Pair(fpu).Item1)|};")]
    [InlineData("var (n, s) = Flipped(fpu); {|FPU0002:Mem.Free(s)|};")]
    [InlineData("var (a, b) = Both(fpu, x); Mem.Free(a); {|FPU0002:Mem.Free(b)|};")]
    [InlineData("var ((a, n), b) = Nested(fpu, x); Mem.Free(a); {|FPU0002:Mem.Free(b)|};")]
    [InlineData("var (p, b) = Nested(fpu, x); Mem.Free(p.Item1); {|FPU0002:Mem.Free(b)|};")]
    [InlineData("var t = Nested(fpu, x); Mem.Free(t.Item1.Item1); Mem.Free(Nested(fpu, x).Item1.Item1); {|FPU0002:Mem.Free(t.Item2)|};")]
    [InlineData("var (s, _) = Through(fpu); {|FPU0002:Mem.Free(s)|};")]
    [InlineData("var (s, _) = ThroughLocal(fpu); {|FPU0002:Mem.Free(s)|};")]
    [InlineData("var (d, _) = DefaultPair(fpu); {|FPU0002:Mem.Free(d)|};")]
    [InlineData("var r = Named(fpu); {|FPU0002:Mem.Free(r.State)|};")]
    [InlineData("Buf s = null; int n; (s, n) = Pair(fpu); {|FPU0002:Mem.Free(s)|};")]
    [InlineData("var (s, _) = Loop(fpu, 3); {|FPU0002:Mem.Free(s)|};")]
    [InlineData("var (s, _) = Pair(fpu); if (c) s = x; {|FPU0002:Mem.Free(s)|};")]
    public Task A_helpers_tuple_result_is_followed_element_by_element(string body) => Verify(body);

    [Theory]
    [InlineData("var (s, _) = Pair(fpu); if (s != fpu.Default) Mem.Free(s);")]
    [InlineData("if (fpu.State == fpu.Default) return; var (s, _) = Pair(fpu); Mem.Free(s); Mem.Free(Pair(fpu).Item1);")]
    [InlineData("var (s, n) = Fresh(x); Mem.Free(s); Mem.Free(Fresh(y).Item1);")]
    [InlineData("var (s, _) = Checked(fpu); Mem.Free(s);")]
    [InlineData("var (s, _) = Swapped(fpu, x); Mem.Free(s);")]
    [InlineData("var (s, _) = Pair(fpu); s = x; Mem.Free(s);")]
    public Task A_helpers_tuple_result_without_an_unguarded_state_is_silent(string body) => Verify(body);

    [Fact]
    public Task The_message_names_the_helpers_element_and_its_owners_default() =>
        VerifyCS.VerifyAnalyzerAsync(Code("var (s, n) = Pair(fpu); {|#0:Mem.Free(s)|};", Helpers),
            VerifyCS.Diagnostic("FPU0002").WithLocation(0).WithArguments("Free", "s", "; it holds 'fpu.State', and no check that it differs from 'fpu.Default' guards this path"));
}
