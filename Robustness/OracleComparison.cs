using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace FpuGuard.Robustness;

/// <summary>Precision and recall of FPU0001–FPU0003 against the oracle, and the validity of every fix offered.</summary>
public sealed class OracleReport
{
    public static readonly string[] Rules = { "FPU0001", "FPU0002", "FPU0003" };

    public int Programs { get; set; }

    public int LoopFree { get; set; }

    public int FixesChecked { get; set; }

    /// <summary>Programs in which some analysis was cut short at a bound (FPU0007).</summary>
    public int CutShort { get; set; }

    /// <summary>Programs with local functions (recursive and mutually recursive ones among them).</summary>
    public int WithLocalFunctions { get; set; }

    /// <summary>Programs that throw explicitly or catch (try/catch, filters).</summary>
    public int WithExceptions { get; set; }

    /// <summary>Programs whose entry uses properties, the indexer, operators or delegates (or whose member bodies sleep).</summary>
    public int WithMembers { get; set; }

    /// <summary>Programs whose entry uses each of the FPU0002 forms (<see cref="StateForms"/>), and any of them.</summary>
    public Dictionary<StateForms, int> WithForms { get; } = new();

    public int WithAnyForm { get; set; }

    public Dictionary<(string Rule, bool LoopFree), (int TruePositives, int FalsePositives, int FalseNegatives)> Counts { get; } = new();

    /// <summary>The same counts over the programs with exceptions, and with members.</summary>
    public Dictionary<(string Rule, string Slice), (int TruePositives, int FalsePositives, int FalseNegatives)> Slices { get; } = new();

    public void AddSlice(string rule, string slice, int tp, int fp, int fn)
    {
        Slices.TryGetValue((rule, slice), out var c);
        Slices[(rule, slice)] = (c.TruePositives + tp, c.FalsePositives + fp, c.FalseNegatives + fn);
    }

    public List<string> Failures { get; } = new();

    /// <summary>
    /// FixAll results that stopped short of fixing one by one, though a second FixAll pass gets there: the known issue of the
    /// FPU0001 move fix with sibling regions that each start with a sleep (ANALYZER_BUGS.md). Not counted as failures.
    /// </summary>
    public List<string> FixAllIncomplete { get; } = new();

    /// <summary>
    /// Fixes that removed their diagnostic while the rule began to report elsewhere (ANALYZER_BUGS.md item 8), counted apart
    /// from the failures; see <see cref="FixValidity.CheckAsync"/>.
    /// </summary>
    public List<string> FixMovedWarning { get; } = new();

    public List<string> FalseNegatives { get; } = new();

    public List<string> FalsePositives { get; } = new();

    /// <summary>False positives and negatives by rule and the kind of statement at the line (see <see cref="OracleComparison.Shape"/>).</summary>
    public Dictionary<string, int> MismatchShapes { get; } = new();

    public void Add(string rule, bool loopFree, int tp, int fp, int fn)
    {
        Counts.TryGetValue((rule, loopFree), out var c);
        Counts[(rule, loopFree)] = (c.TruePositives + tp, c.FalsePositives + fp, c.FalseNegatives + fn);
    }

    public (double Precision, double Recall) Score(string rule, bool? loopFree)
    {
        var entries = Counts.Where(c => c.Key.Rule == rule && (loopFree is null || c.Key.LoopFree == loopFree)).Select(c => c.Value).ToList();
        int tp = entries.Sum(e => e.TruePositives), fp = entries.Sum(e => e.FalsePositives), fn = entries.Sum(e => e.FalseNegatives);
        return (tp + fp == 0 ? 1 : (double)tp / (tp + fp), tp + fn == 0 ? 1 : (double)tp / (tp + fn));
    }

