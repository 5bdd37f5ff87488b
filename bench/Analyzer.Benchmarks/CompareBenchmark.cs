using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using FpuGuard.AnalyzerBenchmarks.Corpus;
using Microsoft.CodeAnalysis;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>One way of running the analyzers, with each build's own times over the interleaved runs.</summary>
public sealed record Comparison(string Mode, IReadOnlyList<double> ThisBuildMs, IReadOnlyList<double> OtherBuildMs, string ThisDiagnostics, string OtherDiagnostics)
{
    public double ThisMedian => Statistics.Median(ThisBuildMs);

    public double OtherMedian => Statistics.Median(OtherBuildMs);

    /// <summary>In how many of the pairs this build's own time was the lower.</summary>
    public int ThisLower => ThisBuildMs.Zip(OtherBuildMs, (a, b) => a < b ? 1 : 0).Sum();
}

/// <summary>
/// This build of FpuGuard against another one (the folder of its FpuGuard.Analyzers.dll, say an earlier commit's
/// Release output), in one process, on one corpus: the runs are interleaved and their order alternated, so both
/// builds see the same machine. Runs minutes apart on this kind of VM differ by more than most changes do; only
/// side by side does a change of 10–20% in the analyzers' own time show. Two modes: the benchmark's (analyzers and
/// compile concurrent, as in a build) and one thread (no lock contention or preemption by the analyzers' own
/// threads: closer to the work itself).
/// </summary>
public static class CompareBenchmark
{
    public const string Concurrent = "concurrent (the benchmark's)";
    public const string OneThread = "one thread";

    public static IReadOnlyList<Comparison> Run(GeneratedCorpus corpus, AnalyzerSet thisBuild, AnalyzerSet otherBuild, int repetitions, TextWriter log)
    {
        var compiler = new CorpusCompiler(corpus, withRuntime: true);
        var comparisons = new List<Comparison>();
        foreach (var concurrent in new[] { true, false })
        {
            var mode = concurrent ? Concurrent : OneThread;
            var these = new List<double>();
            var others = new List<double>();
            string thisDiagnostics = "", otherDiagnostics = "";

            // The first pair warms both builds' code up (each is compiled by the JIT on its own) and is not kept.
            for (var repetition = 0; repetition <= repetitions; repetition++)
            {
                var order = repetition % 2 == 0 ? new[] { thisBuild, otherBuild } : new[] { otherBuild, thisBuild };
                foreach (var set in order)
                {
                    var (ownMs, diagnostics) = OwnTime(compiler, set, concurrent);
                    log.WriteLine($"  {mode}, run {repetition}: {set.Name} {ownMs:F0} ms");
                    if (repetition == 0)
                    {
                        continue;
                    }

                    (set == thisBuild ? these : others).Add(ownMs);
                    if (set == thisBuild)
                    {
                        thisDiagnostics = diagnostics;
                    }
                    else
                    {
                        otherDiagnostics = diagnostics;
                    }
                }
            }

            comparisons.Add(new Comparison(mode, these, others, thisDiagnostics, otherDiagnostics));
        }

        return comparisons;
    }

    /// <summary>The set's own execution time on a fresh compilation, and its diagnostics by ID.</summary>
    private static (double OwnMs, string Diagnostics) OwnTime(CorpusCompiler compiler, AnalyzerSet set, bool concurrent)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var compilation = compiler.CreateCompilation(compiler.Parse(), set.Options);
        compilation = compilation.WithOptions(compilation.Options.WithConcurrentBuild(concurrent));
        var (msByAnalyzer, byId, exceptions) = CorpusCompiler.RunAnalyzers(compilation, set, concurrent);
        if (!exceptions.IsEmpty)
        {
            // A build that throws would be timed on less work than it should do: no comparison.
            throw new InvalidOperationException($"{set.Name} threw: {string.Join("; ", exceptions)}");
        }

        return (msByAnalyzer.Values.Sum(), string.Join(", ", byId.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
    }

    /// <summary>The comparison as a Markdown table.</summary>
    public static void Write(IReadOnlyList<Comparison> comparisons, string corpus, string otherBuild, TextWriter output)
    {
        output.WriteLine($"This build of FpuGuard against {otherBuild}, {corpus}, runs interleaved:");
        output.WriteLine();
        output.WriteLine("| mode | this build: own ms, median (runs) | other build: own ms, median (runs) | this / other | pairs where this build was lower | diagnostics, this build | diagnostics, other build |");
        output.WriteLine("|---|---:|---:|---:|---:|---|---|");
        foreach (var c in comparisons)
        {
            output.WriteLine(string.Join(" | ", new[]
            {
                "| " + c.Mode,
                $"{F0(c.ThisMedian)} ({string.Join(", ", c.ThisBuildMs.Select(F0))})",
                $"{F0(c.OtherMedian)} ({string.Join(", ", c.OtherBuildMs.Select(F0))})",
                (c.ThisMedian / c.OtherMedian).ToString("F2", CultureInfo.InvariantCulture),
                $"{c.ThisLower} of {c.ThisBuildMs.Count}",
                c.ThisDiagnostics,
                c.OtherDiagnostics + " |",
            }));
        }
    }

    private static string F0(double value) => value.ToString("F0", CultureInfo.InvariantCulture);
}
