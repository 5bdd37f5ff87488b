using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// What FPU0001 and FPU0004 share per compilation: the test that a block may change an atomic context, and the
/// context analysis of a block, handed from the rule that ran it to the other (<see cref="AnalyzeForBoth"/>).
/// </summary>
internal sealed class SharedContextFlow
{
    private static readonly ConditionalWeakTable<Compilation, SharedContextFlow> ByCompilation = new();

    private readonly ContractIndex _index;

    private SharedContextFlow(Compilation compilation, AnalyzerConfigOptionsProvider options)
    {
        _index = ContractIndex.For(compilation);
        Flow = new AtomicContextFlowAnalysis(Contracts, new MaySleepApis(options).IsListed);
    }

    public MethodContracts Contracts { get; } = new();

    /// <summary>The analysis of contexts and sleeps.</summary>
    public AtomicContextFlowAnalysis Flow { get; }

    // A block's results, from the first of the two rules to analyse it until the second takes them. Never waited
    // for: a rule that finds none analyses the block itself (the driver may run the two at the same moment).
    // Its writes take a lock per stripe: many stripes from the start, as the driver's threads write at once.
    private readonly ConcurrentDictionary<SyntaxNode, IReadOnlyList<AtomicContextFlowAnalysis.Result>> _handOver =
        new(concurrencyLevel: 32, capacity: 1024);

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

        return (roles & ContractRole.ExplicitDispose) != 0 && DisposesScope(codeBlock, model, cancellationToken);
    }

    // Apart from the check above: its lambda's closure would be allocated on every call, for every block.
    private bool DisposesScope(SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken) => codeBlock.DescendantNodes()
        .OfType<InvocationExpressionSyntax>()
        .Where(i => BlockSyntaxFacts.CalledName(i) == nameof(IDisposable.Dispose))
        .Any(d => MayChangeContext(model.GetSymbolInfo(d, cancellationToken).Symbol));

    // An interface's Dispose may be a scope's: the analysis resolves it from the receiver, so it is kept.
    private bool MayChangeContext(ISymbol? callee) =>
        callee is not IMethodSymbol method || method.ContainingType.TypeKind == TypeKind.Interface || Contracts.Of(method).ChangesContext;

    /// <summary>
    /// Whether the code block calls a context-changing method (in a lambda too), by the symbols of its calls named
    /// like one (every call, when a local function of the block has attributes: its contract is in no index): the
    /// block's syntax and the compiler's bound nodes, no operation tree.
    /// </summary>
    public bool ChangesContext(SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken)
    {
        var addChangesContext = (_index.RolesOf("Add") & ContractRole.ChangesContext) != 0;
        var localContracts = false;
        foreach (var node in codeBlock.DescendantNodes())
        {
            var callee = node switch
            {
                InvocationExpressionSyntax invocation when (_index.RolesOf(BlockSyntaxFacts.CalledName(invocation) ?? "") & ContractRole.ChangesContext) != 0
                    => model.GetSymbolInfo(invocation, cancellationToken).Symbol,
                ConstructorInitializerSyntax initializer => model.GetSymbolInfo(initializer, cancellationToken).Symbol,
                ExpressionSyntax element when addChangesContext && node.Parent is InitializerExpressionSyntax { RawKind: (int)SyntaxKind.CollectionInitializerExpression }
                    => model.GetCollectionInitializerSymbolInfo(element, cancellationToken).Symbol,
                _ => null,
            };
            if (ChangesContext(callee))
            {
                return true;
            }

            localContracts |= node is LocalFunctionStatementSyntax { AttributeLists.Count: > 0 };
        }

        return localContracts && AnyCallChangesContext(codeBlock, model, cancellationToken);
    }

    private bool AnyCallChangesContext(SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken) =>
        codeBlock.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(i => ChangesContext(model.GetSymbolInfo(i, cancellationToken).Symbol));

    private bool ChangesContext(ISymbol? symbol) => symbol is IMethodSymbol method && Contracts.Of(method).ChangesContext;

    /// <summary>
    /// The analysis of a block both FPU0001 and FPU0004 analyse: run once when one rule follows the other. The
    /// results are only read. A block only one rule analyses (FPU0001's for a method that requires a context,
    /// or with the other rule turned off) keeps its results until the compilation goes.
    /// </summary>
    public IReadOnlyList<AtomicContextFlowAnalysis.Result> AnalyzeForBoth(SyntaxNode codeBlock, IMethodSymbol owner, SemanticModel model, CancellationToken cancellationToken)
    {
        // Looked up before it is taken: a lookup takes no lock, a removal does even when nothing is there.
        if (_handOver.ContainsKey(codeBlock) && _handOver.TryRemove(codeBlock, out var ready))
        {
            return ready;
        }

        var results = Analyze(Flow, codeBlock, owner, model, cancellationToken).ToList();
        _handOver.TryAdd(codeBlock, results);
        return results;
    }

    /// <summary>
    /// The analysis of the code block's roots: on its syntax when its body is structured, else on its operations
    /// (a tree or a control-flow graph).
    /// </summary>
    public static IEnumerable<AtomicContextFlowAnalysis.Result> Analyze(AtomicContextFlowAnalysis flow, SyntaxNode codeBlock, IMethodSymbol owner, SemanticModel model, CancellationToken cancellationToken)
    {
        if (flow.TryAnalyzeSyntax(codeBlock, owner, model, cancellationToken) is { } result)
        {
            return new[] { result };
        }

        return FlowRoots.Of(codeBlock, owner, model, cancellationToken).Select(root => flow.Analyze(root, owner, cancellationToken)).ToList();
    }
}
