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

        // Counted apart: the FPU0002 free-helper fix that ends a guard a later free relies on (ANALYZER_BUGS.md item 8). Only
        // that fix; any other fix that leaves its rule's count as it was is a failure above.
        Assert.All(report.FixMovedWarning, moved => Assert.Contains("'Free through 'Kernel.FreeXStateBuffer'", moved));
        Assert.True(report.FixesChecked > 100, "too few fixes exercised");
        Assert.True(report.WithLocalFunctions > 50, report.Table());
        Assert.True(report.WithExceptions > 150, report.Table());
        Assert.True(report.WithMembers > 150, report.Table());
        Assert.True(report.WithAnyForm > 150, report.Table());
        Assert.Equal(0, report.CutShort);
        foreach (var rule in OracleReport.Rules)
        {
            // Recall 1.0: nothing the oracle finds on any path is missed.
            Assert.True(report.Score(rule, loopFree: null).Recall == 1.0, $"{rule} missed:\n{report.FalseNegatives.FirstOrDefault()}");
        }

        // Precision floors guard against regressions, a little below what the analyzers meet on this sample (2026-12-06:
        // FPU0001 0.985, 0.983 with exceptions, 0.985 with members; FPU0002 0.981; FPU0003 1.000). docs/robustness.md
        // sorts the extras: FPU0001 does not follow conditions on the FPU state (a free under a guard no run takes, after
        // a swap, say); FPU0002 joins conditions where paths meet and takes a loop to run zero times (both documented).
        Assert.True(report.Score("FPU0002", null).Precision >= 0.97, report.Table());
        Assert.True(report.Score("FPU0003", null).Precision >= 0.98, report.Table());
        Assert.True(report.Score("FPU0001", null).Precision >= 0.97, report.Table());
        foreach (var slice in new[] { "with exceptions", "with members" })
        {
            var (tp, fp, fn) = report.Slices[("FPU0001", slice)];
            Assert.Equal(0, fn);
            Assert.True((double)tp / (tp + fp) >= 0.97, report.Table());
        }
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

    private static (RandomProgram Program, System.Collections.Generic.HashSet<(string Rule, int Line)> Violations) Decide(Statement[] entry, Members? members = null)
    {
        var program = new RandomProgram(entry, new System.Collections.Generic.List<System.Collections.Generic.IReadOnlyList<Statement>>(), null, members);
        program.ToSource();
        return (program, Oracle.Violations(program));
    }

    [Fact]
    public void The_oracle_runs_a_filter_before_the_nested_finally_blocks()
    {
        // try { using (lock) { vzalloc } } catch when (F(k)) { }: vzalloc may throw with the lock held, and F (which sleeps)
        // runs before the using's Dispose: both are violations.
        var members = new Members();
        members.Filters.Add(new FilterMethod(Sleeps: true));
        var sleep = new Sleep();
        var @catch = new Catch(0, new Statement[0]);
        var (program, violations) = Decide(new Statement[] { new TryCatch(new Statement[] { new UsingLock(new Statement[] { sleep }) }, new[] { @catch }, null) }, members);
        Assert.Equal(new[] { ("FPU0001", program.Lines[sleep]), ("FPU0001", program.Lines[@catch]) }.OrderBy(v => v), violations.OrderBy(v => v));

        // With the condition first and never true (if (c0) return; before), F never runs.
        var guarded = new Catch(0, new Statement[0], FilterCondition: 0, ConditionFirst: true);
        (program, violations) = Decide(new Statement[] { new ReturnIf(0), new TryCatch(new Statement[] { new UsingLock(new Statement[] { new Sleep() }) }, new[] { guarded }, null) }, members);
        Assert.DoesNotContain(("FPU0001", program.Lines[guarded]), violations);
    }

    [Fact]
    public void The_oracle_runs_catch_and_finally_from_the_state_at_the_throw_and_a_catch_all_stops_the_exception()
    {
        // lock; try { if (c0) throw; } catch { vzalloc } unlock: the catch runs with the lock held.
        var inCatch = new Sleep();
        var (program, violations) = Decide(new Statement[] { new Enter(0), new TryCatch(new Statement[] { new ThrowIf(0) }, new[] { new Catch(-1, new Statement[] { inCatch }) }, null), new Exit(0) });
        Assert.Contains(("FPU0001", program.Lines[inCatch]), violations);

        // try { try { lock; vzalloc; unlock } catch { unlock } } finally { vzalloc }: the catch-all takes the exception, the
        // finally runs with nothing held.
        var inner = new Sleep();
        var inFinally = new Sleep();
        (program, violations) = Decide(new Statement[]
        {
            new TryFinally(
                new Statement[] { new TryCatch(new Statement[] { new Enter(0), inner, new Exit(0) }, new[] { new Catch(-1, new Statement[] { new Exit(0) }) }, null) },
                new Statement[] { inFinally }),
        });
        Assert.Equal(new[] { ("FPU0001", program.Lines[inner]) }, violations.ToArray());

        // Nothing in try { if (c0) return; } can throw: its catch never runs (the analyzers' conservative throw points report it).
        var unreachable = new Sleep();
        (program, violations) = Decide(new Statement[] { new Enter(0), new TryCatch(new Statement[] { new ReturnIf(0) }, new[] { new Catch(-1, new Statement[] { unreachable }) }, new Statement[] { new Exit(0) }) });
        Assert.Empty(violations);
        Assert.Contains(("FPU0001", program.Lines[unreachable]), Oracle.Violations(program, AnalyzerModel.ConservativeThrowPoints));
    }

    [Fact]
    public void The_oracle_reports_a_member_call_only_for_a_sleep_outside_the_members_own_region()
    {
        var members = new Members();
        var ownSleep = new Sleep();
        members.Properties.Add((new CalleeBody(new Statement[] { new UsingLock(new Statement[] { ownSleep }) }), new CalleeBody(new Statement[] { new Sleep() })));
        var read = new ReadProperty(0);
        var write = new WriteProperty(0);
        var (program, violations) = Decide(new Statement[] { new Enter(1), read, write, new Exit(1) }, members);
        Assert.Equal(new[] { ("FPU0001", program.Lines[ownSleep]), ("FPU0001", program.Lines[write]) }.OrderBy(v => v), violations.OrderBy(v => v));
    }

    [Fact]
    public void The_oracle_stops_a_helper_at_a_throw_or_return_nested_in_a_branch()
    {
        // H0: if (c0) { if (c0) throw; } if (c0) vzalloc;  called under the lock: with c0 the helper throws before the
        // sleep, without it the sleep's branch is not taken, so H0 never sleeps (seed 4242, programs 11107 and 11996: the
        // oracle went on after the nested throw and expected FPU0001 at the call).
        var helper = new Statement[] { new If(0, new Statement[] { new ThrowIf(0) }, new Statement[0]), new If(0, new Statement[] { new Sleep() }, new Statement[0]) };
        var call = new CallHelper(0);
        var program = new RandomProgram(new Statement[] { new Enter(0), call, new Exit(0) }, new[] { helper });
        program.ToSource();
        Assert.DoesNotContain(("FPU0001", program.Lines[call]), Oracle.Violations(program));

        // The same helper with a return in a loop instead: the same; and with the throw on c1, it sleeps when c0 && !c1.
        var returning = new Statement[] { new Loop(new Statement[] { new ReturnIf(0) }), new If(0, new Statement[] { new Sleep() }, new Statement[0]) };
        program = new RandomProgram(new Statement[] { new Enter(0), call, new Exit(0) }, new[] { returning });
        program.ToSource();
        Assert.DoesNotContain(("FPU0001", program.Lines[call]), Oracle.Violations(program));
        var sleeping = new Statement[] { new If(0, new Statement[] { new ThrowIf(1) }, new Statement[0]), new If(0, new Statement[] { new Sleep() }, new Statement[0]) };
        program = new RandomProgram(new Statement[] { new Enter(0), call, new Exit(0) }, new[] { sleeping });
        program.ToSource();
        Assert.Contains(("FPU0001", program.Lines[call]), Oracle.Violations(program));
    }

    [Fact]
    public void The_oracle_expects_FPU0003_at_every_state_field_write_in_the_text_even_where_no_run_reaches_it()
    {
        // try { if (c0) return; } catch { fpu.StateSize = 64; }: nothing in the try throws, the catch never runs; the write
        // is a defect of the code all the same (docs/rules/FPU0003.md: every write outside the swap helper).
        var unreachable = new WriteState();
        var (program, violations) = Decide(new Statement[] { new TryCatch(new Statement[] { new ReturnIf(0) }, new[] { new Catch(-1, new Statement[] { unreachable }) }, null) });
        Assert.Equal(new[] { ("FPU0003", program.Lines[unreachable]) }, violations.ToArray());

        // In a lambda that is created and never invoked: the same.
        var inLambda = new WriteState(InLambda: true);
        (program, violations) = Decide(new Statement[] { inLambda });
        Assert.Equal(new[] { ("FPU0003", program.Lines[inLambda]) }, violations.ToArray());
    }

    [Fact]
    public void The_oracle_follows_what_fpu_State_holds_through_swaps_guards_tuples_and_a_bool_local()
    {
        // A swap that installs a new buffer: a free of fpu.State after it frees that buffer, never the default.
        var afterNew = new FreeState();
        var (program, violations) = Decide(new Statement[] { new SwapTo(Default: false, Receiver: true, FreeOld: false), afterNew });
        Assert.Empty(violations);

        // Swapped back to the default: a guard through a predicate holds never, its negation always.
        var guarded = new GuardedFree(new Guard(GuardKind.IsValloc, Negated: false));
        var wrongWay = new GuardedFree(new Guard(GuardKind.IsValloc, Negated: true));
        (program, violations) = Decide(new Statement[] { new SwapTo(Default: true, Receiver: false, FreeOld: true), guarded, wrongWay });
        Assert.Equal(new[] { ("FPU0002", program.Lines[wrongWay]) }, violations.ToArray());

        // dyn = fpu.State != fpu.DefaultState, then a swap to the default: dyn is stale, if (dyn) frees the default.
        var stale = new GuardedFree(new Guard(GuardKind.BoolLocal, Negated: false));
        (program, violations) = Decide(new Statement[] { new AssignBool(-1), new SwapTo(Default: true, Receiver: false, FreeOld: false), stale });
        Assert.Equal(new[] { ("FPU0002", program.Lines[stale]) }, violations.ToArray());

        // Without the swap, dyn guards the free.
        (program, violations) = Decide(new Statement[] { new AssignBool(-1), new GuardedFree(new Guard(GuardKind.BoolLocal, Negated: false)) });
        Assert.Empty(violations);

        // tup = (fpu.State, c1), then a new buffer: tup.Item1 still holds the old state (which may be the default), fpu.State not.
        var element = new FreeTuple(1);
        (program, violations) = Decide(new Statement[] { new AssignTuple(0), new SwapTo(Default: false, Receiver: false, FreeOld: false), element, new FreeState() });
        Assert.Equal(new[] { ("FPU0002", program.Lines[element]) }, violations.ToArray());

        // A conditional argument frees the state only on the branch that selects it: after if (c0) return;, c0 ? fpu.State : other never does.
        (program, violations) = Decide(new Statement[] { new ReturnIf(0), new FreeConditional(0, 0) });
        Assert.Empty(violations);

        // Patterns: is { } p frees the state; is { } p && p != fpu.DefaultState never the default.
        var pattern = new FreePattern(0);
        (program, violations) = Decide(new Statement[] { pattern, new FreePattern(5), new FreePattern(8) });
        Assert.Equal(new[] { ("FPU0002", program.Lines[pattern]) }, violations.ToArray());
    }

    [Fact]
    public void The_oracle_itself_sees_what_a_reviewer_sees()
    {
        // (Line 4 is the static field k.) Lock, sleep, unlock: one FPU0001 at the sleep; guarded free outside any region: none; unguarded free and a field write: one each.
        var program = new RandomProgram(
            new Statement[] { new Enter(0), new Sleep(), new Exit(0), new FreeGuarded(), new FreeState(), new WriteState(), new If(0, new Statement[] { new Enter(1) }, new Statement[0]), new Sleep() },
            new System.Collections.Generic.List<System.Collections.Generic.IReadOnlyList<Statement>>());
        program.ToSource();
        var violations = Oracle.Violations(program);
        Assert.Equal(new[] { ("FPU0001", 8), ("FPU0001", 17), ("FPU0002", 11), ("FPU0003", 12) }.OrderBy(v => v), violations.OrderBy(v => v));
    }
}
