using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper.FpuStateWrittenOutsideSwapHelperAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.StateWrittenOutsideSwapHelper;

/// <summary>
/// FPU0003 write forms the review cases (<see cref="FpuStateWriteFormsReviewTests"/>) leave without a direct
/// positive or negative: writable span views of an inline-array state field (C# 12), and the negative or positive
/// half of <c>Interlocked.CompareExchange</c>, a record struct's <c>with</c>, nested struct fields and a
/// class-typed state field. C# 13 and 14 forms are in Analyzers.Tests.Latest.
/// </summary>
public class FpuStateWriteFormsMoreTests
{
    private const string Preamble = """
        namespace K
        {
            using System;

            [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class FpuStateFieldAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Method)] sealed class FpuStateSwapHelperAttribute : Attribute { }

            [System.Runtime.CompilerServices.InlineArray(4)] struct Regs { private ulong _e0; }
            struct Inner { public int A; }
            struct Header { public ulong XComp; public Inner In; public Regs Saved; }
            sealed class Box { public int Value; public Inner In; }

            sealed partial class Fpu
            {
                [FpuStateField] public ulong StateMask = 3;
                [FpuStateField] public Regs Regs;
                [FpuStateField] public Header Header;
                [FpuStateField] public readonly Regs Fixed;
                [FpuStateField] public Box Box = new Box();
                public Regs OtherRegs;
                public int Other;
            }
        }

        """;

    // ---------------------------------------------------------------- a writable Span<T> over an inline-array state field

    [Fact]
    public async Task A_writable_span_view_of_an_inline_array_state_field_is_reported()
    {
        // No other write in the method: the view alone must get it analysed.
        const string source = Preamble + """
            namespace K
            {
                using System;

                static class Driver
                {
                    static void Clear(Span<ulong> registers) => registers.Clear();

                    static void Run(Fpu f)
                    {
                        Span<ulong> s = {|FPU0003:f.Regs|};
                        Clear({|FPU0003:f.Regs|});
                        var c = (Span<ulong>)({|FPU0003:f.Regs|});
                        var tail = {|FPU0003:f.Regs|}[1..];
                        {|FPU0003:f.Regs|}[..2].Fill(7);
                        foreach (ref ulong e in {|FPU0003:f.Regs|}) { e = 0; }
                        Span<ulong> saved = {|FPU0003:f.Header|}.Saved;
                        s[0] = c[0] + tail[0] + saved[0];
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_writable_span_view_in_the_declaring_type_outside_its_constructors_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System;

                sealed partial class Fpu
                {
                    public Span<ulong> Registers() => {|FPU0003:Regs|};
                    public void Zero() { Span<ulong> s = {|FPU0003:this.Regs|}; s.Clear(); }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Read_only_views_copies_and_views_of_other_inline_arrays_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System;

                static class Driver
                {
                    static ulong Sum(ReadOnlySpan<ulong> registers) { ulong s = 0; foreach (var r in registers) s += r; return s; }

                    static ulong Run(Fpu f)
                    {
                        ReadOnlySpan<ulong> r = f.Regs;
                        ReadOnlySpan<ulong> head = f.Regs[..2];
                        ReadOnlySpan<ulong> pinned = f.Fixed;
                        var sum = Sum(f.Regs) + Sum(f.Fixed);
                        foreach (var e in f.Regs) { sum += e; }
                        foreach (ref readonly ulong e in f.Regs) { sum += e; }
                        Span<ulong> other = f.OtherRegs;
                        var copy = f.Regs;
                        Span<ulong> local = copy;
                        local[0] = 1;
                        other[0] = 2;
                        return sum + r[0] + head[0] + pinned[0] + f.Regs[0];
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_writable_span_view_in_the_swap_helper_or_a_constructor_of_the_declaring_type_is_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System;

                sealed partial class Fpu
                {
                    public Fpu() { Span<ulong> s = Regs; s.Fill(1); }
                }

                static class Buffers
                {
                    [FpuStateSwapHelper]
                    public static void Swap(Fpu f, ulong mask)
                    {
                        Span<ulong> s = f.Regs;
                        s.Clear();
                        f.StateMask = mask;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- Interlocked: the state field by value is a read

    [Fact]
    public async Task Interlocked_with_a_state_field_only_as_a_value_is_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System.Threading;

                static class Driver
                {
                    static ulong Run(Fpu f, ulong seen)
                    {
                        Interlocked.CompareExchange(ref f.Other, 1, (int)f.StateMask);
                        Interlocked.Exchange(ref seen, f.StateMask);
                        return Interlocked.CompareExchange(ref seen, f.StateMask, 0UL);
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- record struct: with, inside and outside

    [Fact]
    public async Task A_record_struct_state_property_set_by_with_outside_the_type_is_reported_and_inside_or_of_others_is_not()
    {
        const string source = Preamble + """
            namespace K
            {
                record struct Perm
                {
                    [FpuStateField] public ulong Mask { get; init; }
                    public int Other { get; init; }

                    public Perm Grown(ulong m) => this with { Mask = m };
                }

                static class Driver
                {
                    static Perm Set(Perm p) => p with { {|FPU0003:Mask|} = 1, Other = 2 };
                    static Perm Keep(Perm p) => p with { Other = (int)p.Mask };
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- nested struct fields; a class-typed state field

    [Fact]
    public async Task A_nested_field_of_a_struct_state_field_is_a_write_and_one_of_a_copy_or_an_object_is_not()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static int Run(Fpu f)
                    {
                        {|FPU0003:f.Header|}.In.A = 1;
                        ({|FPU0003:f.Header|}.In).A += 2;
                        var h = f.Header;
                        h.In.A = 3;
                        f.Box.Value = 4;
                        f.Box.In.A = 5;
                        {|FPU0003:f.Box|} = new Box();
                        return h.In.A + f.Header.In.A + f.Box.In.A;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }
}
