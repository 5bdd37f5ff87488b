using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.AtomicContext;

/// <summary>
/// Independent review round 5 of FPU0001, written from docs/rules/FPU0001.md only (the analyzer's code unread):
/// C# forms the earlier review files lack — goto case/default, switch-expression guards, rethrow and filters on
/// bool parameters, nested using declarations, counted nesting, checked operators, iterators with yield break,
/// await using, async and method-group local functions, delegates the page does not follow, expression-bodied
/// members, nested initializers, generic constraints, extension methods, dispatch through the type system, and
/// the chain message of lambdas inside local functions and accessors. One fact per case; the method under test is M.
/// </summary>
public class AtomicContextReview5Tests
{
    private static string Src(string members, string types = "") => $$"""
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using FpuGuard.Runtime;

        partial class D
        {
            readonly Kernel k;
            public D(Kernel k) { this.k = k; }
            [MaySleep] public static void Nap() { }
            [MaySleep] public static int NapValue() => 0;
            [MaySleep] public static bool NapCheck() => true;
            [MaySleep] public static string NapString() => "";
            public static void Work() { }
            static int s_cell;
            [MaySleep] public static ref int RefNap() => ref s_cell;
        {{members}}
        }
        {{types}}
        """;

    private static Task Verify(string members, string types = T) => VerifyCS.VerifyAnalyzerAsync(Src(members, types));

    private const string Locked = "the FPU registers are locked";

    private const string T = """
        class S
        {
            public int Calm => 1;
            public int P => D.NapValue();
            public S Inner => this;
            public int this[string key] => D.NapValue() + key.Length;
            public static S operator -(S a, S b) => D.NapCheck() ? a : b;
            public static S operator +(S a, S b) => a;
            public static S operator checked +(S a, S b) { D.Nap(); return a; }
            public override string ToString() => D.NapString();
            int v;
            public int V { get => v; set { D.Nap(); v = value; } }
            public object Gate() { D.Nap(); return this; }
        }
        class Bag : IEnumerable<int>
        {
            public void Add(int x) => D.Nap();
            public IEnumerator<int> GetEnumerator() { yield break; }
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }
        class Holder { public Bag Items { get; } = new Bag(); public S Box { get; } = new S(); }
        static class Ext { public static void Zz(this S s) => D.Nap(); }
        class Animal { public virtual void Speak() { } }
        class Dog : Animal { public override void Speak() => D.Nap(); }
        interface IDev { [MaySleep] void Reset(); }
        interface IQ { void Q() => D.Nap(); }
        class Q : IQ { }
        interface IPool<TItem> { [MaySleep] TItem Rent(); }
        class Pool : IPool<int> { public int Rent() => 0; }
        interface IHas { int V { [MaySleep] get; } }
        class Has : IHas { public int V => 0; }
        sealed class AsyncRes : IAsyncDisposable { public ValueTask DisposeAsync() => default; }
        record struct RS(int A);
        """;

    // ------------------------------------------------------------------ switch: goto case / goto default / fall-out / guards

    // "branches ... on some path": the default arm sleeps before its unlock; the goto case path unlocks first.
    [Fact]
    public Task Goto_case_unlocks_but_the_default_arm_sleeps_under_the_lock() =>
        Verify("void M(int n) { k.FpregsLock(); switch (n) { case 0: goto case 1; case 1: k.FpregsUnlock(); Nap(); return; default: {|FPU0001:Nap()|}; k.FpregsUnlock(); return; } }");

    [Fact]
    public Task Goto_default_reaches_the_unlock_before_the_sleep() =>
        Verify("void M(int n) { k.FpregsLock(); switch (n) { case 0: Work(); goto default; default: k.FpregsUnlock(); break; } Nap(); }");

    [Fact]
    public Task Switch_section_that_disables_preemption_falls_out_to_the_sleep() =>
        Verify("void M(int n) { switch (n) { case 0: k.PreemptDisable(); break; default: return; } {|FPU0001:Nap()|}; k.PreemptEnable(); }");

    [Fact]
    public Task Switch_expression_when_clause_sleeps_in_a_region() =>
        Verify("int M(int n) { using (k.LockFpregs()) { return n switch { > 0 when {|FPU0001:NapCheck()|} => 1, _ => 0 }; } }");

