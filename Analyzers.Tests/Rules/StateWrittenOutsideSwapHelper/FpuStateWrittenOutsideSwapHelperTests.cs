using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper.FpuStateWrittenOutsideSwapHelperAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.StateWrittenOutsideSwapHelper;

public class FpuStateWrittenOutsideSwapHelperTests
{
    [Fact]
    public async Task Assignments_outside_the_helper_are_reported_with_the_helper_named()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Driver
            {
                static void Grow(Fpu fpu, XStateBuffer buffer, int size)
                {
                    {|#0:fpu.State|} = buffer;
                    {|#1:fpu.StateSize|} = size;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source,
            VerifyCS.Diagnostic("FPU0003").WithLocation(0).WithArguments("Fpu.State", " 'Kernel.SwapFpState'"),
            VerifyCS.Diagnostic("FPU0003").WithLocation(1).WithArguments("Fpu.StateSize", " 'Kernel.SwapFpState'"));
    }

    [Fact]
    public async Task The_seeds_mask_update_outside_the_helper_is_reported()
    {
        // hdr.xfeatures &= fpu->state_mask is fine (a read); fpu->state_mask |= mask outside the helper is not.
        const string source = """
            using FpuGuard.Runtime;

            static class Regset
            {
                static XFeatureMask Copy(Fpu fpu, XFeatureMask xfeatures, XFeatureMask mask)
                {
                    xfeatures &= fpu.StateMask;
                    {|FPU0003:fpu.StateMask|} |= mask;
                    {|FPU0003:fpu.StateSize|}++;
                    {|FPU0003:fpu.StateSize|} += 64;
                    return xfeatures;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Ref_and_out_arguments_interlocked_initializers_and_deconstruction_are_writes()
    {
        const string source = """
            using System.Threading;
            using FpuGuard.Runtime;

            static class Writers
            {
                static void Set(out int size) => size = 0;
                static void Bump(ref int size) => size++;
                static int Peek(in int size) => size;

                static void Run(Fpu fpu, XStateBuffer buffer)
                {
                    Set(out {|FPU0003:fpu.StateSize|});
                    Bump(ref {|FPU0003:fpu.StateSize|});
                    _ = Peek(in fpu.StateSize);
                    Interlocked.Exchange(ref {|FPU0003:fpu.State|}, buffer);
                    ({|FPU0003:fpu.StateMask|}, {|FPU0003:fpu.StateSize|}) = (XFeatureMask.X87, 576);
                    ref int alias = ref {|FPU0003:fpu.StateSize|};
                    ref readonly int view = ref fpu.StateSize;
                    _ = view + alias;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Writes_are_read_from_syntax_as_the_compiler_binds_them()
    {
        // The rule reads writes from syntax: a ref argument is a write only when its parameter is ref (not ref
        // readonly or in), found by name when the argument is named; initializers, nested tuples and
        // parenthesized targets write too.
        const string source = """
            using FpuGuard.Runtime;

            static class Writers
            {
                static void Both(ref readonly int seen, ref int changed) => changed = seen;
                static int Look(ref readonly int size) => size;

                static void Run(Fpu fpu, Owner owner, int size)
                {
                    Both(changed: ref {|FPU0003:fpu.StateSize|}, seen: ref size);
                    Both(changed: ref size, seen: ref fpu.StateSize);
                    _ = Look(ref fpu.StateSize);
                    ((({|FPU0003:fpu.StateSize|})), (size, {|FPU0003:fpu.StateMask|})) = (1, (2, XFeatureMask.X87));
                    var copy = owner with { {|FPU0003:Mask|} = 3 };
                    var made = new Owner { {|FPU0003:Mask|} = 4 };
                    _ = copy.Mask + made.Mask;
                }
            }

            record Owner
            {
                [FpuStateField] public int Mask { get; init; }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Reads_and_writes_inside_the_helper_and_constructors_are_fine()
    {
        const string source = """
            namespace Emulator.Fpu;

            [System.AttributeUsage(System.AttributeTargets.All)] sealed class FpuStateFieldAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.All)] sealed class FpuStateSwapHelperAttribute : System.Attribute { }

            sealed class Context
            {
                [FpuStateField] public byte[] Area;
                [FpuStateField] public ulong Mask;
                [FpuStateField] public int Size { get; set; } = 512;

                public Context() { Area = new byte[512]; Mask = 3; }

                [FpuStateSwapHelper]
                public static byte[] Swap(Context context, byte[] area, ulong mask, int size)
                {
                    var old = context.Area;
                    System.Action apply = () => { context.Area = area; context.Mask = mask; };
                    apply();
                    context.Size = size;
                    return old;
                }
            }

            static class User
            {
                static int Read(Context context) => context.Area.Length + (int)context.Mask + context.Size;

                static void Write(Context context)
                {
                    context.Area[0] = 1; // writes the buffer's contents, not the field
                    {|#0:context.Size|} = 0;
                    var other = new Context { {|#1:Mask|} = 7 };
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source,
            VerifyCS.Diagnostic("FPU0003").WithLocation(0).WithArguments("Context.Size", " 'Context.Swap'"),
            VerifyCS.Diagnostic("FPU0003").WithLocation(1).WithArguments("Context.Mask", " 'Context.Swap'"));
    }

    [Fact]
    public async Task Look_alike_names_without_the_attribute_are_not_reported()
    {
        const string source = """
            sealed class Fpu
            {
                public byte[] State = new byte[512];
                public ulong StateMask;
                public int StateSize;
            }

            static class User
            {
                static void Write(Fpu fpu) { fpu.State = new byte[1024]; fpu.StateMask |= 4; fpu.StateSize = 1024; }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Without_a_helper_the_message_names_none()
    {
        const string source = """
            sealed class FpuStateFieldAttribute : System.Attribute { }

            sealed class Fpu { [FpuStateField] public int StateSize; }

            static class User
            {
                static void Write(Fpu fpu) => {|#0:fpu.StateSize|} = 1;
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source, VerifyCS.Diagnostic("FPU0003").WithLocation(0).WithArguments("Fpu.StateSize", ""));
    }

    [Fact]
    public async Task Incomplete_code_does_not_crash_the_analyzer()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Typing
            {
                static void Half(Fpu fpu)
                {
                    {|FPU0003:fpu.StateSize|} = {|CS1525:;|}
                    fpu.{|CS1061:Stat|}{|CS1002:|}
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Every_kind_of_member_body_is_analysed_once()
    {
        // The rules read each member's code from its declaration: initializers of a field with several
        // variables, property initializers, expression bodies, accessors, operators and a record's base call.
        const string source = """
            using FpuGuard.Runtime;

            class Members
            {
                public static Fpu Make() => null!;

                int a = {|FPU0003:Make().StateSize|} = 1, b = 2, c = {|FPU0003:Make().StateSize|} = 3;
                int P { get; } = {|FPU0003:Make().StateSize|} = 4;
                int Q => {|FPU0003:Make().StateSize|} = 5;
                int this[int i] => {|FPU0003:Make().StateSize|} = i;
                int R { get => a + b + c; set => {|FPU0003:Make().StateSize|} = value; }
                event System.Action E { add => {|FPU0003:Make().StateSize|} = 6; remove { } }

                public static Members operator +(Members m, int v)
                {
                    {|FPU0003:Make().StateSize|} = v;
                    return m;
                }
            }

            record Base(int Y);

            record Derived(int X) : Base({|FPU0003:Members.Make().StateSize|} = X);
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Top_level_statements_are_analysed()
    {
        const string source = """
            using FpuGuard.Runtime;

            Fpu fpu = Make();
            {|FPU0003:fpu.StateSize|} = 64;
            System.Console.WriteLine(fpu.StateSize);

            static Fpu Make() => null!;
            """;
        var test = new VerifyCS.Test { TestCode = source };
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        await test.RunAsync();
    }

    private const string OwnCopies = """
        using System;
        using System.Runtime.CompilerServices;

        [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class FpuStateFieldAttribute : Attribute { }
        [AttributeUsage(AttributeTargets.Method)] sealed class FpuStateSwapHelperAttribute : Attribute { }

        struct Header { public ulong XComp; public ulong XStateBv; }

        [InlineArray(4)] struct Words { private ulong _first; }

        sealed class Fpu
        {
            [FpuStateField] public ulong Mask;
            [FpuStateField] public int Size;
            [FpuStateField] public Header Header;
            [FpuStateField] public Words Words;
            [FpuStateField] public byte[] State = new byte[576];
            public int Other;
        }

        sealed record Perm([property: FpuStateField] ulong Mask, int Size);

        """;

    [Fact]
    public async Task Writable_references_are_writes_and_readonly_ones_are_not()
    {
        var source = OwnCopies + """
            static class Refs
            {
                static int _spare;

                static ref int Size(Fpu fpu) => ref {|FPU0003:fpu.Size|};
                static ref readonly int ReadSize(Fpu fpu) => ref fpu.Size;

                static void Bind(Fpu fpu, bool c)
                {
                    ref var size = ref {|FPU0003:fpu.Size|};
                    ref readonly var read = ref fpu.Size;
                    ref var either = ref (c ? ref {|FPU0003:fpu.Size|} : ref _spare);
                    ref readonly var readEither = ref (c ? ref fpu.Size : ref _spare);
                    ref var other = ref fpu.Other;
                    other = ref {|FPU0003:fpu.Size|};
                    (c ? ref {|FPU0003:fpu.Size|} : ref _spare) = 4;
                    size = read + readEither + either;
                }

                static ref ulong Loophole(Fpu fpu) => ref Unsafe.AsRef(in {|FPU0003:fpu.Mask|});
                static ref long Cast(Fpu fpu) => ref Unsafe.As<ulong, long>(ref {|FPU0003:fpu.Mask|});
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_field_or_element_of_a_struct_state_field_written_writes_the_state_field()
    {
        var source = OwnCopies + """
            static class Headers
            {
                static ulong Clear(Fpu fpu)
                {
                    {|FPU0003:fpu.Header|}.XComp = 0;
                    {|FPU0003:fpu.Header|}.XStateBv |= 1;
                    {|FPU0003:fpu.Words|}[0] = 1;
                    fpu.State[0] = 0;
                    var copy = fpu.Header;
                    copy.XComp = 1;
                    return fpu.Header.XComp + fpu.Words[1] + copy.XComp;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Positional_record_state_properties_are_written_by_with_outside_the_record()
    {
        var source = OwnCopies + """
            static class Perms
            {
                static Perm Grow(Perm perm) => perm with { {|FPU0003:Mask|} = perm.Mask | 0x60000, Size = 11008 };
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task A_lambda_the_swap_helper_runs_is_the_helpers_and_one_it_stores_is_not()
    {
        var source = OwnCopies + """
            static class Buffers
            {
                static Action? _later;

                [FpuStateSwapHelper]
                static void Swap(Fpu fpu, byte[] state, ulong mask, int size)
                {
                    Action setSize = () => fpu.Size = size;
                    ((Action)(() => fpu.Mask = mask))();
                    setSize();
                    SetState();
                    _later = () => {|FPU0003:fpu.Mask|} = 0;

                    void SetState() => fpu.State = state;
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }
}
