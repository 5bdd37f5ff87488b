using System.Linq;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace FpuGuard.Robustness.Tests;

/// <summary>
/// The robustness checks at a size CI affords (seeded; the full runs are tools/Robustness): analyzers and
/// fixes never throw on code being typed, agree with the exhaustive oracle, their fixes always compile, and
/// the kernel model survives hostile input.
/// </summary>
public class RobustnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Code_being_typed_never_makes_an_analyzer_or_a_fix_throw()
    {
        var report = await TypingSimulation.RunAsync(Corpus.Load(), sample: 3, seed: 20261125);
        output.WriteLine(report.ToString());
        Assert.True(report.Cases > 150, report.ToString());
        Assert.True(report.FixesApplied > 0, "no fix was exercised");
        Assert.Empty(report.Failures);
    }

    [Fact]
    public async Task Random_programs_agree_with_the_oracle_and_every_fix_is_valid()
    {
        var report = await OracleComparison.RunAsync(300, seed: 4242, checkFixes: true);
        output.WriteLine(report.Table());
        Assert.Empty(report.Failures);
        Assert.True(report.FixesChecked > 100, "too few fixes exercised");
        Assert.True(report.WithLocalFunctions > 50, report.Table());
        Assert.Equal(0, report.CutShort);
        foreach (var rule in OracleReport.Rules)
        {
            // Recall 1.0: nothing the oracle finds on any path is missed.
            Assert.True(report.Score(rule, loopFree: null).Recall == 1.0, $"{rule} missed:\n{report.FalseNegatives.FirstOrDefault()}");
        }

        // Precision floors guard against regressions (docs/robustness.md explains what the extras are).
        Assert.True(report.Score("FPU0002", null).Precision >= 0.95, report.Table());
        Assert.True(report.Score("FPU0003", null).Precision >= 0.95, report.Table());
        Assert.True(report.Score("FPU0001", null).Precision >= 0.95, report.Table());
    }

    [Fact]
    public async Task Every_fix_offered_on_our_tests_and_samples_is_valid()
    {
        var report = await FixValidity.RunOnCorpusAsync(Corpus.Load());
        output.WriteLine(report.ToString());
        Assert.True(report.FixesApplied > 20, report.ToString());
        Assert.Empty(report.Failures);
    }

    [Fact]
    public void Hostile_ptrace_and_signal_input_never_breaks_the_kernel_model()
    {
        var report = RuntimeFuzzer.Run(4000, seed: 99);
        output.WriteLine(report.ToString());
        Assert.Equal(4000, report.Cases);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public void The_oracle_itself_sees_what_a_reviewer_sees()
    {
        // Lock, sleep, unlock: one FPU0001 at the sleep; guarded free outside any region: none; unguarded free and a field write: one each.
        var program = new RandomProgram(
            new Statement[] { new Enter(0), new Sleep(), new Exit(0), new FreeGuarded(), new FreeState(), new WriteState(), new If(0, new Statement[] { new Enter(1) }, new Statement[0]), new Sleep() },
            new System.Collections.Generic.List<System.Collections.Generic.IReadOnlyList<Statement>>());
        program.ToSource();
        var violations = Oracle.Violations(program);
        Assert.Equal(new[] { ("FPU0001", 7), ("FPU0001", 16), ("FPU0002", 10), ("FPU0003", 11) }.OrderBy(v => v), violations.OrderBy(v => v));
    }
}
