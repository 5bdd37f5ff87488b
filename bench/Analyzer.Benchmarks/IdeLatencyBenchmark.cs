using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using FpuGuard.AnalyzerBenchmarks.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>One group of documents: per-document medians over the passes, then percentiles over the documents.</summary>
public sealed record IdeLatency(string Set, string Documents, int Count, double AnalyzerP50Ms, double AnalyzerP95Ms, double CompilerP50Ms, double CompilerP95Ms)
{
    /// <summary>The analyzers' p95 over the compiler's p95 for the same documents.</summary>
    public double P95Ratio => AnalyzerP95Ms / CompilerP95Ms;
}

/// <summary>
/// What the IDE pays when a document is opened or edited: the analyzers' semantic diagnostics for that one
/// document (<see cref="CompilationWithAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(SemanticModel, Microsoft.CodeAnalysis.Text.TextSpan?, CancellationToken)"/>,
/// one <see cref="CompilationWithAnalyzers"/> kept across the documents), beside the compiler's own semantic
/// diagnostics for it. Each pass starts from fresh compilations, so no document's result is cached.
/// </summary>
public static class IdeLatencyBenchmark
{
    public static IdeLatency Run(string name, CorpusCompiler compiler, IReadOnlyList<int> documents, AnalyzerSet set, int passes)
    {
        if (documents.Count == 0)
        {
            throw new ArgumentException("no documents to measure", nameof(documents));
        }

        var analyzerMs = documents.ToDictionary(d => d, _ => new List<double>());
        var compilerMs = documents.ToDictionary(d => d, _ => new List<double>());
        var trees = compiler.Parse();
        var warmupDocument = Enumerable.Range(0, trees.Length).Where(i => !documents.Contains(i)).DefaultIfEmpty(-1).First();
        if (warmupDocument < 0)
        {
            throw new ArgumentException($"every one of the corpus's {trees.Length} documents is measured: none is left to warm up on", nameof(documents));
        }

        for (var pass = 0; pass < passes; pass++)
        {
            var plain = compiler.CreateCompilation(trees, set.Options);
            var analyzed = compiler.CreateCompilation(trees, set.Options);
            var withAnalyzers = analyzed.WithAnalyzers(set.Analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false));

            // The IDE has the declarations and the analyzers' compilation-start work done before a document is asked for.
            CompilerDiagnostics(plain, trees[warmupDocument]);
            AnalyzerDiagnostics(withAnalyzers, analyzed, trees[warmupDocument]);
            foreach (var document in documents)
            {
                compilerMs[document].Add(Time(() => CompilerDiagnostics(plain, trees[document])));
                analyzerMs[document].Add(Time(() => AnalyzerDiagnostics(withAnalyzers, analyzed, trees[document])));
            }
        }

        var analyzer = documents.Select(d => Statistics.Median(analyzerMs[d])).ToArray();
        var compilerOwn = documents.Select(d => Statistics.Median(compilerMs[d])).ToArray();
        return new IdeLatency(
            set.Name,
            name,
            documents.Count,
            Statistics.Percentile(analyzer, 50),
            Statistics.Percentile(analyzer, 95),
            Statistics.Percentile(compilerOwn, 50),
            Statistics.Percentile(compilerOwn, 95));
    }

    /// <summary><paramref name="count"/> documents spread evenly over those <paramref name="include"/> accepts.</summary>
    public static IReadOnlyList<int> Spread(GeneratedCorpus corpus, int count, Func<CorpusFile, bool> include)
    {
        var candidates = Enumerable.Range(0, corpus.Files.Count).Where(i => include(corpus.Files[i])).ToArray();
        if (candidates.Length <= count)
        {
            return candidates;
        }

        return Enumerable.Range(0, count).Select(i => candidates[(int)((i + 0.5) * candidates.Length / count)]).Distinct().ToArray();
    }

    private static int CompilerDiagnostics(Compilation compilation, SyntaxTree tree) =>
        compilation.GetSemanticModel(tree).GetDiagnostics().Length;

    private static int AnalyzerDiagnostics(CompilationWithAnalyzers withAnalyzers, Compilation compilation, SyntaxTree tree) =>
        withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(compilation.GetSemanticModel(tree), null, CancellationToken.None).GetAwaiter().GetResult().Length;

    private static double Time(Func<int> action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }
}
