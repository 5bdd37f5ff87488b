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
    private readonly ConcurrentDictionary<string, ImmutableHashSet<string>> _parsed = new();

    public MaySleepApis(AnalyzerConfigOptionsProvider options) => _options = options;

    /// <summary>Whether the method is listed in the options that apply to <paramref name="tree"/>.</summary>
    public bool IsListed(IMethodSymbol method, SyntaxTree tree)
    {
        if (!_options.GetOptions(tree).TryGetValue(OptionName, out var value) && !_options.GlobalOptions.TryGetValue(OptionName, out value))
        {
            return false;
        }

        var listed = _parsed.GetOrAdd(value, v => v.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim())
            .Where(s => s.Length > 0)
            .ToImmutableHashSet(StringComparer.Ordinal));
        return !listed.IsEmpty && (method.ReducedFrom ?? method.OriginalDefinition).GetDocumentationCommentId() is { } id && listed.Contains(id);
    }
}
