using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp;

namespace FpuGuard.Robustness;

/// <summary>What a robustness run saw.</summary>
public sealed class RunReport
{
    public int Cases { get; set; }

    public int Diagnostics { get; set; }

    public int FixesApplied { get; set; }

    public List<string> Failures { get; } = new();

    public override string ToString() => $"{Cases} cases, {Diagnostics} diagnostics, {FixesApplied} fixes applied, {Failures.Count} failures";
}

/// <summary>
/// Code as it is being typed: each source cut after every token, and with each single token deleted, run
/// through every analyzer and every fix they offer. Nothing may throw.
/// </summary>
public static class TypingSimulation
{
    /// <summary>All variants of a source: prefixes ending at each token, then single-token deletions.</summary>
    public static IEnumerable<string> Variants(string source)
    {
        var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).ToList();
        foreach (var token in tokens)
        {
            yield return source[..token.Span.End];
        }

        foreach (var token in tokens)
        {
            yield return source.Remove(token.Span.Start, token.Span.Length);
        }
    }

    /// <summary>
    /// Runs the variants of every source; with <paramref name="sample"/>, a seeded random sample of that many
    /// per source, otherwise all of them.
    /// </summary>
    public static async Task<RunReport> RunAsync(IEnumerable<(string Name, string Text)> sources, int? sample, int seed, Action<string>? progress = null)
    {
        var harness = new AnalyzerHarness();
        var report = new RunReport();
        var random = new Random(seed);
        foreach (var (name, text) in sources)
        {
            var variants = Variants(text).ToList();
            var chosen = sample is int count ? variants.OrderBy(_ => random.Next()).Take(count).ToList() : variants;
            foreach (var variant in chosen)
            {
                await RunOneAsync(harness, name, variant, report).ConfigureAwait(false);
            }

            progress?.Invoke($"{name}: {chosen.Count} of {variants.Count} variants; {report}");
        }

        return report;
    }

    private static async Task RunOneAsync(AnalyzerHarness harness, string name, string text, RunReport report)
    {
        report.Cases++;
        var failures = new List<string>();
        var document = harness.WithText(text);
        var diagnostics = await harness.AnalyzeAsync(document, failures).ConfigureAwait(false);
        report.Diagnostics += diagnostics.Length;
        foreach (var diagnostic in diagnostics.Where(d => d.Location.IsInSource))
        {
            foreach (var action in await harness.FixesAsync(document, diagnostic, failures).ConfigureAwait(false))
            {
                if (await AnalyzerHarness.ApplyAsync(action, document, failures).ConfigureAwait(false) is not null)
                {
                    report.FixesApplied++;
                }
            }
        }

        foreach (var failure in failures)
        {
            report.Failures.Add($"{name} ({text.Length} chars): {failure}");
        }
    }
}
