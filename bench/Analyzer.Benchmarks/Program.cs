using System;

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

        var report = BenchmarkRun.Execute(options, Console.Error);
        ReportWriter.Write(report, options, Console.Out);
        return report.Problems.Count == 0 ? 0 : 1;
    }
}
