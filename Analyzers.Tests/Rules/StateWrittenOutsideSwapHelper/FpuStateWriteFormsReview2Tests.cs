using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper.FpuStateWrittenOutsideSwapHelperAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.StateWrittenOutsideSwapHelper;

/// <summary>
/// Second reviewer's cases for FPU0003, written from docs/rules/FPU0003.md, the list of write forms and
/// the C# language, without reading the analyzer. Markup marks the reference to the state member that is
/// written (for a write into a struct-typed or inline-array state field: the state field's part of the target;
/// for an object or <c>with</c> initializer: the member name in the initializer). Self-contained: the contract
/// attributes are declared by name in namespace <c>W</c>.
/// </summary>
public class FpuStateWriteFormsReview2Tests
{
    private const string Preamble = """
        namespace W
        {
            using System;

            [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class FpuStateFieldAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Method)] sealed class FpuStateSwapHelperAttribute : Attribute { }

            struct Inner { public int A; }

            struct Hdr
            {
                public ulong XComp;
                public Inner In;
                public void Clear() { XComp = 0; }
                public readonly ulong Peek() => XComp;
            }

            readonly struct RHdr
            {
                public readonly ulong X;
                public ulong Get() => X;
            }

            [System.Runtime.CompilerServices.InlineArray(4)] struct Regs { private ulong _e0; }

            sealed partial class Fpu
            {
                [FpuStateField] public byte[] State = new byte[64];
                [FpuStateField] public ulong Mask = 3;
                [FpuStateField] public int Size = 64;
                [FpuStateField] public int Count { get; set; }
                [FpuStateField] public Hdr Header;
                [FpuStateField] public RHdr RHeader;
                [FpuStateField] public Regs Regs;
                public int Other;
                public ulong Spare;
            }

            sealed partial record Perm([property: FpuStateField] ulong Mask, int Size);

            record struct PermS([property: FpuStateField] ulong Mask, int Size);

            struct SFpu
            {
                [FpuStateField] public int Size;
                public int Other;
            }

            sealed class Owner { public Fpu Fpu; }

            static class Buffers
            {
                [FpuStateSwapHelper]
                public static byte[] Swap(Fpu fpu, byte[] state, ulong mask, int size)
                {
                    var old = fpu.State;
                    fpu.State = state;
                    fpu.Mask = mask;
                    fpu.Size = size;
                    return old;
                }
            }

            static class Ext
            {
                public static void Bump(this ref int x) => x++;
                public static int Twice(this in int x) => x * 2;
                public static int Thrice(this int x) => x * 3;
            }
        }

        """;

    private static string Code(string body, string members = "", string extra = "") => Preamble + $$"""
        namespace W
        {
            using System;
            using System.Collections.Generic;
            using System.Runtime.CompilerServices;
            using System.Threading;
            using System.Threading.Tasks;

        {{extra}}

            static class Driver
            {
        {{members}}

                static void Run(Fpu f, Owner o, byte[] b, ulong m, int n, bool c, Perm p, PermS ps, SFpu sf, List<Fpu> fpus)
                {
        {{body}}
                }
            }
        }
        """;

    private static Task Verify(string body, string members = "", string extra = "") =>
        VerifyCS.VerifyAnalyzerAsync(Code(body, members, extra));

    // ================================================================ assignment

    [Fact]
    public Task Assignment_of_a_state_field_is_reported() =>
        Verify("{|FPU0003:f.Mask|} = m;");

    [Fact]
    public Task Assignment_of_a_state_property_is_reported() =>
        Verify("{|FPU0003:f.Count|} = n;");

    [Fact]
    public Task Assignment_used_as_a_value_is_reported() =>
        Verify("var y = ({|FPU0003:f.Size|} = n) + 1;");

    [Fact]
    public Task Assignment_through_an_owner_chain_is_reported() =>
        Verify("{|FPU0003:o.Fpu.State|} = b;");

    [Fact]
    public Task Assignment_in_an_ordinary_method_of_the_declaring_type_is_reported() =>
        Verify("", extra: "    sealed partial class Fpu { public void Clear() { {|FPU0003:Size|} = 0; {|FPU0003:this.Mask|} = 0; } }");

    [Fact]
    public Task Assignment_in_a_constructor_of_another_type_is_reported() =>
        Verify("", extra: "    sealed class TaskT { public TaskT(Fpu f) { {|FPU0003:f.Size|} = 1; } }");

