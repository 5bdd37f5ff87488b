using System.Threading.Tasks;
using AtomicContext = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer>;
using FreeOfDefault = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Flow;

/// <summary>
/// The engine's exception handling, seen through the rules that run on it: which operations may throw (so
/// which states a catch, a filter or a finally may start from), two-pass dispatch, an exception thrown by a
/// filter, and a catch of every exception. Each case has its neighbour that must still be reported.
/// </summary>
public class ExceptionFlowTests
{
    private static string InMethod(string body, string extra = "", string name = "Run") => $$"""
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void {{name}}(Kernel kernel, Fpu fpu, bool flag, int count, object boxed, int[] numbers)
            {
        {{body}}
            }
        {{extra}}
        }
        """;

    // ---------------------------------------------------------------- which operations may throw

    [Theory]
    [InlineData("if (flag) return;")]
    [InlineData("var local = count + 1; flag = local > 2;")]
    [InlineData("for (var i = 0; i < 2; i++) { flag = !flag; }")]
    [InlineData("var same = boxed == null ? 1 : 2;")]
    [InlineData("var copy = boxed as Fpu; long wide = count;")]
    [InlineData("var (a, b) = (count, flag);")]
    public Task A_catch_whose_try_cannot_throw_never_runs(string tryBody) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod($$"""
            kernel.FpregsLock();
            try { {{tryBody}} }
            catch (Exception) { kernel.Memory.Vzalloc(64); }
            finally { kernel.FpregsUnlock(); }
            """));

    [Theory]
    [InlineData("_ = count.ToString();")]
    [InlineData("var quotient = 10 / count;")]
    [InlineData("var fpuAgain = (Fpu)boxed;")]
    [InlineData("var first = numbers[0];")]
    [InlineData("var size = fpu.StateSize;")]
    [InlineData("var text = \"n=\" + count;")]
    [InlineData("object box = count;")]
    [InlineData("Action later = () => { };")]
    [InlineData("var narrow = checked((short)count);")]
    [InlineData("if (flag) throw new InvalidOperationException();")]
    public Task A_catch_whose_try_may_throw_starts_from_the_state_there(string tryBody) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod($$"""
            kernel.FpregsLock();
            try { {{tryBody}} }
            catch (Exception) { {|FPU0001:kernel.Memory.Vzalloc(64)|}; }
            finally { kernel.FpregsUnlock(); }
            """));

    // Entering and leaving a context cannot fail: the lock taken first in the try does not reach the catch.
    [Fact]
    public Task Taking_the_lock_is_not_a_throw_point() =>
        AtomicContext.VerifyAnalyzerAsync(InMethod("""
            try { kernel.FpregsLock(); kernel.FpregsUnlock(); }
            catch (Exception) { kernel.Memory.Vzalloc(64); }
            """));

    [Fact]
    public Task FPU0002_uses_the_same_throw_points() =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod("""
            if (fpu.State == fpu.DefaultState) return;
            try { if (flag) return; fpu.State = fpu.DefaultState; }
            catch (Exception) { kernel.Memory.Vfree(fpu.State); }
            try { _ = count.ToString(); fpu.State = fpu.DefaultState; _ = count.ToString(); }
            catch (Exception) { {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }
            """));

    // ---------------------------------------------------------------- using scopes

    [Theory]
    [InlineData("try { using (kernel.LockFpregs()) { _ = count.ToString(); } } catch (Exception) { kernel.Memory.Vzalloc(64); } kernel.Memory.Vzalloc(64);")]
    [InlineData("try { using (kernel.LockFpregs()) { if (flag) throw new InvalidOperationException(); } } finally { kernel.Memory.Vzalloc(64); }")]
    [InlineData("try { using var scope = kernel.LockFpregs(); _ = count.ToString(); } catch (Exception) when (flag) { kernel.Memory.Vzalloc(64); }")]
    public Task An_exception_out_of_a_using_scope_runs_its_Dispose(string body) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod(body));

    [Fact]
    public Task The_filter_of_a_using_scope_s_try_still_sees_the_lock() =>
        AtomicContext.VerifyAnalyzerAsync(InMethod("""
            try { using (kernel.LockFpregs()) { _ = count.ToString(); } }
            catch (Exception) when ({|FPU0001:Sleeps(kernel)|}) { }
            """, "static bool Sleeps(Kernel kernel) => kernel.Memory.Vzalloc(64) is not null;"));

    // ---------------------------------------------------------------- filters

    // Pass one runs the filters in order, each from where the one before it left the exception: false, or throwing
    // (swallowed). After `when (flag && Always())`, the next filter runs only with flag false, so its `flag && ...`
    // never calls Sleeps; after a filter that takes every exception, no later handler runs.
    [Theory]
    [InlineData("catch (Exception) when (flag && Always()) { } catch (Exception) when (flag && Sleeps(kernel)) { }")]
    [InlineData("catch (Exception) when (Always()) { } catch (Exception) { kernel.Memory.Vzalloc(64); }")]
    [InlineData("catch (Exception) when (!flag || Always()) { } catch (Exception) when (Sleeps(kernel)) { }")]
    public Task A_filter_runs_only_where_the_filters_before_it_let_the_exception_go(string handlers) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod($$"""
            kernel.FpregsLock();
            try { try { _ = count.ToString(); } {{handlers}} }
            finally { kernel.FpregsUnlock(); }
            """, FilterHelpers));

    // Their neighbours: a first filter that may be false with flag true (it calls code that may throw, or returns
    // either value) lets the second run with flag true.
    [Theory]
    [InlineData("catch (Exception) when (flag && AlwaysAfterWork(count)) { } catch (Exception) when (flag && {|FPU0001:Sleeps(kernel)|}) { }")]
    [InlineData("catch (Exception) when (flag && Either(count)) { } catch (Exception) when (flag && {|FPU0001:Sleeps(kernel)|}) { }")]
    [InlineData("catch (Exception) when (Either(count)) { } catch (Exception) { {|FPU0001:kernel.Memory.Vzalloc(64)|}; }")]
    [InlineData("catch (Exception) when (flag && Always()) { } catch (Exception) when ({|FPU0001:Sleeps(kernel)|}) { }")]
    public Task A_filter_that_may_let_the_exception_go_leaves_it_to_the_next(string handlers) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod($$"""
            kernel.FpregsLock();
            try { try { _ = count.ToString(); } {{handlers}} }
            finally { kernel.FpregsUnlock(); }
            """, FilterHelpers));

    private const string FilterHelpers = """
            static bool Always() => true;
            static bool AlwaysAfterWork(int n) { Console.WriteLine(n); return true; }
            static bool Either(int n) => n > 2;
            static bool Sleeps(Kernel kernel) => kernel.Memory.Vzalloc(64) is not null;
        """;

    // When the filter's call throws, the filter is false: the dispatch goes on, the nested finally unlocks, and
    // the outer finally runs with nothing held.
    [Fact]
    public Task An_exception_thrown_by_a_filter_is_swallowed() =>
        AtomicContext.VerifyAnalyzerAsync(InMethod("""
            try
            {
                kernel.FpregsLock();
                try { {|FPU0001:kernel.Memory.Vzalloc(64)|}; }
                finally { kernel.FpregsUnlock(); }
            }
            catch (Exception) when ({|FPU0001:Sleeps(kernel)|}) { }
            finally { kernel.Memory.Vzalloc(64); }
            """, "static bool Sleeps(Kernel kernel) => kernel.Memory.Vzalloc(64) is not null;"));

    // The filter runs before the nested finally, and its verdict holds after it (ANALYZER_BUGS.md item 9): preemption is
    // disabled only where flag is false, and the handler runs only where it is true. A finally that writes flag ends it.
    [Theory]
    [InlineData("", "kernel.Memory.Vzalloc(64)")]
    [InlineData("flag = false;", "{|FPU0001:kernel.Memory.Vzalloc(64)|}; kernel.PreemptEnable()")]
    public Task The_filters_verdict_holds_across_a_nested_finally(string write, string sleep) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod($$"""
            try
            {
                try { if (count > 0) throw new InvalidOperationException(); }
                finally { {{write}} if (flag) throw new InvalidOperationException(); kernel.PreemptDisable(); }
                kernel.PreemptEnable();
            }
            catch (Exception) when (flag) { {{sleep}}; }
            """));

    // ANALYZER_BUGS item 9: the nested finally runs after the filter, so what the filter tested still holds in it
    // and in the handler. Here the finally disables preemption only where flag is false; the handler runs only
    // where it is true.
    [Fact]
    public Task A_filter_s_verdict_holds_across_a_nested_finally() =>
        AtomicContext.VerifyAnalyzerAsync(InMethod("""
            var other = count > 1;
            try
            {
                try { if (other) throw new InvalidOperationException(); }
                finally { if (flag) throw new InvalidOperationException(); kernel.PreemptDisable(); }
            }
            catch (Exception) when (flag) { kernel.Memory.Vzalloc(64); }
            """, name: "{|FPU0004:Run|}"));

    [Theory]
    [InlineData("when (!flag)", "")]
    [InlineData("when (other)", "")]
    [InlineData("when (flag)", "flag = !flag;")]
    public Task A_filter_s_verdict_does_not_hold_where_the_finally_may_differ_or_writes_it(string filter, string write) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod($$"""
            var other = count > 1;
            try
            {
                try { if (other) throw new InvalidOperationException(); }
                finally { {{write}} if (flag) throw new InvalidOperationException(); kernel.PreemptDisable(); }
            }
            catch (Exception) {{filter}} { {|FPU0001:kernel.Memory.Vzalloc(64)|}; }
            """, name: "{|FPU0004:Run|}"));

    // ---------------------------------------------------------------- catches of every exception

    [Theory]
    [InlineData("catch (Exception)")]
    [InlineData("catch")]
    [InlineData("catch (System.Exception)")]
    public Task A_catch_of_every_exception_keeps_it_from_the_handlers_around(string clause) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod($$"""
            try
            {
                try { kernel.FpregsLock(); {|FPU0001:kernel.Memory.Vzalloc(64)|}; kernel.FpregsUnlock(); }
                {{clause}} { kernel.FpregsUnlock(); }
            }
            finally { kernel.Memory.Vzalloc(64); }
            """));

    [Theory]
    [InlineData("catch (InvalidOperationException)")]
    [InlineData("catch (Exception) when (flag)")]
    public Task A_narrower_or_filtered_catch_lets_the_exception_on(string clause) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod($$"""
            try
            {
                try { kernel.FpregsLock(); {|FPU0001:kernel.Memory.Vzalloc(64)|}; kernel.FpregsUnlock(); }
                {{clause}} { kernel.FpregsUnlock(); }
            }
            finally { {|FPU0001:kernel.Memory.Vzalloc(64)|}; }
            """));
}