    public string Table()
    {
        var builder = new StringBuilder();
        builder.AppendLine($"{Programs} programs ({LoopFree} loop-free, {WithLocalFunctions} with local functions, {WithExceptions} with exceptions, {WithMembers} with members), {FixesChecked} fixes checked, {Failures.Count} failures, {FixAllIncomplete.Count} FixAll results one pass short, {FixMovedWarning.Count} fixes that moved the warning elsewhere, {CutShort} cut short (FPU0007)");
        builder.AppendLine("| rule | programs | TP | FP | FN | precision | recall |");
        builder.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var rule in Rules)
        {
            foreach (var (label, loopFree) in new[] { ("loop-free", (bool?)true), ("with loops", false), ("all", null) })
            {
                var entries = Counts.Where(c => c.Key.Rule == rule && (loopFree is null || c.Key.LoopFree == loopFree)).Select(c => c.Value).ToList();
                var (precision, recall) = Score(rule, loopFree);
                builder.AppendLine($"| {rule} | {label} | {entries.Sum(e => e.TruePositives)} | {entries.Sum(e => e.FalsePositives)} | {entries.Sum(e => e.FalseNegatives)} | {precision:F3} | {recall:F3} |");
            }

            foreach (var slice in new[] { "with exceptions", "with members", "with FPU0002 forms" })
            {
                var (tp, fp, fn) = Slices.GetValueOrDefault((rule, slice));
                builder.AppendLine($"| {rule} | {slice} | {tp} | {fp} | {fn} | {(tp + fp == 0 ? 1 : (double)tp / (tp + fp)):F3} | {(tp + fn == 0 ? 1 : (double)tp / (tp + fn)):F3} |");
            }
        }

        builder.AppendLine($"FPU0002 forms: {WithAnyForm} programs use one or more; " + string.Join(", ", WithForms.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}")));
        if (MismatchShapes.Count > 0)
        {
            builder.AppendLine("mismatches by shape: " + string.Join(", ", MismatchShapes.OrderByDescending(m => m.Value).Select(m => $"{m.Key} {m.Value}")));
        }

        return builder.ToString();
    }
}

public static class OracleComparison
{
    /// <summary>
    /// Which imitation of the analyzers' model (<see cref="AnalyzerModel"/>) predicts a false positive: one alone, else all
    /// of them together; null when none does.
    /// </summary>
    public static string? Explanation(RandomProgram program, string rule, int line)
    {
        // ConditionsIgnored, HelperCallEndsGuards, ContextCallsThrow and ConditionalOwnerUnguarded imitate FPU0002 only (FPU0001 correlates conditions within a method), StateBlind FPU0001 only.
        const AnalyzerModel fpu0002Only = AnalyzerModel.ConditionsIgnored | AnalyzerModel.HelperCallEndsGuards | AnalyzerModel.ContextCallsThrow | AnalyzerModel.ConditionalOwnerUnguarded;
        var notThisRule = rule == "FPU0002" ? AnalyzerModel.StateBlind : rule == "FPU0001" ? fpu0002Only : AnalyzerModel.StateBlind | fpu0002Only;
        foreach (var model in new[] { AnalyzerModel.ConservativeThrowPoints, AnalyzerModel.CatchAllPropagates, AnalyzerModel.UsingKeepsLockOnThrow, AnalyzerModel.FilterExceptionEscapes, AnalyzerModel.CalleeRegionCountsAtCall, AnalyzerModel.SwapForgetsState, AnalyzerModel.ConditionsIgnored, AnalyzerModel.StateBlind, AnalyzerModel.HelperCallEndsGuards, AnalyzerModel.ContextCallsThrow, AnalyzerModel.ConditionalOwnerUnguarded, AnalyzerModel.All }
            .Select(m => m & ~notThisRule).Where(m => m != AnalyzerModel.Exact).Distinct())
        {
            if (Oracle.Violations(program, model).Contains((rule, line)))
            {
                return $"explained by {(model == (AnalyzerModel.All & ~notThisRule) ? "All" : model.ToString())}";
            }
        }

        return null;
    }