    [Fact]
    public Task Assignment_in_a_field_initializer_of_another_type_is_reported() =>
        Verify("", extra: "    sealed class TaskT { static readonly Fpu Shared = new Fpu(); int _x = {|FPU0003:Shared.Size|} = 1; }");

    [Fact]
    public Task Assignments_in_constructors_and_initializers_of_the_declaring_type_are_not_reported() =>
        Verify("", extra: """
                sealed partial class Fpu
                {
                    public int Derived = 0;
                    public Fpu() { }
                    public Fpu(int size) { Size = size; this.Mask = 1; State = new byte[size]; Count = 1; }
                    public Fpu(Fpu from) : this(from.Size) { from.Size = 0; }
                }
            """);

    [Fact]
    public Task Reads_non_state_fields_and_buffer_contents_are_not_reported() =>
        Verify("f.Other = n; f.Spare = f.Mask; var y = f.Size + f.Count; f.State[0] = 1; f.State[1]++; var z = nameof(f.Size);");

    // ================================================================ compound assignment

    [Fact]
    public Task Compound_or_of_the_mask_is_reported() =>
        Verify("{|FPU0003:f.Mask|} |= m;");

    [Fact]
    public Task Compound_add_of_the_size_is_reported() =>
        Verify("{|FPU0003:f.Size|} += 64;");

    [Fact]
    public Task Compound_assignment_of_a_state_property_is_reported() =>
        Verify("{|FPU0003:f.Count|} -= 1;");

    [Fact]
    public Task Compound_and_of_the_mask_is_reported() =>
        Verify("{|FPU0003:f.Mask|} &= ~1UL;");

    [Fact]
    public Task Compound_assignment_with_state_on_the_right_only_is_not_reported() =>
        Verify("m |= f.Mask; f.Spare &= f.Mask; n += f.Size; f.Other -= f.Count;");

    // ================================================================ ++ and --

    [Fact]
    public Task Postfix_increment_is_reported() =>
        Verify("{|FPU0003:f.Size|}++;");

    [Fact]
    public Task Prefix_decrement_of_a_state_property_is_reported() =>
        Verify("--{|FPU0003:f.Count|};");

    [Fact]
    public Task Increment_used_as_a_value_is_reported() =>
        Verify("var y = {|FPU0003:f.Size|}--; var z = ++{|FPU0003:f.Mask|};");

    [Fact]
    public Task Increment_through_an_owner_chain_is_reported() =>
        Verify("{|FPU0003:o.Fpu.Size|}++;");

    [Fact]
    public Task Arithmetic_on_state_without_a_write_is_not_reported() =>
        Verify("var y = f.Size + 1; var z = -f.Size; var w = ~f.Mask; f.Other++;");

    // ================================================================ ??=

    [Fact]
    public Task Null_coalescing_assignment_of_the_state_is_reported() =>
        Verify("{|FPU0003:f.State|} ??= b;");

    [Fact]
    public Task Null_coalescing_assignment_used_as_a_value_is_reported() =>
        Verify("var len = ({|FPU0003:f.State|} ??= b).Length;");

    [Fact]
    public Task Null_coalescing_assignment_with_state_on_the_right_is_not_reported() =>
        Verify("b ??= f.State; var y = f.State ?? b;");

    // ================================================================ deconstruction and tuple assignment

    [Fact]
    public Task Tuple_assignment_to_two_state_fields_is_reported_twice() =>
        Verify("({|FPU0003:f.Mask|}, {|FPU0003:f.Size|}) = (m, n);");

    [Fact]
    public Task Nested_tuple_assignment_is_reported() =>
        Verify("(n, ({|FPU0003:f.Size|}, m)) = (1, (2, 3UL));");

    [Fact]
    public Task Tuple_assignment_with_a_discard_is_reported() =>
        Verify("({|FPU0003:f.State|}, _) = (b, 1);");

    [Fact]
    public Task Deconstruction_of_a_record_into_a_state_field_is_reported() =>
        Verify("({|FPU0003:f.Mask|}, n) = p;");

    [Fact]
    public Task Tuple_swap_with_a_state_field_is_reported_once() =>
        Verify("({|FPU0003:f.Size|}, n) = (n, f.Size);");

    [Fact]
    public Task Deconstruction_from_state_fields_is_not_reported() =>
        Verify("(m, n) = (f.Mask, f.Size); var (a, d) = (f.Mask, f.Size); var (pm, pn) = p;");

    // ================================================================ ref and out arguments

