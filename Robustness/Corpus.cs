using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FpuGuard.Robustness;

/// <summary>
/// The C# the robustness checks start from: the samples, the Runtime, and the FPU code embedded in the
/// analyzer tests (raw string literals, with the test markup such as <c>{|FPU0001:...|}</c> removed).
/// </summary>
public static class Corpus
{
    private static readonly Regex MarkupOpen = new(@"\{\|[^:|]+:", RegexOptions.CultureInvariant);

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "analyzers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("analyzers.sln not found above " + AppContext.BaseDirectory);
    }

    public static IReadOnlyList<(string Name, string Text)> Load()
    {
        var root = RepositoryRoot();
        var sources = new List<(string, string)>();
        foreach (var folder in new[] { "samples", "Runtime" })
        {
            sources.AddRange(Files(Path.Combine(root, folder)).Select(f => (Path.GetRelativePath(root, f), File.ReadAllText(f))));
        }

        foreach (var test in Files(Path.Combine(root, "Analyzers.Tests", "Rules")))
        {
            var index = 0;
            foreach (var literal in CSharpSyntaxTree.ParseText(File.ReadAllText(test)).GetRoot().DescendantTokens()
                .Where(t => t.IsKind(SyntaxKind.MultiLineRawStringLiteralToken) || t.IsKind(SyntaxKind.InterpolatedMultiLineRawStringStartToken)))
            {
                var text = StripMarkup(literal.ValueText);
                if (text.Contains("class ", StringComparison.Ordinal))
                {
                    sources.Add(($"{Path.GetRelativePath(root, test)}#{index++}", text));
                }
            }
        }

        return sources;
    }

    public static string StripMarkup(string text) => MarkupOpen.Replace(text, "").Replace("|}", "");

    private static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                .OrderBy(f => f, StringComparer.Ordinal)
            : Enumerable.Empty<string>();
}
