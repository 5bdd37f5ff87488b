using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// Reviewer's cases for FPU0002, written from docs/rules/FPU0002.md, the list of flow forms, guards and
/// guard-ending writes, and the C# language, without reading the analyzer. Each case is one fact: a free the
/// rule must report (markup on the whole <c>[FreesMemory]</c> call, as the rule's own tests place it) or one it
/// must not. Self-contained: the contract attributes are declared by name in namespace <c>R</c>.
/// </summary>
public class FreeOfDefaultFpuStateReviewTests
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

            sealed class Fpu
            {
                [DefaultFpuState] public readonly Buf Default = new Buf();
                [FpuStateField] public Buf State;
                [FpuStateField] public ulong Mask = 3;
                [FpuStateField] public int Size = 576;
                public int Other;
                public Buf Scratch = new Buf();

                public Fpu() => State = Default;

                // The swap helper, called with the owner as receiver.
                [FpuStateSwapHelper]
                public Buf SwapFpState(Buf state, ulong mask, int size)
                {
                    var old = State;
                    State = state;
                    Mask = mask;
                    Size = size;
                    return old;
                }

                public void Touch() => Other++;           // writes no state field
                public void Reset() => State = Default;   // writes a state field
            }

            static class Swaps
            {
                // The swap helper, called with the owner as argument.
                [FpuStateSwapHelper]
                public static Buf Swap(Fpu fpu, Buf state, ulong mask, int size) => fpu.SwapFpState(state, mask, size);
            }

            sealed class TaskS { public Fpu Fpu = new Fpu(); }

            sealed class Scope : IDisposable { public void Dispose() { } }

            static class Mem
            {
                [FreesMemory] public static void Free(Buf b) { }
                [FreesMemory] public static int Release(Buf b) => 0;
                [FreesMemory] public static bool Drop(Buf b) => false;
                [FreesMemory] public static void FreeT<T>(T b) where T : class { }
            }
        }

        """;

    private static string Code(string body, string members = "") => Preamble + $$"""
        namespace R
        {
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            static class Driver
            {
        {{members}}

                static void Run(Fpu fpu, Fpu other, TaskS task, Buf x, Buf o, bool c, int mode, List<Fpu> fpus)
                {
        {{body}}
                }
            }
        }
        """;

    private static Task Verify(string body, string members = "") => VerifyCS.VerifyAnalyzerAsync(Code(body, members));

    // ================================================================ the default member itself

    [Fact]
    public Task Free_of_the_default_member_is_reported() =>
        Verify("{|FPU0002:Mem.Free(fpu.Default)|};");

    [Fact]
    public Task Free_of_a_buffer_that_is_not_state_is_not_reported() =>
        Verify("Mem.Free(x); Mem.Free(fpu.Scratch); Mem.Free(new Buf());");

    [Fact]
    public Task Free_of_the_default_through_two_locals_is_reported() =>
        Verify("var d = fpu.Default; var e = d; {|FPU0002:Mem.Free(e)|};");

    // ================================================================ locals and aliases

    [Fact]
    public Task Alias_chain_of_the_state_is_reported() =>
        Verify("var s = fpu.State; var t = s; {|FPU0002:Mem.Free(t)|};");

    [Fact]
    public Task Alias_chain_guarded_before_the_copy_is_not_reported() =>
        Verify("var s = fpu.State; if (s != fpu.Default) { var t = s; Mem.Free(t); }");

    [Fact]
    public Task Alias_of_the_owner_is_reported() =>
        Verify("var f = fpu; {|FPU0002:Mem.Free(f.State)|};");

    [Fact]
    public Task Alias_of_the_owner_guarded_through_the_alias_is_not_reported() =>
        Verify("var f = fpu; if (f.State != f.Default) Mem.Free(f.State);");

    [Fact]
    public Task Local_from_a_conditional_is_reported() =>
        Verify("var s = c ? fpu.State : x; {|FPU0002:Mem.Free(s)|};");

    // ================================================================ pattern variables

    [Fact]
    public Task Not_null_pattern_variable_is_reported() =>
        Verify("if (fpu.State is { } s) {|FPU0002:Mem.Free(s)|};");

    [Fact]
    public Task Var_pattern_variable_is_reported() =>
        Verify("if (fpu.State is var s) {|FPU0002:Mem.Free(s)|};");

    [Fact]
    public Task Property_pattern_variable_is_reported() =>
        Verify("if (fpu is { State: var s }) {|FPU0002:Mem.Free(s)|};");

    [Fact]
    public Task Nested_property_pattern_variable_is_reported() =>
        Verify("if (task is { Fpu: { State: { } s, Size: > 0 } }) {|FPU0002:Mem.Free(s)|};");

    [Fact]
    public Task Switch_statement_pattern_variable_is_reported() =>
        Verify("switch (fpu.State) { case Buf s: {|FPU0002:Mem.Free(s)|}; break; }");

    [Fact]
    public Task Switch_expression_pattern_variable_is_reported() =>
        Verify("var n = fpu.State switch { Buf s => {|FPU0002:Mem.Release(s)|}, _ => 0 };");

    [Fact]
    public Task Not_null_pattern_variable_compared_with_the_default_is_not_reported() =>
        Verify("if (fpu.State is { } s && s != fpu.Default) Mem.Free(s);");

    [Fact]
    public Task Property_pattern_variable_compared_with_the_default_is_not_reported() =>
        Verify("if (fpu is { State: var s } && !ReferenceEquals(s, fpu.Default)) Mem.Free(s);");

    [Fact]
    public Task Switch_case_guard_with_when_is_not_reported() =>
        Verify("switch (fpu.State) { case Buf s when s != fpu.Default: Mem.Free(s); break; }");

    [Fact]
    public Task Switch_expression_arm_with_when_guard_on_the_pattern_variable_is_not_reported() =>
        Verify("var n = fpu.State switch { Buf s when s != fpu.Default => Mem.Release(s), _ => 0 };");

    [Fact]
    public Task Pattern_variable_of_a_non_state_buffer_is_not_reported() =>
        Verify("if (fpu.Scratch is { } s) Mem.Free(s); if (fpu is { Scratch: var t }) Mem.Free(t);");

    // ================================================================ tuples

    [Fact]
    public Task Deconstructed_tuple_element_holding_the_state_is_reported() =>
        Verify("var (a, b) = (fpu.State, x); {|FPU0002:Mem.Free(a)|};");

    [Fact]
    public Task Deconstructed_tuple_element_not_holding_the_state_is_not_reported() =>
        Verify("var (a, b) = (fpu.State, x); Mem.Free(b);");

    [Fact]
    public Task Deconstructed_tuple_element_guarded_is_not_reported() =>
        Verify("var (a, b) = (fpu.State, x); if (a != fpu.Default) Mem.Free(a);");

    [Fact]
    public Task Tuple_Item1_holding_the_state_is_reported() =>
        Verify("var t = (fpu.State, x); {|FPU0002:Mem.Free(t.Item1)|};");

    [Fact]
    public Task Tuple_Item2_not_holding_the_state_is_not_reported() =>
        Verify("var t = (fpu.State, x); Mem.Free(t.Item2);");

    [Fact]
    public Task Named_tuple_element_holding_the_state_is_reported() =>
        Verify("var t = (Cur: fpu.State, Spare: x); {|FPU0002:Mem.Free(t.Cur)|};");

    [Fact]
    public Task Deconstruction_assignment_into_existing_locals_is_tracked_per_element() =>
        Verify("Buf a = null, b = null; (a, b) = (x, fpu.State); Mem.Free(a); {|FPU0002:Mem.Free(b)|};");

    [Fact]
    public Task Tuple_swap_moves_the_state_to_the_other_local() =>
        Verify("Buf a = fpu.State, b = x; (a, b) = (b, a); Mem.Free(a); {|FPU0002:Mem.Free(b)|};");

    [Fact]
    public Task Deconstruction_of_a_helpers_tuple_result_holding_the_state_is_reported() =>
        Verify("var (s, n) = Pair(fpu); {|FPU0002:Mem.Free(s)|};",
            "        static (Buf, int) Pair(Fpu f) => (f.State, f.Size);");

    // ================================================================ conditional, ?. and ?? as the argument

    [Fact]
    public Task Conditional_argument_with_the_state_in_one_branch_is_reported() =>
        Verify("{|FPU0002:Mem.Free(c ? fpu.State : o)|};");

    [Fact]
    public Task Conditional_argument_with_the_default_in_one_branch_is_reported() =>
        Verify("{|FPU0002:Mem.Free(c ? o : fpu.Default)|};");

    [Fact]
    public Task Conditional_argument_without_state_is_not_reported() =>
        Verify("Mem.Free(c ? x : o);");

    [Fact]
    public Task Conditional_argument_under_a_guard_is_not_reported() =>
        Verify("if (fpu.State != fpu.Default) Mem.Free(c ? fpu.State : o);");

    [Fact]
    public Task Conditional_argument_whose_condition_is_the_guard_is_not_reported() =>
        Verify("Mem.Free(fpu.State != fpu.Default ? fpu.State : o);");

    [Fact]
    public Task Conditional_argument_whose_condition_is_the_inverted_guard_is_reported() =>
        Verify("{|FPU0002:Mem.Free(fpu.State == fpu.Default ? fpu.State : o)|};");

    [Fact]
    public Task Null_conditional_argument_reaching_the_state_is_reported() =>
        Verify("{|FPU0002:Mem.Free(task?.Fpu.State)|};");

    [Fact]
    public Task Null_conditional_argument_reaching_a_non_state_buffer_is_not_reported() =>
        Verify("Mem.Free(task?.Fpu.Scratch);");

    [Fact]
    public Task Null_conditional_argument_under_a_guard_is_not_reported() =>
        Verify("if (task.Fpu.State != task.Fpu.Default) Mem.Free(task?.Fpu.State);");

    [Fact]
    public Task Null_coalescing_argument_with_the_state_on_the_right_is_reported() =>
        Verify("{|FPU0002:Mem.Free(o ?? fpu.State)|};");

    [Fact]
    public Task Null_coalescing_argument_with_the_state_on_the_left_is_reported() =>
        Verify("{|FPU0002:Mem.Free(fpu.State ?? o)|};");

    [Fact]
    public Task Null_coalescing_argument_without_state_is_not_reported() =>
        Verify("Mem.Free(o ?? x);");

    [Fact]
    public Task Null_coalescing_argument_under_a_guard_is_not_reported() =>
        Verify("if (fpu.State != fpu.Default) Mem.Free(o ?? fpu.State);");

    // ================================================================ ref and ref readonly locals

    [Fact]
    public Task Ref_local_to_the_state_is_reported() =>
        Verify("ref Buf r = ref fpu.State; {|FPU0002:Mem.Free(r)|};");

    [Fact]
    public Task Ref_readonly_local_to_the_state_is_reported() =>
        Verify("ref readonly Buf r = ref fpu.State; {|FPU0002:Mem.Free(r)|};");

    [Fact]
    public Task Ref_local_compared_with_the_default_is_not_reported() =>
        Verify("ref Buf r = ref fpu.State; if (r != fpu.Default) Mem.Free(r);");

    [Fact]
    public Task Ref_readonly_local_after_an_early_return_on_the_field_is_not_reported() =>
        // r is the field itself (a reference), so the check on fpu.State is a check on r.
        Verify("ref readonly Buf r = ref fpu.State; if (fpu.State == fpu.Default) return; Mem.Free(r);");

    [Fact]
    public Task Write_through_a_ref_local_ends_the_guard_on_the_field() =>
        Verify("ref Buf r = ref fpu.State; if (fpu.State != fpu.Default) { r = fpu.Default; {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Ref_reassigned_local_to_the_state_is_reported() =>
        Verify("ref Buf r = ref x; r = ref fpu.State; {|FPU0002:Mem.Free(r)|};");

    [Fact]
    public Task Ref_conditional_local_that_may_be_the_state_is_reported() =>
        Verify("ref Buf r = ref (c ? ref fpu.State : ref x); {|FPU0002:Mem.Free(r)|};");

    // ================================================================ record members set by with

    private const string HolderRecord = "        sealed record Holder(Buf B, int N);";

    [Fact]
    public Task Record_member_set_to_the_state_by_with_is_reported() =>
        Verify("var h0 = new Holder(x, 0); var h = h0 with { B = fpu.State }; {|FPU0002:Mem.Free(h.B)|};", HolderRecord);

    [Fact]
    public Task Record_member_overwritten_by_with_is_not_reported() =>
        Verify("var h0 = new Holder(fpu.State, 0); var h = h0 with { B = x }; Mem.Free(h.B);", HolderRecord);

    [Fact]
    public Task Record_member_set_by_with_under_a_guard_is_not_reported() =>
        Verify("if (fpu.State != fpu.Default) { var h = new Holder(x, 0) with { B = fpu.State }; Mem.Free(h.B); }", HolderRecord);

    // ================================================================ out arguments and return values of helpers

    private const string HelperMethods = """
                static void Current(Fpu f, out Buf b) => b = f.State;
                static void Fresh(out Buf b) => b = new Buf();
                static Buf Cur(Fpu f) => f.State;
                static Buf Make() => new Buf();
                static Buf DefaultOf(Fpu f) { return f.Default; }
                static Buf DynamicOrNull(Fpu f) => f.State != f.Default ? f.State : null;
        """;

    [Fact]
    public Task Out_argument_of_a_helper_that_stores_the_state_is_reported() =>
        Verify("Current(fpu, out var b); {|FPU0002:Mem.Free(b)|};", HelperMethods);

    [Fact]
    public Task Out_argument_of_a_helper_that_stores_a_new_buffer_is_not_reported() =>
        Verify("Fresh(out var b); Mem.Free(b);", HelperMethods);

    [Fact]
    public Task Out_argument_holding_the_state_checked_before_the_free_is_not_reported() =>
        Verify("Current(fpu, out var b); if (b != fpu.Default) Mem.Free(b);", HelperMethods);

    [Fact]
    public Task Out_argument_of_a_local_function_that_stores_the_state_is_reported() =>
        Verify("void Get(out Buf b) { b = fpu.State; } Get(out var s); {|FPU0002:Mem.Free(s)|};");

    [Fact]
    public Task Return_value_of_a_helper_returning_the_state_is_reported() =>
        Verify("{|FPU0002:Mem.Free(Cur(fpu))|};", HelperMethods);

    [Fact]
    public Task Return_value_of_a_helper_returning_the_state_through_a_local_is_reported() =>
        Verify("var b = Cur(fpu); {|FPU0002:Mem.Free(b)|};", HelperMethods);

    [Fact]
    public Task Return_value_of_a_helper_returning_the_default_is_reported() =>
        Verify("{|FPU0002:Mem.Free(DefaultOf(fpu))|};", HelperMethods);

    [Fact]
    public Task Return_value_of_a_helper_returning_a_new_buffer_is_not_reported() =>
        Verify("Mem.Free(Make());", HelperMethods);

    [Fact]
    public Task Return_value_of_a_helper_that_checks_before_returning_the_state_is_not_reported() =>
        Verify("Mem.Free(DynamicOrNull(fpu));", HelperMethods);

    // ================================================================ guards

    [Fact]
    public Task Equality_with_early_return_is_not_reported() =>
        Verify("if (fpu.State == fpu.Default) return; Mem.Free(fpu.State);");

    [Fact]
    public Task Equality_else_branch_is_not_reported() =>
        Verify("if (fpu.State == fpu.Default) { } else { Mem.Free(fpu.State); }");

    [Fact]
    public Task ReferenceEquals_default_first_is_not_reported() =>
        Verify("if (!ReferenceEquals(fpu.Default, fpu.State)) Mem.Free(fpu.State);");

    [Fact]
    public Task Object_Equals_is_not_reported() =>
        Verify("if (!object.Equals(fpu.State, fpu.Default)) Mem.Free(fpu.State);");

    [Fact]
    public Task Unqualified_static_Equals_is_not_reported() =>
        Verify("if (Equals(fpu.State, fpu.Default)) return; Mem.Free(fpu.State);");

    [Fact]
    public Task Instance_Equals_not_overridden_is_not_reported() =>
        Verify("if (!fpu.State.Equals(fpu.Default)) Mem.Free(fpu.State);");

    [Fact]
    public Task Instance_Equals_on_the_default_with_early_return_is_not_reported() =>
        Verify("if (fpu.Default.Equals(fpu.State)) return; Mem.Free(fpu.State);");

    [Fact]
    public Task Instance_Equals_that_is_overridden_is_no_guard() =>
        Verify("if (!f.State.Equals(f.Default)) {|FPU0002:FreeEq(f.State)|};", """
                    sealed class EqBuf { public override bool Equals(object obj) => obj is EqBuf; public override int GetHashCode() => 0; }
                    sealed class EqFpu
                    {
                        [DefaultFpuState] public readonly EqBuf Default = new EqBuf();
                        [FpuStateField] public EqBuf State;
                        public EqFpu() => State = Default;
                    }
                    [FreesMemory] static void FreeEq(EqBuf b) { }
                    static EqFpu f = new EqFpu();
            """);

    [Fact]
    public Task Is_not_true_on_the_equality_is_not_reported() =>
        Verify("if ((fpu.State == fpu.Default) is not true) Mem.Free(fpu.State);");

    [Fact]
    public Task Is_false_on_ReferenceEquals_is_not_reported() =>
        Verify("if (ReferenceEquals(fpu.State, fpu.Default) is false) Mem.Free(fpu.State);");

    [Fact]
    public Task Is_not_true_on_the_inequality_is_reported() =>
        Verify("if ((fpu.State != fpu.Default) is not true) {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Bool_local_holding_the_inequality_is_not_reported() =>
        Verify("bool dynamic = fpu.State != fpu.Default; if (dynamic) Mem.Free(fpu.State);");

    [Fact]
    public Task Bool_local_holding_ReferenceEquals_with_early_return_is_not_reported() =>
        Verify("var onDefault = ReferenceEquals(fpu.State, fpu.Default); if (onDefault) return; Mem.Free(fpu.State);");

    [Fact]
    public Task Bool_local_reassigned_before_the_free_is_no_guard() =>
        Verify("bool dynamic = fpu.State != fpu.Default; dynamic = c; if (dynamic) {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Bool_local_reassigned_on_one_path_is_no_guard() =>
        Verify("bool dynamic = fpu.State != fpu.Default; if (c) dynamic = true; if (dynamic) {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Bool_local_computed_before_a_write_of_the_state_is_no_guard() =>
        Verify("bool dynamic = fpu.State != fpu.Default; fpu.State = fpu.Default; if (dynamic) {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Bool_local_about_another_owner_is_no_guard() =>
        Verify("bool dynamic = other.State != other.Default; if (dynamic) {|FPU0002:Mem.Free(fpu.State)|};");

    private const string Predicates = """
                static bool HasOwnBuffer(Fpu f) { return !ReferenceEquals(f.State, f.Default); }
                static bool OnDefault(Fpu f) => f.State == f.Default;
                static bool Big(Fpu f) => f.Size > 576;
        """;

    [Fact]
    public Task Local_function_predicate_is_a_guard() =>
        Verify("bool IsDynamic(Fpu f) => f.State != f.Default; if (IsDynamic(fpu)) Mem.Free(fpu.State);");

    [Fact]
    public Task Method_predicate_with_block_body_and_early_return_is_a_guard() =>
        Verify("if (!HasOwnBuffer(fpu)) return; Mem.Free(fpu.State);", Predicates);

    [Fact]
    public Task Method_predicate_returning_the_equality_with_early_return_is_a_guard() =>
        Verify("if (OnDefault(fpu)) return; Mem.Free(fpu.State);", Predicates);

    [Fact]
    public Task Method_predicate_used_the_wrong_way_round_is_no_guard() =>
        Verify("if (OnDefault(fpu)) {|FPU0002:Mem.Free(fpu.State)|};", Predicates);

    [Fact]
    public Task Method_predicate_that_does_not_compare_with_the_default_is_no_guard() =>
        Verify("if (Big(fpu)) {|FPU0002:Mem.Free(fpu.State)|};", Predicates);

    [Fact]
    public Task Predicate_called_on_another_owner_is_no_guard() =>
        Verify("if (HasOwnBuffer(other)) {|FPU0002:Mem.Free(fpu.State)|};", Predicates);

    [Fact]
    public Task Early_throw_is_a_guard() =>
        Verify("if (fpu.State == fpu.Default) throw new InvalidOperationException(); Mem.Free(fpu.State);");

    [Fact]
    public Task Early_continue_in_foreach_is_a_guard() =>
        Verify("foreach (var f in fpus) { if (f.State == f.Default) continue; Mem.Free(f.State); }");

    [Fact]
    public Task Early_continue_in_for_is_a_guard() =>
        Verify("for (int i = 0; i < fpus.Count; i++) { var f = fpus[i]; if (ReferenceEquals(f.State, f.Default)) continue; Mem.Free(f.State); }");

    [Fact]
    public Task Foreach_without_a_guard_is_reported() =>
        Verify("foreach (var f in fpus) { {|FPU0002:Mem.Free(f.State)|}; }");

    [Fact]
    public Task Continue_on_one_condition_only_is_no_guard() =>
        Verify("foreach (var f in fpus) { if (c && f.State == f.Default) continue; {|FPU0002:Mem.Free(f.State)|}; }");

    [Fact]
    public Task Break_out_of_a_loop_on_the_dynamic_state_is_no_guard_after_it() =>
        Verify("while (c) { if (fpu.State != fpu.Default) break; } {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Guard_on_both_branches_is_a_guard() =>
        Verify("if (c) { if (fpu.State == fpu.Default) return; } else { if (fpu.State == fpu.Default) throw new InvalidOperationException(); } Mem.Free(fpu.State);");

    [Fact]
    public Task Early_return_on_or_is_a_guard() =>
        Verify("if (c || fpu.State == fpu.Default) return; Mem.Free(fpu.State);");

    [Fact]
    public Task Early_return_on_and_is_no_guard() =>
        Verify("if (c && fpu.State == fpu.Default) return; {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Guard_through_an_owner_chain_is_a_guard() =>
        Verify("if (task.Fpu.State == task.Fpu.Default) return; Mem.Free(task.Fpu.State);");

    // ================================================================ what ends a guard

    [Fact]
    public Task Write_of_the_guarded_local_ends_the_guard() =>
        Verify("var s = fpu.State; if (s == fpu.Default) return; s = other.State; {|FPU0002:Mem.Free(s)|};");

    [Fact]
    public Task Write_of_the_state_field_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; fpu.State = fpu.Default; {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Write_of_another_state_field_of_the_owner_keeps_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; fpu.Mask = 0; Mem.Free(fpu.State);");

    [Fact]
    public Task Write_of_the_owner_reference_ends_the_guard() =>
        Verify("if (task.Fpu.State == task.Fpu.Default) return; task.Fpu = other; {|FPU0002:Mem.Free(task.Fpu.State)|};");

    [Fact]
    public Task Write_of_a_non_state_field_of_the_owner_keeps_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; fpu.Other = 1; Mem.Free(fpu.State);");

    [Fact]
    public Task Swap_helper_with_the_owner_as_receiver_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; fpu.SwapFpState(fpu.Default, 3, 576); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Swap_helper_with_the_owner_as_argument_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; Swaps.Swap(fpu, fpu.Default, 3, 576); {|FPU0002:Mem.Free(fpu.State)|};");

    private const string Writers = """
                static void Reinit(Fpu f) { f.State = f.Default; }
                static void Outer(Fpu f) => Reinit(f);
                static int Log(Fpu f) { return f.Size; }
                static bool ResetAndTrue(Fpu f) { f.State = f.Default; return true; }
                sealed class Resetter : IDisposable { public Resetter(Fpu f) { f.State = f.Default; } public void Dispose() { } }
        """;

    [Fact]
    public Task Call_of_a_compilation_method_that_writes_the_state_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; Reinit(fpu); {|FPU0002:Mem.Free(fpu.State)|};", Writers);

    [Fact]
    public Task Call_of_an_instance_method_that_writes_the_state_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; fpu.Reset(); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Call_of_a_compilation_method_that_writes_the_state_through_another_call_ends_the_guard() =>
        // Judgement call: "any call that may write them" - the write is one call further down.
        Verify("if (fpu.State == fpu.Default) return; Outer(fpu); {|FPU0002:Mem.Free(fpu.State)|};", Writers);

    [Fact]
    public Task Call_of_a_constructor_that_writes_the_state_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; using (var r = new Resetter(fpu)) { {|FPU0002:Mem.Free(fpu.State)|}; }", Writers);

    [Fact]
    public Task Call_of_compilation_methods_that_do_not_write_the_state_keeps_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; Log(fpu); fpu.Touch(); Mem.Free(fpu.State);", Writers);

    [Fact]
    public Task Metadata_method_receiving_the_owner_as_argument_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; GC.KeepAlive(fpu); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Metadata_method_receiving_the_owner_as_receiver_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; fpu.ToString(); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Metadata_methods_not_receiving_the_owner_keep_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; Console.WriteLine(fpu.Size); GC.KeepAlive(fpu.State); Mem.Free(fpu.State);");

    // ================================================================ try / catch / finally / filters

    [Fact]
    public Task Free_in_catch_after_a_guard_inside_the_try_is_reported() =>
        Verify("try { Console.WriteLine(1); if (fpu.State == fpu.Default) return; Console.WriteLine(2); } catch (Exception) { {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Free_in_catch_after_a_guard_before_the_try_is_not_reported() =>
        Verify("if (fpu.State == fpu.Default) return; try { Console.WriteLine(1); } catch (Exception) { Mem.Free(fpu.State); }");

    [Fact]
    public Task Free_in_catch_after_a_write_anywhere_in_the_try_is_reported() =>
        Verify("if (fpu.State == fpu.Default) return; try { Console.WriteLine(1); fpu.State = fpu.Default; Console.WriteLine(2); } catch (Exception) { {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Free_in_catch_under_its_own_guard_is_not_reported() =>
        Verify("try { Console.WriteLine(1); } catch (Exception) { if (fpu.State != fpu.Default) Mem.Free(fpu.State); }");

    [Fact]
    public Task Free_in_finally_reached_by_the_early_return_on_the_default_is_reported() =>
        Verify("try { if (fpu.State == fpu.Default) return; Console.WriteLine(1); } finally { {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Free_in_finally_after_a_guard_before_the_try_is_not_reported() =>
        Verify("if (fpu.State == fpu.Default) return; try { Console.WriteLine(1); } finally { Mem.Free(fpu.State); }");

    [Fact]
    public Task Free_in_finally_after_a_state_write_in_the_try_is_reported() =>
        Verify("if (fpu.State == fpu.Default) return; try { Console.WriteLine(1); fpu.State = fpu.Default; Console.WriteLine(2); } finally { {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Free_in_finally_after_a_writing_call_in_the_try_is_reported() =>
        Verify("if (fpu.State == fpu.Default) return; try { fpu.Reset(); } finally { {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Exception_filter_comparing_with_the_default_is_a_guard() =>
        Verify("try { Console.WriteLine(1); } catch (Exception) when (fpu.State != fpu.Default) { Mem.Free(fpu.State); }");

    [Fact]
    public Task Exception_filter_with_the_inverted_comparison_is_no_guard() =>
        Verify("try { Console.WriteLine(1); } catch (Exception) when (fpu.State == fpu.Default) { {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Exception_filter_that_writes_the_state_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; try { Console.WriteLine(1); } catch (Exception) when ((fpu.State = fpu.Default) != null) { {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Exception_filter_calling_a_method_that_writes_the_state_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; try { Console.WriteLine(1); } catch (Exception) when (ResetAndTrue(fpu)) { {|FPU0002:Mem.Free(fpu.State)|}; }", Writers);

    [Fact]
    public Task Free_inside_an_exception_filter_is_reported() =>
        Verify("try { Console.WriteLine(1); } catch (Exception) when ({|FPU0002:Mem.Drop(fpu.State)|}) { }");

    [Fact]
    public Task Free_inside_an_exception_filter_after_its_guard_is_not_reported() =>
        Verify("try { Console.WriteLine(1); } catch (Exception) when (fpu.State != fpu.Default && Mem.Drop(fpu.State)) { }");

    // ================================================================ ordinary C# around the free

    [Fact]
    public Task Free_in_a_lambda_is_reported() =>
        Verify("Action a = () => {|FPU0002:Mem.Free(fpu.State)|}; a();");

    [Fact]
    public Task Free_in_a_lambda_with_its_own_guard_is_not_reported() =>
        Verify("Action a = () => { if (fpu.State != fpu.Default) Mem.Free(fpu.State); }; a();");

    [Fact]
    public Task Guard_outside_a_lambda_does_not_cover_the_free_inside() =>
        Verify("if (fpu.State == fpu.Default) return; Action a = () => {|FPU0002:Mem.Free(fpu.State)|}; a();");

    [Fact]
    public Task Free_in_a_local_function_is_reported() =>
        Verify("void L() { {|FPU0002:Mem.Free(fpu.State)|}; } L();");

    [Fact]
    public Task Free_in_a_local_function_with_its_own_guard_is_not_reported() =>
        Verify("void L() { if (fpu.State == fpu.Default) return; Mem.Free(fpu.State); } L();");

    [Fact]
    public Task Free_in_a_static_local_function_is_reported() =>
        Verify("static void L(Fpu f) => {|FPU0002:Mem.Free(f.State)|}; L(fpu);");

    [Fact]
    public Task Free_in_a_static_local_function_with_its_own_guard_is_not_reported() =>
        Verify("static void L(Fpu f) { if (f.State == f.Default) return; Mem.Free(f.State); } L(fpu);");

    [Fact]
    public Task Free_in_a_property_setter_is_reported() =>
        Verify("Target = fpu;", "        static Fpu Target { set { {|FPU0002:Mem.Free(value.State)|}; } }");

    [Fact]
    public Task Free_in_a_property_setter_with_a_guard_is_not_reported() =>
        Verify("Target = fpu;", "        static Fpu Target { set { if (value.State != value.Default) Mem.Free(value.State); } }");

    [Fact]
    public Task Free_in_a_switch_expression_arm_is_reported() =>
        Verify("var n = mode switch { 0 => {|FPU0002:Mem.Release(fpu.State)|}, _ => 0 };");

    [Fact]
    public Task Free_in_a_switch_expression_arm_with_a_when_guard_is_not_reported() =>
        Verify("var n = mode switch { 0 when fpu.State != fpu.Default => Mem.Release(fpu.State), _ => 0 };");

    [Fact]
    public Task Free_in_a_using_block_is_reported() =>
        Verify("using (var s = new Scope()) { {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Free_in_a_using_block_after_a_guard_is_not_reported() =>
        Verify("if (fpu.State == fpu.Default) return; using (var s = new Scope()) { Mem.Free(fpu.State); }");

    [Fact]
    public Task Free_after_a_using_declaration_with_a_guard_is_not_reported() =>
        Verify("using var s = new Scope(); if (fpu.State != fpu.Default) Mem.Free(fpu.State);");

    [Fact]
    public Task Free_before_an_await_is_reported() =>
        Verify("", "        static async Task RunAsync(Fpu fpu) { {|FPU0002:Mem.Free(fpu.State)|}; await Task.Yield(); }");

    [Fact]
    public Task Free_after_an_await_is_reported() =>
        Verify("", "        static async Task RunAsync(Fpu fpu) { await Task.Yield(); {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Guarded_free_before_an_await_is_not_reported() =>
        Verify("", "        static async Task RunAsync(Fpu fpu) { if (fpu.State == fpu.Default) return; Mem.Free(fpu.State); await Task.Yield(); }");

    [Fact]
    public Task Guarded_free_after_an_await_is_not_reported() =>
        Verify("", "        static async Task RunAsync(Fpu fpu) { await Task.Yield(); if (fpu.State != fpu.Default) Mem.Free(fpu.State); }");

    [Fact]
    public Task State_write_after_an_await_ends_the_guard() =>
        Verify("", "        static async Task RunAsync(Fpu fpu) { if (fpu.State == fpu.Default) return; await Task.Yield(); fpu.State = fpu.Default; {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Writing_call_after_an_await_ends_the_guard() =>
        Verify("", "        static async Task RunAsync(Fpu fpu) { if (fpu.State == fpu.Default) return; await Task.Yield(); fpu.Reset(); {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Generic_free_method_of_the_state_is_reported() =>
        Verify("{|FPU0002:Mem.FreeT(fpu.State)|};");

    [Fact]
    public Task Generic_free_method_under_a_guard_is_not_reported() =>
        Verify("if (fpu.State != fpu.Default) Mem.FreeT(fpu.State);");

    [Fact]
    public Task Free_in_a_generic_method_is_reported() =>
        Verify("Each(fpus, fpu);", "        static void Each<T>(List<T> items, Fpu f) { foreach (var item in items) { {|FPU0002:Mem.Free(f.State)|}; } }");

    [Fact]
    public Task Free_in_a_generic_method_with_a_guard_is_not_reported() =>
        Verify("Each(fpus, fpu);", "        static void Each<T>(List<T> items, Fpu f) { foreach (var item in items) { if (f.State == f.Default) continue; Mem.Free(f.State); } }");

    private const string GenericOwner = """
                sealed class GOwner<T> where T : class, new()
                {
                    [DefaultFpuState] public readonly T Default = new T();
                    [FpuStateField] public T State;
                    public GOwner() => State = Default;
                }
        """;

    [Fact]
    public Task Free_of_a_generic_owners_state_is_reported() =>
        Verify("", GenericOwner + "\n        static void G<T>(GOwner<T> g) where T : class, new() { {|FPU0002:Mem.FreeT(g.State)|}; }");

    [Fact]
    public Task Free_of_a_generic_owners_state_under_a_guard_is_not_reported() =>
        Verify("", GenericOwner + "\n        static void G<T>(GOwner<T> g) where T : class, new() { if (!ReferenceEquals(g.State, g.Default)) Mem.FreeT(g.State); }");
}
