using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Third-party APIs the user lists as sleeping, in documentation-ID form: one per line of an additional file
/// named <see cref="FileName"/> (Microsoft.CodeAnalysis.BannedApiAnalyzers' convention), or a short list in the
/// <see cref="OptionName"/> option of .editorconfig/.globalconfig, separated by whitespace.
/// </summary>
internal sealed class MaySleepApis
{
    public const string OptionName = "fpuguard.may_sleep_apis";
    public const string FileName = "FpuGuard.MaySleepApis.txt";

    // Whitespace survives the editorconfig parser (';' and '#' start a comment there) and never occurs inside a
    // documentation ID (',' does, between parameters).
    private static readonly char[] OptionSeparators = { ' ', '\t' };

    private readonly AnalyzerConfigOptionsProvider _options;
    private readonly ImmutableHashSet<string> _inFiles;
    private readonly ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>> _byTree = new();

    public MaySleepApis(AnalyzerOptions options, CancellationToken cancellationToken)
    {
        _options = options.AnalyzerConfigOptionsProvider;
        _inFiles = options.AdditionalFiles.Where(IsListFile)
            .SelectMany(file => file.GetText(cancellationToken) is { } text ? ParseFile(text) : Enumerable.Empty<Entry>())
            .Select(entry => entry.Id)
            .ToImmutableHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether the method is listed in the file or in the options that apply to <paramref name="tree"/>.</summary>
    public bool IsListed(IMethodSymbol method, SyntaxTree tree) => WhereListed(method, tree) is not null;

    /// <summary>The list naming the method (<see cref="FileName"/> or <see cref="OptionName"/>), or null.</summary>
    public string? WhereListed(IMethodSymbol method, SyntaxTree tree)
    {
        var inOptions = _byTree.GetOrAdd(tree, ReadOptions);
        if ((_inFiles.IsEmpty && inOptions.IsEmpty) || (method.ReducedFrom ?? method.OriginalDefinition).GetDocumentationCommentId() is not { } id)
        {
            return null;
        }

        return _inFiles.Contains(id) ? FileName : inOptions.Contains(id) ? OptionName : null;
    }

    /// <summary>Whether an additional file is a may-sleep list (by its name, in any folder).</summary>
    public static bool IsListFile(AdditionalText file) =>
        string.Equals(System.IO.Path.GetFileName(file.Path), FileName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The option's value for <paramref name="tree"/> (or the global one), if set.</summary>
    public static string? OptionValue(AnalyzerConfigOptionsProvider options, SyntaxTree? tree) =>
        (tree is not null && options.GetOptions(tree).TryGetValue(OptionName, out var value)) || options.GlobalOptions.TryGetValue(OptionName, out value)
            ? value
            : null;

    /// <summary>The entries of the option's value: separated by whitespace.</summary>
    public static IEnumerable<string> ParseOption(string value) => value.Split(OptionSeparators, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The entries of a list file: one per line, '//' starting a comment (whole-line or trailing), blank lines
    /// skipped. Each keeps its span, for a diagnostic at its line.
    /// </summary>
    public static IEnumerable<Entry> ParseFile(SourceText text)
    {
        foreach (var line in text.Lines)
        {
            var content = line.ToString();
            var comment = content.IndexOf("//", StringComparison.Ordinal);
            var end = comment >= 0 ? comment : content.Length;
            var start = 0;
            while (start < end && char.IsWhiteSpace(content[start]))
            {
                start++;
            }

            while (end > start && char.IsWhiteSpace(content[end - 1]))
            {
                end--;
            }

            if (end > start)
            {
                var span = new TextSpan(line.Start + start, end - start);
                yield return new Entry(content.Substring(start, end - start), span, text.Lines.GetLinePositionSpan(span));
            }
        }
    }

    // Read once per tree: the options do not change within a compilation.
    private ImmutableHashSet<string> ReadOptions(SyntaxTree tree) =>
        OptionValue(_options, tree) is { } value ? ParseOption(value).ToImmutableHashSet(StringComparer.Ordinal) : ImmutableHashSet<string>.Empty;

    /// <summary>One entry of a list file, with where it is.</summary>
    public readonly struct Entry
    {
        public Entry(string id, TextSpan span, LinePositionSpan lines)
        {
            Id = id;
            Span = span;
            Lines = lines;
        }

        public string Id { get; }

        public TextSpan Span { get; }

        public LinePositionSpan Lines { get; }
    }
}