    // "what is known of the bool locals and parameters branched on": a case guard `when !f` is a branch on f.
    [Fact]
    public Task Case_guard_on_the_bool_parameter_that_took_the_lock_is_correlated() =>
        Verify("void M(int n, bool f) { if (f) k.FpregsLock(); switch (n) { case 0 when !f: Nap(); break; } if (f) k.FpregsUnlock(); }");

    // ------------------------------------------------------------------ try / catch / rethrow / filters / finally order

    // "A catch block may run from any point of its try where an exception may be thrown": rethrown into the outer catch.
    [Fact]
    public Task Rethrow_from_an_inner_catch_reaches_an_outer_catch_before_the_finally_enables() =>
        Verify("void M() { k.PreemptDisable(); try { try { Work(); } catch { throw; } } catch { {|FPU0001:Nap()|}; } finally { k.PreemptEnable(); } }");

    [Fact]
    public Task Inner_catch_unlocks_and_rethrows_so_the_outer_catch_holds_nothing() =>
        Verify("void M() { try { k.FpregsLock(); try { Work(); } catch { k.FpregsUnlock(); throw; } k.FpregsUnlock(); } catch { Nap(); } }");

    // A filter is a condition on a bool parameter: the catch runs only when quiet, and then the lock was never taken.
    [Fact]
    public Task Catch_when_on_a_bool_parameter_is_correlated_with_the_lock_taken_under_its_negation() =>
        Verify("void M(bool quiet) { try { if (!quiet) k.FpregsLock(); Work(); if (!quiet) k.FpregsUnlock(); } catch when (quiet) { Nap(); } }");

    // The return value is computed before the finally runs.
    [Fact]
    public Task Return_expression_in_try_is_evaluated_before_the_finally_unlocks() =>
        Verify("int M() { k.FpregsLock(); try { return {|FPU0001:NapValue()|}; } finally { k.FpregsUnlock(); } }");

    // "checked arithmetic" may throw; "unchecked arithmetic do[es] not throw".
    [Fact]
    public Task Checked_block_may_throw_into_a_catch_that_sleeps_under_the_lock() =>
        Verify("void M(int x) { k.FpregsLock(); try { checked { x = x * 1000; } } catch (OverflowException) { {|FPU0001:Nap()|}; } k.FpregsUnlock(); }");

    [Fact]
    public Task Unchecked_block_cannot_throw_so_its_catch_never_runs() =>
        Verify("void M(int x) { k.FpregsLock(); try { unchecked { x = x * 1000; } } catch (OverflowException) { Nap(); } k.FpregsUnlock(); }");

    // ------------------------------------------------------------------ using declarations, nesting counts, Monitor

    [Fact]
    public Task Inner_using_declaration_block_ends_but_the_outer_one_still_holds() =>
        Verify("void M() { using var a = k.LockFpregs(); { using var b = k.LockFpregs(); Work(); } {|FPU0001:Nap()|}; }");

    [Fact]
    public Task Both_nested_using_declaration_blocks_ended_before_the_sleep() =>
        Verify("void M() { { using var a = k.LockFpregs(); { using var b = k.LockFpregs(); Work(); } Work(); } Nap(); }");

    // "nested and counted": two disables, one enable, still disabled.
    [Fact]
    public Task Preemption_disabled_twice_and_enabled_once_is_still_disabled() =>
        Verify("void M() { k.PreemptDisable(); k.PreemptDisable(); k.PreemptEnable(); {|FPU0001:Nap()|}; k.PreemptEnable(); }");

    [Fact]
    public Task Enabling_preemption_leaves_interrupts_disabled() =>
        Verify("void M() { k.LocalIrqDisable(); k.PreemptDisable(); k.PreemptEnable(); {|FPU0001:Nap()|}; k.LocalIrqEnable(); }");

    [Fact]
    public Task Monitor_lock_body_sleeps_after_the_register_lock_is_released() =>
        Verify("readonly object gate = new object(); void M() { lock (gate) { k.FpregsLock(); Work(); k.FpregsUnlock(); Nap(); } }");

    [Fact]
    public Task Lock_statement_whose_lock_expression_sleeps_under_the_register_lock() =>
        Verify("void M(S s) { using (k.LockFpregs()) { lock ({|FPU0001:s.Gate()|}) { Work(); } } }");

    // ------------------------------------------------------------------ goto and labels, constant conditions

