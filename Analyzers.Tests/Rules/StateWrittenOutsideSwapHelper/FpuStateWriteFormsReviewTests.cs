using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper.FpuStateWrittenOutsideSwapHelperAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.StateWrittenOutsideSwapHelper;

/// <summary>
/// Reviewer's cases for FPU0003, written from docs/rules/FPU0003.md, issue 19 ("FPU0003 - every write form")
/// and the C# language, without reading the analyzer. One fact per form, positive and negative. Markup marks
/// the reference to the state member that is written (for a write into a struct-typed or inline-array state
/// field: the state field's part of the target, <c>f.Header</c> in <c>f.Header.XComp = 0</c>, as the message
/// names <c>Fpu.Header</c>).
/// </summary>
public class FpuStateWriteFormsReviewTests
{
    // Attribute copies (recognised by name, per the rule page), a state owner with every kind of state member,
    // and the one swap helper, all in the namespace that declares the state fields.
    private const string Preamble = """
        namespace K
        {
            using System;

            [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class FpuStateFieldAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Method)] sealed class FpuStateSwapHelperAttribute : Attribute { }

            struct Inner { public int A; }
            struct Header { public ulong XComp; public Inner In; public void Reset() { XComp = 0; } }
            [System.Runtime.CompilerServices.InlineArray(4)] struct Regs { private ulong _e0; }

            sealed partial class Fpu
            {
                [FpuStateField] public byte[] State = new byte[576];
                [FpuStateField] public ulong StateMask = 3;
                [FpuStateField] public int StateSize = 576;
                [FpuStateField] public int Count { get; set; }
                [FpuStateField] public Header Header;
                [FpuStateField] public Regs Regs;
                public int Other;
                public ulong OtherMask;
            }

            static class Buffers
            {
                [FpuStateSwapHelper]
                public static byte[] Swap(Fpu fpu, byte[] state, ulong mask, int size)
                {
                    var old = fpu.State;
                    fpu.State = state;
                    fpu.StateMask = mask;
                    fpu.StateSize = size;
                    return old;
                }
            }
        }

        """;

    // For the swap-helper cases: the same, without a helper (each case declares its own).
    private const string HelperPreamble = """
        namespace H
        {
            using System;

            [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class FpuStateFieldAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Method)] sealed class FpuStateSwapHelperAttribute : Attribute { }

            sealed class Fpu
            {
                [FpuStateField] public byte[] State = new byte[576];
                [FpuStateField] public ulong StateMask = 3;
                [FpuStateField] public int StateSize = 576;
            }
        }

        """;

    // ---------------------------------------------------------------- simple assignment

