using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FpuGuard.AnalyzerBenchmarks.Corpus;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>Medians over the repetitions of one command-line build: the plain compile (<see cref="Set"/> "(compile, no analyzers)") or with a set.</summary>
public sealed record BuildMeasurement(
    string Corpus,
    int Lines,
    string Set,
    double CompileMs,
    double WallMs,
    double? AnalyzerMs,
    ImmutableDictionary<string, int> DiagnosticsById)
{
    /// <summary>The build with the set minus the build without it: what a user's build pays.</summary>
    public double ExtraWallMs => WallMs - CompileMs;
}

/// <summary>
/// Command-line builds of one corpus (<see cref="CommandLineBuild"/>): without analyzers and with each set,
/// interleaved repetition by repetition, after one untimed build of each that warms the compiler server (as a
/// developer's server is warm after the first build) and the disk cache.
/// </summary>
public static class BuildBenchmark
{
    public const string Compile = "(compile, no analyzers)";

    public static IReadOnlyList<BuildMeasurement> Run(
        string corpusName, GeneratedCorpus corpus, IReadOnlyList<AnalyzerSet> sets, int repetitions, bool withRuntime, string compiler, List<string> problems)
    {
        using var build = new CommandLineBuild(corpus, withRuntime, compiler);
        var buildable = sets.Where(s => !s.Paths.IsEmpty).ToList();
        build.Build(null);
        foreach (var set in buildable)
        {
            build.Build(set);
        }

        var plain = new List<BuildResult>();
        var withSet = buildable.ToDictionary(s => s, _ => new List<BuildResult>());
        for (var rep = 0; rep < repetitions; rep++)
        {
            plain.Add(build.Build(null));
            foreach (var set in buildable)
            {
                withSet[set].Add(build.Build(set));
            }
        }

        foreach (var result in plain.Concat(withSet.Values.SelectMany(r => r)))
        {
            problems.AddRange(result.Problems.Select(p => $"{corpusName}, command-line build: {p}"));
            if (result.Errors > 0)
            {
                problems.Add($"{corpusName}, command-line build: {result.Errors} compile errors");
            }
        }

        var compileMs = Statistics.Median(plain.Select(r => r.WallMs));
        var rows = new List<BuildMeasurement> { new(corpusName, corpus.Lines, Compile, compileMs, compileMs, null, plain[^1].DiagnosticsById) };
        foreach (var set in buildable)
        {
            var runs = withSet[set];
            var seconds = runs.Where(r => r.AnalyzerSeconds.HasValue).Select(r => r.AnalyzerSeconds!.Value * 1000).ToList();
            var row = new BuildMeasurement(corpusName, corpus.Lines, set.Name, compileMs, Statistics.Median(runs.Select(r => r.WallMs)),
                seconds.Count > 0 ? Statistics.Median(seconds) : null, runs[^1].DiagnosticsById);
            rows.Add(row);
            if (set.Name == AnalyzerSets.FpuGuard)
            {
                problems.AddRange(SeededCheck.Compare($"{corpusName}, command-line build", corpus, row.DiagnosticsById));
            }
        }

        return rows;
    }
}