    [Fact]
    public Task Goto_out_of_a_using_block_disposes_it_before_the_label() =>
        Verify("void M(bool flag) { using (k.LockFpregs()) { if (flag) goto done; Work(); } done: Nap(); }");

    // "A constant condition has one way".
    [Fact]
    public Task Const_bool_field_condition_has_one_way() =>
        Verify("const bool Debug = false; void M() { if (Debug) k.FpregsLock(); Nap(); if (Debug) k.FpregsUnlock(); }");

    [Fact]
    public Task Do_while_false_body_runs_once() =>
        Verify("void M() { k.FpregsLock(); do { k.FpregsUnlock(); } while (false); Nap(); }");

    [Fact]
    public Task While_true_left_only_by_a_break_that_unlocks() =>
        Verify("void M(int n) { k.FpregsLock(); while (true) { if (n-- < 0) { k.FpregsUnlock(); break; } Work(); } Nap(); }");

    // ------------------------------------------------------------------ iterators, async

    [Fact]
    public Task Iterator_sleeps_in_a_using_scope_after_a_yield_break_branch() =>
        Verify("IEnumerable<int> M(bool f) { using (k.LockFpregs()) { if (f) yield break; {|FPU0001:Nap()|}; yield return 1; } }");

    [Fact]
    public Task Iterator_unlocks_before_yield_break_and_sleeps_after_unlocking() =>
        Verify("IEnumerable<int> M(bool f) { k.FpregsLock(); if (f) { k.FpregsUnlock(); yield break; } k.FpregsUnlock(); Nap(); yield return 1; }");

    [Fact]
    public Task Iterator_yield_break_in_a_try_whose_finally_unlocks() =>
        Verify("IEnumerable<int> M(bool f) { k.FpregsLock(); try { if (f) yield break; Work(); } finally { k.FpregsUnlock(); } Nap(); yield return 1; }");

    // "A finally runs on every way out of its try, an exception included": Work may throw with the lock held, and the
    // using declaration's awaited DisposeAsync then runs under it (reported at the declarator).
    [Fact]
    public Task Await_using_declaration_disposal_on_the_exception_path_holds_the_lock() =>
        Verify("async Task M() { await using var {|FPU0001:r = new AsyncRes()|}; k.FpregsLock(); Work(); k.FpregsUnlock(); }");

    [Fact]
    public Task Await_using_declaration_disposed_after_a_region_closed_by_finally() =>
        Verify("async Task M() { await using var r = new AsyncRes(); k.FpregsLock(); try { Work(); } finally { k.FpregsUnlock(); } }");

    // "A call of a local function ... runs that body at the call"; "an async method's callers see only what it does before its first await".
    [Fact]
    public Task Async_local_function_sleeping_before_its_first_await_called_in_a_region() =>
        Verify("void M() { using (k.LockFpregs()) { _ = {|FPU0001:Run()|}; } async Task Run() { Nap(); await Task.Yield(); } }");

    [Fact]
    public Task Async_local_function_sleeping_only_after_its_first_await_called_in_a_region() =>
        Verify("void M() { using (k.LockFpregs()) { _ = Run(); } async Task Run() { await Task.Yield(); Nap(); } }");

    // ------------------------------------------------------------------ delegates: which ones the page follows

    [Fact]
    public Task Delegate_local_declared_then_assigned_once_is_followed() =>
        Verify("void M() { Action f; f = () => Nap(); using (k.LockFpregs()) { {|FPU0001:f()|}; } }");

    [Fact]
    public Task Delegate_local_from_a_local_function_method_group_is_followed() =>
        Verify("void M() { Action a = L; using (k.LockFpregs()) { {|FPU0001:a()|}; } void L() => Nap(); }");

    // Only "a delegate local assigned once from a lambda or method group" is followed; a field is no local.
    [Fact]
    public Task Lambda_stored_in_a_field_is_not_followed() =>
        Verify("readonly Action f = () => Nap(); void M() { using (k.LockFpregs()) { f(); } }");

    // "A delegate that is a parameter ... is not followed".
    [Fact]
    public Task Delegate_parameter_is_not_followed() =>
        Verify("void M(Action a) { using (k.LockFpregs()) { a(); } }");

    [Fact]
    public Task Lambda_handed_to_a_helper_that_invokes_its_parameter_is_not_followed() =>
        Verify("static void Run(Action a) => a(); void M() { using (k.LockFpregs()) { Run(() => Nap()); } }");

