using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Which atomic contexts may be held at each point of a method: a forward may-analysis over its control-flow
/// graph, counting nesting per kind (<see cref="ContextCounts"/>). Entered by [EntersAtomicContext] calls, left
/// by [ExitsAtomicContext] ones (a using scope's Dispose included, through its finally region), held from
/// entry in a [RequiresAtomicContext] method and from an [AssertsAtomicContext] call on. It reports sleeping
/// calls and awaits where a context may be held, the method's sleep points for the call graph, and context
/// imbalance at exits.
/// </summary>
internal sealed partial class AtomicContextFlowAnalysis
{
    private const int MaxRounds = 200;

    /// <summary>The name of the sleep point a function stands for when its analysis was cut short.</summary>
    internal const string NotAnalysed = "(analysis cut short)";

    private readonly MethodContracts _contracts;
    private readonly Func<IMethodSymbol, SyntaxTree, bool>? _isListed;

    /// <param name="isListed">Whether an API is listed as sleeping; null for the analysis of contexts only, which
    /// leaves <see cref="Result.Sleeps"/>, <see cref="Result.Points"/> and <see cref="Result.SourceCallsInContext"/>
    /// empty (what FPU0004 needs, without the per-call work of the sleep points).</param>
    public AtomicContextFlowAnalysis(MethodContracts contracts, Func<IMethodSymbol, SyntaxTree, bool>? isListed)
    {
        _contracts = contracts;
        _isListed = isListed;
    }

    private bool TracksSleeps => _isListed is not null;

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

        /// <summary>For a local function: the sleep point inside it that makes the call sleep.</summary>
        public IReadOnlyList<SleepPoint> Through { get; }