    private const string ByRef = """
                static void SetOut(out int x) => x = 1;
                static void Touch(ref ulong x) { }
                static int Peek(in int x) => x;
                static int PeekRo(ref readonly int x) => x;
        """;

    [Fact]
    public Task Out_argument_is_reported() =>
        Verify("SetOut(out {|FPU0003:f.Size|});", ByRef);

    [Fact]
    public Task Named_out_argument_is_reported() =>
        Verify("SetOut(x: out {|FPU0003:f.Size|});", ByRef);

    [Fact]
    public Task Ref_argument_is_reported_even_when_the_callee_does_not_write() =>
        Verify("Touch(ref {|FPU0003:f.Mask|});", ByRef);

    [Fact]
    public Task Interlocked_Increment_is_reported() =>
        Verify("Interlocked.Increment(ref {|FPU0003:f.Size|});");

    [Fact]
    public Task Interlocked_Exchange_of_the_buffer_is_reported() =>
        Verify("var old = Interlocked.Exchange(ref {|FPU0003:f.State|}, b);");

    [Fact]
    public Task Interlocked_CompareExchange_of_the_mask_is_reported() =>
        Verify("Interlocked.CompareExchange(ref {|FPU0003:f.Mask|}, m, 0UL);");

    [Fact]
    public Task Interlocked_Or_of_the_mask_is_reported() =>
        Verify("Interlocked.Or(ref {|FPU0003:f.Mask|}, m);");

    [Fact]
    public Task Volatile_Write_is_reported() =>
        Verify("Volatile.Write(ref {|FPU0003:f.Size|}, n);");

    [Fact]
    public Task Unsafe_Add_ref_argument_is_reported() =>
        Verify("Unsafe.Add(ref {|FPU0003:f.Mask|}, 0) = 1;");

    [Fact]
    public Task In_and_ref_readonly_and_by_value_arguments_are_not_reported() =>
        Verify("Peek(in f.Size); Peek(f.Size); PeekRo(in f.Size); Touch(ref f.Spare); SetOut(out f.Other);", ByRef);

    // ================================================================ ref locals, ref conditionals, ref reassignment

    [Fact]
    public Task Ref_local_is_reported() =>
        Verify("ref int r = ref {|FPU0003:f.Size|}; r = 1;");

    [Fact]
    public Task Ref_local_never_written_through_is_still_reported() =>
        Verify("ref var r = ref {|FPU0003:f.Mask|};");

    [Fact]
    public Task Ref_local_bound_to_a_ref_conditional_is_reported() =>
        Verify("int spare = 0; ref int r = ref (c ? ref {|FPU0003:f.Size|} : ref spare);");

    [Fact]
    public Task Ref_local_to_a_struct_state_field_is_reported() =>
        Verify("ref var h = ref {|FPU0003:f.Header|};");

    [Fact]
    public Task Ref_local_to_an_inline_array_element_is_reported() =>
        Verify("ref ulong e = ref {|FPU0003:f.Regs|}[0];");

    [Fact]
    public Task Ref_readonly_locals_are_not_reported() =>
        Verify("ref readonly int r = ref f.Size; ref readonly Hdr h = ref f.Header; ref int s = ref f.Other;");

    [Fact]
    public Task Ref_readonly_local_bound_to_a_ref_conditional_is_not_reported() =>
        Verify("int spare = 0; ref readonly int r = ref (c ? ref f.Size : ref spare);");

    [Fact]
    public Task Assignment_through_a_ref_conditional_is_reported() =>
        Verify("int spare = 0; (c ? ref {|FPU0003:f.Size|} : ref spare) = 4;");

    [Fact]
    public Task Increment_through_a_ref_conditional_is_reported() =>
        Verify("int spare = 0; (c ? ref spare : ref {|FPU0003:f.Size|})++;");

    [Fact]
    public Task Value_read_of_a_ref_conditional_is_not_reported() =>
        Verify("int spare = 0; var v = c ? ref f.Size : ref spare;");

    [Fact]
    public Task Ref_reassignment_of_a_local_is_reported() =>
        Verify("int spare = 0; ref int r = ref spare; r = ref {|FPU0003:f.Size|};");

    [Fact]
    public Task Ref_reassignment_of_a_ref_readonly_local_is_not_reported() =>
        Verify("int spare = 0; ref readonly int r = ref spare; r = ref f.Size;");

