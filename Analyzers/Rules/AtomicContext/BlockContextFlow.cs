using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Flow;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Rules.AtomicContext;

/// <summary>
/// What the atomic-context analyzer (FPU0001 and FPU0004) asks of a block, per compilation: the tests that it may
/// change an atomic context, and its analysis (<see cref="Of"/>).
/// </summary>
internal sealed class BlockContextFlow
{
    private readonly ContractIndex _index;

    public BlockContextFlow(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        _index = ContractIndex.For(compilation);
        MaySleepApis = new MaySleepApis(options, cancellationToken);
        Flow = new AtomicContextFlowAnalysis(Contracts, MaySleepApis.IsListed);
    }

    public MethodContracts Contracts { get; } = new();

    /// <summary>The APIs the user lists as sleeping.</summary>
    public MaySleepApis MaySleepApis { get; }

    /// <summary>The analysis of contexts and sleeps.</summary>
    public AtomicContextFlowAnalysis Flow { get; }

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
    private bool ChangesContext(SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken)
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
                MemberAccessExpressionSyntax { Parent: not InvocationExpressionSyntax } access when (_index.RolesOf(access.Name.Identifier.ValueText) & ContractRole.ChangesContext) != 0
                    => model.GetSymbolInfo(access, cancellationToken).Symbol,
                ObjectCreationExpressionSyntax creation when (_index.RolesOf(creation.Type.ToString()) & ContractRole.ChangesContext) != 0 || creation.Type is QualifiedNameSyntax
                    => model.GetSymbolInfo(creation, cancellationToken).Symbol,
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

    // A local function or lambda with attributes may require a context: it holds one without calling anything.
    private static bool HasFunctionWithContract(SyntaxNode codeBlock) => codeBlock.DescendantNodes()
        .Any(n => n is LocalFunctionStatementSyntax { AttributeLists.Count: > 0 } or ParenthesizedLambdaExpressionSyntax { AttributeLists.Count: > 0 });

    private bool AnyCallChangesContext(SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken) =>
        codeBlock.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(i => ChangesContext(model.GetSymbolInfo(i, cancellationToken).Symbol));

    private bool ChangesContext(ISymbol? symbol) => symbol switch
    {
        IMethodSymbol method => Contracts.Of(method).ChangesContext,
        IPropertySymbol property => property.GetMethod is { } getter && Contracts.Of(getter).ChangesContext || property.SetMethod is { } setter && Contracts.Of(setter).ChangesContext,
        _ => false,
    };

    /// <summary>
    /// What FPU0001 and FPU0004 need of a block: whether it calls a context-changing method
    /// (<see cref="ChangesContext"/>; false unchecked when <paramref name="mayChangeContext"/> is false), and its
    /// analysis when it does or when <paramref name="analyseAnyway"/> (a method that requires a context holds one
    /// without calling anything).
    /// </summary>
    public BlockFlow Of(SyntaxNode codeBlock, IMethodSymbol owner, SemanticModel model, bool mayChangeContext, bool analyseAnyway, CancellationToken cancellationToken)
    {
        var changes = mayChangeContext && ChangesContext(codeBlock, model, cancellationToken);
        var analyse = changes || analyseAnyway || (mayChangeContext && HasFunctionWithContract(codeBlock));
        return new BlockFlow(changes, analyse ? Analyze(Flow, codeBlock, owner, model, cancellationToken) : null);
    }

    /// <summary>The analyses of the code block's roots (each with its lambdas and local functions), on their control-flow graphs.</summary>
    public static IReadOnlyList<AtomicContextFlowAnalysis.Result> Analyze(AtomicContextFlowAnalysis flow, SyntaxNode codeBlock, IMethodSymbol owner, SemanticModel model, CancellationToken cancellationToken)
    {
        var results = new List<AtomicContextFlowAnalysis.Result>();
        foreach (var root in FlowRoots.Of(codeBlock, owner, model, cancellationToken))
        {
            results.AddRange(flow.Analyze(root, owner, cancellationToken));
        }

        return results;
    }

    /// <summary>Whether a block calls a context-changing method, and its analysis when one was needed.</summary>
    public sealed class BlockFlow
    {
        public BlockFlow(bool changesContext, IReadOnlyList<AtomicContextFlowAnalysis.Result>? results)
        {
            ChangesContext = changesContext;
            Results = results;
        }

        public bool ChangesContext { get; }

        /// <summary>Null when the block was not analysed: it changes no context, and the rule that asked needed none.</summary>
        public IReadOnlyList<AtomicContextFlowAnalysis.Result>? Results { get; }
    }
}