    /// <summary>
    /// What the statement at a line is, for sorting mismatches: its kind, where it is (in a catch, a finally, a try with catch
    /// clauses), and for a call of a member whose body has a region of its own, "callee with own region".
    /// </summary>
    public static string Shape(RandomProgram program, int line)
    {
        var statement = program.Lines.Where(l => l.Value == line).Select(l => l.Key).FirstOrDefault();
        if (statement is null)
        {
            return "unknown";
        }

        var bodies = statement switch
        {
            ReadProperty p => new[] { program.Members.Properties[p.Index].Get },
            WriteProperty p => new[] { program.Members.Properties[p.Index].Set },
            CompoundProperty p => new[] { program.Members.Properties[p.Index].Get, program.Members.Properties[p.Index].Set },
            UseIndexer x => new[] { x.Write ? program.Members.Indexer!.Value.Set : program.Members.Indexer!.Value.Get },
            UseOperator o => new[] { program.Members.Operator(o.Kind) },
            InvokeDelegate d => new[] { program.Members.Delegates[d.Index].Body },
            _ => Array.Empty<CalleeBody>(),
        };
        var kind = statement.GetType().Name;
        if (statement is InvokeDelegate invoked)
        {
            kind += program.Members.Delegates[invoked.Index].MethodGroup ? "(method group)" : "(lambda)";
        }

        if (bodies.Any(b => b.Statements.Any(s => s is UsingLock)) && !bodies.Any(b => b.Sleeps))
        {
            kind += " (callee with own region only)";
        }

        var where = Where(program.Entry, statement, "");
        return where is null or "" ? kind : $"{kind} in {where}";
    }