    [Fact]
    public Task Ref_reassignment_of_a_ref_field_is_reported() =>
        Verify("", extra: "    ref struct Holder { public ref int R; public Holder(Fpu f) { R = ref {|FPU0003:f.Size|}; } }");

    [Fact]
    public Task Ref_readonly_ref_field_is_not_reported() =>
        Verify("", extra: "    ref struct Holder { public ref readonly int R; public Holder(Fpu f) { R = ref f.Size; } }");

    // ================================================================ ref returns

    [Fact]
    public Task Ref_return_expression_bodied_is_reported() =>
        Verify("", "        static ref int SizeRef(Fpu f) => ref {|FPU0003:f.Size|};");

    [Fact]
    public Task Ref_return_statement_is_reported() =>
        Verify("", "        static ref ulong MaskRef(Fpu f) { return ref {|FPU0003:f.Mask|}; }");

    [Fact]
    public Task Ref_returning_property_of_the_declaring_type_is_reported() =>
        Verify("", extra: "    sealed partial class Fpu { public ref Hdr HeaderRef => ref {|FPU0003:Header|}; }");

    [Fact]
    public Task Ref_returning_local_function_is_reported() =>
        Verify("ref int L() => ref {|FPU0003:f.Size|}; L() = 1;");

    [Fact]
    public Task Ref_readonly_returns_and_ref_returns_of_other_fields_are_not_reported() =>
        Verify("", """
                    static ref readonly int SizeRo(Fpu f) => ref f.Size;
                    static ref int OtherRef(Fpu f) => ref f.Other;
            """);

    // ================================================================ writes into struct-typed and inline-array state fields

    [Fact]
    public Task Write_of_a_field_of_a_struct_state_field_is_reported() =>
        Verify("{|FPU0003:f.Header|}.XComp = 0;");

    [Fact]
    public Task Increment_of_a_nested_field_of_a_struct_state_field_is_reported() =>
        Verify("{|FPU0003:f.Header|}.In.A++;");

    [Fact]
    public Task Compound_assignment_of_a_field_of_a_struct_state_field_is_reported() =>
        Verify("{|FPU0003:f.Header|}.XComp |= 1;");

    [Fact]
    public Task Deconstruction_into_a_field_of_a_struct_state_field_is_reported() =>
        Verify("({|FPU0003:f.Header|}.XComp, n) = (1UL, 2);");

    [Fact]
    public Task Element_write_of_an_inline_array_state_field_is_reported() =>
        Verify("{|FPU0003:f.Regs|}[1] = m;");

    [Fact]
    public Task Element_increment_of_an_inline_array_state_field_is_reported() =>
        Verify("{|FPU0003:f.Regs|}[0]++;");

    [Fact]
    public Task Non_readonly_struct_method_on_a_state_field_is_reported() =>
        Verify("{|FPU0003:f.Header|}.Clear();");

    [Fact]
    public Task This_ref_extension_on_a_state_field_is_reported() =>
        Verify("{|FPU0003:f.Size|}.Bump();");

    [Fact]
    public Task This_ref_extension_called_as_a_static_method_is_reported() =>
        Verify("Ext.Bump(ref {|FPU0003:f.Size|});");

    [Fact]
    public Task Reads_of_struct_and_inline_array_state_and_readonly_calls_are_not_reported() =>
        Verify("var x = f.Header.XComp; var a = f.Header.In.A; var y = f.Regs[2]; var z = f.Header.Peek(); var g = f.RHeader.Get(); var t = f.Size.Twice(); var u = f.Size.Thrice(); f.State[0] = 1;");

    [Fact]
    public Task Write_of_a_copy_of_a_struct_state_field_is_not_reported() =>
        Verify("var h = f.Header; h.XComp = 1; h.Clear(); var r = f.Regs; r[0] = 1;");

    // ================================================================ Unsafe

    [Fact]
    public Task Unsafe_AsRef_of_an_in_state_field_is_reported() =>
        Verify("ref ulong a = ref Unsafe.AsRef(in {|FPU0003:f.Mask|}); a = 0;");

    [Fact]
    public Task Unsafe_AsRef_written_directly_is_reported() =>
        Verify("Unsafe.AsRef(in {|FPU0003:f.Size|}) = 5;");

    [Fact]
    public Task Unsafe_As_ref_overload_is_reported() =>
        Verify("Unsafe.As<ulong, long>(ref {|FPU0003:f.Mask|}) = 1;");

