using System;
using System.Collections.Generic;
using System.Linq;
using FpuGuard.AnalyzerBenchmarks.Corpus;

namespace FpuGuard.AnalyzerBenchmarks.Tests;

public class CorpusGeneratorTests
{
    [Fact]
    public void The_same_seed_gives_the_same_corpus_and_another_seed_another()
    {
        var first = CorpusGenerator.Generate(5_000, 0.2, seed: 7);
        var again = CorpusGenerator.Generate(5_000, 0.2, seed: 7);
        var other = CorpusGenerator.Generate(5_000, 0.2, seed: 8);

        Assert.Equal(first.Files.Select(f => f.Text), again.Files.Select(f => f.Text));
        Assert.Equal(first.SeededViolations, again.SeededViolations);
        Assert.NotEqual(first.Files.Select(f => f.Text), other.Files.Select(f => f.Text));
    }

    [Theory]
    [InlineData(3_000)]
    [InlineData(25_000)]
    public void The_corpus_reaches_its_size_with_a_fifth_of_it_fpu_domain(int lines)
    {
        var corpus = CorpusGenerator.Generate(lines, 0.2, seed: 1);

        Assert.InRange(corpus.Lines, lines, lines + 500);
        Assert.InRange(corpus.FpuLines / (double)corpus.Lines, 0.17, 0.23);
        Assert.Equal(corpus.Files.Count, corpus.Files.Select(f => f.Path).Distinct().Count());
    }

    [Fact]
    public void Larger_corpora_seed_every_rule_and_use_ordinary_constructs()
    {
        var corpus = CorpusGenerator.Generate(25_000, 0.2, seed: 1);
        var text = string.Concat(corpus.Files.Select(f => f.Text));

        Assert.All(new[] { "FPU0001", "FPU0002", "FPU0003" }, id => Assert.True(corpus.SeededViolations.GetValueOrDefault(id) > 0, id));
        Assert.All(new[] { "lock (", "await ", "finally", ".Where(", "=>", "using var", "record ", "switch" }, construct => Assert.Contains(construct, text));
        Assert.All(new[] { "FpregsLock()", "LockFpregs()", "[MaySleep]", "[EntersAtomicContext(", "[RequiresAtomicContext(", "Kernel.SwapFpState(" }, construct => Assert.Contains(construct, text));
    }

    [Fact]
    public void A_corpus_without_fpu_share_has_no_fpu_code()
    {
        var corpus = CorpusGenerator.Generate(4_000, 0, seed: 1);

        Assert.False(corpus.UsesRuntime);
        Assert.Empty(corpus.SeededViolations);
        Assert.DoesNotContain(corpus.Files, f => f.Text.Contains("FpuGuard.Runtime", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 0.2)]
    [InlineData(1000, 1.5)]
    public void Bad_arguments_are_named(int lines, double share)
    {
        var problem = Assert.Throws<ArgumentOutOfRangeException>(() => CorpusGenerator.Generate(lines, share, seed: 1));
        Assert.Contains(lines <= 0 ? "line" : "fraction", problem.Message);
    }
}
