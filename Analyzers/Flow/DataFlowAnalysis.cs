using System.Collections.Generic;
using System.Threading;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace FpuGuard.Analyzers.Flow;

/// <summary>
/// The one forward dataflow engine every rule runs on: a worklist over a <see cref="ControlFlowGraph"/>'s blocks
/// with a rule's <see cref="FlowTransfer{TState}"/>, then one reporting pass over the settled states. Exception
/// regions are handled here, once for every rule:
/// <list type="bullet">
/// <item>a <c>finally</c> runs on every way out of its try: on each branch that leaves it, and on an exception
/// thrown at any point of it;</item>
/// <item>a <c>catch</c> block may run from any point of its try where an exception may be thrown (the state
/// before each operation that may throw, <see cref="ThrowPoints"/>, and at each <c>throw</c>), after the
/// <c>finally</c> blocks nested inside that try have run; an unfiltered catch of every exception keeps it from
/// the handlers around it;</item>
/// <item>an exception filter runs first, with the state at the point of the throw, before those nested
/// <c>finally</c> blocks (two-pass exception handling); its handler starts from the state the filter leaves
/// after the <c>finally</c> blocks between the throw and the handler have run from it. An exception thrown by a filter is
/// swallowed (the filter is false), so it reaches no handler. The filters run in order, each from where the ones
/// before it let the exception go (false, or swallowing one of their own); a filter that is never false ends the
/// dispatch.</item>
/// </list>
/// Beside the rule's state the engine follows which bool locals and parameters have a known value
/// (<see cref="KnownConditions"/>): a way out of a block that contradicts them is not taken, for every rule.
/// The iteration is bounded (<see cref="MaxVisitsPerBlock"/>): reaching the bound stops the fixpoint, sets
/// <see cref="CutShort"/>, and the rule gives its conservative answer.
/// </summary>
internal sealed class DataFlowAnalysis<TState>
{
    /// <summary>How many times, on average, a block may be visited before the analysis stops unsettled.</summary>
    public const int MaxVisitsPerBlock = 200;

    private readonly ControlFlowGraph _graph;
    private readonly FlowTransfer<TState> _transfer;
    private readonly CancellationToken _cancellationToken;
    private readonly TState[] _entry;
    private readonly KnownConditions[] _entryKnown;
    private readonly ConditionAtoms _atoms;
    private readonly bool[] _reached;
    private readonly bool[] _queued;
    private readonly bool[] _inTry;
    private readonly Queue<int> _pending = new();
    private readonly Stack<(IOperation Operation, bool ChildrenDone)> _walk = new();

    // A state with what is known of the bool conditions where it holds.
    private struct Flowing
    {
        public TState State;
        public KnownConditions Known;

        public Flowing(TState state, KnownConditions known)
        {
            State = state;
            Known = known;
        }
    }

    private DataFlowAnalysis(ControlFlowGraph graph, FlowTransfer<TState> transfer, CancellationToken cancellationToken)
    {
        _graph = graph;
        _transfer = transfer;
        _cancellationToken = cancellationToken;
        var count = graph.Blocks.Length;
        _entry = new TState[count];
        _entryKnown = new KnownConditions[count];
        _atoms = new ConditionAtoms(graph);
        _reached = new bool[count];
        _queued = new bool[count];
        _inTry = new bool[count];
        foreach (var block in graph.Blocks)
        {
            for (var region = block.EnclosingRegion; region is not null && region.Kind != ControlFlowRegionKind.Root; region = region.EnclosingRegion)
            {
                if (region.Kind == ControlFlowRegionKind.Try)
                {
                    _inTry[block.Ordinal] = true;
                    break;
                }
            }
        }
    }

    /// <summary>Why the fixpoint stopped before it settled; null when it settled.</summary>
    public string? CutShort { get; private set; }

    /// <summary>Runs the transfer to its fixpoint from <paramref name="entry"/>, then its reporting pass.</summary>
    public static DataFlowAnalysis<TState> Run(ControlFlowGraph graph, TState entry, FlowTransfer<TState> transfer, CancellationToken cancellationToken)
    {
        var analysis = new DataFlowAnalysis<TState>(graph, transfer, cancellationToken);
        analysis.Execute(entry);
        return analysis;
    }

