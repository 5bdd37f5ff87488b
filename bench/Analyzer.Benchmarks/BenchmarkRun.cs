using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using FpuGuard.AnalyzerBenchmarks.Corpus;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>Everything one run measured, and the seeded corpus's check.</summary>
public sealed record BenchmarkReport(
    IReadOnlyList<SetMeasurement> Rows,
    IReadOnlyList<SetMeasurement> NoFpuRows,
    IReadOnlyList<IdeLatency> Ide,
    IReadOnlyList<BuildMeasurement> Builds,
    double? FpuGuardExponent,
    double? FpuGuardExtraExponent,
    IReadOnlyList<string> Problems,
    long PeakWorkingSetBytes);

/// <summary>The whole benchmark: every size with every set, the corpus without FPU code, then IDE latency at the largest size.</summary>
public static class BenchmarkRun
{
    public static BenchmarkReport Execute(BenchmarkOptions options, TextWriter log)
    {
        var fpuGuard = AnalyzerSets.FpuGuardSet();
        var sets = new List<AnalyzerSet> { fpuGuard };
        if (!options.Peers.Contains("none"))
        {
            sets.AddRange(AnalyzerSets.All().Skip(1).Where(s => options.Peers.Count == 0 || options.Peers.Any(p => s.Name.Contains(p, StringComparison.OrdinalIgnoreCase))));
        }

        log.WriteLine($"sets: {string.Join("; ", sets.Select(s => $"{s.Name} ({s.Analyzers.Length} analyzers)"))}");
        if (options.InProcess && options.WarmupLines > 0)
        {
            // Twice: the JIT tiers the compiler's hot paths up during the first round.
            log.WriteLine($"warm-up on {options.WarmupLines:N0} lines");
            CompileBenchmark.Run("warm-up", CorpusGenerator.Generate(options.WarmupLines, options.FpuShare, options.Seed + 1), sets, repetitions: 2);
        }

        var problems = new List<string>();
        var rows = new List<SetMeasurement>();
        GeneratedCorpus? largest = null;
        foreach (var size in options.InProcess ? options.Sizes.OrderBy(s => s).ToArray() : new[] { options.Sizes.Max() })
        {
            var corpus = CorpusGenerator.Generate(size, options.FpuShare, options.Seed);
            largest = corpus;
            log.WriteLine($"corpus {size:N0}: {corpus.Files.Count} files, {corpus.Lines:N0} lines, {corpus.FpuLines:N0} FPU-domain; seeded {Seeded(corpus)}");
            if (!options.InProcess)
            {
                continue;
            }

            var measured = CompileBenchmark.Run($"{size / 1000}k", corpus, sets, options.Repetitions);
            rows.AddRange(measured);
            problems.AddRange(Check(corpus, measured));
            foreach (var row in measured)
            {
                log.WriteLine($"  {row.Set}: {row.WallMs:F0} ms wall, {row.AnalyzerMs:F0} ms analyzers");
            }
        }

        var noFpuRows = new List<SetMeasurement>();
        var noFpuSize = options.Sizes.Max();
        var noFpu = CorpusGenerator.Generate(noFpuSize, fpuShare: 0, options.Seed);
        foreach (var withRuntime in options.InProcess ? new[] { false, true } : Array.Empty<bool>())
        {
            var name = withRuntime ? $"{noFpuSize / 1000}k, no FPU code, Runtime referenced" : $"{noFpuSize / 1000}k, no FPU code";
            log.WriteLine($"corpus {name}");
            var measured = CompileBenchmark.Run(name, noFpu, new[] { fpuGuard }, options.Repetitions, withRuntime);
            noFpuRows.AddRange(measured);
            problems.AddRange(Check(noFpu, measured));
        }

        var builds = new List<BuildMeasurement>();
        if (options.Builds && largest is not null)
        {
            // The command-line build: the largest corpus with every set, and the one without FPU code that
            // references the Runtime (the case where FpuGuard's analyzers are on but have nothing to find).
            var compiler = CommandLineBuild.FindCompiler();
            log.WriteLine($"command-line builds with {compiler}");
            builds.AddRange(BuildBenchmark.Run($"{noFpuSize / 1000}k", largest, sets, options.Repetitions, withRuntime: true, compiler, problems));
            builds.AddRange(BuildBenchmark.Run($"{noFpuSize / 1000}k, no FPU code, Runtime referenced", noFpu, new[] { fpuGuard }, options.Repetitions, withRuntime: true, compiler, problems));
            foreach (var row in builds)
            {
                log.WriteLine($"  {row.Corpus}, {row.Set}: {row.WallMs:F0} ms wall");
            }
        }

        var ide = new List<IdeLatency>();
        if (options.InProcess && options.IdeDocuments > 0 && largest is not null)
        {
            var compiler = new CorpusCompiler(largest, largest.UsesRuntime);
            log.WriteLine($"IDE latency on {largest.Lines:N0} lines");
            var groups = new[]
            {
                ("evenly spread", IdeLatencyBenchmark.Spread(largest, options.IdeDocuments, _ => true)),
                ("FPU-domain only", IdeLatencyBenchmark.Spread(largest, options.IdeDocuments, f => f.IsFpuDomain)),
            };
            foreach (var set in new[] { fpuGuard, FloorAnalyzer.Set })
            {
                foreach (var (name, documents) in groups)
                {
                    ide.Add(IdeLatencyBenchmark.Run(name, compiler, documents, set, options.IdePasses));
                }
            }
        }

        var fpuRows = rows.Where(r => r.Set == AnalyzerSets.FpuGuard).ToArray();
        return new BenchmarkReport(
            rows,
            noFpuRows,
            ide,
            builds,
            Statistics.ScalingExponent(fpuRows.Select(r => ((double)r.Lines, r.AnalyzerMs)).ToArray()),
            Statistics.ScalingExponent(fpuRows.Select(r => ((double)r.Lines, r.ExtraOverFloorMs)).ToArray()),
            problems,
            Process.GetCurrentProcess().PeakWorkingSet64);
    }

