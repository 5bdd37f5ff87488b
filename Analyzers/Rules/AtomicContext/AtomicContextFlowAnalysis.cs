using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace FpuGuard.Analyzers.Rules.AtomicContext;

/// <summary>
/// Which atomic contexts may be held at each point of a method: the <see cref="AtomicContextTransfer"/> run by
/// the flow engine over its control-flow graph, counting nesting per kind (<see cref="ContextCounts"/>). Each
/// lambda and local function of the method is analysed as well, on its own, from the contexts its own contract
/// requires: a region written inside one is reported there. A call of a local function, or of a delegate local
/// assigned once from a lambda or method group, runs its body at the call: its sleep points count there, shifted
/// by what the call holds.
/// </summary>
internal sealed class AtomicContextFlowAnalysis
{
    /// <summary>The name of the sleep point a function stands for when its analysis was cut short.</summary>
    internal const string NotAnalysed = "(analysis cut short)";

    /// <param name="isListed">Whether an API is listed as sleeping; null for the analysis of contexts only.</param>
    public AtomicContextFlowAnalysis(MethodContracts contracts, Func<IMethodSymbol, SyntaxTree, bool>? isListed)
    {
        Contracts = contracts;
        IsListed = isListed;
    }

    internal MethodContracts Contracts { get; }

    internal Func<IMethodSymbol, SyntaxTree, bool>? IsListed { get; }

    internal bool TracksSleeps => IsListed is not null;

    /// <summary>A sleeping call or await where a context may be held.</summary>
    public sealed class SleepInContext
    {
        public SleepInContext(SyntaxNode syntax, IMethodSymbol? callee, int[] held, IReadOnlyList<SleepPoint> through)
        {
            Syntax = syntax;
            Callee = callee;
            Held = held;
            Through = through;
        }

        /// <summary>The call or await.</summary>
        public SyntaxNode Syntax { get; }

        /// <summary>The callee; null for an await.</summary>
        public IMethodSymbol? Callee { get; }

        public int[] Held { get; }

        /// <summary>For a local function or lambda: the sleep point inside it that makes the call sleep.</summary>
        public IReadOnlyList<SleepPoint> Through { get; }

        /// <summary>For a local function or lambda: the most of each context it holds itself where it sleeps.</summary>
        public int[]? CalleeHolds { get; set; }
    }

    public sealed class Result
    {
        public Result(IMethodSymbol owner) => Owner = owner;

        /// <summary>The method, lambda or local function analysed.</summary>
        public IMethodSymbol Owner { get; }

        public List<SleepInContext> Sleeps { get; } = new();

        /// <summary>Calls of methods of this compilation with a context held, and the bool arguments known there (see <see cref="PendingCall.Arguments"/>).</summary>
        public List<(SyntaxNode Call, IMethodSymbol Callee, int[] Held, ImmutableArray<(int Ordinal, bool Value)> Arguments)> SourceCallsInContext { get; } = new();

        /// <summary>Where a call of it may sleep (an async function's, only those before its first await).</summary>
        public List<SleepPoint> Points { get; } = new();

        public List<(SyntaxNode Exit, AtomicContextKind Kind)> ExitsWithoutEntry { get; } = new();

        public List<AtomicContextKind> HeldAtReturn { get; } = new();

        /// <summary>Contexts the method requires (held at entry) that may no longer be held where it returns.</summary>
        public List<AtomicContextKind> LeftAtReturn { get; } = new();

        public bool UsesContexts { get; set; }

        /// <summary>Why the analysis stopped at a bound and answered conservatively; null when it ran to the end.</summary>
        public string? CutShort { get; set; }

        /// <summary>Calls of functions whose analysis was under way (recursion), for that analysis to resolve.</summary>
        internal List<ReEntry> ReEntries { get; } = new();

        /// <summary>The method, or a method it calls, has a context attribute FpuGuard cannot read (FPU0006): no conclusions.</summary>
        public bool ReadsUnreadableContract { get; set; }
    }

    /// <summary>A call of a function made inside its own analysis, with the contexts held there relative to its entry.</summary>
    internal readonly struct ReEntry
    {
        public ReEntry(IMethodSymbol function, int[] delta)
        {
            Function = function;
            Delta = delta;
        }

        public IMethodSymbol Function { get; }

        public int[] Delta { get; }
    }

    /// <summary>
    /// The functions whose analysis is under way below one root, and how many were analysed: a call of one on the
    /// way is recursion, resolved when its analysis ends, and past the budget a call is taken to sleep.
    /// </summary>
    internal sealed class FunctionBudget
    {
        public const int MaxAnalyses = 256;

        public List<IMethodSymbol> OnTheWay { get; } = new();

        public int Analyses { get; set; }
    }

    /// <summary>
    /// The analyses of a root (a member's body or initializer): the member's own, then one for each lambda and
    /// local function inside it, each from its own contract.
    /// </summary>
    public IReadOnlyList<Result> Analyze(IOperation root, IMethodSymbol owner, CancellationToken cancellationToken)
    {
        var results = new List<Result>();
        var nested = new Queue<(ControlFlowGraph Graph, IMethodSymbol Function)>();
        nested.Enqueue((FlowRoots.Graph(root, cancellationToken), owner));
        while (nested.Count > 0)
        {
            var (graph, function) = nested.Dequeue();
            results.Add(Analyze(graph, function, root.SemanticModel, new FunctionBudget(), (g, f) => nested.Enqueue((g, f)), cancellationToken));
            foreach (var local in graph.LocalFunctions)
            {
                nested.Enqueue((graph.GetLocalFunctionControlFlowGraph(local, cancellationToken), local));
            }
        }

        return results;
    }

    /// <param name="assumed">Bool parameters of enclosing functions, never written, whose value the caller knows at the
    /// call (a local function's analysis at its call): they have that value in every run of this call.</param>
    internal Result Analyze(ControlFlowGraph graph, IMethodSymbol owner, SemanticModel? model, FunctionBudget budget, Action<ControlFlowGraph, IMethodSymbol>? lambdaFound, CancellationToken cancellationToken,
        IReadOnlyList<(IParameterSymbol Parameter, bool Value)>? assumed = null)
    {
        var contract = Contracts.Of(owner);
        var baseline = new int[ContextCounts.Kinds];
        foreach (var kind in contract.Requires)
        {
            baseline[(int)kind] = 1;
        }

        var result = new Result(owner) { UsesContexts = contract.Requires.Length > 0, ReadsUnreadableContract = contract.IsUnreadable };
        var transfer = new AtomicContextTransfer(this, owner, contract, baseline, result, model, budget, lambdaFound, cancellationToken);
        var entry = ContextCounts.Single(baseline[0], baseline[1], baseline[2]);
        if (owner.IsAsync)
        {
            entry = entry.Assume(AtomicContextTransfer.AwaitedAtom, false);
        }

        entry = transfer.AssumeAtEntry(entry, assumed);

        var run = DataFlowAnalysis<ContextCounts>.Run(graph, entry, transfer, cancellationToken);
        result.CutShort ??= run.CutShort;
        return result;
    }
}