    // Assigned once, but from a conditional expression, not from "a lambda or method group".
    [Fact]
    public Task Delegate_local_from_a_conditional_expression_is_not_followed() =>
        Verify("void M(bool flag) { Action f = flag ? Work : Nap; using (k.LockFpregs()) { f(); } }");

    // ------------------------------------------------------------------ members, operators, nothing-running forms

    [Fact]
    public Task Expression_bodied_indexer_sleeps() =>
        Verify("int M(S s) { using (k.LockFpregs()) { return {|FPU0001:s[\"a\"]|}; } }");

    [Fact]
    public Task Expression_bodied_operator_sleeps() =>
        Verify("S M(S a, S b) { using (k.LockFpregs()) { return {|FPU0001:a - b|}; } }");

    [Fact]
    public Task Checked_user_defined_operator_sleeps_in_a_checked_expression() =>
        Verify("S M(S a, S b) { using (k.LockFpregs()) { return checked({|FPU0001:a + b|}); } }");

    [Fact]
    public Task Unchecked_user_defined_operator_is_calm() =>
        Verify("S M(S a, S b) { using (k.LockFpregs()) { return unchecked(a + b); } }");

    [Fact]
    public Task Sizeof_typeof_and_nameof_of_a_sleeping_property_run_nothing() =>
        Verify("void M() { using (k.LockFpregs()) { _ = sizeof(long); _ = typeof(S); _ = nameof(S.P); _ = nameof(Nap); } }");

    // "Metadata methods are summarised only by their attributes": the interpolation handler is metadata.
    [Fact]
    public Task String_interpolation_of_a_value_whose_ToString_sleeps_calls_it_only_from_metadata() =>
        Verify("string M(S s) { using (k.LockFpregs()) { return $\"{s}\"; } }");

    // Written as "conditions are not correlated into helpers"; since then a helper is judged with the bool arguments its
    // call passes (FPU0001.md, "Conditions into helpers"): H(false) never reaches the sleep, the default `true` does.
    [Theory]
    [InlineData("H(false)")]
    [InlineData("H(sleep: false)")]
    public Task Helper_sleeping_under_its_own_bool_parameter_is_not_reported_when_called_with_false(string call) =>
        Verify("static void H(bool sleep = true) { if (sleep) Nap(); } void M() { using (k.LockFpregs()) { " + call + "; } }");

    [Theory]
    [InlineData("{|FPU0001:H(true)|}")]
    [InlineData("{|FPU0001:H()|}")]
    public Task Helper_sleeping_under_its_own_bool_parameter_is_reported_when_called_with_true_or_its_default(string call) =>
        Verify("static void H(bool sleep = true) { if (sleep) Nap(); } void M() { using (k.LockFpregs()) { " + call + "; } }");

    [Fact]
    public Task Or_pattern_second_property_subpattern_reads_a_sleeping_getter() =>
        Verify("bool M(object o) { using (k.LockFpregs()) { return o is S { Calm: 1 } or S { {|FPU0001:P|}: 2 }; } }");

    [Fact]
    public Task Foreach_over_an_array_and_a_span_runs_no_user_code() =>
        Verify("void M(int[] xs) { Span<int> sp = stackalloc int[2]; using (k.LockFpregs()) { foreach (var x in xs) Work(); foreach (var y in sp) Work(); } }");

    [Fact]
    public Task Record_struct_with_and_tuple_swap_and_ref_local_run_nothing() =>
        Verify("void M(RS r, int a, int b) { using (k.LockFpregs()) { var r2 = r with { A = 2 }; (a, b) = (b, a); ref int c = ref s_cell; c += a; } }");

    // ------------------------------------------------------------------ generics, extensions, dispatch through the type system

    [Fact]
    public Task Constrained_generic_receiver_uses_the_interface_contract() =>
        Verify("void M<TDev>(TDev t) where TDev : IDev { using (k.LockFpregs()) { {|FPU0001:t.Reset()|}; } }");

    [Fact]
    public Task Generic_helper_sleeping_through_its_constraint_is_inferred() =>
        Verify("static void G<TDev>(TDev t) where TDev : IDev => t.Reset(); void M(IDev d) { using (k.LockFpregs()) { {|FPU0001:G(d)|}; } }");

    [Fact]
    public Task Extension_method_body_sleeps() =>
        Verify("void M(S s) { using (k.LockFpregs()) { {|FPU0001:s.Zz()|}; } }");