    [Fact]
    public Task Unsafe_As_object_overload_and_Unsafe_on_other_fields_are_not_reported() =>
        Verify("var s = Unsafe.As<byte[]>(f.State); ref ulong a = ref Unsafe.AsRef(in f.Spare); var size = Unsafe.SizeOf<ulong>();");

    // ================================================================ object initializers and with

    [Fact]
    public Task Object_initializer_outside_the_declaring_type_is_reported() =>
        Verify("var g = new Fpu { {|FPU0003:Mask|} = m, Other = 1 };");

    [Fact]
    public Task Object_initializer_of_a_state_property_outside_the_declaring_type_is_reported() =>
        Verify("var g = new Fpu { {|FPU0003:Count|} = 1 };");

    [Fact]
    public Task Nested_object_initializer_of_an_existing_owner_is_reported() =>
        Verify("var h = new Owner { Fpu = { {|FPU0003:Size|} = 4 } };");

    [Fact]
    public Task Object_initializer_of_non_state_members_is_not_reported() =>
        Verify("var g = new Fpu { Other = 1, Spare = 2 }; var h = new Owner { Fpu = new Fpu() };");

    [Fact]
    public Task Object_initializer_inside_the_declaring_type_is_not_reported() =>
        Verify("", extra: "    sealed partial class Fpu { public static Fpu Make(ulong m) => new Fpu { Mask = m, Size = 8, Count = 1 }; }");

    [Fact]
    public Task With_on_a_record_outside_the_declaring_type_is_reported() =>
        Verify("var q = p with { {|FPU0003:Mask|} = m };");

    [Fact]
    public Task With_of_a_non_state_member_and_construction_of_a_record_are_not_reported() =>
        Verify("var q = p with { Size = 1 }; var r = new Perm(m, 2); var (pm, pn) = r;");

    [Fact]
    public Task With_inside_the_declaring_record_is_not_reported() =>
        Verify("", extra: "    sealed partial record Perm { public Perm Grow(ulong x) => this with { Mask = Mask | x }; }");

    [Fact]
    public Task Object_initializer_of_a_positional_record_state_property_outside_is_reported() =>
        Verify("var q = new Perm(1, 2) { {|FPU0003:Mask|} = 3 };");

    [Fact]
    public Task With_on_a_struct_owner_outside_the_declaring_type_is_reported() =>
        Verify("var t = sf with { {|FPU0003:Size|} = 1 }; var u = sf with { Other = 1 };");

    // ================================================================ positional record parameters

    [Fact]
    public Task Assignment_of_a_positional_record_struct_state_property_is_reported() =>
        Verify("var q = ps; {|FPU0003:q.Mask|} = 3;");

    [Fact]
    public Task With_on_a_positional_record_struct_state_property_is_reported() =>
        Verify("var q = ps with { {|FPU0003:Mask|} = 1 };");

    [Fact]
    public Task Positional_record_struct_non_state_property_and_reads_are_not_reported() =>
        Verify("var q = ps; q.Size = 3; var mm = q.Mask; var (a, d) = q; var r = new PermS(1, 2);");

    // ================================================================ inside the swap helper

    // Each helper case declares its own owner and helper in its own namespace, so the helper is the only one.
    private static string HelperCase(string helperBody, string members = "") => $$"""
        namespace H
        {
            using System;

            [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class FpuStateFieldAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Method)] sealed class FpuStateSwapHelperAttribute : Attribute { }

            sealed class Fpu
            {
                [FpuStateField] public byte[] State = new byte[64];
                [FpuStateField] public ulong Mask = 3;
                [FpuStateField] public int Size = 64;
            }

            static class Buffers
            {
                static Action _later;
                static Action Later;
                static void RunIt(Action a) => a();
        {{members}}

                [FpuStateSwapHelper]
                public static byte[] Swap(Fpu f, byte[] s, ulong m, int n)
                {
                    var old = f.State;
        {{helperBody}}
                    return old;
                }
            }
        }
        """;

