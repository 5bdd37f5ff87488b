using System;
using System.Linq;
using FpuGuard.AnalyzerBenchmarks.Corpus;

namespace FpuGuard.AnalyzerBenchmarks.Tests;

/// <summary>The corpus compiles, and FpuGuard finds exactly the violations the generator planted: no more, no fewer.</summary>
public class CorpusCompilerTests
{
    [Fact]
    public void The_corpus_compiles_and_FpuGuard_reports_exactly_the_seeded_violations()
    {
        var corpus = CorpusGenerator.Generate(12_000, 0.2, seed: 3);
        var compiler = new CorpusCompiler(corpus, withRuntime: true);

        var plain = compiler.Compile();
        var set = AnalyzerSets.FpuGuardSet();
        var analyzed = compiler.CompileWith(set);

        Assert.Equal(0, plain.CompilerErrors);
        Assert.Empty(analyzed.AnalyzerExceptions);
        var found = analyzed.DiagnosticsById.Where(p => p.Key.StartsWith("FPU", StringComparison.Ordinal)).OrderBy(p => p.Key);
        Assert.Equal(corpus.SeededViolations.OrderBy(p => p.Key), found);
        Assert.True(corpus.SeededViolations.Values.Sum() >= 10, "too few seeded violations for the check to mean much");
        Assert.Contains(set.Analyzers, a => a.SupportedDiagnostics.Any(d => d.Id == "FPU0006")); // every analyzer of the package, FPU0006's included
        Assert.Equal(set.Analyzers.Length, analyzed.AnalyzerMsByAnalyzer.Count);
    }

    [Fact]
    public void A_corpus_with_fpu_code_cannot_be_compiled_without_the_runtime()
    {
        var corpus = CorpusGenerator.Generate(2_000, 0.2, seed: 3);

        var problem = Assert.Throws<ArgumentException>(() => new CorpusCompiler(corpus, withRuntime: false));
        Assert.Contains("FpuGuard.Runtime", problem.Message);
    }

    [Fact]
    public void Every_peer_set_loads_its_analyzers_from_the_restored_packages()
    {
        var sets = AnalyzerSets.All();

        Assert.Equal(new[] { AnalyzerSets.FpuGuard, AnalyzerSets.VsThreading, AnalyzerSets.IDisposable, AnalyzerSets.NetAnalyzers, AnalyzerSets.Ca2000Alone }, sets.Select(s => s.Name));
        Assert.All(sets, s => Assert.NotEmpty(s.Analyzers));
        Assert.Contains(sets.Single(s => s.Name == AnalyzerSets.Ca2000Alone).Analyzers, a => a.SupportedDiagnostics.Any(d => d.Id == "CA2000"));
        Assert.Contains(sets.Single(s => s.Name == AnalyzerSets.VsThreading).Analyzers, a => a.SupportedDiagnostics.Any(d => d.Id == "VSTHRD002"));
        Assert.Contains(sets.Single(s => s.Name == AnalyzerSets.IDisposable).Analyzers, a => a.SupportedDiagnostics.Any(d => d.Id == "IDISP001"));
    }
}