    [Fact]
    public async Task Simple_assignment_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f, byte[] b)
                    {
                        {|FPU0003:f.State|} = b;
                        {|FPU0003:f.StateMask|} = 2;
                        {|FPU0003:f.StateSize|} = 1;
                        {|FPU0003:f.Count|} = 3;
                        ({|FPU0003:f.StateSize|}) = 4;
                        var x = {|FPU0003:f.StateSize|} = 5;
                        {|FPU0003:f.StateSize|} = {|FPU0003:f.Count|} = x;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Simple_assignment_negatives_reads_non_state_fields_buffer_contents_nameof()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static int Run(Fpu f)
                    {
                        f.Other = 1;
                        f.OtherMask = f.StateMask;
                        var x = f.StateSize + f.Count;
                        f.State[0] = 1;
                        var n = nameof(f.StateSize);
                        return x + n.Length + (int)f.StateMask;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_an_ordinary_method_of_the_declaring_type_is_reported()
    {
        // Only constructors and initializers of the declaring type are exempt (rule page).
        const string source = Preamble + """
            namespace K
            {
                sealed partial class Fpu
                {
                    public void Reset()
                    {
                        {|FPU0003:StateSize|} = 0;
                        {|FPU0003:this.StateMask|} = 0;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- compound assignment

    [Fact]
    public async Task Compound_assignment_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f, ulong features)
                    {
                        {|FPU0003:f.StateMask|} |= features;
                        {|FPU0003:f.StateMask|} &= features;
                        {|FPU0003:f.StateMask|} <<= 1;
                        {|FPU0003:f.StateSize|} += 64;
                        {|FPU0003:f.StateSize|} -= 64;
                        {|FPU0003:f.Count|} += 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Compound_assignment_negatives_state_on_the_right_or_non_state_target()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static ulong Run(Fpu f, ulong xfeatures)
                    {
                        xfeatures &= f.StateMask;
                        f.OtherMask |= f.StateMask;
                        f.Other += f.StateSize;
                        return xfeatures;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- ++ / --

    [Fact]
    public async Task Prefix_and_postfix_increment_and_decrement_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static int Run(Fpu f)
                    {
                        ++{|FPU0003:f.StateSize|};
                        --{|FPU0003:f.StateSize|};
                        {|FPU0003:f.StateSize|}++;
                        {|FPU0003:f.StateSize|}--;
                        {|FPU0003:f.StateMask|}++;
                        {|FPU0003:f.Count|}++;
                        --{|FPU0003:f.Count|};
                        return {|FPU0003:f.StateSize|}++ + 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Increment_negatives_non_state_field_and_arithmetic_on_a_read()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static int Run(Fpu f)
                    {
                        f.Other++;
                        --f.Other;
                        var y = f.StateSize + 1;
                        y++;
                        return y;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- ??=

    [Fact]
    public async Task Null_coalescing_assignment_on_the_state_buffer_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static byte[] Run(Fpu f, byte[] b)
                    {
                        {|FPU0003:f.State|} ??= b;
                        return {|FPU0003:f.State|} ??= new byte[1];
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Null_coalescing_assignment_on_the_runtime_Fpu_is_reported()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Driver
            {
                static void Run(Fpu fpu, XStateBuffer buffer)
                {
                    {|FPU0003:fpu.State|} ??= buffer;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Null_coalescing_negatives_state_only_read()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static byte[] Run(Fpu f, byte[] local)
                    {
                        var b = f.State ?? new byte[1];
                        local ??= f.State;
                        return b ?? local;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- deconstruction

    [Fact]
    public async Task Deconstruction_assignment_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                struct Pair { public void Deconstruct(out ulong m, out int s) { m = 1; s = 2; } }

                static class Driver
                {
                    static void Run(Fpu f, (ulong, int) pair, byte[] b)
                    {
                        ({|FPU0003:f.StateMask|}, {|FPU0003:f.StateSize|}) = (1UL, 2);
                        ({|FPU0003:f.StateMask|}, {|FPU0003:f.StateSize|}) = pair;
                        ({|FPU0003:f.StateMask|}, {|FPU0003:f.StateSize|}) = new Pair();
                        (var a, {|FPU0003:f.StateSize|}) = (1, 2);
                        ({|FPU0003:f.StateSize|}, {|FPU0003:f.Count|}) = (f.Count, f.StateSize);
                        ({|FPU0003:f.State|}, _) = (b, 0);
                        _ = a;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Nested_tuple_deconstruction_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f, int x, byte[] b)
                    {
                        (({|FPU0003:f.StateMask|}, x), ({|FPU0003:f.StateSize|}, _)) = ((1UL, 2), (3, 4));
                        (_, (_, {|FPU0003:f.State|})) = (1, (2, b));
                        (x, ((({|FPU0003:f.Count|})), x)) = (1, (2, 3));
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Deconstruction_negatives_state_fields_only_on_the_right()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f, ulong y, int x)
                    {
                        var (m, s) = (f.StateMask, f.StateSize);
                        (x, y) = (f.StateSize, f.StateMask);
                        (f.Other, f.OtherMask) = (f.StateSize, f.StateMask);
                        ((int a, ulong b), int c) = ((f.StateSize, f.StateMask), f.Count);
                        _ = m + (ulong)s + y + (ulong)x + b + (ulong)(a + c);
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- ref / out arguments

    [Fact]
    public async Task Ref_and_out_arguments_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Set(out int size) => size = 0;
                    static void SetBuffer(out byte[] b) => b = null;
                    static void Bump(ref int size) => size++;
                    static void BumpMask(ref ulong mask) => mask++;

                    static void Run(Fpu f)
                    {
                        Set(out {|FPU0003:f.StateSize|});
                        SetBuffer(out {|FPU0003:f.State|});
                        Bump(ref {|FPU0003:f.StateSize|});
                        BumpMask(ref {|FPU0003:f.StateMask|});
                        _ = int.TryParse("1", out {|FPU0003:f.StateSize|});
                        System.Array.Resize(ref {|FPU0003:f.State|}, 1024);
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Interlocked_ref_arguments_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System.Threading;

                static class Driver
                {
                    static void Run(Fpu f, byte[] b)
                    {
                        Interlocked.Exchange(ref {|FPU0003:f.State|}, b);
                        Interlocked.CompareExchange(ref {|FPU0003:f.State|}, b, null);
                        Interlocked.CompareExchange(ref {|FPU0003:f.StateMask|}, 7UL, 3UL);
                        Interlocked.Increment(ref {|FPU0003:f.StateSize|});
                        Interlocked.Decrement(ref {|FPU0003:f.StateSize|});
                        Interlocked.Add(ref {|FPU0003:f.StateSize|}, 64);
                        Interlocked.Or(ref {|FPU0003:f.StateMask|}, 4UL);
                        Interlocked.And(ref {|FPU0003:f.StateMask|}, 4UL);
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Named_arguments_out_of_order_are_reported_for_ref_and_out_parameters_only()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Put(ref int size, in ulong mask) => size = (int)mask;
                    static void Get(ulong mask, out int size) => size = (int)mask;
                    static void Both(ref readonly ulong seen, ref ulong changed) => changed = seen;

                    static void Run(Fpu f, int x, ulong y)
                    {
                        Put(mask: in f.StateMask, size: ref {|FPU0003:f.StateSize|});
                        Get(size: out {|FPU0003:f.StateSize|}, mask: f.StateMask);
                        Both(changed: ref {|FPU0003:f.StateMask|}, seen: ref y);
                        Put(mask: in f.StateMask, size: ref x);
                        Both(changed: ref y, seen: in f.StateMask);
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task In_and_ref_readonly_arguments_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static int Peek(in int size) => size;
                    static int Look(ref readonly int size) => size;
                    static void Bump(ref int size) => size++;

                    static int Run(Fpu f)
                    {
                        var a = Peek(in f.StateSize);
                        var b = Peek(f.StateSize);
                        var c = Look(ref f.StateSize);
                        var d = Look(in f.StateSize);
                        var e = Peek(size: in f.StateSize);
                        Bump(ref f.Other);
                        return a + b + c + d + e;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- ref locals

    [Fact]
    public async Task Writable_ref_locals_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        ref var r = ref {|FPU0003:f.StateSize|};
                        ref ulong m = ref {|FPU0003:f.StateMask|};
                        ref byte[] b = ref {|FPU0003:f.State|};
                        scoped ref int s = ref {|FPU0003:f.StateSize|};
                        r = 1; m = 2; b = null; s = 3;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Conditional_ref_locals_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f, bool c, bool d, int x)
                    {
                        ref int r = ref (c ? ref {|FPU0003:f.StateSize|} : ref x);
                        ref int q = ref c ? ref x : ref {|FPU0003:f.StateSize|};
                        ref int n = ref (c ? ref x : ref (d ? ref {|FPU0003:f.StateSize|} : ref f.Other));
                        r = 1; q = 2; n = 3;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Conditional_ref_as_assignment_target_and_ref_argument_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Bump(ref int size) => size++;

                    static void Run(Fpu f, bool c, int x)
                    {
                        (c ? ref {|FPU0003:f.StateSize|} : ref x) = 5;
                        (c ? ref x : ref {|FPU0003:f.StateSize|}) += 5;
                        Bump(ref (c ? ref {|FPU0003:f.StateSize|} : ref x));
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Ref_readonly_locals_and_ref_locals_to_non_state_fields_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static int Run(Fpu f, bool c, int x)
                    {
                        ref readonly int v = ref f.StateSize;
                        ref readonly var w = ref (c ? ref f.StateSize : ref x);
                        ref readonly ulong m = ref f.StateMask;
                        ref int o = ref f.Other;
                        o = 1;
                        return v + w + (int)m;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- ref reassignment

    [Fact]
    public async Task Ref_reassignment_to_a_state_field_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f, bool c)
                    {
                        int x = 0;
                        ref int r = ref x;
                        r = ref {|FPU0003:f.StateSize|};
                        r = 1;
                        ulong y = 0;
                        ref ulong m = ref y;
                        if (c) m = ref {|FPU0003:f.StateMask|};
                        m |= 4;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Ref_field_made_to_point_at_a_state_field_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                ref struct Window { public ref int Target; }

                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        Window w = default;
                        w.Target = ref {|FPU0003:f.StateSize|};
                        w.Target = 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Ref_readonly_reassignment_and_reassignment_to_non_state_fields_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                ref struct View { public ref readonly int Target; }

                static class Driver
                {
                    static int Run(Fpu f)
                    {
                        int x = 0;
                        ref readonly int v = ref x;
                        v = ref f.StateSize;
                        ref int r = ref x;
                        r = ref f.Other;
                        View view = default;
                        view.Target = ref f.StateSize;
                        return v + r + view.Target;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- ref returns

    [Fact]
    public async Task Ref_returns_of_a_state_field_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Exposer
                {
                    public static ref int Size(Fpu f) => ref {|FPU0003:f.StateSize|};

                    public static ref ulong Mask(Fpu f)
                    {
                        return ref {|FPU0003:f.StateMask|};
                    }

                    public static ref int Either(Fpu f, bool c)
                    {
                        return ref c ? ref {|FPU0003:f.StateSize|} : ref f.Other;
                    }

                    public static void Local(Fpu f)
                    {
                        ref int L() => ref {|FPU0003:f.StateSize|};
                        L() = 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Ref_returning_property_and_indexer_of_a_state_field_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed class Exposer
                {
                    private readonly Fpu f = new Fpu();
                    public ref int Size => ref {|FPU0003:f.StateSize|};
                    public ref ulong this[int i] => ref {|FPU0003:f.StateMask|};
                    public ref byte[] Buffer { get { return ref {|FPU0003:f.State|}; } }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Ref_readonly_returns_and_by_value_returns_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed class Exposer
                {
                    private readonly Fpu f = new Fpu();
                    public static ref readonly int View(Fpu f) => ref f.StateSize;
                    public static ref readonly ulong Mask(Fpu f) { return ref f.StateMask; }
                    public ref readonly int Size => ref f.StateSize;
                    public ref readonly ulong this[int i] => ref f.StateMask;
                    public static ref int Other(Fpu f) => ref f.Other;
                    public static int ByValue(Fpu f) => f.StateSize;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- struct-typed and inline-array state fields

    [Fact]
    public async Task Writes_to_a_field_of_a_struct_typed_state_field_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void BumpU(ref ulong v) => v++;

                    static void Run(Fpu f, int y)
                    {
                        {|FPU0003:f.Header|}.XComp = 0;
                        {|FPU0003:f.Header|}.XComp |= 1;
                        {|FPU0003:f.Header|}.XComp++;
                        {|FPU0003:f.Header|}.In.A = 1;
                        BumpU(ref {|FPU0003:f.Header|}.XComp);
                        ref ulong x = ref {|FPU0003:f.Header|}.XComp;
                        ({|FPU0003:f.Header|}.In.A, y) = (1, 2);
                        x = 3;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Whole_struct_typed_state_field_writes_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f, Header h)
                    {
                        {|FPU0003:f.Header|} = default;
                        {|FPU0003:f.Header|} = h;
                        ref Header r = ref {|FPU0003:f.Header|};
                        r.XComp = 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Reads_of_a_struct_typed_state_field_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static ulong PeekU(in ulong v) => v;

                    static ulong Run(Fpu f)
                    {
                        var x = f.Header.XComp;
                        var h = f.Header;
                        h.XComp = 5;
                        var a = f.Header.In.A;
                        ref readonly ulong r = ref f.Header.XComp;
                        return x + h.XComp + (ulong)a + r + PeekU(in f.Header.XComp);
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Writes_to_an_element_of_an_inline_array_state_field_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f, int i)
                    {
                        {|FPU0003:f.Regs|}[0] = 1;
                        {|FPU0003:f.Regs|}[1] |= 2;
                        {|FPU0003:f.Regs|}[i]++;
                        ref ulong e = ref {|FPU0003:f.Regs|}[3];
                        e = 4;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Reads_of_an_inline_array_state_field_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static ulong Run(Fpu f, int i)
                    {
                        var e = f.Regs[0] + f.Regs[i];
                        ref readonly ulong r = ref f.Regs[1];
                        var copy = f.Regs;
                        copy[0] = 9;
                        return e + r + copy[0];
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- Unsafe

    [Fact]
    public async Task Unsafe_AsRef_of_a_state_field_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System.Runtime.CompilerServices;

                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        Unsafe.AsRef(in {|FPU0003:f.StateMask|}) = 5;
                        ref ulong m = ref Unsafe.AsRef(in {|FPU0003:f.StateMask|});
                        Unsafe.AsRef(in {|FPU0003:f.StateSize|})++;
                        m |= 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Unsafe_As_ref_overload_of_a_state_field_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System.Runtime.CompilerServices;

                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        Unsafe.As<ulong, long>(ref {|FPU0003:f.StateMask|}) = -1;
                        ref long l = ref Unsafe.As<ulong, long>(ref {|FPU0003:f.StateMask|});
                        Unsafe.As<byte[], object>(ref {|FPU0003:f.State|}) = null;
                        l = 2;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Unsafe_on_non_state_fields_and_the_object_overload_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System.Runtime.CompilerServices;

                static class Driver
                {
                    static void Run(Fpu f, object o)
                    {
                        Unsafe.AsRef(in f.OtherMask) = 5;
                        Unsafe.As<ulong, long>(ref f.OtherMask) = -1;
                        var same = Unsafe.As<Fpu>(o);
                        _ = same;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- object initializers and with

    [Fact]
    public async Task Object_initializer_outside_the_declaring_type_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed partial class StateHolder
                {
                    [FpuStateField] public ulong Mask;
                    [FpuStateField] public int Size { get; set; }
                    public int Other;
                }

                static class Driver
                {
                    static object Run(byte[] b)
                    {
                        var h = new StateHolder { {|FPU0003:Mask|} = 1, {|FPU0003:Size|} = 2, Other = 3 };
                        var f = new Fpu { {|FPU0003:State|} = b, {|FPU0003:StateSize|} = 1024, Other = 4 };
                        return (h, f);
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Object_initializer_inside_the_declaring_type_and_of_non_state_members_is_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed partial class StateHolder
                {
                    [FpuStateField] public ulong Mask;
                    [FpuStateField] public int Size { get; set; }
                    public int Other;

                    public static StateHolder Make() => new StateHolder { Mask = 1, Size = 2 };
                }

                static class Driver
                {
                    static StateHolder Run() => new StateHolder { Other = 3 };
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task With_on_a_record_with_a_state_property_outside_the_declaring_type_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                record StateRecord
                {
                    [FpuStateField] public ulong Mask { get; init; }
                    public int Other { get; init; }
                }

                static class Driver
                {
                    static StateRecord Run(StateRecord r) => r with { {|FPU0003:Mask|} = 1, Other = 2 };
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task With_inside_the_declaring_record_and_of_non_state_members_is_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                record StateRecord
                {
                    [FpuStateField] public ulong Mask { get; init; }
                    public int Other { get; init; }

                    public StateRecord Grown(ulong m) => this with { Mask = m };
                }

                static class Driver
                {
                    static StateRecord Run(StateRecord r) => r with { Other = 2 };
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Positional_record_state_parameter_written_with_with_outside_the_record_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                record R([property: FpuStateField] ulong Mask, int Other);

                static class Driver
                {
                    static R Run(R r) => r with { {|FPU0003:Mask|} = 1 };
                    static R Made() => new R(1, 2) { {|FPU0003:Mask|} = 3 };
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Positional_record_struct_state_parameter_written_outside_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                record struct RS([property: FpuStateField] ulong Mask);
                readonly record struct RRS([property: FpuStateField] ulong Mask);

                static class Driver
                {
                    static RRS Run(RS rs, RRS rrs)
                    {
                        {|FPU0003:rs.Mask|} = 1;
                        {|FPU0003:rs.Mask|}++;
                        rs = rs with { {|FPU0003:Mask|} = 2 };
                        return rrs with { {|FPU0003:Mask|} = (ulong)rs.Mask };
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Positional_record_construction_reads_and_non_state_with_are_not_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                record R([property: FpuStateField] ulong Mask, int Other)
                {
                    public R Grown(ulong m) => this with { Mask = m };
                }

                static class Driver
                {
                    static ulong Run()
                    {
                        var r = new R(1, 2);
                        var (m, o) = r;
                        var s = r with { Other = 3 };
                        return r.Mask + m + (ulong)o + s.Mask;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- inside the swap helper

    [Fact]
    public async Task Writes_of_every_form_in_the_helper_body_are_not_reported()
    {
        const string source = HelperPreamble + """
            namespace H
            {
                using System.Threading;

                static class Buffers
                {
                    static void Bump(ref int size) => size++;

                    [FpuStateSwapHelper]
                    public static byte[] Swap(Fpu f, byte[] state, ulong mask, int size)
                    {
                        var old = f.State;
                        f.State = state;
                        f.StateMask = 0;
                        f.StateMask |= mask;
                        f.StateSize = 0;
                        f.StateSize += size;
                        f.StateSize++;
                        --f.StateSize;
                        f.State ??= state;
                        (f.StateMask, f.StateSize) = (mask, size);
                        Bump(ref f.StateSize);
                        Interlocked.Exchange(ref f.State, state);
                        ref int r = ref f.StateSize;
                        r = size;
                        return old;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Writes_in_a_local_function_the_helper_calls_are_not_reported()
    {
        const string source = HelperPreamble + """
            namespace H
            {
                static class Buffers
                {
                    [FpuStateSwapHelper]
                    public static byte[] Swap(Fpu f, byte[] state, ulong mask, int size)
                    {
                        var old = f.State;
                        Apply();
                        SetSize(size);
                        return old;

                        void Apply() { f.State = state; f.StateMask = mask; }
                        void SetSize(int s) => f.StateSize = s;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Writes_in_a_lambda_the_helper_invokes_directly_are_not_reported()
    {
        const string source = HelperPreamble + """
            namespace H
            {
                using System;

                static class Buffers
                {
                    [FpuStateSwapHelper]
                    public static byte[] Swap(Fpu f, byte[] state, ulong mask, int size)
                    {
                        var old = f.State;
                        Action apply = () => { f.State = state; };
                        apply();
                        Action<ulong> setMask = m => f.StateMask = m;
                        setMask.Invoke(mask);
                        ((Action)(() => f.StateSize = size))();
                        return old;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Writes_in_a_lambda_the_helper_stores_in_a_field_are_reported()
    {
        const string source = HelperPreamble + """
            namespace H
            {
                using System;

                static class Buffers
                {
                    public static Action Later;

                    [FpuStateSwapHelper]
                    public static byte[] Swap(Fpu f, byte[] state, ulong mask, int size)
                    {
                        var old = f.State;
                        f.State = state;
                        f.StateMask = mask;
                        Later = () => {|FPU0003:f.StateSize|} = size;
                        return old;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Writes_in_a_lambda_the_helper_returns_are_reported()
    {
        const string source = HelperPreamble + """
            namespace H
            {
                using System;

                static class Buffers
                {
                    [FpuStateSwapHelper]
                    public static Action Swap(Fpu f, byte[] state, ulong mask, int size)
                    {
                        f.State = state;
                        f.StateMask = mask;
                        return () => {|FPU0003:f.StateSize|} = size;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Writes_in_a_lambda_the_helper_passes_elsewhere_are_reported()
    {
        // Issue 19: "a lambda it only stores or passes elsewhere is not" the helper's.
        const string source = HelperPreamble + """
            namespace H
            {
                using System;

                static class Buffers
                {
                    static void Defer(Action a) { }

                    [FpuStateSwapHelper]
                    public static byte[] Swap(Fpu f, byte[] state, ulong mask, int size)
                    {
                        var old = f.State;
                        f.State = state;
                        f.StateMask = mask;
                        Defer(() => {|FPU0003:f.StateSize|} = size);
                        return old;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Writes_in_a_local_function_the_helper_only_stores_as_a_delegate_are_reported()
    {
        // By analogy with the stored lambda: the local function is not called by the helper, only handed out.
        const string source = HelperPreamble + """
            namespace H
            {
                using System;

                static class Buffers
                {
                    public static Action Later;

                    [FpuStateSwapHelper]
                    public static byte[] Swap(Fpu f, byte[] state, ulong mask, int size)
                    {
                        var old = f.State;
                        f.State = state;
                        f.StateMask = mask;
                        Later = SetSize;
                        return old;

                        void SetSize() => {|FPU0003:f.StateSize|} = size;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- every kind of body outside the helper

    [Fact]
    public async Task Write_in_a_lambda_outside_the_helper_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System;

                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        Action a = () => {|FPU0003:f.StateSize|} = 1;
                        Func<int, int> g = x => { {|FPU0003:f.StateMask|} |= (ulong)x; return x; };
                        Action d = delegate { {|FPU0003:f.Count|}++; };
                        a(); g(1); d();
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_a_local_function_outside_the_helper_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        Set();
                        Other(f);

                        void Set() => {|FPU0003:f.StateSize|} = 1;
                        static void Other(Fpu g) { {|FPU0003:g.StateMask|} = 2; }
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_a_property_setter_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed class Wrapper
                {
                    private readonly Fpu f = new Fpu();
                    public int Size { get => f.StateSize; set => {|FPU0003:f.StateSize|} = value; }
                    public ulong Mask { get { return f.StateMask; } set { {|FPU0003:f.StateMask|} = value; } }
                    public int Init { init { {|FPU0003:f.Count|} = value; } }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_an_indexer_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed class Wrapper
                {
                    private readonly Fpu f = new Fpu();
                    public int this[int i]
                    {
                        get => f.StateSize + i;
                        set { {|FPU0003:f.StateSize|} = value - i; }
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_an_operator_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed class Wrapper
                {
                    public Fpu F = new Fpu();

                    public static Wrapper operator +(Wrapper w, int v)
                    {
                        {|FPU0003:w.F.StateSize|} += v;
                        return w;
                    }

                    public static implicit operator int(Wrapper w) => {|FPU0003:w.F.StateSize|} = 0;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_a_constructor_of_another_type_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed class Owner
                {
                    public Owner(Fpu f)
                    {
                        {|FPU0003:f.StateSize|} = 0;
                        {|FPU0003:f.StateMask|} |= 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_a_static_constructor_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Globals
                {
                    public static readonly Fpu F = new Fpu();

                    static Globals()
                    {
                        {|FPU0003:F.StateSize|} = 1024;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_a_field_initializer_of_another_type_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                sealed class Holder
                {
                    static readonly Fpu F = new Fpu();
                    int x = {|FPU0003:F.StateSize|} = 1;
                    static ulong y = {|FPU0003:F.StateMask|} |= 4;
                    int P { get; } = {|FPU0003:F.Count|} = 2;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_an_async_method_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System;
                using System.Threading.Tasks;

                static class Driver
                {
                    static async Task Run(Fpu f)
                    {
                        await Task.Yield();
                        {|FPU0003:f.StateSize|} = 1;
                    }

                    static async Task<int> RunValue(Fpu f)
                    {
                        {|FPU0003:f.StateMask|} = 2;
                        await Task.Delay(1);
                        return f.StateSize;
                    }

                    static Func<Task> Lambda(Fpu f) => async () => { await Task.Yield(); {|FPU0003:f.Count|}++; };
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Write_in_an_iterator_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System.Collections.Generic;
                using System.Threading.Tasks;

                static class Driver
                {
                    static IEnumerable<int> Run(Fpu f)
                    {
                        yield return 1;
                        {|FPU0003:f.StateSize|} = 2;
                        yield return f.StateSize;
                    }

                    static async IAsyncEnumerable<int> RunAsync(Fpu f)
                    {
                        await Task.Yield();
                        {|FPU0003:f.StateMask|} = 3;
                        yield return 1;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- the declaring type's constructors

    [Fact]
    public async Task Writes_in_the_declaring_types_constructors_are_not_reported()
    {
        // "Constructors of the declaring type may write any instance's fields."
        const string source = Preamble + """
            namespace K
            {
                sealed partial class Fpu
                {
                    static void Bump(ref int size) => size++;

                    public Fpu() { }

                    public Fpu(byte[] state)
                    {
                        State = state;
                        this.StateMask = 7;
                        StateSize = state.Length;
                        StateSize++;
                        StateMask |= 8;
                        (StateMask, StateSize) = (1, 2);
                        Bump(ref StateSize);
                        Count = 1;
                        Header.XComp = 1;
                        Regs[0] = 1;
                    }

                    public Fpu(Fpu other)
                    {
                        other.StateSize = 3;
                        other.StateMask |= 1;
                        State = other.State;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    // ---------------------------------------------------------------- extras (forms beyond the brief's list)

    [Fact]
    public async Task Extra_ref_this_extension_on_a_state_field_is_reported_and_in_this_is_not()
    {
        // A `ref this` extension receives its receiver by writable reference without any `ref` in the call.
        const string source = Preamble + """
            namespace K
            {
                static class Ext
                {
                    public static void Bump(this ref int v) => v++;
                    public static int Peek(this in int v) => v;
                }

                static class Driver
                {
                    static int Run(Fpu f)
                    {
                        {|FPU0003:f.StateSize|}.Bump();
                        f.Other.Bump();
                        return f.StateSize.Peek();
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Extra_mutating_method_call_on_a_struct_typed_state_field_is_reported()
    {
        // Calling a non-readonly method of a struct field passes the field by reference: Reset writes XComp.
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        {|FPU0003:f.Header|}.Reset();
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Extra_nested_member_initializer_into_a_struct_typed_state_field_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                static class Driver
                {
                    static Fpu Run() => new Fpu { {|FPU0003:Header|} = { XComp = 1 } };
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Extra_span_constructed_over_a_state_field_by_ref_is_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System;
                using System.Runtime.InteropServices;

                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        var s = new Span<int>(ref {|FPU0003:f.StateSize|});
                        var t = MemoryMarshal.CreateSpan(ref {|FPU0003:f.StateMask|}, 1);
                        s[0] = 1; t[0] = 2;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Extra_writes_in_expression_contexts_are_reported()
    {
        const string source = Preamble + """
            namespace K
            {
                using System;
                using System.Linq;

                static class Driver
                {
                    static int Run(Fpu f, int k, int[] xs)
                    {
                        var a = k switch { 1 => {|FPU0003:f.StateSize|} = 1, _ => 0 };
                        try { a++; }
                        catch (Exception) when (({|FPU0003:f.StateSize|} = 2) > 0) { }
                        var q = (from x in xs select ({|FPU0003:f.Count|} = x)).ToArray();
                        var s = $"{({|FPU0003:f.StateMask|} = 3)}";
                        return a + q.Length + s.Length;
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }
}
