using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// Third review round for FPU0002, written from docs/rules/FPU0002.md and the C# language only, without reading
/// the analyzer: the guards the page lists, what ends them, what a swap installs, contradictory tests, values that
/// are new objects on every path, bool locals across joins, exceptions, switches, loops, using, lambdas, tuples,
/// patterns, conditional arguments and ref locals. Each case is one fact: a free the rule must report (markup on
/// the whole <c>[FreesMemory]</c> call) or one it must not. Cases that assert a behaviour the page lists under
/// "Limits" say so. Self-contained: the contract attributes are declared by name in namespace <c>R</c>.
/// </summary>
public class FreeOfDefaultFpuStateReview3Tests
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

                // Predicates of this compilation on `this`: a property getter and an instance method.
                public bool IsValloc => State != Default;
                public bool OnDefault() => ReferenceEquals(State, Default);

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
            }
        }

        """;

    private const string Helpers = """
                static bool Allocated(Buf b, Fpu f) => b != f.Default;
                static Buf OwnOrNew(Fpu f) => f.State != f.Default ? f.State : new Buf();
                static Buf Make() => new Buf();
                static void ViaLocal(Fpu a, Fpu b) { var t = b; t.State = t.Default; }
                static Scope Resetting(Fpu f) { f.State = f.Default; return new Scope(); }
                static void Take(out Buf b) => b = null;
                sealed record Holder(Buf B, int N);
        """;

    private static string Code(string body) => Preamble + $$"""
        namespace R
        {
            using System;
            using System.Collections.Generic;

            static class Driver
            {
        {{Helpers}}

                static void Run(Fpu fpu, Fpu other, TaskS task, Buf x, Buf o, bool c, int mode, List<Fpu> fpus)
                {
        {{body}}
                }
            }
        }
        """;

    private static Task Verify(string body) => VerifyCS.VerifyAnalyzerAsync(Code(body));

    // ================================================================ guards understood

    // "either operand order"
    [Fact]
    public Task Inequality_with_the_default_on_the_left_is_a_guard() =>
        Verify("if (fpu.Default != fpu.State) Mem.Free(fpu.State);");

    // "`x == owner.DefaultState` (... an early `return`, `continue`, `break` ...)"
    [Fact]
    public Task Equality_with_an_early_break_in_a_do_loop_is_a_guard() =>
        Verify("do { if (fpu.State == fpu.Default) break; Mem.Free(fpu.State); } while (c);");

    [Fact]
    public Task Negated_or_of_the_equality_is_a_guard() =>
        Verify("if (!(c || fpu.State == fpu.Default)) Mem.Free(fpu.State);");

    [Fact]
    public Task Is_not_false_on_ReferenceEquals_holds_on_the_default_and_is_no_guard() =>
        Verify("if (ReferenceEquals(fpu.State, fpu.Default) is not false) {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Is_not_pattern_with_an_early_return_is_no_guard() =>
        Verify("if (fpu.State is not { } s) return; {|FPU0002:Mem.Free(s)|};");

    // "a `bool` local or parameter holding such a comparison"
    [Fact]
    public Task Bool_parameter_assigned_the_inequality_is_a_guard() =>
        Verify("c = fpu.State != fpu.Default; if (c) Mem.Free(fpu.State);");

    [Fact]
    public Task Bool_local_holding_a_negated_ReferenceEquals_is_a_guard() =>
        Verify("var own = !ReferenceEquals(fpu.State, fpu.Default); if (own) Mem.Free(fpu.State);");

    [Fact]
    public Task Bool_local_whose_owner_variable_is_reassigned_is_no_guard() =>
        Verify("var dyn = fpu.State != fpu.Default; fpu = other; if (dyn) {|FPU0002:Mem.Free(fpu.State)|};");

    // Limits: "A `bool` local holding a comparison combined with `&&` or `||` is not a guard".
    [Fact]
    public Task Limit_bool_local_holding_an_and_is_no_guard() =>
        Verify("var ok = c && fpu.State != fpu.Default; if (ok) {|FPU0002:Mem.Free(fpu.State)|};");

    // "a predicate of this compilation: a method, local function or property getter ... of its parameters, `this` or what it captured"
    [Fact]
    public Task Local_function_predicate_over_a_captured_owner_is_a_guard() =>
        Verify("bool Own() => fpu.State != fpu.Default; if (Own()) Mem.Free(fpu.State);");

    [Fact]
    public Task Property_getter_predicate_on_this_is_a_guard() =>
        Verify("if (fpu.IsValloc) Mem.Free(fpu.State);");

    [Fact]
    public Task Instance_method_predicate_on_this_with_an_early_return_is_a_guard() =>
        Verify("if (fpu.OnDefault()) return; Mem.Free(fpu.State);");

    // "A property pattern on one, `fpu is { IsValloc: true }`, proves the same."
    [Fact]
    public Task Property_pattern_on_the_predicate_true_is_a_guard() =>
        Verify("if (fpu is { IsValloc: true }) Mem.Free(fpu.State);");

    [Fact]
    public Task Predicate_taking_the_buffer_and_the_owner_is_a_guard() =>
        Verify("if (Allocated(fpu.State, fpu)) Mem.Free(fpu.State);");

    // A delegate is not "a method, local function or property getter".
    [Fact]
    public Task Lambda_predicate_is_no_guard() =>
        Verify("Func<bool> p = () => fpu.State != fpu.Default; if (p()) {|FPU0002:Mem.Free(fpu.State)|};");

    // ================================================================ what ends a guard

    [Fact]
    public Task Deconstruction_writing_the_state_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; (fpu.State, fpu.Other) = (fpu.Default, 1); {|FPU0002:Mem.Free(fpu.State)|};");

    // The mask and the size are fields of their own (the page's "What ends a guard"): writing them, in any form, leaves
    // the buffer as it was. The same forms on the buffer end the guard.
    [Fact]
    public Task Compound_assignment_of_the_mask_keeps_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; fpu.Mask |= 4; Mem.Free(fpu.State);");

    [Fact]
    public Task Out_argument_to_the_size_keeps_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; int.TryParse(\"1\", out fpu.Size); Mem.Free(fpu.State);");

    [Fact]
    public Task Out_argument_to_the_buffer_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; Take(out fpu.State); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Ref_local_write_of_the_mask_keeps_the_guard() =>
        Verify("ref ulong m = ref fpu.Mask; if (fpu.State == fpu.Default) return; m = 0; Mem.Free(fpu.State);");

    [Fact]
    public Task Ref_local_write_of_the_buffer_ends_the_guard() =>
        Verify("ref Buf r = ref fpu.State; if (fpu.State == fpu.Default) return; r = x; {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Write_of_another_owners_mask_keeps_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; other.Mask = 0; other.Size++; Mem.Free(fpu.State);");

    // "a local already proven ... keeps its guard: it still holds the buffer it was given"
    [Fact]
    public Task Proven_local_keeps_its_guard_after_a_mask_write() =>
        Verify("var s = fpu.State; if (s == fpu.Default) return; fpu.Mask = 0; Mem.Free(s);");

    // A write of the buffer before the free in the guarded branch ends the guard; one of the mask does not.
    [Fact]
    public Task Write_of_the_mask_before_the_free_in_the_guarded_branch_keeps_the_guard() =>
        Verify("if (fpu.State != fpu.Default) { fpu.Mask = 0; Mem.Free(fpu.State); }");

    [Fact]
    public Task Write_of_the_buffer_before_the_free_in_the_guarded_branch_ends_the_guard() =>
        Verify("if (fpu.State != fpu.Default) { fpu.Reset(); {|FPU0002:Mem.Free(fpu.State)|}; }");

    // "one that writes through a local of its own ... is taken to write through every parameter"
    [Fact]
    public Task Helper_writing_through_a_local_of_its_own_ends_the_guard_on_every_argument() =>
        Verify("if (fpu.State == fpu.Default) return; ViaLocal(fpu, other); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Local_function_calling_a_writing_method_on_the_captured_owner_ends_the_guard() =>
        Verify("void L() => fpu.Reset(); if (fpu.State == fpu.Default) return; L(); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Metadata_method_receiving_the_owner_in_a_params_array_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; _ = string.Format(\"{0}\", fpu); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Using_resource_from_a_helper_that_writes_the_buffer_ends_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; using (Resetting(fpu)) { {|FPU0002:Mem.Free(fpu.State)|}; }");

    // Limits: "A lambda is analysed on its own ... and a call of a delegate is not known to write anything."
    [Fact]
    public Task Limit_call_of_a_delegate_that_writes_the_mask_keeps_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; Action a = () => fpu.Mask = 0; a(); Mem.Free(fpu.State);");

    // Limits: "two different paths that happen to name the same object (`var f = fpu;` after the check on `fpu`, then a
    // write through `f`) are not known to be the same."
    [Fact]
    public Task Limit_write_through_an_alias_taken_after_the_check_is_not_seen() =>
        Verify("if (fpu.State == fpu.Default) return; var f = fpu; f.State = fpu.Default; Mem.Free(fpu.State);");

    // ================================================================ what a swap installs

    [Fact]
    public Task Swap_as_receiver_of_the_same_buffer_under_a_guard_keeps_it() =>
        Verify("if (fpu.State == fpu.Default) return; fpu.SwapFpState(fpu.State, 3, 576); Mem.Free(fpu.State);");

    [Fact]
    public Task Swap_of_another_owners_unproven_state_may_install_the_default() =>
        Verify("fpu.SwapFpState(other.State, 3, 576); {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Swap_of_a_proven_local_installs_a_buffer_that_is_not_the_default() =>
        Verify("var s = other.State; if (s == other.Default) return; Swaps.Swap(fpu, s, 3, 576); Mem.Free(fpu.State);");

    // "a value no state flows into (a parameter or local the rule does not follow ...)"
    [Fact]
    public Task Swap_of_a_plain_parameter_installs_a_buffer_that_is_not_the_default() =>
        Verify("Swaps.Swap(fpu, x, 3, 576); Mem.Free(fpu.State);");

    // "the swap helper's result (never the default)"
    [Fact]
    public Task Result_of_the_swap_helper_is_not_reported() =>
        Verify("var old = Swaps.Swap(fpu, new Buf(), 3, 576); Mem.Free(old);");

    // What the swap proved is of the buffer: a mask write after it keeps it; a reset of the buffer ends it.
    [Fact]
    public Task Mask_write_after_a_swap_of_a_new_buffer_keeps_what_it_proved() =>
        Verify("Swaps.Swap(fpu, new Buf(), 3, 576); fpu.Mask = 1; Mem.Free(fpu.State);");

    [Fact]
    public Task Reset_after_a_swap_of_a_new_buffer_ends_what_it_proved() =>
        Verify("Swaps.Swap(fpu, new Buf(), 3, 576); fpu.Reset(); {|FPU0002:Mem.Free(fpu.State)|};");

    // ================================================================ contradictory tests

    [Fact]
    public Task Test_on_the_default_after_its_guard_is_not_taken() =>
        Verify("if (!fpu.IsValloc) return; if (fpu.OnDefault()) Mem.Free(fpu.Default);");

    [Fact]
    public Task Test_on_the_default_after_a_swap_of_a_new_buffer_is_not_taken() =>
        Verify("Swaps.Swap(fpu, new Buf(), 3, 576); if (fpu.State == fpu.Default) Mem.Free(fpu.Default);");

    [Fact]
    public Task Test_on_the_default_after_the_opposite_early_return_may_be_taken() =>
        Verify("if (fpu.State != fpu.Default) return; if (fpu.State == fpu.Default) {|FPU0002:Mem.Free(fpu.Default)|};");

    // "a state known to be the default does not rule out a test that needs it not to be"
    [Fact]
    public Task Limit_a_state_known_to_be_the_default_does_not_rule_out_the_other_test() =>
        Verify("if (fpu.IsValloc) return; if (!fpu.OnDefault()) {|FPU0002:Mem.Free(fpu.Default)|};");

    // "The test must name the member through the same owner ... nor a predicate's buffer parameter `Allocated(fpu.State, fpu)`"
    [Fact]
    public Task Limit_a_predicate_on_the_buffer_parameter_is_not_ruled_out() =>
        Verify("if (fpu.State == fpu.Default) return; if (!Allocated(fpu.State, fpu)) {|FPU0002:Mem.Free(fpu.Default)|};");

    // "A bool local or parameter known on every path ... rules out the branches that contradict it"
    [Fact]
    public Task Bool_set_true_on_the_way_rules_out_its_false_branch() =>
        Verify("bool done = false; Console.WriteLine(1); done = true; if (!done) Mem.Free(fpu.State);");

    [Fact]
    public Task Bool_parameter_tested_before_a_loop_rules_out_the_same_test_after() =>
        Verify("if (c) return; while (mode > 0) mode--; if (c) Mem.Free(fpu.State);");

    // ================================================================ new objects on every path

    [Fact]
    public Task Local_given_a_new_object_in_every_switch_section_is_not_null() =>
        Verify("Buf q; switch (mode) { case 0: q = new Buf(); break; default: q = new Buf(); break; } Mem.Free(q ?? fpu.State);");

    [Fact]
    public Task Helper_result_is_not_known_to_be_non_null() =>
        Verify("{|FPU0002:Mem.Free(Make() ?? fpu.State)|};");

    [Fact]
    public Task Local_given_a_new_object_in_a_try_may_still_be_null_after_its_catch() =>
        Verify("Buf q = null; try { q = new Buf(); } catch (Exception) { } {|FPU0002:Mem.Free(q ?? fpu.State)|};");

    // ================================================================ bool locals across joins

    [Fact]
    public Task Bool_local_guard_ends_on_a_path_that_reset_the_owner() =>
        Verify("var dyn = fpu.State != fpu.Default; if (c) fpu.Reset(); if (dyn) {|FPU0002:Mem.Free(fpu.State)|};");

    // Limits: the page's own example of a guard lost after a catch the paths share.
    [Fact]
    public Task Limit_bool_guard_lost_after_a_shared_catch_is_reported() =>
        Verify("var dynamic = fpu.State != fpu.Default; try { Console.WriteLine(1); if (!dynamic) return; } catch (Exception) when (c) { } if (!c) {|FPU0002:Mem.Free(fpu.State)|};");

    // ================================================================ try, catch, filters, finally

    [Fact]
    public Task Write_in_a_catch_ends_the_guard_for_the_code_after_it() =>
        Verify("if (fpu.State == fpu.Default) return; try { Console.WriteLine(1); } catch (Exception) { fpu.State = x; } {|FPU0002:Mem.Free(fpu.State)|};");

    [Fact]
    public Task Catch_that_returns_keeps_the_guard_for_the_code_after_it() =>
        Verify("if (fpu.State == fpu.Default) return; try { Console.WriteLine(1); } catch { return; } Mem.Free(fpu.State);");

    [Fact]
    public Task Guard_inside_a_try_whose_catch_returns_covers_the_code_after_it() =>
        Verify("Buf s = null; try { s = fpu.State; if (s == fpu.Default) return; } catch (Exception) { return; } Mem.Free(s);");

    [Fact]
    public Task Filter_with_is_not_true_on_the_equality_is_a_guard() =>
        Verify("try { Console.WriteLine(1); } catch (Exception e) when ((fpu.State == fpu.Default) is not true && e != null) { Mem.Free(fpu.State); }");

    // ================================================================ switch statements and expressions

    [Fact]
    public Task Guard_in_every_switch_section_is_a_guard() =>
        Verify("switch (mode) { case 0: if (fpu.State == fpu.Default) return; break; default: throw new InvalidOperationException(); } Mem.Free(fpu.State);");

    [Fact]
    public Task Guard_missing_in_one_switch_section_is_no_guard() =>
        Verify("switch (mode) { case 0: if (fpu.State == fpu.Default) return; break; case 1: break; } {|FPU0002:Mem.Free(fpu.State)|};");

    // The arm `true` is the constant pattern of `is true` on the comparison.
    [Fact]
    public Task Switch_expression_on_the_inequality_true_arm_is_a_guard() =>
        Verify("var n = (fpu.State != fpu.Default) switch { true => Mem.Release(fpu.State), false => 0 };");

    [Fact]
    public Task Switch_expression_value_guarded_by_its_when_clause_is_not_reported() =>
        Verify("var b = mode switch { 0 when fpu.State != fpu.Default => fpu.State, _ => x }; Mem.Free(b);");

    // ================================================================ loops

    [Fact]
    public Task Loop_condition_comparing_with_the_default_is_a_guard() =>
        Verify("while (fpu.State != fpu.Default) { Mem.Free(fpu.State); fpu.State = fpu.Default; }");

    [Fact]
    public Task Write_in_a_loop_guarded_by_its_condition_before_the_free_is_reported() =>
        Verify("while (fpu.State != fpu.Default) { fpu.State = x; {|FPU0002:Mem.Free(fpu.State)|}; }");

    [Fact]
    public Task Write_after_the_free_in_a_loop_guarded_once_before_it_is_reported() =>
        Verify("if (fpu.State == fpu.Default) return; while (c) { {|FPU0002:Mem.Free(fpu.State)|}; fpu.Reset(); }");

    [Fact]
    public Task Mask_write_after_the_free_in_a_loop_guarded_once_before_it_is_not_reported() =>
        Verify("if (fpu.State == fpu.Default) return; while (c) { Mem.Free(fpu.State); fpu.Mask = 0; }");

    [Fact]
    public Task Write_after_the_free_in_a_loop_that_checks_each_time_is_not_reported() =>
        Verify("for (int i = 0; i < mode; i++) { if (fpu.State == fpu.Default) break; Mem.Free(fpu.State); fpu.Size = i; }");

    // C#: the end of `while (true)` is reached only through a `break`; "a free is judged on every path that reaches it".
    // The same loop written `for (;;)` is silent; `do { ... } while (true)` and `if (true) { ... }` are reported like this one.
    [Fact]
    public Task Infinite_loop_left_only_by_a_guarded_break_is_a_guard() =>
        Verify("while (true) { if (fpu.State != fpu.Default) break; if (c) return; } Mem.Free(fpu.State);");

    // ================================================================ using

    [Fact]
    public Task Guard_inside_a_using_block_covers_the_code_after_it() =>
        Verify("using (var s = new Scope()) { if (fpu.State == fpu.Default) return; } Mem.Free(fpu.State);");

    // ================================================================ lambdas

    [Fact]
    public Task Lambda_with_a_conditional_guard_is_not_reported() =>
        Verify("var s = fpu.State; Func<int> g = () => s != fpu.Default ? Mem.Release(s) : 0; g();");

    // ================================================================ tuples and patterns

    [Fact]
    public Task Tuple_element_guarded_with_an_early_return_is_not_reported() =>
        Verify("var t = (fpu.State, 1); if (t.Item1 == fpu.Default) return; Mem.Free(t.Item1);");

    [Fact]
    public Task Tuple_swap_moves_a_proven_buffer_with_its_guard() =>
        Verify("Buf a = fpu.State, b = x; if (a == fpu.Default) return; (a, b) = (b, a); Mem.Free(b); Mem.Free(a);");

    [Fact]
    public Task Property_pattern_on_the_owner_then_a_guard_through_it_is_not_reported() =>
        Verify("if (task is { Fpu: var f } && f.State != f.Default) Mem.Free(f.State);");

    // Limits: "A state passed to a record's positional constructor ... is not followed to the property it initialises".
    [Fact]
    public Task Limit_state_through_a_positional_record_constructor_is_not_followed() =>
        Verify("Mem.Free(new Holder(fpu.State, 0).B);");

    // ================================================================ conditional and null-conditional arguments

    // "`Vfree((c ? null : fpu)?.State)` (a guard on `fpu.State` covers it)"
    [Fact]
    public Task Null_conditional_on_a_conditional_owner_is_covered_by_the_guard() =>
        Verify("if (fpu.State == fpu.Default) return; Mem.Free((c ? null : fpu)?.State);");

    [Fact]
    public Task Conditional_owner_with_only_one_owner_guarded_is_reported() =>
        Verify("if (fpu.State == fpu.Default) return; {|FPU0002:Mem.Free((c ? fpu : other).State)|};");

    [Fact]
    public Task Conditional_argument_with_both_states_guarded_is_not_reported() =>
        Verify("if (fpu.State == fpu.Default) return; if (other.State == other.Default) return; Mem.Free(c ? fpu.State : other.State);");

    [Fact]
    public Task Helper_returning_its_state_only_when_proven_is_not_reported() =>
        Verify("Mem.Free(OwnOrNew(fpu));");

    // ================================================================ ref locals

    [Fact]
    public Task Ref_local_re_pointed_after_its_guard_is_reported() =>
        Verify("ref Buf r = ref fpu.State; if (r == fpu.Default) return; r = ref other.State; {|FPU0002:Mem.Free(r)|};");
}
