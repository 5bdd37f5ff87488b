using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using FpuGuard.Robustness;

namespace FpuGuard.Robustness.Runner;

/// <summary>
/// Full robustness runs: <c>fpuguard-robustness [--typing N|all] [--programs N] [--fuzz N] [--seed S]</c>, and for
/// looking into the oracle comparison <c>[--no-corpus] [--no-fixes] [--show-fp N] [--fp-rule FPU000x] [--show-fn N] [--show-fail N] [--show-fixall N] [--show-moved N]</c>. Prints what it ran and every
/// failure; exits 1 when anything failed.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (Option(args, "--analyze", "") is { Length: > 0 } file)
        {
            // One file's FPU diagnostics, by line: for writing up a mismatch as a standalone repro.
            var harness = new AnalyzerHarness();
            var failures = new System.Collections.Generic.List<string>();
            var document = harness.WithText(await System.IO.File.ReadAllTextAsync(file));
            var errors = (await document.Project.GetCompilationAsync())!.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            foreach (var diagnostic in errors.Concat(await harness.AnalyzeAsync(document, failures)).OrderBy(d => d.Location.SourceSpan.Start))
            {
                Console.WriteLine($"{diagnostic.Id} line {diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            failures.ForEach(f => Console.WriteLine("FAIL " + f));
            if (args.Contains("--check-fixes"))
            {
                // Every fix offered, and FixAll against one by one, as on the random programs.
                var incomplete = new System.Collections.Generic.List<string>();
                var moved = new System.Collections.Generic.List<string>();
                var fixes = await FixValidity.CheckAsync(harness, document, await harness.AnalyzeAsync(document, failures), failures, incomplete, moved);
                Console.WriteLine($"{fixes} fixes checked, {failures.Count} failures, {incomplete.Count} FixAll results one pass short, {moved.Count} fixes that moved the warning elsewhere");
                failures.ForEach(f => Console.WriteLine("FAIL " + f));
                incomplete.ForEach(f => Console.WriteLine("FIXALL ONE PASS SHORT " + f));
                moved.ForEach(f => Console.WriteLine("FIX MOVED THE WARNING " + f));
            }

            return 0;
        }

        if (Option(args, "--print-program", "") is { Length: > 0 } index)
        {
            // The source of the random program --seed S + I, as the oracle comparison generates it (for writing up a mismatch).
            var i = int.Parse(index);
            Console.Write(RandomProgram.Generate(new Random(unchecked(int.Parse(Option(args, "--seed", "1")) + i)), allowLoops: i % 2 == 1).ToSource());
            return 0;
        }

        var typing = Option(args, "--typing", "all");
        var seed = int.Parse(Option(args, "--seed", "1"));
        var fuzz = int.Parse(Option(args, "--fuzz", "100000"));
        var programs = int.Parse(Option(args, "--programs", "10000"));
        var failed = false;
        if (typing != "0")
        {
            var clock = Stopwatch.StartNew();
            var sample = typing == "all" ? (int?)null : int.Parse(typing);
            var report = await TypingSimulation.RunAsync(Corpus.Load(), sample, seed, Console.WriteLine);
            Console.WriteLine($"typing simulation: {report} in {clock.Elapsed.TotalSeconds:F0} s");
            foreach (var failure in report.Failures.Take(20))
            {
                Console.WriteLine("  FAIL " + failure);
            }

            failed |= report.Failures.Count > 0;
        }

        if (programs > 0)
        {
            if (!args.Contains("--no-corpus"))
            {
                var corpus = await FixValidity.RunOnCorpusAsync(Corpus.Load());
                Console.WriteLine($"fix validity on tests and samples: {corpus.Cases} compiling sources, {corpus.FixesApplied} fixes checked, {corpus.Failures.Count} failures");
                foreach (var failure in corpus.Failures.Take(5))
                {
                    Console.WriteLine("  FAIL " + failure);
                }

                failed |= corpus.Failures.Count > 0;
            }

            var clock = Stopwatch.StartNew();
            var report = await OracleComparison.RunAsync(programs, seed, checkFixes: !args.Contains("--no-fixes"), Console.WriteLine);
            Console.WriteLine($"random programs against the oracle, in {clock.Elapsed.TotalSeconds:F0} s:");
            Console.WriteLine(report.Table());
            foreach (var extra in report.FalsePositives.Where(f => f.Contains(Option(args, "--fp-rule", "FPU0001"), StringComparison.Ordinal)).Take(int.Parse(Option(args, "--show-fp", "0"))))
            {
                Console.WriteLine("  EXTRA " + extra);
            }

            foreach (var missed in report.FalseNegatives.Take(int.Parse(Option(args, "--show-fn", "3"))))
            {
                Console.WriteLine("  MISSED " + missed);
            }

            foreach (var failure in report.Failures.Take(int.Parse(Option(args, "--show-fail", "5"))))
            {
                Console.WriteLine("  FAIL " + failure);
            }

            foreach (var incomplete in report.FixAllIncomplete.Take(int.Parse(Option(args, "--show-fixall", "1"))))
            {
                Console.WriteLine("  FIXALL ONE PASS SHORT " + incomplete);
            }

            foreach (var moved in report.FixMovedWarning.Take(int.Parse(Option(args, "--show-moved", "1"))))
            {
                Console.WriteLine("  FIX MOVED THE WARNING " + moved);
            }

            Console.WriteLine("FixAll one pass short, by fix: " + string.Join(", ", report.FixAllIncomplete.Select(f => System.Text.RegularExpressions.Regex.Match(f, "FixAll '([^']*)'").Groups[1].Value).GroupBy(k => k).Select(g => $"{g.Key} {g.Count()}")));

            failed |= report.Failures.Count > 0;
        }

        if (fuzz > 0)
        {
            var clock = Stopwatch.StartNew();
            var report = RuntimeFuzzer.Run(fuzz, seed);
            Console.WriteLine($"runtime fuzzing: {report} in {clock.Elapsed.TotalSeconds:F0} s");
            foreach (var failure in report.Failures.Take(20))
            {
                Console.WriteLine("  FAIL " + failure);
            }

            failed |= report.Failures.Count > 0;
        }

        return failed ? 1 : 0;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }
}