    /// <summary>Whether some path reaches the block.</summary>
    public bool IsReached(BasicBlock block) => _reached[block.Ordinal];

    private void Execute(TState entry)
    {
        _transfer.Graph = _graph;
        _transfer.Reporting = false;
        Merge(0, new Flowing(entry, KnownConditions.Nothing));
        var limit = MaxVisitsPerBlock * _graph.Blocks.Length;
        var steps = 0;
        for (; _pending.Count > 0 && steps < limit; steps++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var ordinal = _pending.Dequeue();
            _queued[ordinal] = false;
            var block = _graph.Blocks[ordinal];
            var exit = Transfer(block, Entry(ordinal), _inTry[ordinal], out var atThrow, out var mayThrow);
            if (mayThrow)
            {
                Throw(block, atThrow);
            }

            Propagate(block, exit);
        }

        if (_pending.Count > 0)
        {
            CutShort ??= $"the flow did not settle in {steps} steps";
        }

        _transfer.Reporting = true;
        foreach (var block in _graph.Blocks)
        {
            if (_reached[block.Ordinal])
            {
                Transfer(block, Entry(block.Ordinal), false, out _, out _);
                if (block.Kind == BasicBlockKind.Exit)
                {
                    _transfer.AtExit(_entry[block.Ordinal]);
                }
            }
        }
    }

    private Flowing Entry(int ordinal) => new(_entry[ordinal], _entryKnown[ordinal]);

    // Whether the way may be taken, and the state on it: the known conditions first (a way they rule out is
    // not taken), then what the rule learns from the condition.
    private bool Follow(BasicBlock block, bool? conditionHolds, ref Flowing flowing)
    {
        if (conditionHolds is { } holds && !_atoms.Allows(block.BranchValue, holds, ref flowing.Known))
        {
            return false;
        }

        return _transfer.Follow(block, conditionHolds, ref flowing.State);
    }

    // Every way out of the block, with the finally regions each branch leaves run on the way.
    private void Propagate(BasicBlock block, Flowing exit)
    {
        var fromFilter = IsIn(block, ControlFlowRegionKind.Filter);
        foreach (var (branch, conditionHolds) in Ways(block))
        {
            var state = exit;
            if (branch.Destination is not { } destination || !Follow(block, conditionHolds, ref state))
            {
                continue;
            }

            // A filter's way into its handler is taken by the exception dispatch (Throw), which knows what ran between.
            if (fromFilter is { } filter && !Contains(filter, destination))
            {
                continue;
            }

            if (Through(branch.FinallyRegions, ref state))
            {
                Merge(destination.Ordinal, state);
            }
        }
    }

    // An exception at any point of a try: filters first, with the state at the throw; then each finally on the way
    // out, and each catch that may take it after the finally blocks inside its try.
    private void Throw(BasicBlock block, Flowing atThrow)
    {
        var unwound = atThrow;
        // Pass one: the filters run in order, each from where the one before it left the exception, false (or
        // swallowing one of its own): `when (c && Always())` then `when (c && Other())` runs Other only with c false.
        var dispatched = atThrow;
        var finallyRan = new List<ControlFlowRegion>();
        // A lambda's or local function's graph ends at its root region: the regions above it are its parent graph's.
        for (var region = block.EnclosingRegion; region is { Kind: not ControlFlowRegionKind.Root, EnclosingRegion: { } parent }; region = parent)
        {
            if (region.Kind == ControlFlowRegionKind.Filter)
            {
                return; // An exception in a filter is swallowed: the filter is false, and the dispatch it was part of goes on.
            }

            if (region.Kind != ControlFlowRegionKind.Try)
            {
                continue;
            }

            if (parent.Kind == ControlFlowRegionKind.TryAndFinally)
            {
                if (!ThroughRegion(parent.NestedRegions[1], unwound, out unwound, out _))
                {
                    return; // The finally never completes: nothing unwinds past it.
                }

                finallyRan.Add(parent.NestedRegions[1]);
                continue;
            }

            for (var i = 1; i < parent.NestedRegions.Length; i++)
            {
                var handler = parent.NestedRegions[i];
                if (handler.Kind == ControlFlowRegionKind.FilterAndHandler)
                {
                    // Two passes: the filter runs first, on the state at the throw; then the finally blocks between the throw
                    // and the handler run, from what the filter left (its verdict holds unless they change it).
                    if (ThroughRegion(handler.NestedRegions[0], dispatched, out var passed, out var rejected) && Through(finallyRan, ref passed))
                    {
                        Merge(handler.NestedRegions[1].FirstBlockOrdinal, passed);
                    }

                    if (rejected is not { } next)
                    {
                        return; // The filter takes every exception that reaches it.
                    }

                    dispatched = next;
                }
                else
                {
                    // From the state unwound at the throw, not from where the filters before it let the exception go: what a
                    // filter tested (or did) is not carried into a later unfiltered catch.
                    Merge(handler.FirstBlockOrdinal, unwound);
                    if (CatchesEverything(handler))
                    {
                        return; // Nothing gets past it to the enclosing handlers.
                    }
                }
            }
        }
    }