    // "a call through a base or interface member uses that member's contract": the base's calm body, no attribute.
    [Fact]
    public Task Call_through_a_calm_virtual_base_member_does_not_see_the_sleeping_override() =>
        Verify("void M(Animal a) { using (k.LockFpregs()) { a.Speak(); } }");

    [Fact]
    public Task Call_through_the_derived_type_reaches_the_sleeping_override() =>
        Verify("void M(Dog d) { using (k.LockFpregs()) { {|FPU0001:d.Speak()|}; } }");

    [Fact]
    public Task Default_interface_method_body_sleeps() =>
        Verify("void M(IQ q) { using (k.LockFpregs()) { {|FPU0001:q.Q()|}; } }");

    [Fact]
    public Task Implementation_of_a_generic_interface_takes_its_MaySleep() =>
        Verify("int M(Pool p) { using (k.LockFpregs()) { return {|FPU0001:p.Rent()|}; } }");

    [Fact]
    public Task Getter_implementing_an_interface_accessor_takes_its_MaySleep() =>
        Verify("int M(Has h) { using (k.LockFpregs()) { return {|FPU0001:h.V|}; } }");

    // ------------------------------------------------------------------ chain messages (members start at line 17)

    // "local functions by their name and lambdas by their line".
    [Fact]
    public Task Chain_names_a_lambda_inside_a_local_function() =>
        VerifyCS.VerifyAnalyzerAsync(
            Src("void M() { using (k.LockFpregs()) { {|#0:Outer()|}; } void Outer() { Action a = () => Nap(); a(); } }"),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("Outer", "Outer → lambda at line 17 → Nap", Locked).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    // "each member ... as C# writes it (`P.get` ...)".
    [Fact]
    public Task Chain_names_a_getter_and_the_lambda_it_invokes() =>
        VerifyCS.VerifyAnalyzerAsync(
            Src("int X { get { Func<int> f = () => NapValue(); return f(); } } int M() { using (k.LockFpregs()) { return {|#0:X|}; } }"),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("X.get", "X.get → lambda at line 17 → NapValue", Locked).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    // "while interrupts are disabled (ExcDeviceNotAvailable requires it)".
    [Fact]
    public Task Chain_through_a_helper_and_its_local_function_under_a_required_context() =>
        VerifyCS.VerifyAnalyzerAsync(
            Src("[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)] void M() { {|#0:Helper()|}; } void Helper() { Inner(); void Inner() => Nap(); }"),
            VerifyCS.Diagnostic("FPU0001").WithLocation(0).WithArguments("Helper", "Helper → Inner → Nap", "interrupts are disabled (M requires it)").WithOptions(DiagnosticOptions.IgnoreAdditionalLocations));

    // ------------------------------------------------------------------ forms whose exact span the page does not pin

    // "awaits" and "`Dispose` of a `using` scope": the awaited DisposeAsync of an await using suspends under the lock (reported at the resource).
    [Fact]
    public Task Await_using_statement_disposes_with_an_await_under_the_lock() =>
        Verify("async Task M(AsyncRes r) { k.FpregsLock(); await using ({|FPU0001:r|}) { Work(); } k.FpregsUnlock(); }");

    // "collection-initializer `Add`": a nested collection initializer on a get-only property.
    [Fact]
    public Task Nested_collection_initializer_calls_a_sleeping_Add() =>
        Verify("Holder M() { using (k.LockFpregs()) { return new Holder { Items = { {|FPU0001:1|} } }; } }");

    // "property ... setters": a nested object initializer assigns through the sleeping setter.
    [Fact]
    public Task Nested_object_initializer_runs_a_sleeping_setter() =>
        Verify("Holder M() { using (k.LockFpregs()) { return new Holder { Box = { {|FPU0001:V|} = 1 } }; } }");

    [Fact]
    public Task Tuple_deconstruction_assignment_runs_a_sleeping_setter() =>
        Verify("void M(S s, int x) { using (k.LockFpregs()) { ({|FPU0001:s.V|}, x) = (1, 2); } }");

    [Fact]
    public Task Extended_property_pattern_reads_a_sleeping_getter() =>
        Verify("bool M(object o) { using (k.LockFpregs()) { return o is S { {|FPU0001:Inner.P|}: 1 }; } }");
}
