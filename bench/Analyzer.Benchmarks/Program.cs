using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Analyzer.Benchmarks</c>: FpuGuard against peer analyzer sets on a
/// seeded corpus of 25k to 200k lines, then IDE latency (docs/performance.md). <c>-- --smoke</c> runs a tiny
/// version: does it run, does it print the tables, did FpuGuard find what was seeded.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException problem)
        {
            Console.Error.WriteLine(problem.Message);
            return 2;
        }

        if (options.CompareWith is { } other)
        {
            return Compare(options, other);
        }

        BenchmarkReport report;
        try
        {
            report = BenchmarkRun.Execute(options, Console.Error);
        }
        catch (IOException missing) when (missing is FileNotFoundException or DirectoryNotFoundException)
        {
            // A peer package not restored, or no SDK compiler for the builds: the message names what and where.
            Console.Error.WriteLine(missing.Message);
            return 2;
        }

        ReportWriter.Write(report, options, Console.Out);
        return report.Problems.Count == 0 ? 0 : 1;
    }

    // Only the side-by-side comparison, on the largest size.
    private static int Compare(BenchmarkOptions options, string other)
    {
        AnalyzerSet otherBuild;
        try
        {
            otherBuild = AnalyzerSets.FpuGuardFrom(other);
        }
        catch (FileNotFoundException missing)
        {
            Console.Error.WriteLine(missing.Message);
            return 2;
        }

        var size = options.Sizes.Max();
        var corpus = Corpus.CorpusGenerator.Generate(size, options.FpuShare, options.Seed);
        Console.Error.WriteLine($"comparing with {otherBuild.Name} on {corpus.Lines:N0} lines, {options.Repetitions} pair(s) a mode after one warm-up pair");
        IReadOnlyList<Comparison> comparisons;
        try
        {
            comparisons = CompareBenchmark.Run(corpus, AnalyzerSets.FpuGuardSet(), otherBuild, options.Repetitions, Console.Error);
        }
        catch (InvalidOperationException threw)
        {
            Console.Error.WriteLine(threw.Message);
            return 1;
        }

        CompareBenchmark.Write(comparisons, $"{corpus.Lines:N0} lines", other, Console.Out);
        return 0;
    }
}
