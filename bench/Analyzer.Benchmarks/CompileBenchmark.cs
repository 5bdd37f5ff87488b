using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FpuGuard.AnalyzerBenchmarks.Corpus;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>Medians over the repetitions of one analyzer set (or of the plain compile, <see cref="Set"/> null) on one corpus.</summary>
public sealed record SetMeasurement(
    string Corpus,
    int Lines,
    string Set,
    double CompileMs,
    double WallMs,
    double CpuMs,
    double FloorMs,
    double AnalyzerMs,
    ImmutableDictionary<string, double> AnalyzerMsByAnalyzer,
    double PeakHeapMb,
    double AllocatedMb,
    ImmutableDictionary<string, int> DiagnosticsById,
    int CompilerErrors,
    ImmutableArray<string> AnalyzerExceptions)
{
    /// <summary>Whole run minus the compile: what the set adds, operation trees it asked for included.</summary>
    public double ExtraWallMs => WallMs - CompileMs;

    /// <summary>Whole run minus the harness floor (<see cref="FloorAnalyzer"/>).</summary>
    public double ExtraOverFloorMs => WallMs - FloorMs;

    public double AnalyzerMsPer1kLines => AnalyzerMs * 1000 / Lines;
}

/// <summary>
/// Compiles one corpus without analyzers, with the harness floor and with each set, interleaved repetition by
/// repetition so drift on the machine touches every set alike, and keeps the medians.
/// </summary>
public static class CompileBenchmark
{
    public static IReadOnlyList<SetMeasurement> Run(string corpusName, GeneratedCorpus corpus, IReadOnlyList<AnalyzerSet> sets, int repetitions, bool? withRuntime = null)
    {
        var compiler = new CorpusCompiler(corpus, withRuntime ?? corpus.UsesRuntime);
        var compileRuns = new List<RunResult>();
        var floorRuns = new List<RunResult>();
        var setRuns = sets.ToDictionary(s => s, _ => new List<RunResult>());
        for (var rep = 0; rep < repetitions; rep++)
        {
            compileRuns.Add(compiler.Compile());
            floorRuns.Add(compiler.CompileWith(FloorAnalyzer.Set));
            foreach (var set in sets)
            {
                setRuns[set].Add(compiler.CompileWith(set));
            }
        }

        var compileMs = Statistics.Median(compileRuns.Select(r => r.WallMs));
        var floorMs = Statistics.Median(floorRuns.Select(r => r.WallMs));
        var rows = new List<SetMeasurement>
        {
            Summarize(corpusName, corpus, "(compile, no analyzers)", compileRuns, compileMs, floorMs, null),
            Summarize(corpusName, corpus, FloorAnalyzer.Set.Name, floorRuns, compileMs, floorMs, null),
        };
        rows.AddRange(sets.Select(s => Summarize(corpusName, corpus, s.Name, setRuns[s], compileMs, floorMs, s)));
        return rows;
    }

    private static SetMeasurement Summarize(string corpusName, GeneratedCorpus corpus, string name, List<RunResult> runs, double compileMs, double floorMs, AnalyzerSet? set)
    {
        var byAnalyzer = set is null
            ? ImmutableDictionary<string, double>.Empty
            : set.Analyzers.Select(a => a.GetType().Name).Distinct().ToImmutableDictionary(
                n => n,
                n => Statistics.Median(runs.Select(r => r.AnalyzerMsByAnalyzer.GetValueOrDefault(n))));
        return new SetMeasurement(
            corpusName,
            corpus.Lines,
            name,
            compileMs,
            Statistics.Median(runs.Select(r => r.WallMs)),
            Statistics.Median(runs.Select(r => r.CpuMs)),
            floorMs,
            Statistics.Median(runs.Select(r => r.AnalyzerMs)),
            byAnalyzer,
            runs.Max(r => r.PeakHeapBytes) / 1048576.0,
            Statistics.Median(runs.Select(r => (double)r.AllocatedBytes)) / 1048576.0,
            runs[^1].DiagnosticsById,
            runs.Max(r => r.CompilerErrors),
            runs.SelectMany(r => r.AnalyzerExceptions).Distinct().ToImmutableArray());
    }
}