    private static string Seeded(GeneratedCorpus corpus) =>
        corpus.SeededViolations.Count == 0 ? "nothing" : string.Join(", ", corpus.SeededViolations.OrderBy(p => p.Key).Select(p => $"{p.Value} {p.Key}"));

    /// <summary>The corpus must compile, no analyzer may throw, and FpuGuard must find exactly what was seeded.</summary>
    private static IEnumerable<string> Check(GeneratedCorpus corpus, IEnumerable<SetMeasurement> measured)
    {
        foreach (var row in measured)
        {
            if (row.CompilerErrors > 0)
            {
                yield return $"{row.Corpus}: the corpus has {row.CompilerErrors} compile errors";
            }

            foreach (var exception in row.AnalyzerExceptions)
            {
                yield return $"{row.Corpus}, {row.Set}: analyzer exception {exception}";
            }

            if (row.Set == AnalyzerSets.FpuGuard)
            {
                foreach (var problem in SeededCheck.Compare(row.Corpus, corpus, row.DiagnosticsById))
                {
                    yield return problem;
                }
            }
        }
    }
}

/// <summary>FpuGuard must report exactly the violations the generator planted, rule by rule.</summary>
public static class SeededCheck
{
    public static IEnumerable<string> Compare(string label, GeneratedCorpus corpus, IReadOnlyDictionary<string, int> diagnosticsById)
    {
        var found = diagnosticsById.Where(p => p.Key.StartsWith("FPU", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);
        var ids = found.Keys.Union(corpus.SeededViolations.Keys).OrderBy(k => k, StringComparer.Ordinal);
        foreach (var id in ids.Where(id => found.GetValueOrDefault(id) != corpus.SeededViolations.GetValueOrDefault(id)))
        {
            yield return id == FpuGuard.Analyzers.RuleIdentifiers.AnalysisCutShort
                ? $"{label}: FpuGuard cut the analysis of {found[id]} members short ({id}): their results are the conservative ones, and the timing covers less work"
                : $"{label}: FpuGuard reported {found.GetValueOrDefault(id)} {id}, the corpus has {corpus.SeededViolations.GetValueOrDefault(id)} seeded";
        }
    }
}