    private static string? Where(IReadOnlyList<Statement> statements, Statement target, string path)
    {
        foreach (var statement in statements)
        {
            if (ReferenceEquals(statement, target))
            {
                return path;
            }

            var found = statement switch
            {
                UsingLock u => Where(u.Body, target, path),
                If i => Where(i.Then, target, path) ?? Where(i.Else, target, path),
                GuardedBlock g => Where(g.Then, target, Join(path, "guarded block")),
                Loop l => Where(l.Body, target, path),
                TryFinally t => Where(t.Try, target, path) ?? Where(t.Finally, target, Join(path, "finally")),
                TryCatch t => Where(t.Try, target, Join(path, "try/catch")) ?? t.Catches.Select(c => Where(c.Body, target, Join(path, c.Filter < 0 ? "catch" : "filtered catch"))).FirstOrDefault(w => w is not null) ?? (t.Finally is null ? null : Where(t.Finally, target, Join(path, "finally"))),
                _ => null,
            };
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private static string Join(string path, string part) => path.Length == 0 ? part : path + " > " + part;

    public static async Task<OracleReport> RunAsync(int programs, int seed, bool checkFixes, Action<string>? progress = null)
    {
        var harness = new AnalyzerHarness();
        var report = new OracleReport();
        for (var i = 0; i < programs; i++)
        {
            var program = RandomProgram.Generate(new Random(unchecked(seed + i)), allowLoops: i % 2 == 1);
            var source = program.ToSource();
            var document = harness.WithText(source);
            var failures = new List<string>();
            var errors = (await document.Project.GetCompilationAsync().ConfigureAwait(false))!.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0)
            {
                report.Failures.Add($"program {seed + i} does not compile: {errors[0]}\n{source}");
                continue;
            }

            var diagnostics = await harness.AnalyzeAsync(document, failures).ConfigureAwait(false);
            var found = diagnostics.Where(d => OracleReport.Rules.Contains(d.Id)).Select(d => (d.Id, d.Location.GetLineSpan().StartLinePosition.Line + 1)).ToHashSet();
            var expected = Oracle.Violations(program);
            var loopFree = !program.HasLoops;
            report.Programs++;
            report.LoopFree += loopFree ? 1 : 0;
            report.WithLocalFunctions += program.Locals.Count > 0 ? 1 : 0;
            report.WithExceptions += program.HasExceptions ? 1 : 0;
            report.WithMembers += program.HasMembers ? 1 : 0;
            report.WithAnyForm += program.UsedForms != StateForms.None ? 1 : 0;
            foreach (var form in Enum.GetValues<StateForms>().Where(f => f != StateForms.None && program.UsedForms.HasFlag(f)))
            {
                report.WithForms[form] = report.WithForms.GetValueOrDefault(form) + 1;
            }

            report.CutShort += diagnostics.Any(d => d.Id == "FPU0007") ? 1 : 0;
            foreach (var rule in OracleReport.Rules)
            {
                var f = found.Where(x => x.Item1 == rule).ToHashSet();
                var e = expected.Where(x => x.Rule == rule).Select(x => (x.Rule, x.Line)).ToHashSet();
                report.Add(rule, loopFree, f.Intersect(e).Count(), f.Except(e).Count(), e.Except(f).Count());
                if (program.HasExceptions)
                {
                    report.AddSlice(rule, "with exceptions", f.Intersect(e).Count(), f.Except(e).Count(), e.Except(f).Count());
                }

                if (program.HasMembers)
                {
                    report.AddSlice(rule, "with members", f.Intersect(e).Count(), f.Except(e).Count(), e.Except(f).Count());
                }

                if (program.UsedForms != StateForms.None)
                {
                    report.AddSlice(rule, "with FPU0002 forms", f.Intersect(e).Count(), f.Except(e).Count(), e.Except(f).Count());
                }

                foreach (var mismatch in f.Except(e).Select(x => ("FP", x.Item2)).Concat(e.Except(f).Select(x => ("FN", x.Item2))))
                {
                    var shape = $"{mismatch.Item1} {rule} {Shape(program, mismatch.Item2)}";
                    if (mismatch.Item1 == "FP" && Explanation(program, rule, mismatch.Item2) is { } explained)
                    {
                        shape = $"FP {rule} {explained}";
                    }

                    report.MismatchShapes[shape] = report.MismatchShapes.GetValueOrDefault(shape) + 1;
                }

                foreach (var extra in f.Except(e))
                {
                    report.FalsePositives.Add($"program {seed + i}: {extra.Item1} reported at line {extra.Item2}, which no path violates [{Explanation(program, extra.Item1, extra.Item2) ?? "unexplained"}: {Shape(program, extra.Item2)}]\n{source}");
                }

                foreach (var missed in e.Except(f))
                {
                    report.FalseNegatives.Add($"program {seed + i}: {missed.Item1} missed at line {missed.Item2} [{Shape(program, missed.Item2)}]\n{source}");
                }
            }

            if (checkFixes)
            {
                var incomplete = new List<string>();
                var moved = new List<string>();
                report.FixesChecked += await FixValidity.CheckAsync(harness, document, diagnostics, failures, incomplete, moved).ConfigureAwait(false);
                report.FixAllIncomplete.AddRange(incomplete.Select(f => $"program {seed + i}: {f}"));
                report.FixMovedWarning.AddRange(moved.Select(f => $"program {seed + i}: {f}"));
            }

            report.Failures.AddRange(failures.Select(f => $"program {seed + i}: {f}"));
            if (progress is not null && (i + 1) % 500 == 0)
            {
                progress($"{i + 1} programs: {report.Failures.Count} failures");
            }
        }

        return report;
    }
}

/// <summary>
/// Every fix offered for a diagnostic: the fixed program compiles, that diagnostic is gone, no other FPU
/// diagnostic appears; and FixAll over the document gives what fixing one at a time gives.
/// </summary>
public static class FixValidity
{
    /// <summary>Fix validity over existing sources (tests, samples); ones that do not compile to begin with are skipped.</summary>
    public static async Task<RunReport> RunOnCorpusAsync(IEnumerable<(string Name, string Text)> sources)
    {
        var harness = new AnalyzerHarness();
        var report = new RunReport();
        foreach (var (name, text) in sources)
        {
            var document = harness.WithText(text);
            if ((await document.Project.GetCompilationAsync().ConfigureAwait(false))!.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                continue;
            }

            report.Cases++;
            var failures = new List<string>();
            var diagnostics = await harness.AnalyzeAsync(document, failures).ConfigureAwait(false);
            report.Diagnostics += diagnostics.Length;
            report.FixesApplied += await CheckAsync(harness, document, diagnostics, failures).ConfigureAwait(false);
            report.Failures.AddRange(failures.Select(f => $"{name}: {f}"));
        }

        return report;
    }

