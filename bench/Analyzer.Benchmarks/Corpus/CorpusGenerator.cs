using System;
using System.Collections.Generic;
using System.Linq;

namespace FpuGuard.AnalyzerBenchmarks.Corpus;

/// <summary>One generated source file.</summary>
public sealed record CorpusFile(string Path, string Text, bool IsFpuDomain)
{
    public int Lines { get; } = CountLines(Text);

    private static int CountLines(string text) => text.Count(c => c == '\n');
}

/// <summary>A generated corpus and the FpuGuard diagnostics seeded into it, by rule ID.</summary>
public sealed record GeneratedCorpus(IReadOnlyList<CorpusFile> Files, IReadOnlyDictionary<string, int> SeededViolations)
{
    public int Lines => Files.Sum(f => f.Lines);

    public int FpuLines => Files.Where(f => f.IsFpuDomain).Sum(f => f.Lines);

    /// <summary>Whether the corpus needs FpuGuard.Runtime as a reference (it has FPU-domain code).</summary>
    public bool UsesRuntime => Files.Any(f => f.IsFpuDomain);
}

/// <summary>
/// A deterministic, seeded C# corpus: ordinary application code (records, generics, LINQ, async, lambdas,
/// try/finally, <c>lock</c>, disposables) with a share of FPU-domain code written against FpuGuard.Runtime and
/// user-annotated contracts. The same seed and size always give the same text.
/// </summary>
public static class CorpusGenerator
{
    /// <summary>Generates at least <paramref name="targetLines"/> lines, about <paramref name="fpuShare"/> of them FPU-domain.</summary>
    public static GeneratedCorpus Generate(int targetLines, double fpuShare, int seed)
    {
        if (targetLines <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(targetLines), targetLines, "the corpus needs at least one line");
        }

        if (fpuShare is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fpuShare), fpuShare, "the FPU share is a fraction between 0 and 1");
        }

        var random = new Random(seed);
        var files = new List<CorpusFile>();
        var seeded = new Dictionary<string, int>(StringComparer.Ordinal);
        int lines = 0, fpuLines = 0;
        while (lines < targetLines)
        {
            // Keep the FPU share on target as the corpus grows, so every size has the same mix.
            var fpu = fpuShare > 0 && fpuLines < fpuShare * (lines + 1);
            var index = files.Count;
            var file = fpu
                ? new FpuDomainWriter(random, index, seeded).Write()
                : new OrdinaryCodeWriter(random, index).Write();
            files.Add(file);
            lines += file.Lines;
            fpuLines += fpu ? file.Lines : 0;
        }

        return new GeneratedCorpus(files, seeded);
    }
}
