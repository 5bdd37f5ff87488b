using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace FpuGuard.Analyzers.Tests;

/// <summary>
/// Every rule page's example with self-declared attribute copies compiles on its own (no FpuGuard.Runtime), and
/// the rules report exactly the lines its comments mark with a rule ID.
/// </summary>
public class DocumentationExampleTests
{
    private const string Heading = "## With your own attribute copies";

    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string>();
        foreach (var page in Directory.GetFiles(Path.Combine(AnalyzerGuardTests.RepositoryRoot(), "docs", "rules"), "FPU*.md").OrderBy(p => p))
        {
            pages.Add(Path.GetFileName(page));
        }

        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task The_example_with_attribute_copies_is_reported_where_its_comments_say(string page)
    {
        var text = File.ReadAllText(Path.Combine(AnalyzerGuardTests.RepositoryRoot(), "docs", "rules", page)).Replace("\r\n", "\n");
        var start = text.IndexOf(Heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{page} has no '{Heading}' section");
        var section = text.Substring(start + Heading.Length);
        section = section.Substring(0, section.IndexOf("\n## ", StringComparison.Ordinal) is var end and >= 0 ? end : section.Length);
        var source = Regex.Match(section, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains(": Attribute", source.Replace("System.Attribute", "Attribute"));
        var list = Regex.Match(section, "```\n(M:.*?)```", RegexOptions.Singleline).Groups[1].Value;

        var compilation = CSharpCompilation.Create("Example", new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
            Helpers.TestReferences.HostFramework(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var additional = list.Length > 0 ? ImmutableArray.Create<AdditionalText>(new ListFile(list)) : ImmutableArray<AdditionalText>.Empty;
        var diagnostics = await compilation.WithAnalyzers(AnalyzerGuardTests.Analyzers, new AnalyzerOptions(additional)).GetAnalyzerDiagnosticsAsync(CancellationToken.None);

        var lines = source.Split('\n');
        var expected = lines.Select((line, index) => (Line: index, Match: Regex.Match(line, @"// (FPU\d{4})")))
            .Where(l => l.Match.Success)
            .Select(l => $"{l.Match.Groups[1].Value} at line {l.Line + 1}")
            .ToList();
        var actual = diagnostics.Where(d => d.Id.StartsWith("FPU", StringComparison.Ordinal))
            .Select(d => $"{d.Id} at line {d.Location.GetLineSpan().StartLinePosition.Line + 1}")
            .Distinct()
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(e => e), actual.OrderBy(a => a));
    }

    private sealed class ListFile : AdditionalText
    {
        private readonly string _text;

        public ListFile(string text) => _text = text;

        public override string Path => "/docs/FpuGuard.MaySleepApis.txt";

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(_text);
    }
}
