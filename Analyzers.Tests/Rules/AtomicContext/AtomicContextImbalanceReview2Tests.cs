using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.AtomicContext;

/// <summary>
/// Second review round for FPU0004, written from docs/rules/FPU0004.md only, without reading the analyzer:
/// methods marked <c>[RequiresAtomicContext(kind)]</c> that leave their context and must take it again before every
/// return (a throw is not a return), with try/finally, catch, loops, switch, other kinds, a matching
/// <c>[ExitsAtomicContext]</c>, local functions and lambdas; and a few ordinary balance cases. Each case is one fact:
/// the members of class D, with markup where FPU0004 must be reported (the method's name, or the exit call).
/// </summary>
public class AtomicContextImbalanceReview2Tests
{
    private static string Src(string members) => $$"""
        using System;
        using FpuGuard.Runtime;

        partial class D
        {
            readonly Kernel k;
            public D(Kernel k) { this.k = k; }
            public static void Work() { }
        {{members}}
        }
        """;

    private static Task Verify(string members) => VerifyCS.VerifyAnalyzerAsync(Src(members));

    private const string Irq = "[RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]";
    private const string Preempt = "[RequiresAtomicContext(AtomicContextKind.PreemptionDisabled)]";
    private const string Fpregs = "[RequiresAtomicContext(AtomicContextKind.FpuRegisterLock)]";

    // ================================================================ [RequiresAtomicContext]: re-entered on every path

    [Fact]
    public Task Required_context_re_entered_before_an_early_return_and_at_the_end_is_not_reported() =>
        Verify(Irq + " void M(bool f) { k.LocalIrqEnable(); if (f) { Work(); k.LocalIrqDisable(); return; } k.LocalIrqDisable(); }");

    [Fact]
    public Task Required_context_re_entered_in_a_finally_is_not_reported() =>
        Verify(Fpregs + " void M(bool f) { k.FpregsUnlock(); try { if (f) return; Work(); } finally { k.FpregsLock(); } }");

    [Fact]
    public Task Required_context_re_entered_in_a_finally_after_a_catch_that_returns_is_not_reported() =>
        Verify(Preempt + " void M() { k.PreemptEnable(); try { Work(); } catch (Exception) { return; } finally { k.PreemptDisable(); } }");

    [Fact]
    public Task Required_context_left_and_re_entered_in_each_loop_iteration_is_not_reported() =>
        Verify(Preempt + " void M(int n) { for (int i = 0; i < n; i++) { k.PreemptEnable(); Work(); k.PreemptDisable(); } }");

    [Fact]
    public Task Required_context_left_and_re_entered_on_the_same_bool_is_not_reported() =>
        Verify(Preempt + " void M(bool f) { if (f) k.PreemptEnable(); Work(); if (f) k.PreemptDisable(); }");

    [Fact]
    public Task Required_context_re_entered_in_every_switch_section_is_not_reported() =>
        Verify(Irq + " void M(int mode) { switch (mode) { case 0: k.LocalIrqEnable(); Work(); k.LocalIrqDisable(); break; case 1: k.LocalIrqEnable(); k.LocalIrqDisable(); return; default: break; } }");

    // "A path that ends in a throw is not a return and is not checked."
    [Fact]
    public Task Required_context_left_before_a_throw_expression_is_not_reported() =>
        Verify(Irq + " void M(object o) { k.LocalIrqEnable(); _ = o ?? throw new ArgumentNullException(nameof(o)); k.LocalIrqDisable(); }");

    [Fact]
    public Task Required_context_left_before_a_rethrowing_catch_is_not_reported() =>
        Verify(Irq + " void M() { k.LocalIrqEnable(); try { Work(); } catch (Exception) { throw; } k.LocalIrqDisable(); }");

    [Fact]
    public Task Required_context_with_another_kind_taken_and_released_inside_is_not_reported() =>
        Verify(Irq + " void M() { using (k.LockFpregs()) { Work(); } k.PreemptDisable(); k.LocalIrqEnable(); Work(); k.LocalIrqDisable(); k.PreemptEnable(); }");

    // "A method marked [EntersAtomicContext(kind)] or [ExitsAtomicContext(kind)] is allowed its imbalance for that kind"
    [Fact]
    public Task Required_context_also_declared_exited_may_return_without_it() =>
        Verify(Preempt + " [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] void M(bool f) { if (f) k.PreemptEnable(); else k.PreemptEnable(); }");

    [Fact]
    public Task Local_function_with_the_required_context_re_entered_is_not_reported() =>
        Verify("void M() { k.LocalIrqDisable(); H(); k.LocalIrqEnable(); " + Irq + " void H() { k.LocalIrqEnable(); Work(); k.LocalIrqDisable(); } }");