    // catch, catch (object) and catch (System.Exception), unfiltered: every exception is an Exception in .NET
    // (others are wrapped in RuntimeWrappedException).
    private static bool CatchesEverything(ControlFlowRegion handler) =>
        handler.ExceptionType is null or { SpecialType: SpecialType.System_Object }
        || handler.ExceptionType is { Name: "Exception", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    private bool Through(IEnumerable<ControlFlowRegion> finallyRegions, ref Flowing state)
    {
        foreach (var region in finallyRegions)
        {
            if (!ThroughRegion(region, state, out state, out _))
            {
                return false;
            }
        }

        return true;
    }

    // Runs a finally or filter region on one state, to where it leaves: the end of a finally, a filter's way into
    // its handler. Its blocks' entries take the state too, so that they are reported with every state they run
    // in. False when no way out is reached. For a filter, rejected is where it leaves the exception to the next
    // handler: its way out when false, and each point where it may throw (the exception is swallowed); null when none.
    private bool ThroughRegion(ControlFlowRegion region, Flowing state, out Flowing leaving, out Flowing? rejected)
    {
        AnalysisBounds.EnsureStack();
        leaving = default!;
        rejected = null;
        var any = false;
        var isFilter = region.Kind == ControlFlowRegionKind.Filter;
        var local = new Dictionary<int, Flowing> { [region.FirstBlockOrdinal] = state };
        var work = new Queue<int>();
        work.Enqueue(region.FirstBlockOrdinal);
        Merge(region.FirstBlockOrdinal, state);
        var limit = MaxVisitsPerBlock * (region.LastBlockOrdinal - region.FirstBlockOrdinal + 1);
        for (var steps = 0; work.Count > 0; steps++)
        {
            if (steps == limit)
            {
                CutShort ??= $"a {(region.Kind == ControlFlowRegionKind.Finally ? "finally" : "filter")} region did not settle in {steps} steps";
                break;
            }

            var ordinal = work.Dequeue();
            var block = _graph.Blocks[ordinal];
            var exit = Transfer(block, local[ordinal], isFilter, out var atThrow, out var mayThrow);
            if (mayThrow)
            {
                rejected = rejected is { } earlier ? Join(earlier, atThrow) : atThrow;
            }

            foreach (var (branch, conditionHolds) in Ways(block))
            {
                var flowing = exit;
                if (!Follow(block, conditionHolds, ref flowing))
                {
                    continue;
                }

                if (branch.Destination is { } destination && Contains(region, destination))
                {
                    if (!Through(branch.FinallyRegions, ref flowing))
                    {
                        continue;
                    }

                    var merged = local.TryGetValue(destination.Ordinal, out var existing) ? Join(existing, flowing) : flowing;
                    if (local.ContainsKey(destination.Ordinal) && Same(existing, merged))
                    {
                        continue;
                    }

                    local[destination.Ordinal] = merged;
                    Merge(destination.Ordinal, merged);
                    work.Enqueue(destination.Ordinal);
                }
                else if (!isFilter
                    ? branch.Destination is null && branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling
                    : branch.Destination is not null)
                {
                    leaving = any ? Join(leaving, flowing) : flowing;
                    any = true;
                }
                else if (isFilter && branch.Destination is null)
                {
                    rejected = rejected is { } earlier ? Join(earlier, flowing) : flowing;
                }
            }
        }

        return any;
    }

    private static IEnumerable<(ControlFlowBranch Branch, bool? ConditionHolds)> Ways(BasicBlock block)
    {
        if (block.ConditionKind == ControlFlowConditionKind.None)
        {
            if (block.FallThroughSuccessor is { } only)
            {
                yield return (only, null);
            }

            yield break;
        }

        var takenWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
        if (block.ConditionalSuccessor is { } conditional)
        {
            yield return (conditional, takenWhen);
        }

        if (block.FallThroughSuccessor is { } fallThrough)
        {
            yield return (fallThrough, !takenWhen);
        }
    }

    // The block's operations and branch value, in order. When asked (a block in a try), atThrow joins the states
    // where an exception may leave the block: before each operation that may throw, and at an explicit throw.
    private Flowing Transfer(BasicBlock block, Flowing state, bool throws, out Flowing atThrow, out bool mayThrow)
    {
        atThrow = default;
        mayThrow = false;
        foreach (var operation in block.Operations)
        {
            if (throws && ThrowPoints.MayThrow(operation))
            {
                atThrow = mayThrow ? Join(atThrow, state) : state;
                mayThrow = true;
            }

            state = Walk(operation, state);
        }

        if (block.BranchValue is { } branchValue)
        {
            if (throws && ThrowPoints.MayThrow(branchValue))
            {
                atThrow = mayThrow ? Join(atThrow, state) : state;
                mayThrow = true;
            }

            state = Walk(branchValue, state);
        }

        if (throws && block.FallThroughSuccessor?.Semantics is ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow)
        {
            atThrow = mayThrow ? Join(atThrow, state) : state;
            mayThrow = true;
        }

        return state;
    }

    // Children before their parent, in evaluation order, on an explicit stack: operation trees can be as deep as
    // the parser allows.
    private Flowing Walk(IOperation root, Flowing state)
    {
        _walk.Push((root, false));
        while (_walk.Count > 0)
        {
            var (operation, childrenDone) = _walk.Pop();
            if (childrenDone)
            {
                state.State = _transfer.Visit(operation, state.State);
                state.Known = _atoms.After(operation, state.Known);
                continue;
            }

            _walk.Push((operation, true));
            if (_transfer.VisitChildren(operation))
            {
                foreach (var child in operation.ChildOperations.Reverse())
                {
                    _walk.Push((child, false));
                }
            }
        }

        return state;
    }

    private Flowing Join(Flowing a, Flowing b) => new(_transfer.Join(a.State, b.State), a.Known.Join(b.Known));

    private bool Same(Flowing a, Flowing b) => a.Known.Same(b.Known) && _transfer.Same(a.State, b.State);

    private void Merge(int ordinal, Flowing incoming)
    {
        if (_reached[ordinal])
        {
            var merged = Join(Entry(ordinal), incoming);
            if (Same(Entry(ordinal), merged))
            {
                return;
            }

            _entry[ordinal] = merged.State;
            _entryKnown[ordinal] = merged.Known;
        }
        else
        {
            _entry[ordinal] = incoming.State;
            _entryKnown[ordinal] = incoming.Known;
            _reached[ordinal] = true;
        }

        if (!_queued[ordinal])
        {
            _queued[ordinal] = true;
            _pending.Enqueue(ordinal);
        }
    }

    private static ControlFlowRegion? IsIn(BasicBlock block, ControlFlowRegionKind kind)
    {
        for (var region = block.EnclosingRegion; region is not null && region.Kind != ControlFlowRegionKind.Root; region = region.EnclosingRegion)
        {
            if (region.Kind == kind)
            {
                return region;
            }
        }

        return null;
    }

    private static bool Contains(ControlFlowRegion region, BasicBlock block) =>
        block.Ordinal >= region.FirstBlockOrdinal && block.Ordinal <= region.LastBlockOrdinal;
}
