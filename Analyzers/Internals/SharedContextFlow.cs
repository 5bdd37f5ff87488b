using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// The atomic-context analysis of a compilation's methods, shared by FPU0001 and FPU0004: both need it for every
/// method that enters or exits a context, and it is the same analysis. Each such method's graph is analysed once;
/// the result is dropped as soon as both rules have taken it (with one of them turned off, it stays until the
/// compilation goes).
/// </summary>
internal sealed class SharedContextFlow
{
    private const int Consumers = 2;

    private static readonly ConditionalWeakTable<Compilation, SharedContextFlow> ByCompilation = new();

    private readonly ContractIndex _index;
    private readonly ConcurrentDictionary<SyntaxNode, Entry> _entries = new();

    private SharedContextFlow(Compilation compilation, AnalyzerConfigOptionsProvider options)
    {
        _index = ContractIndex.For(compilation);
        Flow = new AtomicContextFlowAnalysis(Contracts, new MaySleepApis(options).IsListed);
    }

    public MethodContracts Contracts { get; } = new();

    public AtomicContextFlowAnalysis Flow { get; }

    public static SharedContextFlow For(Compilation compilation, AnalyzerConfigOptionsProvider options) =>
        ByCompilation.GetValue(compilation, c => new SharedContextFlow(c, options));

    /// <summary>
    /// Whether the code block calls a method named like a context-changing one, by syntax; when the only such
    /// calls are explicit Dispose calls, by their symbols. A scope's Dispose carries [ExitsAtomicContext], and
    /// ordinary code disposes things everywhere: its Dispose calls are bound one statement at a time instead of
    /// binding the whole block.
    /// </summary>
    public bool MayChangeContext(SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken)
    {
        var roles = _index.RolesOf(codeBlock);
        if ((roles & ContractRole.ChangesContext) != 0)
        {
            return true;
        }

        return (roles & ContractRole.ExplicitDispose) != 0 && codeBlock.DescendantNodes()
            .OfType<InvocationExpressionSyntax>()
            .Where(i => BlockSyntaxFacts.CalledName(i) == nameof(IDisposable.Dispose))
            .Any(d => MayChangeContext(model.GetSymbolInfo(d, cancellationToken).Symbol));
    }

    // An interface's Dispose may be a scope's: the analysis resolves it from the receiver, so it is kept.
    private bool MayChangeContext(ISymbol? callee) =>
        callee is not IMethodSymbol method || method.ContainingType.TypeKind == TypeKind.Interface || Contracts.Of(method).ChangesContext;

    /// <summary>Whether the roots call a context-changing method, by the calls' symbols.</summary>
    public bool ChangesContext(ImmutableArray<IOperation> roots) =>
        roots.Any(r => r.Descendants().Any(o => o is IInvocationOperation call && Contracts.Of(call.TargetMethod).ChangesContext));

    /// <summary>
    /// The analysis of a context-changing method's root, for one of the two rules. The first to ask computes it
    /// (the other waits rather than repeat it); the second takes it and frees it.
    /// </summary>
    public AtomicContextFlowAnalysis.Result Take(IOperation root, IMethodSymbol owner, CancellationToken cancellationToken)
    {
        var entry = _entries.GetOrAdd(root.Syntax, _ => new Entry());
        lock (entry)
        {
            var result = entry.Result ??= Flow.Analyze(root, owner, cancellationToken);
            if (++entry.Taken == Consumers)
            {
                _entries.TryRemove(root.Syntax, out _);
            }

            return result;
        }
    }

    private sealed class Entry
    {
        public AtomicContextFlowAnalysis.Result? Result;

        public int Taken;
    }
}