    [Fact]
    public Task Lambda_with_the_required_context_re_entered_is_not_reported() =>
        Verify("void M() { Action a = " + Irq + " () => { k.LocalIrqEnable(); Work(); k.LocalIrqDisable(); }; k.LocalIrqDisable(); a(); k.LocalIrqEnable(); }");

    // ================================================================ [RequiresAtomicContext]: a return without it

    [Fact]
    public Task Required_context_left_before_an_early_return_with_a_value_is_reported() =>
        Verify(Preempt + " int {|FPU0004:M|}(int n) { k.PreemptEnable(); if (n > 0) return n; k.PreemptDisable(); return 0; }");

    [Fact]
    public Task Required_context_left_and_a_catch_that_returns_is_reported() =>
        Verify(Irq + " void {|FPU0004:M|}() { k.LocalIrqEnable(); try { Work(); } catch (Exception) { return; } k.LocalIrqDisable(); }");

    [Fact]
    public Task Required_context_re_entered_only_in_a_catch_is_reported() =>
        Verify(Preempt + " void {|FPU0004:M|}() { k.PreemptEnable(); try { Work(); } catch { k.PreemptDisable(); throw; } }");

    [Fact]
    public Task Required_context_left_by_a_break_out_of_a_loop_is_reported() =>
        Verify(Preempt + " void {|FPU0004:M|}(bool f, int n) { while (f) { k.PreemptEnable(); if (n > 0) break; k.PreemptDisable(); f = n < 0; } }");

    // C#: the end of `while (true)` is reached only through the `break`, which re-enters first. `for (;;)` is silent.
    [Fact]
    public Task Required_context_re_entered_before_the_only_break_out_of_while_true_is_not_reported() =>
        Verify(Preempt + " void M(int n) { k.PreemptEnable(); while (true) { if (n > 0) { k.PreemptDisable(); break; } n++; } }");

    // The continue skips the re-entry: the next iteration exits where the context is not held, and the loop may end without it.
    [Fact]
    public Task Required_context_skipped_by_a_continue_is_reported_at_the_exit_and_the_method() =>
        Verify(Preempt + " void {|FPU0004:M|}(int n, bool f) { for (int i = 0; i < n; i++) { {|FPU0004:k.PreemptEnable()|}; if (f) continue; k.PreemptDisable(); } }");

    [Fact]
    public Task Required_context_left_in_one_switch_section_is_reported() =>
        Verify(Irq + " void {|FPU0004:M|}(int mode) { switch (mode) { case 0: k.LocalIrqEnable(); Work(); k.LocalIrqDisable(); break; case 1: k.LocalIrqEnable(); return; default: break; } }");

    // Another kind's [ExitsAtomicContext] does not excuse the required one.
    [Fact]
    public Task Required_context_left_with_an_exits_attribute_of_another_kind_is_reported() =>
        Verify(Irq + " [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)] void {|FPU0004:M|}() { k.LocalIrqEnable(); }");

    // The required kind only: an exit of another kind is an exit where that context is not held.
    [Fact]
    public Task Exit_of_a_kind_that_is_not_required_is_reported_at_the_exit() =>
        Verify(Irq + " void M() { {|FPU0004:k.PreemptEnable()|}; }");

    // It starts with the context held once and returns with it held twice: held on a path out of it.
    [Fact]
    public Task Required_context_entered_once_more_than_it_was_left_is_reported() =>
        Verify(Preempt + " void {|FPU0004:M|}() { k.PreemptEnable(); k.PreemptDisable(); k.PreemptDisable(); }");

    [Fact]
    public Task Local_function_with_the_required_context_left_on_an_early_return_is_reported_at_its_name() =>
        Verify("void M(bool f) { k.LocalIrqDisable(); H(f); k.LocalIrqEnable(); " + Irq + " void {|FPU0004:H|}(bool g) { k.LocalIrqEnable(); if (g) return; k.LocalIrqDisable(); } }");

    // ================================================================ ordinary balance

    [Fact]
    public Task Lock_held_on_a_return_from_a_switch_section_is_reported() =>
        Verify("void {|FPU0004:M|}(int mode) { k.FpregsLock(); switch (mode) { case 0: return; } k.FpregsUnlock(); }");

    // "a context a catch block swallows the exception of, and then returns with, is" reported.
    [Fact]
    public Task Lock_held_on_a_return_from_a_catch_is_reported() =>
        Verify("void {|FPU0004:M|}() { k.FpregsLock(); try { Work(); } catch (Exception) { return; } k.FpregsUnlock(); }");

    [Fact]
    public Task Using_declaration_in_a_loop_left_by_break_and_return_is_not_reported() =>
        Verify("void M(int n, bool f) { for (int i = 0; i < n; i++) { using var scope = k.LockFpregs(); if (f) break; if (i > 3) return; Work(); } }");
}