        /// <summary>For a local function: the most of each context it holds itself where it sleeps (then the call sleeps wherever it is made).</summary>
        public int[]? CalleeHolds { get; set; }
    }

    public sealed class Result
    {
        public List<SleepInContext> Sleeps { get; } = new();

        public List<(SyntaxNode Call, IMethodSymbol Callee, int[] Held)> SourceCallsInContext { get; } = new();

        public List<SleepPoint> Points { get; } = new();

        public List<(SyntaxNode Exit, int Kind)> ExitsWithoutEntry { get; } = new();

        public List<int> HeldAtReturn { get; } = new();

        public bool UsesContexts { get; set; }

        /// <summary>Why the analysis stopped at a bound and answered conservatively; null when it ran to the end.</summary>
        public string? CutShort { get; set; }

        /// <summary>Calls of local functions whose analysis was under way (recursion), for that analysis to resolve.</summary>
        internal List<ReEntry> ReEntries { get; } = new();

        /// <summary>The method, or a method it calls, has a context attribute FpuGuard cannot read (FPU0006): no conclusions.</summary>
        public bool ReadsUnreadableContract { get; set; }
    }

    /// <summary>A call of a local function made inside its own analysis, with the contexts held there relative to its entry.</summary>
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
    /// The local functions whose analysis is under way below one root, and how many were analysed: a call of one
    /// on the way is recursion, resolved when its analysis ends, and past the budget a call is taken to sleep.
    /// </summary>
    private sealed class LocalFunctionBudget
    {
        public const int MaxAnalyses = 256;

        public List<IMethodSymbol> OnTheWay { get; } = new();

        public int Analyses { get; set; }
    }

    public Result Analyze(ControlFlowGraph graph, IMethodSymbol owner) => Analyze(graph, owner, new LocalFunctionBudget());

    private Result Analyze(ControlFlowGraph graph, IMethodSymbol owner, LocalFunctionBudget budget)
    {
        var (result, run) = Start(graph, owner, budget);
        run.Execute();
        return result;
    }

    /// <summary>
    /// The analysis of a root block, on its operation tree when its control flow is structured
    /// (<see cref="StructuredCode"/>), else on its control-flow graph. Both give the same result.
    /// </summary>
    public Result Analyze(IOperation root, IMethodSymbol owner, CancellationToken cancellationToken) =>
        TryAnalyzeStructured(root, owner) ?? Analyze(FlowRoots.Graph(root, cancellationToken), owner);

    /// <summary>The analysis on the root's operation tree; null when its body is not structured.</summary>
    internal Result? TryAnalyzeStructured(IOperation root, IMethodSymbol owner)
    {
        if (root.Kind is not (OperationKind.MethodBody or OperationKind.ConstructorBody) || !StructuredCode.IsStructured(root.Syntax))
        {
            return null;
        }

        var (result, run) = Start(null, owner);
        return run.ExecuteStructured(root) ? result : null;
    }

    private (Result Result, Run Run) Start(ControlFlowGraph? graph, IMethodSymbol owner, LocalFunctionBudget? budget = null)
    {
        var contract = _contracts.Of(owner);
        var baseline = new int[ContextCounts.Kinds];
        foreach (var kind in contract.Requires)
        {
            baseline[kind] = 1;
        }

        var result = new Result { UsesContexts = contract.Requires.Length > 0, ReadsUnreadableContract = contract.IsUnreadable };
        return (result, new Run(this, graph, owner, baseline, result, contract, budget ?? new LocalFunctionBudget()));
    }

    private sealed partial class Run
    {
        private readonly AtomicContextFlowAnalysis _analysis;
        private readonly ControlFlowGraph? _graph;
        private readonly IMethodSymbol _owner;
        private readonly int[] _baseline;
        private readonly Result _result;
        private readonly MethodContract _ownerContract;
        private readonly ContextCounts?[] _entry;
        private readonly bool[] _queued;
        private readonly Queue<int> _pending = new();
        private readonly HashSet<TextSpanKey> _reported = new();
        private readonly Dictionary<ISymbol, int> _atoms = new(SymbolEqualityComparer.Default);
        private readonly LocalFunctionBudget _budget;
        private bool _reporting;

        public Run(AtomicContextFlowAnalysis analysis, ControlFlowGraph? graph, IMethodSymbol owner, int[] baseline, Result result, MethodContract ownerContract, LocalFunctionBudget budget)
        {
            _budget = budget;
            _analysis = analysis;
            _graph = graph;
            _owner = owner;
            _baseline = baseline;
            _result = result;
            _ownerContract = ownerContract;
            _entry = new ContextCounts?[graph?.Blocks.Length ?? 0];
            _queued = new bool[graph?.Blocks.Length ?? 0];
        }

        public void Execute()
        {
            var graph = _graph!;

            // A worklist: a block is transferred again only when what flows into it changed.
            _entry[0] = ContextCounts.Single(_baseline[0], _baseline[1], _baseline[2]);
            _pending.Enqueue(0);
            _queued[0] = true;
            var steps = 0;
            for (; _pending.Count > 0 && steps < MaxRounds * graph.Blocks.Length; steps++)
            {
                var ordinal = _pending.Dequeue();
                _queued[ordinal] = false;
                var block = graph.Blocks[ordinal];
                Propagate(block, Transfer(block, _entry[ordinal]!.Value));
            }

            if (_pending.Count > 0)
            {
                _result.CutShort ??= $"the flow did not settle in {steps} steps";
            }

            _reporting = true;
            foreach (var block in graph.Blocks)
            {
                if (_entry[block.Ordinal] is { } state)
                {
                    var exit = Transfer(block, state);
                    if (block.Kind == BasicBlockKind.Exit)
                    {
                        CheckReturn(state);
                    }

                    _ = exit;
                }
            }
        }

        private void CheckReturn(ContextCounts state)
        {
            for (var kind = 0; kind < ContextCounts.Kinds; kind++)
            {
                if (!_ownerContract.Enters.Contains(kind) && !_ownerContract.Exits.Contains(kind) && state.MaxOf(kind) > _baseline[kind])
                {
                    _result.HeldAtReturn.Add(kind);
                }
            }
        }

        private bool Propagate(BasicBlock block, ContextCounts state)
        {
            var changed = false;
            foreach (var (branch, outgoing) in Outgoing(block, state))
            {
                if (branch.Destination is not { } destination)
                {
                    continue;
                }

                var flowing = outgoing;
                foreach (var region in branch.FinallyRegions)
                {
                    flowing = ThroughFinally(region, flowing);
                }

                changed |= Merge(destination.Ordinal, flowing);
            }

            return changed;
        }

        // Runs a finally region (a using scope's Dispose, an explicit finally) on the state leaving its try.
        private ContextCounts ThroughFinally(ControlFlowRegion region, ContextCounts state)
        {
            var local = new Dictionary<int, ContextCounts> { [region.FirstBlockOrdinal] = state };
            Merge(region.FirstBlockOrdinal, state);
            var result = ContextCounts.Empty;
            for (var round = 0; round < MaxRounds; round++)
            {
                var progressed = false;
                for (var ordinal = region.FirstBlockOrdinal; ordinal <= region.LastBlockOrdinal; ordinal++)
                {
                    if (!local.TryGetValue(ordinal, out var incoming))
                    {
                        continue;
                    }

                    var block = _graph!.Blocks[ordinal];
                    foreach (var (branch, outgoing) in Outgoing(block, Transfer(block, incoming)))
                    {
                        if (branch.Destination is { } destination && destination.Ordinal >= region.FirstBlockOrdinal && destination.Ordinal <= region.LastBlockOrdinal)
                        {
                            var merged = local.TryGetValue(destination.Ordinal, out var existing) ? existing.Union(outgoing) : outgoing;
                            if (!local.TryGetValue(destination.Ordinal, out var before) || !before.Equals(merged))
                            {
                                local[destination.Ordinal] = merged;
                                Merge(destination.Ordinal, merged);
                                progressed = true;
                            }
                        }
                        else if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
                        {
                            result = result.Union(outgoing);
                        }
                    }
                }

                if (!progressed)
                {
                    return result.IsEmpty ? state : result;
                }
            }

            _result.CutShort ??= $"a finally region did not settle in {MaxRounds} rounds";
            return result.IsEmpty ? state : result;
        }

        // A using scope's lowering skips Dispose when the resource is null. The analysis assumes a using resource
        // is never null (a lock scope is not): counting that branch would leave every using-scoped lock held.
        // Branching on a bool local or parameter splits the worlds: each successor keeps those where it can go.
        private IEnumerable<(ControlFlowBranch Branch, ContextCounts State)> Outgoing(BasicBlock block, ContextCounts state)
        {
            var nullBranchImpossible = block.BranchValue is IIsNullOperation { IsImplicit: true }
                && block.EnclosingRegion.Kind == ControlFlowRegionKind.Finally;
            var atom = block.ConditionKind == ControlFlowConditionKind.None ? null : Atom(block.BranchValue);
            var whenTaken = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
            if (block.ConditionalSuccessor is { } conditional && !(nullBranchImpossible && block.ConditionKind == ControlFlowConditionKind.WhenTrue))
            {
                yield return (conditional, atom is { } a ? state.Assume(a.Index, whenTaken ^ a.Negated) : state);
            }

            if (block.FallThroughSuccessor is { } fallThrough && !(nullBranchImpossible && block.ConditionKind == ControlFlowConditionKind.WhenFalse))
            {
                yield return (fallThrough, atom is { } a ? state.Assume(a.Index, !whenTaken ^ a.Negated) : state);
            }
        }

        private (int Index, bool Negated)? Atom(IOperation? condition)
        {
            var negated = false;
            condition = AccessPath.Strip(condition);
            while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                negated = !negated;
                condition = AccessPath.Strip(not.Operand);
            }

            var symbol = condition switch
            {
                ILocalReferenceOperation local => (ISymbol)local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            return Atom(symbol, negated);
        }

        // A condition that is a bool local or by-value parameter, to split the worlds on.
        private (int Index, bool Negated)? Atom(ISymbol? symbol, bool negated)
        {
            var isAtom = symbol switch
            {
                ILocalSymbol { Type.SpecialType: SpecialType.System_Boolean } => true,
                IParameterSymbol { Type.SpecialType: SpecialType.System_Boolean, RefKind: RefKind.None } => true,
                _ => false,
            };
            if (!isAtom)
            {
                return null;
            }

            if (!_atoms.TryGetValue(symbol!, out var index))
            {
                if (_atoms.Count == ContextCounts.MaxAtoms)
                {
                    return null;
                }

                index = _atoms.Count;
                _atoms[symbol!] = index;
            }

            return (index, negated);
        }

        // An assignment to a condition's variable makes what the branches learned of it stale.
        private ContextCounts ForgetWritten(IOperation? target, ContextCounts state) => Forget(AccessPath.Strip(target) switch
        {
            ILocalReferenceOperation local => (ISymbol)local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        }, state);

        private ContextCounts Forget(ISymbol? written, ContextCounts state) =>
            written is not null && _atoms.TryGetValue(written, out var index) ? state.Forget(index) : state;

        private bool Merge(int ordinal, ContextCounts incoming)
        {
            var current = _entry[ordinal];
            var merged = current is { } existing ? existing.Union(incoming) : incoming;
            if (current is { } before && before.Equals(merged))
            {
                return false;
            }

            _entry[ordinal] = merged;
            if (!_queued[ordinal])
            {
                _queued[ordinal] = true;
                _pending.Enqueue(ordinal);
            }

            return true;
        }

        private ContextCounts Transfer(BasicBlock block, ContextCounts state)
        {
            foreach (var operation in block.Operations)
            {
                state = Visit(operation, state);
            }

            return block.BranchValue is { } branch ? Visit(branch, state) : state;
        }

        private ContextCounts Visit(IOperation operation, ContextCounts state)
        {
            AnalysisBounds.EnsureStack();
            if (operation is IFlowAnonymousFunctionOperation)
            {
                return state; // Created here, not run here.
            }

            // A control-flow graph has none of these: they are its branches. On an operation tree they are walked here.
            if (_structured && Branching(operation, state) is { } branched)
            {
                return branched;
            }

            foreach (var child in operation.ChildOperations)
            {
                state = Visit(child, state);
            }

            switch (operation)
            {
                case IInvocationOperation invocation:
                    return Call(invocation, Resolve(invocation), state);
                case IObjectCreationOperation { Constructor: { } constructor } creation:
                    return Call(creation, constructor, state);
                case IAwaitOperation awaiting when _reporting && _analysis.TracksSleeps && Held(state) is { } held:
                    Report(new SleepInContext(awaiting.Syntax, null, held, Array.Empty<SleepPoint>()));
                    return state;
                case IAssignmentOperation assignment:
                    return ForgetWritten(assignment.Target, state);
                case IIncrementOrDecrementOperation increment:
                    return ForgetWritten(increment.Target, state);
                case IVariableDeclaratorOperation declarator when _atoms.TryGetValue(declarator.Symbol, out var atom):
                    return state.Forget(atom);
                default:
                    return state;
            }
        }

        // using statements call IDisposable.Dispose in the lowered graph: the implementation carries the contract.
        private static IMethodSymbol Resolve(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (method.Name == "Dispose" && method.ContainingType.SpecialType == SpecialType.System_IDisposable
                && AccessPath.Strip(invocation.Instance)?.Type is INamedTypeSymbol type
                && type.FindImplementationForInterfaceMember(method) is IMethodSymbol implementation)
            {
                return implementation;
            }

            return method;
        }

        private ContextCounts Call(IOperation call, IMethodSymbol callee, ContextCounts state)
        {
            if (call is IInvocationOperation invocation)
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
                    {
                        state = ForgetWritten(argument.Value, state);
                    }
                }
            }

            return Transition(call.Syntax, callee, state);
        }

        // What a call does to the contexts (and, tracking sleeps, where it may sleep), its arguments evaluated.
        private ContextCounts Transition(SyntaxNode call, IMethodSymbol callee, ContextCounts state)
        {
            var contract = _analysis._contracts.Of(callee);
            if (contract.IsUnreadable)
            {
                _result.ReadsUnreadableContract = true;
            }

            if (_analysis.TracksSleeps && _reporting)
            {
                TrackSleep(call, callee, contract, state);
            }

            if (!contract.ChangesContext)
            {
                return state;
            }

            _result.UsesContexts = true;
            foreach (var kind in contract.Exits)
            {
                if (_reporting && state.MayBeZero(kind) && !_ownerContract.Exits.Contains(kind))
                {
                    _result.ExitsWithoutEntry.Add((call, kind));
                }
            }

            return state.Apply(contract.Enters, contract.Exits, contract.Asserts);
        }

        // Where the call may sleep: a sleep point of this method for the call graph, and a report when a context
        // may be held here.
        private void TrackSleep(SyntaxNode call, IMethodSymbol callee, MethodContract contract, ContextCounts state)
        {
            if (callee.MethodKind == MethodKind.LocalFunction)
            {
                LocalFunction(call, callee, state, Delta(state));
            }
            else if (contract.MaySleep || _analysis._isListed!(callee, call.SyntaxTree))
            {
                _result.Points.Add(new SleepPoint(null, callee.Name, call.GetLocation(), Delta(state)));
                if (Held(state) is { } held)
                {
                    Report(new SleepInContext(call, callee, held, Array.Empty<SleepPoint>()));
                }
            }
            else if (!contract.DoesNotSleep && !callee.DeclaringSyntaxReferences.IsEmpty)
            {
                _result.Points.Add(new SleepPoint(callee, callee.Name, call.GetLocation(), Delta(state)));
                if (Held(state) is { } held)
                {
                    _result.SourceCallsInContext.Add((call, callee, held));
                }
            }
        }

        // A local function runs at its call: its sleep points count here, shifted by what this call holds. A call of
        // one whose analysis is under way (recursion) is handed up to that analysis, which repeats the function's
        // points at the contexts the recursive call holds.
        private void LocalFunction(SyntaxNode call, IMethodSymbol function, ContextCounts state, int[] delta)
        {
            if (!_reporting)
            {
                return;
            }

            if (_budget.OnTheWay.Contains(function, SymbolEqualityComparer.Default))
            {
                _result.ReEntries.Add(new ReEntry(function, delta));
                return;
            }

            if (LocalGraph(function) is not { } graph)
            {
                return;
            }

            var inner = AnalyzeLocal(call, function, graph);
            _result.CutShort ??= inner.CutShort;
            foreach (var reEntry in inner.ReEntries)
            {
                _result.ReEntries.Add(new ReEntry(reEntry.Function, Shift(delta, reEntry.Delta)));
            }

            // One report for the call: the first leaf that sleeps held, with the most any such leaf holds.
            SleepInContext? sleep = null;
            foreach (var point in inner.Points)
            {
                var shifted = Shift(delta, point.Delta);
                _result.Points.Add(new SleepPoint(point.Callee, point.Name, point.Location, shifted));
                var held = Enumerable.Range(0, ContextCounts.Kinds).Select(k => state.MaxOf(k) + point.Delta[k]).ToArray();
                if (!held.Any(h => h > 0))
                {
                    continue;
                }

                if (point.IsLeaf)
                {
                    sleep ??= new SleepInContext(call, function, new int[ContextCounts.Kinds], new[] { point }) { CalleeHolds = new int[ContextCounts.Kinds] };
                    for (var kind = 0; kind < ContextCounts.Kinds; kind++)
                    {
                        sleep.Held[kind] = Math.Max(sleep.Held[kind], held[kind]);
                        sleep.CalleeHolds![kind] = Math.Max(sleep.CalleeHolds[kind], point.Delta[kind]);
                    }
                }
                else
                {
                    _result.SourceCallsInContext.Add((call, point.Callee!, held));
                }
            }

            if (sleep is not null)
            {
                Report(sleep);
            }
        }

        // Past the budget the function is not analysed: it may sleep, at this call.
        private Result AnalyzeLocal(SyntaxNode call, IMethodSymbol function, ControlFlowGraph graph)
        {
            if (++_budget.Analyses > LocalFunctionBudget.MaxAnalyses)
            {
                var notAnalysed = new Result { CutShort = $"more than {LocalFunctionBudget.MaxAnalyses} analyses of local functions" };
                notAnalysed.Points.Add(new SleepPoint(null, NotAnalysed, call.GetLocation(), new int[ContextCounts.Kinds]));
                return notAnalysed;
            }

            _budget.OnTheWay.Add(function);
            try
            {
                var inner = _analysis.Analyze(graph, function, _budget);
                ResolveRecursion(inner, function);
                return inner;
            }
            finally
            {
                _budget.OnTheWay.RemoveAt(_budget.OnTheWay.Count - 1);
            }
        }

        // Each recursive call runs the function again from its entry, holding what the call holds: its points recur
        // shifted by that, and again for a call that recursion reaches, until the shifts add nothing a caller could
        // see (a point held no more in any kind) or the counts saturate.
        private static void ResolveRecursion(Result inner, IMethodSymbol function)
        {
            var calls = inner.ReEntries.Where(r => SymbolEqualityComparer.Default.Equals(r.Function, function)).ToList();
            if (calls.Count == 0)
            {
                return;
            }

            inner.ReEntries.RemoveAll(r => SymbolEqualityComparer.Default.Equals(r.Function, function));
            var added = new List<SleepPoint>(inner.Points);
            for (var round = 0; round < ContextCounts.Max && added.Count > 0; round++)
            {
                var next = new List<SleepPoint>();
                foreach (var recursive in calls)
                {
                    foreach (var point in added)
                    {
                        var shifted = Shift(recursive.Delta, point.Delta);
                        if (Enumerable.Range(0, ContextCounts.Kinds).Any(k => shifted[k] > point.Delta[k]))
                        {
                            next.Add(new SleepPoint(point.Callee, point.Name, point.Location, shifted));
                        }
                    }
                }

                inner.Points.AddRange(next);
                added = next;
            }
        }

        private static int[] Shift(int[] by, int[] delta)
        {
            var shifted = new int[ContextCounts.Kinds];
            for (var kind = 0; kind < shifted.Length; kind++)
            {
                shifted[kind] = Math.Max(-ContextCounts.Max, Math.Min(ContextCounts.Max, by[kind] + delta[kind]));
            }

            return shifted;
        }

        private ControlFlowGraph? LocalGraph(IMethodSymbol function)
        {
            for (var graph = _graph; graph is not null; graph = graph.Parent)
            {
                if (graph.LocalFunctions.Contains(function, SymbolEqualityComparer.Default))
                {
                    return graph.GetLocalFunctionControlFlowGraph(function);
                }
            }

            return null;
        }

        private int[] Delta(ContextCounts state)
        {
            var delta = new int[ContextCounts.Kinds];
            for (var kind = 0; kind < delta.Length; kind++)
            {
                delta[kind] = state.MaxOf(kind) - _baseline[kind];
            }

            return delta;
        }

        private static int[]? Held(ContextCounts state)
        {
            int[]? held = null;
            for (var kind = 0; kind < ContextCounts.Kinds; kind++)
            {
                if (state.MaxOf(kind) is var count && count > 0)
                {
                    held ??= new int[ContextCounts.Kinds];
                    held[kind] = count;
                }
            }

            return held;
        }

        private void Report(SleepInContext sleep)
        {
            if (_reported.Add(new TextSpanKey(sleep.Syntax)))
            {
                _result.Sleeps.Add(sleep);
            }
        }
    }

    private readonly struct TextSpanKey : IEquatable<TextSpanKey>
    {
        private readonly SyntaxTree _tree;
        private readonly int _start;
        private readonly int _length;

        public TextSpanKey(SyntaxNode node)
        {
            _tree = node.SyntaxTree;
            _start = node.SpanStart;
            _length = node.Span.Length;
        }

        public bool Equals(TextSpanKey other) => _tree == other._tree && _start == other._start && _length == other._length;

        public override bool Equals(object? obj) => obj is TextSpanKey other && Equals(other);

        public override int GetHashCode() => (_start * 397) ^ _length;
    }
}
