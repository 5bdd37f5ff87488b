using System;
using System.IO;
using System.Linq;
using FpuGuard.AnalyzerBenchmarks.Corpus;

namespace FpuGuard.AnalyzerBenchmarks.Tests;

/// <summary>The side-by-side comparison with another build, run here against a second copy of this one. No timing is asserted.</summary>
public class CompareBenchmarkTests
{
    [Fact]
    public void Another_build_runs_beside_this_one_in_both_modes_and_the_table_prints()
    {
        var thisBuild = AnalyzerSets.FpuGuardSet();
        var folder = Path.GetDirectoryName(thisBuild.Paths.Single())!;
        var otherBuild = AnalyzerSets.FpuGuardFrom(folder);
        Assert.NotSame(thisBuild.Analyzers[0].GetType().Assembly, otherBuild.Analyzers[0].GetType().Assembly);
        Assert.Equal(thisBuild.Analyzers.Select(a => a.GetType().FullName), otherBuild.Analyzers.Select(a => a.GetType().FullName));

        var corpus = CorpusGenerator.Generate(2_000, 0.2, 20261125);
        var comparisons = CompareBenchmark.Run(corpus, thisBuild, otherBuild, repetitions: 1, TextWriter.Null);

        Assert.Equal(new[] { CompareBenchmark.Concurrent, CompareBenchmark.OneThread }, comparisons.Select(c => c.Mode));
        Assert.All(comparisons, c =>
        {
            Assert.Single(c.ThisBuildMs);
            Assert.Single(c.OtherBuildMs);
            Assert.Contains("FPU0001", c.ThisDiagnostics);
            Assert.Equal(c.ThisDiagnostics, c.OtherDiagnostics);
        });
        var output = new StringWriter();
        CompareBenchmark.Write(comparisons, "2k lines", folder, output);
        Assert.Contains("| mode | this build: own ms, median (runs) |", output.ToString());
        Assert.Contains($"| {CompareBenchmark.OneThread} | ", output.ToString());
    }

    [Fact]
    public void A_folder_without_the_analyzers_is_named()
    {
        var empty = Directory.CreateTempSubdirectory("fpuguard-compare-").FullName;
        try
        {
            var missing = Assert.Throws<FileNotFoundException>(() => AnalyzerSets.FpuGuardFrom(empty));
            Assert.Contains(empty, missing.Message);
            Assert.Contains("FpuGuard.Analyzers.dll", missing.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }

        var problem = Assert.Throws<ArgumentException>(() => BenchmarkOptions.Parse(new[] { "--compare", Path.Combine(empty, "gone") }));
        Assert.Contains("does not exist", problem.Message);
    }
}