    /// <summary>
    /// Checks every fix; <paramref name="fixAllIncomplete"/>, when given, collects the FixAll results that differ from fixing
    /// one by one only because FixAll left diagnostics it could still fix (a second FixAll pass reaches the one-by-one
    /// result: the known issue of sibling regions that each start with a sleep), instead of counting them as failures.
    /// <para>
    /// <paramref name="warningMoved"/>, when given, collects the fixes that removed the diagnostic they were for while the rule
    /// began to report elsewhere, lines unchanged (ANALYZER_BUGS.md item 8: the FPU0002 free-helper fix ends a guard that a later
    /// free relies on), instead of counting them as failures; every other fix that leaves its rule's count as it was fails.
    /// </para>
    /// </summary>
    public static async Task<int> CheckAsync(AnalyzerHarness harness, Document document, ImmutableArray<Diagnostic> diagnostics, List<string> failures, List<string>? fixAllIncomplete = null, List<string>? warningMoved = null)
    {
        var checkedFixes = 0;
        var before = diagnostics.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Count());
        var keys = new HashSet<(string Id, string Key)>();
        foreach (var diagnostic in diagnostics.Where(d => d.Location.IsInSource))
        {
            foreach (var action in await harness.FixesAsync(document, diagnostic, failures).ConfigureAwait(false))
            {
                var fixedDocument = await AnalyzerHarness.ApplyAsync(action, document, failures).ConfigureAwait(false);
                if (fixedDocument is null)
                {
                    continue;
                }

                checkedFixes++;
                keys.Add((diagnostic.Id, action.EquivalenceKey ?? ""));
                var text = (await fixedDocument.GetTextAsync().ConfigureAwait(false)).ToString();
                var fixedHere = harness.WithText(text);
                var errors = (await fixedHere.Project.GetCompilationAsync().ConfigureAwait(false))!.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0)
                {
                    failures.Add($"'{action.Title}' for {diagnostic} does not compile: {errors[0]}\n{text}");
                    continue;
                }

                var afterDiagnostics = await harness.AnalyzeAsync(fixedHere, failures).ConfigureAwait(false);
                var after = afterDiagnostics.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Count());
                if (after.GetValueOrDefault(diagnostic.Id) >= before[diagnostic.Id])
                {
                    static int Line(Diagnostic d) => d.Location.GetLineSpan().StartLinePosition.Line;
                    var sameLines = (await document.GetTextAsync().ConfigureAwait(false)).Lines.Count == (await fixedDocument.GetTextAsync().ConfigureAwait(false)).Lines.Count;
                    var linesBefore = diagnostics.Where(d => d.Id == diagnostic.Id).Select(Line).ToHashSet();
                    var linesAfter = afterDiagnostics.Where(d => d.Id == diagnostic.Id).Select(Line).ToHashSet();
                    if (warningMoved is not null && sameLines && !linesAfter.Contains(Line(diagnostic)) && linesAfter.Except(linesBefore).Any())
                    {
                        warningMoved.Add($"'{action.Title}' removed {diagnostic.Id} at line {Line(diagnostic) + 1}, and {diagnostic.Id} appeared at line(s) {string.Join(", ", linesAfter.Except(linesBefore).Select(l => l + 1))}\n{text}");
                    }
                    else
                    {
                        failures.Add($"'{action.Title}' left {diagnostic.Id} in place\n{text}");
                    }
                }

