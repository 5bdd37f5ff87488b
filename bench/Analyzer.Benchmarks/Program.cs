using System;
using System.IO;

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
}
