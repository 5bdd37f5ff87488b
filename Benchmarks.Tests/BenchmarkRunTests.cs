using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace FpuGuard.AnalyzerBenchmarks.Tests;

/// <summary>The benchmark in smoke mode: it runs every set, prints its tables, and its checks pass. No timing is asserted.</summary>
public class BenchmarkRunTests
{
    [Fact]
    public void The_smoke_run_measures_every_set_and_prints_the_tables()
    {
        var options = BenchmarkOptions.SmokeOptions;
        var report = BenchmarkRun.Execute(options, TextWriter.Null);
        var output = new StringWriter();
        ReportWriter.Write(report, options, output);
        var text = output.ToString();

        Assert.Empty(report.Problems);
        var setNames = new[] { "(compile, no analyzers)", FloorAnalyzer.Set.Name, AnalyzerSets.FpuGuard, AnalyzerSets.VsThreading, AnalyzerSets.IDisposable, AnalyzerSets.NetAnalyzers, AnalyzerSets.Ca2000Alone };
        foreach (var size in options.Sizes)
        {
            Assert.Equal(setNames, report.Rows.Where(r => r.Corpus == $"{size / 1000}k").Select(r => r.Set));
        }

        Assert.Equal(6, report.NoFpuRows.Count);
        Assert.All(report.NoFpuRows, r => Assert.Equal(0, r.DiagnosticsById.Values.Sum()));
        Assert.Equal(4, report.Ide.Count);
        Assert.Equal(new[] { AnalyzerSets.FpuGuard, FloorAnalyzer.Set.Name }, report.Ide.Select(i => i.Set).Distinct());
        Assert.All(report.Ide, i => Assert.True(i.AnalyzerP95Ms > 0 && i.CompilerP95Ms > 0));

        // The command-line builds ran the SDK's compiler with every set; FpuGuard's findings there are checked too.
        var largest = $"{options.Sizes.Max() / 1000}k";
        Assert.Equal(setNames.Where(n => n != FloorAnalyzer.Set.Name), report.Builds.Where(b => b.Corpus == largest).Select(b => b.Set));
        Assert.All(report.Builds.Where(b => b.Set != BuildBenchmark.Compile), b => Assert.NotNull(b.AnalyzerMs));
        Assert.Equal(
            report.Rows.Single(r => r.Corpus == largest && r.Set == AnalyzerSets.FpuGuard).DiagnosticsById.Where(p => p.Key.StartsWith("FPU", StringComparison.Ordinal)).OrderBy(p => p.Key),
            report.Builds.Single(b => b.Corpus == largest && b.Set == AnalyzerSets.FpuGuard).DiagnosticsById.Where(p => p.Key.StartsWith("FPU", StringComparison.Ordinal)).OrderBy(p => p.Key));
        Assert.Contains("| command-line build (csc) |", text);
        Assert.NotNull(report.FpuGuardExponent);
        Assert.Contains("| corpus | lines | set | wall ms |", text);
        Assert.Contains("| IDE: one document of the largest corpus |", text);
        Assert.Contains("FpuGuard reported exactly the seeded violations", text);
        Assert.All(report.Rows.Concat(report.NoFpuRows), row =>
            Assert.Contains($"| {row.Corpus} | {row.Lines.ToString("N0", CultureInfo.InvariantCulture)} | {row.Set} | ", text));
    }

    [Fact]
    public void Builds_only_runs_the_command_line_builds_and_prints_their_table_alone()
    {
        var options = BenchmarkOptions.SmokeOptions with { InProcess = false, Peers = new[] { "none" } };
        var report = BenchmarkRun.Execute(options, TextWriter.Null);
        var output = new StringWriter();
        ReportWriter.Write(report, options, output);

        Assert.Empty(report.Problems);
        Assert.Empty(report.Rows);
        Assert.Empty(report.Ide);
        Assert.Equal(4, report.Builds.Count);
        Assert.DoesNotContain("| corpus | lines | set | wall ms |", output.ToString());
        Assert.Contains("| command-line build (csc) |", output.ToString());
    }

