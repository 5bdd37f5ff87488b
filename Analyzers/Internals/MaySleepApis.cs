using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Third-party APIs the user lists as sleeping in .editorconfig, in documentation-ID form:
/// <c>fpuguard.may_sleep_apis = M:System.Threading.Thread.Sleep(System.Int32);M:...</c>.
/// </summary>
internal sealed class MaySleepApis
{
    public const string OptionName = "fpuguard.may_sleep_apis";

    private readonly AnalyzerConfigOptionsProvider _options;
    private readonly ConcurrentDictionary<SyntaxTree, ImmutableHashSet<string>> _byTree = new();

    public MaySleepApis(AnalyzerConfigOptionsProvider options) => _options = options;

    /// <summary>Whether the method is listed in the options that apply to <paramref name="tree"/>.</summary>
    public bool IsListed(IMethodSymbol method, SyntaxTree tree)
    {
        var listed = _byTree.GetOrAdd(tree, Read);
        return !listed.IsEmpty && (method.ReducedFrom ?? method.OriginalDefinition).GetDocumentationCommentId() is { } id && listed.Contains(id);
    }

    // Read once per tree: the options do not change within a compilation.
    private ImmutableHashSet<string> Read(SyntaxTree tree) =>
        _options.GetOptions(tree).TryGetValue(OptionName, out var value) || _options.GlobalOptions.TryGetValue(OptionName, out value)
            ? value.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToImmutableHashSet(StringComparer.Ordinal)
            : ImmutableHashSet<string>.Empty;
}