    [Fact]
    public Task Helper_own_body_is_not_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("f.State = s; f.Mask = m; f.Size = n;"));

    [Fact]
    public Task Helper_local_function_it_calls_is_not_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("SetAll(); void SetAll() { f.State = s; f.Mask = m; f.Size = n; }"));

    [Fact]
    public Task Helper_static_local_function_it_calls_is_not_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("f.State = s; f.Mask = m; SetSize(f, n); static void SetSize(Fpu g, int v) => g.Size = v;"));

    [Fact]
    public Task Helper_lambda_invoked_where_written_is_not_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("((Action)(() => { f.State = s; f.Mask = m; }))(); f.Size = n;"));

    [Fact]
    public Task Helper_lambda_kept_in_a_local_it_calls_is_not_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("Action set = () => { f.State = s; f.Mask = m; f.Size = n; }; set();"));

    [Fact]
    public Task Helper_lambda_kept_in_a_local_it_calls_with_Invoke_is_not_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("Action set = () => { f.State = s; f.Mask = m; f.Size = n; }; set.Invoke();"));

    [Fact]
    public Task Helper_lambda_stored_in_a_field_is_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("f.State = s; f.Mask = m; f.Size = n; _later = () => {|FPU0003:f.Size|} = 0;"));

    [Fact]
    public Task Helper_lambda_passed_to_another_method_is_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("f.State = s; f.Size = n; RunIt(() => {|FPU0003:f.Mask|} = m);"));

    [Fact]
    public Task Helper_lambda_in_a_local_passed_to_another_method_is_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("f.State = s; f.Mask = m; Action a = () => {|FPU0003:f.Size|} = n; RunIt(a);"));

    [Fact]
    public Task Helper_local_function_stored_as_a_delegate_is_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("f.State = s; f.Mask = m; f.Size = n; Later = SetSize; void SetSize() { {|FPU0003:f.Size|} = 0; }"));

    [Fact]
    public Task Write_in_another_method_of_the_helpers_class_is_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("f.State = s; f.Mask = m; f.Size = n;",
            "        static void Grow(Fpu f, ulong extra) { {|FPU0003:f.Mask|} |= extra; }"));

    [Fact]
    public Task Calling_the_helper_from_elsewhere_is_not_reported() =>
        VerifyCS.VerifyAnalyzerAsync(HelperCase("f.State = s; f.Mask = m; f.Size = n;",
            "        static byte[] Grow(Fpu f, ulong extra, int size) => Swap(f, new byte[size], f.Mask | extra, size);"));

    // ================================================================ ordinary C# around the write

    [Fact]
    public Task Write_in_a_lambda_outside_the_helper_is_reported() =>
        Verify("Action a = () => {|FPU0003:f.Size|} = 1; a();");

    [Fact]
    public Task Write_in_a_static_local_function_is_reported() =>
        Verify("static void L(Fpu g) => {|FPU0003:g.Mask|} = 0; L(f);");

    [Fact]
    public Task Write_in_a_property_setter_is_reported() =>
        Verify("Target = f;", "        static Fpu Target { set { {|FPU0003:value.Size|} = 0; } }");

    [Fact]
    public Task Write_in_a_switch_expression_arm_is_reported() =>
        Verify("var y = c switch { true => {|FPU0003:f.Size|} = 1, false => 0 };");

    [Fact]
    public Task Write_in_a_foreach_is_reported() =>
        Verify("foreach (var g in fpus) {|FPU0003:g.Size|} = 0;");

    [Fact]
    public Task Write_in_try_catch_finally_and_filter_is_reported() =>
        Verify("try { {|FPU0003:f.Size|} = 1; } catch (Exception) when (({|FPU0003:f.Count|} = 2) > 0) { {|FPU0003:f.Mask|} = 0; } finally { {|FPU0003:f.State|} = b; }");

    [Fact]
    public Task Write_in_a_using_block_is_reported() =>
        Verify("using (var ms = new System.IO.MemoryStream()) { {|FPU0003:f.Size|} = (int)ms.Length; }");

    [Fact]
    public Task Write_before_and_after_await_is_reported() =>
        Verify("", "        static async Task RunAsync(Fpu f) { {|FPU0003:f.Size|} = 1; await Task.Yield(); {|FPU0003:f.Mask|} = 2; }");

    [Fact]
    public Task Write_in_a_generic_method_is_reported() =>
        Verify("", "        static void G<T>(Fpu f, T value) where T : struct { {|FPU0003:f.Size|} = Unsafe.SizeOf<T>(); }");

    [Fact]
    public Task Reads_in_lambdas_local_functions_async_and_generic_methods_are_not_reported() =>
        Verify("Func<int> a = () => f.Size; static ulong L(Fpu g) => g.Mask; var y = c switch { true => f.Size, false => 0 };",
            """
                    static async Task<int> RunAsync(Fpu f) { await Task.Yield(); return f.Size; }
                    static int G<T>(Fpu f, T value) => f.Count;
            """);
}