                foreach (var (id, count) in after.Where(a => a.Key != diagnostic.Id && a.Value > before.GetValueOrDefault(a.Key)))
                {
                    failures.Add($"'{action.Title}' for {diagnostic.Id} added {id} ({before.GetValueOrDefault(id)} -> {count})\n{text}");
                }
            }
        }

        foreach (var (id, key) in keys)
        {
            await CompareFixAllAsync(harness, document, id, key, failures, fixAllIncomplete).ConfigureAwait(false);
        }

        return checkedFixes;
    }

    private static async Task<Document> FixAllAsync(AnalyzerHarness harness, Document document, string id, string key, List<string> failures)
    {
        var fixer = harness.Fixers.First(f => f.FixableDiagnosticIds.Contains(id));
        var diagnostics = (await harness.AnalyzeAsync(document, failures).ConfigureAwait(false)).Where(d => d.Id == id).ToImmutableArray();
        var context = new FixAllContext(document, fixer, FixAllScope.Document, key, new[] { id }, new Provider(diagnostics), CancellationToken.None);
        var fixAll = await fixer.GetFixAllProvider()!.GetFixAsync(context).ConfigureAwait(false);
        return fixAll is null ? document : await AnalyzerHarness.ApplyAsync(fixAll, document, failures).ConfigureAwait(false) ?? document;
    }

    private static async Task CompareFixAllAsync(AnalyzerHarness harness, Document document, string id, string key, List<string> failures, List<string>? fixAllIncomplete)
    {
        var all = await FixAllAsync(harness, document, id, key, failures).ConfigureAwait(false);

        var current = document;
        for (var step = 0; step < 64; step++)
        {
            var next = (await harness.AnalyzeAsync(harness.WithText((await current.GetTextAsync().ConfigureAwait(false)).ToString()), failures).ConfigureAwait(false))
                .Where(d => d.Id == id).OrderBy(d => d.Location.SourceSpan.Start).ToList();
            var currentHere = harness.WithText((await current.GetTextAsync().ConfigureAwait(false)).ToString());
            Document? applied = null;
            foreach (var diagnostic in next)
            {
                var action = (await harness.FixesAsync(currentHere, diagnostic, failures).ConfigureAwait(false)).FirstOrDefault(a => a.EquivalenceKey == key);
                if (action is not null && (applied = await AnalyzerHarness.ApplyAsync(action, currentHere, failures).ConfigureAwait(false)) is not null)
                {
                    break;
                }
            }

            if (applied is null)
            {
                break;
            }

            current = applied;
        }

        var oneByOne = Normalize((await current.GetTextAsync().ConfigureAwait(false)).ToString());
        var together = Normalize((await all.GetTextAsync().ConfigureAwait(false)).ToString());
        if (oneByOne != together && fixAllIncomplete is not null)
        {
            // FixAll again on what it left, until nothing changes: when that reaches the one-by-one result, FixAll only
            // stopped short.
            var again = all;
            for (var pass = 0; pass < 8; pass++)
            {
                var next = await FixAllAsync(harness, harness.WithText((await again.GetTextAsync().ConfigureAwait(false)).ToString()), id, key, failures).ConfigureAwait(false);
                var nextText = Normalize((await next.GetTextAsync().ConfigureAwait(false)).ToString());
                if (nextText == Normalize((await again.GetTextAsync().ConfigureAwait(false)).ToString()))
                {
                    break;
                }

                again = next;
            }

            if (Normalize((await again.GetTextAsync().ConfigureAwait(false)).ToString()) == oneByOne)
            {
                fixAllIncomplete.Add($"FixAll '{key}' left fixable diagnostics (more passes reach the one-by-one result):\n--- FixAll\n{(await all.GetTextAsync().ConfigureAwait(false))}\n--- one by one\n{(await current.GetTextAsync().ConfigureAwait(false))}");
                return;
            }
        }

        if (oneByOne != together)
        {
            failures.Add($"FixAll '{key}' differs from fixing one by one:\n--- FixAll\n{(await all.GetTextAsync().ConfigureAwait(false))}\n--- one by one\n{(await current.GetTextAsync().ConfigureAwait(false))}");
        }
    }

    private static string Normalize(string text) => new(text.Where(c => !char.IsWhiteSpace(c)).ToArray());

    private sealed class Provider : FixAllContext.DiagnosticProvider
    {
        private readonly ImmutableArray<Diagnostic> _diagnostics;

        public Provider(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);
    }
}