    [Theory]
    [InlineData("--reps", "0", "must be positive")]
    [InlineData("--fpu-share", "2", "fraction")]
    [InlineData("--sizes", "10,x", "not an integer")]
    [InlineData("--bogus", "1", "unknown option --bogus")]
    [InlineData("--builds", "maybe", "not yes, no or only")]
    public void Bad_options_are_named(string name, string value, string message)
    {
        var problem = Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(new[] { name, value }));
        Assert.Contains(message, problem.Message);
    }

    [Fact]
    public void A_sets_options_become_the_builds_global_config()
    {
        var ca2000 = AnalyzerSets.All().Single(s => s.Name == AnalyzerSets.Ca2000Alone);

        Assert.Equal("is_global = true\ndotnet_analyzer_diagnostic.severity = none\ndotnet_diagnostic.CA2000.severity = warning\n", CommandLineBuild.GlobalConfig(ca2000));
        Assert.Equal("is_global = true\n", CommandLineBuild.GlobalConfig(AnalyzerSets.FpuGuardSet()));
        Assert.Single(AnalyzerSets.FpuGuardSet().Paths, p => p.EndsWith("FpuGuard.Analyzers.dll", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_compiler_is_named()
    {
        var empty = Directory.CreateTempSubdirectory("fpuguard-no-sdk-").FullName;
        try
        {
            var none = Assert.Throws<FileNotFoundException>(() => CommandLineBuild.FindCompiler(null, empty));
            Assert.Contains(Path.Combine(empty, "sdk"), none.Message);
            var named = Assert.Throws<FileNotFoundException>(() => CommandLineBuild.FindCompiler(Path.Combine(empty, "csc.dll"), empty));
            Assert.Contains("FPUGUARD_CSC names " + Path.Combine(empty, "csc.dll"), named.Message);

            // The newest SDK that has a compiler wins; a preview's suffix does not hide its version.
            foreach (var sdk in new[] { "9.0.100", "10.0.100-rc.1", "10.0.200" })
            {
                Directory.CreateDirectory(Path.Combine(empty, "sdk", sdk, "Roslyn", "bincore"));
            }

            File.WriteAllText(Path.Combine(empty, "sdk", "9.0.100", "Roslyn", "bincore", "csc.dll"), "");
            File.WriteAllText(Path.Combine(empty, "sdk", "10.0.100-rc.1", "Roslyn", "bincore", "csc.dll"), "");
            Assert.Equal(Path.Combine(empty, "sdk", "10.0.100-rc.1", "Roslyn", "bincore", "csc.dll"), CommandLineBuild.FindCompiler(null, empty));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void Options_parse_into_the_run()
    {
        var options = BenchmarkOptions.Parse(new[] { "--sizes", "1000,2000", "--reps", "5", "--peers", "none", "--fpu-share", "0.5" });

        Assert.Equal(new[] { 1000, 2000 }, options.Sizes);
        Assert.Equal(5, options.Repetitions);
        Assert.Equal(new[] { "none" }, options.Peers);
        Assert.Equal(0.5, options.FpuShare);
        Assert.True(options.Builds && options.InProcess);

        var buildsOnly = BenchmarkOptions.Parse(new[] { "--builds", "only" });
        Assert.True(buildsOnly.Builds);
        Assert.False(buildsOnly.InProcess);
        Assert.False(BenchmarkOptions.Parse(new[] { "--builds", "no" }).Builds);
    }

    [Fact]
    public void The_scaling_exponent_is_the_log_log_slope()
    {
        var points = new[] { 1_000.0, 2_000, 4_000, 8_000 }.Select(x => (x, 3 * Math.Pow(x, 1.5))).ToArray();

        Assert.Equal(1.5, Statistics.ScalingExponent(points)!.Value, precision: 6);
        Assert.Null(Statistics.ScalingExponent(new[] { (1000.0, 5.0) }));
        Assert.Equal(19, Statistics.Percentile(Enumerable.Range(1, 20).Select(i => (double)i), 95));
        Assert.Equal(10, Statistics.Median(Enumerable.Range(1, 20).Select(i => (double)i)));
    }
}

public class SeededCheckTests
{
    [Fact]
    public void Members_cut_short_are_counted_and_named_as_such()
    {
        var corpus = new FpuGuard.AnalyzerBenchmarks.Corpus.GeneratedCorpus(Array.Empty<FpuGuard.AnalyzerBenchmarks.Corpus.CorpusFile>(), new Dictionary<string, int> { ["FPU0001"] = 3 });
        var found = new Dictionary<string, int> { ["FPU0001"] = 3, ["FPU0007"] = 2 };

        var problems = FpuGuard.AnalyzerBenchmarks.SeededCheck.Compare("200k", corpus, found).ToArray();

        Assert.Equal(new[] { "200k: FpuGuard cut the analysis of 2 members short (FPU0007): their results are the conservative ones, and the timing covers less work" }, problems);
        Assert.Empty(FpuGuard.AnalyzerBenchmarks.SeededCheck.Compare("200k", corpus, new Dictionary<string, int> { ["FPU0001"] = 3 }));
    }
}
