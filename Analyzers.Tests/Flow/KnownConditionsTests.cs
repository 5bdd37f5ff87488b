using System.Threading.Tasks;
using AtomicContext = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer>;
using FreeOfDefault = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Flow;

/// <summary>
/// The engine's known bool conditions: a way out of a block that contradicts what every path knows of a bool
/// local or parameter is not taken, for every rule; and what may change the variable unseen makes it unknown.
/// </summary>
public class KnownConditionsTests
{
    private static string InMethod(string body, string extra = "") => $$"""
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, Fpu fpu, bool flag, bool other, int count)
            {
        {{body}}
            }

            static void Change(ref bool value) => value = !value;
        {{extra}}
        }
        """;

    [Theory]
    [InlineData("if (flag) throw new InvalidOperationException(); if (flag) { kernel.Memory.Vfree(fpu.State); }")]
    [InlineData("if (!flag) return; if (!flag) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (flag) return; if (other) { if (flag) kernel.Memory.Vfree(fpu.State); }")]
    [InlineData("var done = false; if (done) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("bool done; done = true; if (!done) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (flag) return; try { _ = count.ToString(); } catch (Exception) when (flag) { kernel.Memory.Vfree(fpu.State); }")]
    [InlineData("if (flag) return; try { _ = count.ToString(); } catch (Exception) when (other && flag) { kernel.Memory.Vfree(fpu.State); }")]
    public Task A_free_no_path_reaches_is_not_reported(string body) =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod(body));

    [Theory]
    [InlineData("if (flag) throw new InvalidOperationException(); if (!flag) { {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (flag) return; flag = count > 0; if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (flag) return; Change(ref flag); if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (flag) return; (flag, other) = (other, flag); if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (flag) return; Action set = () => flag = true; set(); if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (flag) return; void Set() { flag = true; } Set(); if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (flag) return; ref var alias = ref flag; alias = true; if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (flag) return; flag |= count > 0; if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (other) flag = true; else flag = false; if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("for (var i = 0; i < 2; i++) { if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; flag = true; }")]
    public Task A_condition_that_may_have_changed_is_not_known(string body) =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod(body));

    // A constant condition has one way out (C# takes the other to be unreachable): `while (true)` is left only by its
    // break, as `for (;;)` is, for every rule. Found by the FPU0002/FPU0004 review (round 3).
    [Theory]
    [InlineData("while (true) { if (fpu.State != fpu.DefaultState) break; if (flag) return; } kernel.Memory.Vfree(fpu.State);")]
    [InlineData("do { if (fpu.State != fpu.DefaultState) break; if (flag) return; } while (true); kernel.Memory.Vfree(fpu.State);")]
    [InlineData("while (!false) { if (fpu.State == fpu.DefaultState) return; break; } kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (Never) kernel.Memory.Vfree(fpu.State);", "const bool Never = false;")]
    public Task A_constant_condition_s_other_way_is_not_taken(string body, string extra = "") =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod(body, extra));

    [Theory]
    [InlineData("while (true) { if (count > 0) { kernel.FpregsUnlock(); break; } count++; }")]
    [InlineData("do { if (count > 0) { kernel.FpregsUnlock(); break; } count++; } while (true);")]
    public Task A_lock_released_before_the_only_break_out_of_an_endless_loop_is_balanced(string loop) =>
        AtomicContext.VerifyAnalyzerAsync(InMethod("kernel.FpregsLock(); " + loop));

    [Theory]
    [InlineData("while (true) { if (count > 0) break; count++; } {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("while (true) { if (fpu.State != fpu.DefaultState) break; if (flag) break; } {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (Always) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};", "const bool Always = true;")]
    public Task A_constant_condition_s_own_way_is_still_taken(string body, string extra = "") =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod(body, extra));

    // A field or a property is not a condition the engine follows: another thread or call may change it.
    [Fact]
    public Task A_field_is_not_followed() =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod(
            "if (Flag) return; if (Flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};",
            "static bool Flag;"));

    // A lambda's own condition is followed inside it; the enclosing method's variable it reads is not.
    [Fact]
    public Task Inside_a_lambda_only_its_own_variables_are_followed() =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod("""
            Action<bool> own = b => { if (b) return; if (b) kernel.Memory.Vfree(fpu.State); };
            Action captured = () => { if (flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; };
            if (flag) return;
            captured();
            """));

    [Fact]
    public Task FPU0001_does_not_report_a_sleep_no_path_reaches() =>
        AtomicContext.VerifyAnalyzerAsync(InMethod("""
            if (flag) return;
            kernel.FpregsLock();
            try { if (flag) kernel.Memory.Vzalloc(64); _ = count.ToString(); }
            catch (Exception) when (flag) { kernel.Memory.Vzalloc(64); }
            finally { kernel.FpregsUnlock(); }
            """));

    // ---------------------------------------------------------------- calls that return one constant

    // A method whose every return gives the same literal returns that, when it returns: the other way is not taken.
    [Theory]
    [InlineData("if (Never()) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (!Always()) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (NeverAfterWork(count)) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (NeverWithLambda()) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("bool No() => false; if (No()) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (other && Never()) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("while (Always()) { if (flag) break; } if (flag) return; kernel.Memory.Vfree(fpu.DefaultState);")]
    public Task A_way_a_constant_result_rules_out_is_not_taken(string body) =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod(body, Constants));

    // Its neighbours: the call may give either value.
    [Theory]
    [InlineData("if (Either(count)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (new Virtual().Never()) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (Always()) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (!Never()) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (Computed(count)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    public Task A_call_that_may_return_either_is_followed_both_ways(string body) =>
        FreeOfDefault.VerifyAnalyzerAsync(InMethod(body, Constants));

    private const string Constants = """
            static bool Never() => false;
            static bool Always() { return (true); }
            static bool NeverAfterWork(int n) { Console.WriteLine(n); if (n > 2) return false; return false; }
            static bool NeverWithLambda() { Func<bool> other = () => true; bool Local() => true; return false; }
            static bool Either(int n) { if (n > 2) return true; return false; }
            static bool Computed(int n) => n > 2;
            class Virtual { public virtual bool Never() => false; }
            class Override : Virtual { public override bool Never() => true; }
        """;
}
