using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>The report as Markdown tables, ready for docs/performance.md.</summary>
public static class ReportWriter
{
    public static void Write(BenchmarkReport report, BenchmarkOptions options, TextWriter output)
    {
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
            $"Roslyn {typeof(Microsoft.CodeAnalysis.Compilation).Assembly.GetName().Version}; medians of {options.Repetitions} run(s); seed {options.Seed}.");
        output.WriteLine();
        if (report.Rows.Count + report.NoFpuRows.Count > 0)
        {
            WriteInProcess(report, output);
        }

        if (report.Builds.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("| command-line build (csc) | lines | set | wall ms | extra wall ms (× compile) | analyzer ms reported by csc (× compile) | diagnostics |");
            output.WriteLine("|---|---:|---|---:|---:|---:|---|");
            foreach (var build in report.Builds)
            {
                var isSet = build.Set != BuildBenchmark.Compile;
                output.WriteLine(string.Join(" | ", new[]
                {
                    "| " + build.Corpus,
                    build.Lines.ToString("N0", CultureInfo.InvariantCulture),
                    build.Set,
                    F0(build.WallMs),
                    isSet ? $"{F0(build.ExtraWallMs)} ({Ratio(build.ExtraWallMs, build.CompileMs)})" : "—",
                    build.AnalyzerMs is { } ms ? $"{F0(ms)} ({Ratio(ms, build.CompileMs)})" : "—",
                    Diagnostics(build.DiagnosticsById) + " |",
                }));
            }
        }

        if (report.Ide.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("| IDE: one document of the largest corpus | set | documents | analyzers p50 ms | analyzers p95 ms | compiler p50 ms | compiler p95 ms | p95 ratio | p95 over the floor's |");
            output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var ide in report.Ide)
            {
                var floor = report.Ide.FirstOrDefault(f => f.Set == FloorAnalyzer.Set.Name && f.Documents == ide.Documents);
                var overFloor = floor is null || ide.Set == floor.Set ? "—" : (ide.AnalyzerP95Ms / floor.AnalyzerP95Ms).ToString("F2", CultureInfo.InvariantCulture);
                output.WriteLine($"| {ide.Documents} | {ide.Set} | {ide.Count} | {ide.AnalyzerP50Ms:F1} | {ide.AnalyzerP95Ms:F1} | {ide.CompilerP50Ms:F1} | {ide.CompilerP95Ms:F1} | {ide.P95Ratio:F2} | {overFloor} |");
            }
        }

        output.WriteLine();
        output.WriteLine(report.Problems.Count == 0
            ? "Checks: every corpus compiled without errors, no analyzer threw, and FpuGuard reported exactly the seeded violations."
            : "Checks FAILED:\n" + string.Join("\n", report.Problems.Select(p => "- " + p)));
    }

    private static void WriteInProcess(BenchmarkReport report, TextWriter output)
    {
        output.WriteLine("| corpus | lines | set | wall ms | CPU ms | extra wall ms (× compile) | over floor ms (× compile) | analyzer ms (× compile) | analyzer ms / 1k lines | peak heap MB | allocated MB | diagnostics |");
        output.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var row in report.Rows.Concat(report.NoFpuRows))
        {
            var isSet = row.AnalyzerMsByAnalyzer.Count > 0;
            output.WriteLine(string.Join(" | ", new[]
            {
                "| " + row.Corpus,
                row.Lines.ToString("N0", CultureInfo.InvariantCulture),
                row.Set,
                F0(row.WallMs),
                F0(row.CpuMs),
                row.Set.StartsWith("(compile", StringComparison.Ordinal) ? "—" : $"{F0(row.ExtraWallMs)} ({Ratio(row.ExtraWallMs, row.CompileMs)})",
                isSet ? $"{F0(row.ExtraOverFloorMs)} ({Ratio(row.ExtraOverFloorMs, row.CompileMs)})" : "—",
                isSet ? $"{F0(row.AnalyzerMs)} ({Ratio(row.AnalyzerMs, row.CompileMs)})" : "—",
                isSet ? row.AnalyzerMsPer1kLines.ToString("F1", CultureInfo.InvariantCulture) : "—",
                row.PeakHeapMb.ToString("F0", CultureInfo.InvariantCulture),
                row.AllocatedMb.ToString("F0", CultureInfo.InvariantCulture),
                Diagnostics(row.DiagnosticsById) + " |",
            }));
        }

        output.WriteLine();
        output.WriteLine("FpuGuard's own time by analyzer (ms):");
        output.WriteLine();
        foreach (var row in report.Rows.Concat(report.NoFpuRows).Where(r => r.Set == AnalyzerSets.FpuGuard))
        {
            output.WriteLine($"- {row.Corpus}: {string.Join(", ", row.AnalyzerMsByAnalyzer.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {F0(p.Value)}"))}");
        }

        output.WriteLine();
        output.WriteLine($"FpuGuard scaling exponent (log-log slope over the sizes): own time {Exponent(report.FpuGuardExponent)}, extra wall over the floor {Exponent(report.FpuGuardExtraExponent)}.");
        output.WriteLine($"Peak working set of the benchmark process: {report.PeakWorkingSetBytes / 1048576.0:F0} MB.");
    }

    private static string F0(double value) => value.ToString("F0", CultureInfo.InvariantCulture);

    private static string Ratio(double value, double of) => (value / of).ToString("F2", CultureInfo.InvariantCulture);

    private static string Exponent(double? value) => value?.ToString("F2", CultureInfo.InvariantCulture) ?? "n/a";

    private static string Diagnostics(IReadOnlyDictionary<string, int> byId)
    {
        var total = byId.Values.Sum();
        if (total == 0)
        {
            return "0";
        }

        var top = byId.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(3).Select(p => $"{p.Key} {p.Value}");
        return $"{total} ({string.Join(", ", top)}{(byId.Count > 3 ? ", …" : "")})";
    }
}
