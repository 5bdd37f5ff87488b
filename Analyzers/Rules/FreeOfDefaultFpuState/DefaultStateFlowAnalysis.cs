using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Flow;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState;

/// <summary>
/// Forward analysis over a control-flow graph, on the shared engine: which values are proven not to be the default
/// state on every path to a point (must), and which variables may hold a state buffer or the default itself (may).
/// Facts come from guards on CFG edges (<c>!=</c>, <c>==</c>, <c>ReferenceEquals</c>, <c>Equals</c> not overridden,
/// <c>!</c>, <c>is true/false</c>, a bool variable holding such a comparison, a predicate of this compilation) and
/// from values the swap helper returned; a write to the buffer or its owner, a swap of the owner, or a call that may
/// write through what it receives kills them. Values move through locals, captures of the graph (conditional,
/// null-coalescing and null-conditional results, switch inputs, <c>with</c> copies), pattern variables, tuple
/// elements and deconstruction, ref locals, and the results and out parameters of helpers of this compilation.
/// </summary>
internal sealed class DefaultStateFlowAnalysis
{
    private readonly FpuStateMembers _members;
    private readonly Func<IMethodSymbol, bool> _isFree;
    private readonly Func<IMethodSymbol, bool> _isSwapHelper;
    private readonly Action<Diagnostic> _report;
    private readonly HelperSummaries _summaries;
    private readonly Queue<ControlFlowGraph> _nested = new();
    private readonly Dictionary<CaptureId, string?> _captureTexts = new();

    // Set when this analysis reads a helper for its summary: the helpers being read above it (cycles and depth),
    // and what it collects instead of reporting.
    private readonly ImmutableStack<IMethodSymbol> _reading;
    private readonly int _depth;
    private readonly SummaryCollector? _collect;

    // Summaries read during one top-level analysis, kept even when a bound shaped them: each helper is read once
    // per analysis, however many of its callers reach it.
    private readonly Dictionary<ISymbol, HelperSummary> _read;
    private ControlFlowGraph? _graph;
    private HashSet<IOperation> _returned = new();

    // How many helpers deep the summaries this analysis read went: its own summary's height, less one.
    private int _height;

    public DefaultStateFlowAnalysis(FpuStateMembers members, Func<IMethodSymbol, bool> isFree, Func<IMethodSymbol, bool> isSwapHelper, Action<Diagnostic> report, HelperSummaries summaries)
        : this(members, isFree, isSwapHelper, report, summaries, ImmutableStack<IMethodSymbol>.Empty, 0, null, new Dictionary<ISymbol, HelperSummary>(SymbolEqualityComparer.Default))
    {
    }

    private DefaultStateFlowAnalysis(FpuStateMembers members, Func<IMethodSymbol, bool> isFree, Func<IMethodSymbol, bool> isSwapHelper, Action<Diagnostic> report,
        HelperSummaries summaries, ImmutableStack<IMethodSymbol> reading, int depth, SummaryCollector? collect, Dictionary<ISymbol, HelperSummary> read)
    {
        _read = read;
        _members = members;
        _isFree = isFree;
        _isSwapHelper = isSwapHelper;
        _report = report;
        _summaries = summaries;
        _reading = reading;
        _depth = depth;
        _collect = collect;
    }

    /// <summary>Why an analysis stopped before its flow settled; null when every one settled.</summary>
    public string? CutShort { get; private set; }

    /// <summary>
    /// Why a helper's summary was not read (helpers calling each other deeper than the bound): the analysis is
    /// complete, with the conservative summary for it; null when every summary was read.
    /// </summary>
    public string? SummaryBound { get; private set; }

    /// <summary>
    /// What a value that may be a state buffer came from: its owner (text for the message and the fix, path for a
    /// summary), the default member's name, and the expression it was read from; or the default member itself.
    /// </summary>
    private sealed class Alias
    {
        public Alias(string? ownerText, AccessPath? ownerPath, string? defaultName, string origin, bool isDefault, AccessPath? path = null)
        {
            Path = path;
            OwnerText = ownerText;
            OwnerPath = ownerPath;
            DefaultName = defaultName;
            Origin = origin;
            IsDefault = isDefault;
        }

        public string? OwnerText { get; }

        public AccessPath? OwnerPath { get; }

        /// <summary>The state member it was read from, while that is known.</summary>
        public AccessPath? Path { get; }

        /// <summary>Null when a helper too deep to read hands it back.</summary>
        public string? DefaultName { get; }

        public string Origin { get; }

        public bool IsDefault { get; }
    }

    /// <summary>
    /// What a condition (a comparison, a predicate's result, a bool variable's value) proves, each way: the values it
    /// proves not to be the default, and the state members it proves to be their own owner's default member (`fpu.State`
    /// after `fpu.State == fpu.DefaultState` holds). The second is only used to see that a way is not taken: one that
    /// needs a state member to be its default, where that member is proven not to be.
    /// </summary>
    private sealed class Condition
    {
        public static readonly Condition None = new(ImmutableHashSet<AccessPath>.Empty, ImmutableHashSet<AccessPath>.Empty);

        public Condition(ImmutableHashSet<AccessPath> whenTrue, ImmutableHashSet<AccessPath> whenFalse,
            ImmutableHashSet<AccessPath>? defaultWhenTrue = null, ImmutableHashSet<AccessPath>? defaultWhenFalse = null)
        {
            WhenTrue = whenTrue;
            WhenFalse = whenFalse;
            DefaultWhenTrue = defaultWhenTrue ?? ImmutableHashSet<AccessPath>.Empty;
            DefaultWhenFalse = defaultWhenFalse ?? ImmutableHashSet<AccessPath>.Empty;
        }

        public ImmutableHashSet<AccessPath> WhenTrue { get; }

        public ImmutableHashSet<AccessPath> WhenFalse { get; }

        /// <summary>State members (<c>owner.State</c>) a true value proves to be their owner's default member.</summary>
        public ImmutableHashSet<AccessPath> DefaultWhenTrue { get; }

        /// <summary>State members a false value proves to be their owner's default member.</summary>
        public ImmutableHashSet<AccessPath> DefaultWhenFalse { get; }

        public bool IsEmpty => WhenTrue.IsEmpty && WhenFalse.IsEmpty && DefaultWhenTrue.IsEmpty && DefaultWhenFalse.IsEmpty;

        public Condition Negated => new(WhenFalse, WhenTrue, DefaultWhenFalse, DefaultWhenTrue);

        public IEnumerable<AccessPath> Paths => WhenTrue.Concat(WhenFalse).Concat(DefaultWhenTrue).Concat(DefaultWhenFalse);

        public Condition Where(Func<AccessPath, bool> keep) => new(
            WhenTrue.Where(keep).ToImmutableHashSet(), WhenFalse.Where(keep).ToImmutableHashSet(),
            DefaultWhenTrue.Where(keep).ToImmutableHashSet(), DefaultWhenFalse.Where(keep).ToImmutableHashSet());

        public Condition Without(AccessPath written) => Where(p => !p.StartsWith(written));

        public bool Mentions(AccessPath written) => Paths.Any(p => p.StartsWith(written));

        public Condition Meet(Condition other) => new(
            WhenTrue.Intersect(other.WhenTrue), WhenFalse.Intersect(other.WhenFalse), DefaultWhenTrue.Intersect(other.DefaultWhenTrue), DefaultWhenFalse.Intersect(other.DefaultWhenFalse));

        public bool SameAs(Condition other) => WhenTrue.SetEquals(other.WhenTrue) && WhenFalse.SetEquals(other.WhenFalse)
            && DefaultWhenTrue.SetEquals(other.DefaultWhenTrue) && DefaultWhenFalse.SetEquals(other.DefaultWhenFalse);

        /// <summary>False when the way on which the condition has this value needs a member proven not the default to be it.</summary>
        public bool MayHold(bool value, ImmutableHashSet<AccessPath> notDefault) => !(value ? DefaultWhenTrue : DefaultWhenFalse).Any(notDefault.Contains);
    }

    private sealed class FlowState
    {
        public static readonly FlowState Empty = new(ImmutableHashSet<AccessPath>.Empty, ImmutableDictionary<AccessPath, Alias>.Empty,
            ImmutableDictionary<AccessPath, Condition>.Empty, ImmutableDictionary<AccessPath, AccessPath>.Empty, ImmutableDictionary<AccessPath, AccessPath>.Empty);

        public FlowState(ImmutableHashSet<AccessPath> notDefault, ImmutableDictionary<AccessPath, Alias> aliases,
            ImmutableDictionary<AccessPath, Condition> conditions, ImmutableDictionary<AccessPath, AccessPath> refTargets, ImmutableDictionary<AccessPath, AccessPath> installed,
            ImmutableHashSet<AccessPath>? nonNull = null, ImmutableDictionary<AccessPath, AccessPath>? copies = null)
        {
            NonNull = nonNull ?? ImmutableHashSet<AccessPath>.Empty;
            Copies = copies ?? ImmutableDictionary<AccessPath, AccessPath>.Empty;
            NotDefault = notDefault;
            Aliases = aliases;
            Conditions = conditions;
            RefTargets = refTargets;
            Installed = installed;
        }

        /// <summary>Must: proven not the default on every path.</summary>
        public ImmutableHashSet<AccessPath> NotDefault { get; }

        /// <summary>May: a variable (or a member of one) that may hold a state buffer or the default itself.</summary>
        public ImmutableDictionary<AccessPath, Alias> Aliases { get; }

        /// <summary>Must: bool variables holding a comparison with the default, not written since.</summary>
        public ImmutableDictionary<AccessPath, Condition> Conditions { get; }

        /// <summary>Must: the storage each ref local refers to.</summary>
        public ImmutableDictionary<AccessPath, AccessPath> RefTargets { get; }

        /// <summary>
        /// Must, in a helper read for its summary only: a state member the swap helper gave a value the helper received
        /// (a parameter, <c>this</c> or a capture, or a member of one), neither written since: its caller decides what it is.
        /// </summary>
        public ImmutableDictionary<AccessPath, AccessPath> Installed { get; }

        /// <summary>Must: variables (and captured values) holding a new object, not written since: `q ?? fpu.State` reads q.</summary>
        public ImmutableHashSet<AccessPath> NonNull { get; }

        /// <summary>
        /// Must: a variable (or an element of one) holding what a state member held when it was copied, neither written
        /// since: they hold the same buffer, so a guard proven on the member later covers the copy (`var t = (fpu.State, 0);`
        /// then `if (!OnDefault(fpu)) Vfree(t.Item1);`).
        /// </summary>
        public ImmutableDictionary<AccessPath, AccessPath> Copies { get; }

        public FlowState WithNonNull(ImmutableHashSet<AccessPath> nonNull) => new(NotDefault, Aliases, Conditions, RefTargets, Installed, nonNull, Copies);

        public FlowState With(ImmutableHashSet<AccessPath> facts) => facts.IsEmpty ? this : new FlowState(NotDefault.Union(facts), Aliases, Conditions, RefTargets, Installed, NonNull, Copies);

        public FlowState WithNotDefault(ImmutableHashSet<AccessPath> notDefault) => new(notDefault, Aliases, Conditions, RefTargets, Installed, NonNull, Copies);

        public FlowState WithAliases(ImmutableDictionary<AccessPath, Alias> aliases) => new(NotDefault, aliases, Conditions, RefTargets, Installed, NonNull, Copies);

        public FlowState WithConditions(ImmutableDictionary<AccessPath, Condition> conditions) => new(NotDefault, Aliases, conditions, RefTargets, Installed, NonNull, Copies);

        public FlowState WithRefTargets(ImmutableDictionary<AccessPath, AccessPath> refTargets) => new(NotDefault, Aliases, Conditions, refTargets, Installed, NonNull, Copies);

        public FlowState WithInstalled(ImmutableDictionary<AccessPath, AccessPath> installed) => new(NotDefault, Aliases, Conditions, RefTargets, installed, NonNull, Copies);

        // A write replaces the value at the path and below: what was proven or aliased there is gone.
        public FlowState Kill(AccessPath written)
        {
            // A captured value stops standing for the path it was read from once that path is written; a ref local
            // keeps referring to its storage.
            bool Stale(KeyValuePair<AccessPath, AccessPath> target) => target.Key.StartsWith(written) || (target.Key.Capture is not null && target.Value.StartsWith(written));
            bool Moved(KeyValuePair<AccessPath, AccessPath> install) => install.Key.StartsWith(written) || install.Value.StartsWith(written);
            if (!NotDefault.Any(p => p.StartsWith(written)) && !Aliases.Keys.Any(k => k.StartsWith(written))
                && !Conditions.Any(c => c.Key.StartsWith(written) || c.Value.Mentions(written)) && !RefTargets.Any(Stale) && !Installed.Any(Moved)
                && !NonNull.Any(p => p.StartsWith(written)) && !Copies.Any(Moved))
            {
                return this; // Most writes touch nothing the analysis knows.
            }

            // A copy of the written member still holds the buffer it copied: what was proven of that buffer is the copy's now.
            var kept = Copies.Where(c => c.Value.StartsWith(written) && !c.Key.StartsWith(written) && NotDefault.Contains(c.Value)).Select(c => c.Key);
            return new(
                NotDefault.Where(p => !p.StartsWith(written)).Concat(kept).ToImmutableHashSet(),
                Aliases.Where(a => !a.Key.StartsWith(written)).ToImmutableDictionary(),
                Conditions.Where(c => !c.Key.StartsWith(written)).Select(c => new KeyValuePair<AccessPath, Condition>(c.Key, c.Value.Without(written)))
                    .Where(c => !c.Value.IsEmpty).ToImmutableDictionary(),
                RefTargets.Where(r => !Stale(r)).ToImmutableDictionary(),
                Installed.Where(i => !Moved(i)).ToImmutableDictionary(),
                NonNull.Where(p => !p.StartsWith(written)).ToImmutableHashSet(),
                Copies.Where(c => !Moved(c)).ToImmutableDictionary());
        }

        // A call that may write through what it receives: what was proven below it no longer holds. What may be
        // aliased there stays: the call may have left anything, the default included.
        public FlowState KillBelow(AccessPath reached)
        {
            bool Below(AccessPath p) => p.Length > reached.Length && p.StartsWith(reached);
            if (!NotDefault.Any(Below) && !Conditions.Values.Any(c => c.Paths.Any(Below)) && !Installed.Any(i => Below(i.Key) || Below(i.Value)) && !NonNull.Any(Below)
                && !Copies.Any(c => Below(c.Key) || Below(c.Value)))
            {
                return this;
            }

            var kept = Copies.Where(c => Below(c.Value) && !Below(c.Key) && NotDefault.Contains(c.Value)).Select(c => c.Key);
            return new(
                NotDefault.Where(p => !Below(p)).Concat(kept).ToImmutableHashSet(),
                Aliases,
                Conditions.Select(c => new KeyValuePair<AccessPath, Condition>(c.Key, c.Value.Where(p => !Below(p))))
                    .Where(c => !c.Value.IsEmpty).ToImmutableDictionary(),
                RefTargets,
                Installed.Where(i => !Below(i.Key) && !Below(i.Value)).ToImmutableDictionary(),
                NonNull.Where(p => !Below(p)).ToImmutableHashSet(),
                Copies.Where(c => !Below(c.Key) && !Below(c.Value)).ToImmutableDictionary());
        }

        // Whether a write could end anything proven (what is only aliased stays at a write through a call).
        public bool KnowsAnything => !NotDefault.IsEmpty || !Conditions.IsEmpty || !Installed.IsEmpty || !Copies.IsEmpty || !NonNull.IsEmpty;

        public bool HasFactsBelow(AccessPath reached)
        {
            bool Below(AccessPath p) => p.Length > reached.Length && p.StartsWith(reached);
            return NotDefault.Any(Below) || Conditions.Values.Any(c => c.Paths.Any(Below)) || Installed.Any(i => Below(i.Key) || Below(i.Value))
                || Copies.Any(c => Below(c.Key) || Below(c.Value));
        }

        public FlowState Meet(FlowState other)
        {
            // "The bool proves p" holds on a side where p is proven outright, whatever the bool holds there: a guard's bool
            // meets a path that swapped in a new buffer (`if (c) Swap(fpu, new ...);` after `dyn = fpu.State != d`).
            var notDefault = NotDefault.Intersect(other.NotDefault);
            var conditions = ImmutableDictionary<AccessPath, Condition>.Empty;
            foreach (var key in Conditions.Keys.Concat(other.Conditions.Keys.Where(k => !Conditions.ContainsKey(k))))
            {
                var mine = Conditions.TryGetValue(key, out var found) ? found : Condition.None;
                var theirs = other.Conditions.TryGetValue(key, out var otherFound) ? otherFound : Condition.None;
                var both = new Condition(
                    mine.WhenTrue.Union(NotDefault).Intersect(theirs.WhenTrue.Union(other.NotDefault)).Except(notDefault),
                    mine.WhenFalse.Union(NotDefault).Intersect(theirs.WhenFalse.Union(other.NotDefault)).Except(notDefault),
                    mine.DefaultWhenTrue.Intersect(theirs.DefaultWhenTrue),
                    mine.DefaultWhenFalse.Intersect(theirs.DefaultWhenFalse));
                conditions = both.IsEmpty ? conditions : conditions.Add(key, both);
            }

            return new(
                notDefault,
                other.Aliases.Aggregate(Aliases, (acc, a) => acc.ContainsKey(a.Key) ? acc : acc.Add(a.Key, a.Value)),
                conditions,
                MeetRefTargets(RefTargets, other.RefTargets),
                Installed.Where(i => other.Installed.TryGetValue(i.Key, out var theirs) && theirs.Equals(i.Value)).ToImmutableDictionary(),
                NonNull.Intersect(other.NonNull),
                Copies.Where(c => other.Copies.TryGetValue(c.Key, out var theirs) && theirs.Equals(c.Value)).ToImmutableDictionary());
        }

        // Where both paths agree; a captured null (marked by the capture itself) takes the other path's storage.
        private static ImmutableDictionary<AccessPath, AccessPath> MeetRefTargets(ImmutableDictionary<AccessPath, AccessPath> mine, ImmutableDictionary<AccessPath, AccessPath> theirs)
        {
            var met = ImmutableDictionary<AccessPath, AccessPath>.Empty;
            foreach (var target in mine)
            {
                if (theirs.TryGetValue(target.Key, out var other))
                {
                    var isNull = target.Value.Equals(target.Key);
                    var otherIsNull = other.Equals(target.Key);
                    met = target.Value.Equals(other) || otherIsNull ? met.Add(target.Key, target.Value) : isNull ? met.Add(target.Key, other) : met;
                }
            }

            return met;
        }

        public bool SameAs(FlowState other) =>
            NotDefault.SetEquals(other.NotDefault) && Aliases.Count == other.Aliases.Count && Aliases.Keys.All(other.Aliases.ContainsKey)
            && Conditions.Count == other.Conditions.Count && Conditions.All(c => other.Conditions.TryGetValue(c.Key, out var theirs) && c.Value.SameAs(theirs))
            && RefTargets.Count == other.RefTargets.Count && RefTargets.All(r => other.RefTargets.TryGetValue(r.Key, out var theirs) && theirs.Equals(r.Value))
            && Installed.Count == other.Installed.Count && Installed.All(i => other.Installed.TryGetValue(i.Key, out var theirs) && theirs.Equals(i.Value))
            && NonNull.SetEquals(other.NonNull)
            && Copies.Count == other.Copies.Count && Copies.All(c => other.Copies.TryGetValue(c.Key, out var theirs) && theirs.Equals(c.Value));
    }

    public void Analyze(ControlFlowGraph graph, CancellationToken cancellationToken)
    {
        _nested.Enqueue(graph);
        while (_nested.Count > 0)
        {
            var next = _nested.Dequeue();
            _graph = next;
            _captureTexts.Clear();
            _returned = new HashSet<IOperation>(next.Blocks
                .Where(b => b.BranchValue is not null && b.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Return)
                .Select(b => b.BranchValue!));
            var run = DataFlowAnalysis<FlowState>.Run(next, FlowState.Empty, new Transfer(this, cancellationToken), cancellationToken);
            CutShort ??= run.CutShort;
            if (_collect is not null)
            {
                return; // A helper's summary is its own body; its lambdas and local functions are read when called.
            }

            foreach (var local in next.LocalFunctions)
            {
                _nested.Enqueue(next.GetLocalFunctionControlFlowGraph(local, cancellationToken));
            }
        }
    }

    // The must-analysis on the flow engine: facts hold where every path agrees (Meet), a branch's condition adds
    // what it proves on each side.
    private sealed class Transfer : FlowTransfer<FlowState>
    {
        private readonly DefaultStateFlowAnalysis _analysis;
        private readonly CancellationToken _cancellationToken;

        public Transfer(DefaultStateFlowAnalysis analysis, CancellationToken cancellationToken)
        {
            _analysis = analysis;
            _cancellationToken = cancellationToken;
        }

        public override FlowState Join(FlowState a, FlowState b) => a.Meet(b);

        public override bool Same(FlowState a, FlowState b) => a.SameAs(b);

        public override FlowState Visit(IOperation operation, FlowState state) => _analysis.Visit(Graph, operation, state, Reporting, _cancellationToken);

        public override bool Follow(BasicBlock block, bool? conditionHolds, ref FlowState state)
        {
            if (conditionHolds is { } holds && block.BranchValue is { } condition)
            {
                if (holds && condition is IIsNullOperation isNull && Key(isNull.Operand, state) is { } tested && state.NonNull.Contains(tested))
                {
                    return false; // `q ?? fpu.State`, `q?.State` where q holds a new object: the null way is not taken
                }

                if (!holds && condition is IIsNullOperation { Operand: IFlowCaptureReferenceOperation reference }
                    && AccessPath.ForCapture(reference.Id) is var captured && state.RefTargets.TryGetValue(captured, out var target) && target.Equals(captured))
                {
                    return false; // `(c ? null : fpu)?.State` where only the null branch got here: the member is not read
                }

                var facts = _analysis.Facts(condition, state, _cancellationToken);
                if (!facts.MayHold(holds, state.NotDefault))
                {
                    return false; // the way needs a state member to be its default, and it is proven not to be: no path takes it
                }

                state = state.With(holds ? facts.WhenTrue : facts.WhenFalse);
            }

            return true;
        }

        public override void AtExit(FlowState state) => _analysis._collect?.AtExit(_analysis, state);
    }

    // One operation; its children were visited by the engine.
    private FlowState Visit(ControlFlowGraph graph, IOperation operation, FlowState state, bool report, CancellationToken cancellationToken)
    {
        if (report && _collect is not null && _returned.Contains(operation))
        {
            _collect.Returned(this, operation, state, cancellationToken);
        }

        switch (operation)
        {
            case IFlowAnonymousFunctionOperation lambda:
                if (report && _collect is null)
                {
                    _nested.Enqueue(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken));
                }

                return state;
            case IFlowCaptureOperation capture:
                var text = capture.Value.Syntax.ToString();
                _captureTexts[capture.Id] = _captureTexts.TryGetValue(capture.Id, out var earlier) && earlier != text ? null : text;
                var captured = AccessPath.ForCapture(capture.Id);
                state = Track(captured, capture.Value, state.Kill(captured), cancellationToken);
                if (AccessPath.Strip(capture.Value) is { ConstantValue: { HasValue: true, Value: null } })
                {
                    // `c ? null : fpu`: null is not the default, and names no storage: where paths meet, a member of the
                    // captured value stands for the other branch's (`(c ? null : fpu)?.State` is `fpu.State` or nothing).
                    // Marked by the capture itself.
                    return state.WithRefTargets(state.RefTargets.SetItem(captured, captured)).With(ImmutableHashSet.Create(captured));
                }

                return Key(capture.Value, state) is { } read && !read.Equals(captured) ? state.WithRefTargets(state.RefTargets.SetItem(captured, read)) : state;
            case IInvocationOperation invocation:
                if (report && _collect is null && _isFree(invocation.TargetMethod))
                {
                    CheckFree(invocation, state, cancellationToken);
                }

                return AfterCall(invocation.TargetMethod, invocation.Instance, invocation.Arguments, state, cancellationToken);
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                return AfterCall(constructor, null, creation.Arguments, state, cancellationToken);
            case ISimpleAssignmentOperation assignment:
                return Assign(assignment.Target, assignment.Value, assignment.IsRef, state, cancellationToken);
            case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                var local = AccessPath.ForSymbol(declarator.Symbol);
                state = state.Kill(local);
                return declarator.Symbol.IsRef
                    ? Key(initializer.Value, state) is { } referred ? state.WithRefTargets(state.RefTargets.SetItem(local, referred)) : state
                    : Track(local, initializer.Value, state, cancellationToken);
            case IDeconstructionAssignmentOperation deconstruction:
                return Deconstruct(deconstruction, state, cancellationToken);
            case IIsPatternOperation { Pattern: IRecursivePatternOperation { DeconstructSymbol: null } positional, Value: var matched }
                when AccessPath.Strip(matched) is ITupleOperation tuple && tuple.Elements.Length == positional.DeconstructionSubpatterns.Length:
                // `(a, b) is (var x, ...)`: each element matched in place, no tuple stored.
                for (var i = 0; i < tuple.Elements.Length; i++)
                {
                    state = Bind(positional.DeconstructionSubpatterns[i], Key(tuple.Elements[i], state), state);
                }

                return positional.DeclaredSymbol is ILocalSymbol whole ? state.Kill(AccessPath.ForSymbol(whole)) : state;
            case IIsPatternOperation isPattern:
                return Bind(isPattern.Pattern, Key(isPattern.Value, state), state);
            case IAssignmentOperation other:
                return KillTargets(other.Target, state);
            case IIncrementOrDecrementOperation increment:
                return KillTargets(increment.Target, state);
            default:
                return state;
        }
    }

    // A call: the swap helper replaces its owner's state; a helper of this compilation may write the states it
    // can reach (its summary says), a method without source may write anything it receives; out and ref
    // arguments are written, and a helper's out parameter may hand back a state.
    private FlowState AfterCall(IMethodSymbol method, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, FlowState state, CancellationToken cancellationToken)
    {
        var swaps = _isSwapHelper(method);
        if (swaps && SwapOf(method, instance, arguments) is { } swap)
        {
            return Swap(swap.Owner, swap.Installed, arguments, state, cancellationToken);
        }

        HelperSummary? summary = null;
        var summaryRead = false;
        HelperSummary? Summary()
        {
            if (!summaryRead)
            {
                summaryRead = true;
                summary = SummaryOf(method, cancellationToken);
            }

            return summary;
        }

        // Whether it may write a state field through what it receives for this parameter (null: its receiver).
        bool MayWrite(IParameterSymbol? through) => Summary() is not { } known || known.MayWriteThrough(through);

        var before = state;
        foreach (var argument in arguments)
        {
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out || (swaps && argument.Value.Type?.IsReferenceType == true))
            {
                state = KillTargets(argument.Value, state);
                if (argument.Parameter is { } parameter && !swaps && Summary()?.Outs.TryGetValue(parameter.Ordinal, out var held) == true
                    && Key(argument.Value, state) is { IsRootedAtVariable: true } written
                    && Bind(held, method, instance, arguments, $"{method.Name}'s out parameter {parameter.Name}", state) is { } handedBack)
                {
                    state = state.WithAliases(state.Aliases.SetItem(written, handedBack));
                }
            }
            else if (ReachesThrough(argument.Value, state) is { } reached && (_collect is not null ? ReceivedOwner(reached) : state.HasFactsBelow(reached))
                && (argument.Parameter is { } parameter ? MayWrite(parameter) : Summary() is not { } known || known.WritesState))
            {
                _collect?.Writes(reached);
                state = state.KillBelow(reached);
            }
        }

        if (instance is not null && ReachesThrough(instance, state) is { } receiver)
        {
            if (swaps)
            {
                _collect?.Writes(receiver);
                return state.Kill(receiver);
            }

            if ((_collect is not null ? ReceivedOwner(receiver) : state.HasFactsBelow(receiver)) && !IsRecordClone(method) && MayWrite(null))
            {
                _collect?.Writes(receiver);
                state = state.KillBelow(receiver);
            }
        }

        if (swaps)
        {
            _collect?.Writes(null);
        }

        if (method.DeclaringSyntaxReferences.IsEmpty && !IsRecordClone(method) && (_collect is not null || state.KnowsAnything))
        {
            // A method without source may run a lambda it is given (`Array.ForEach(a, _ => fpu.State = d)`): one that may
            // write (an assignment, `++`, a `ref`/`out`, a call) ends the guards below every variable it refers to.
            foreach (var argument in arguments)
            {
                if (LambdaOf(argument.Value) is { Symbol: { } lambda } && MayWriteInBody(lambda, cancellationToken))
                {
                    foreach (var root in ReferredBy(lambda, cancellationToken))
                    {
                        var path = AccessPath.ForSymbol(root);
                        _collect?.Writes(path);
                        state = state.KillBelow(path);
                    }
                }
            }
        }

        if (method.MethodKind == MethodKind.LocalFunction && !method.DeclaringSyntaxReferences.IsEmpty)
        {
            state = CapturedWrites(method, Summary(), state, cancellationToken);
        }

        // What it leaves proven can only concern what it received or, for a local function, captured.
        var mayProve = !method.DeclaringSyntaxReferences.IsEmpty
            && (method.MethodKind == MethodKind.LocalFunction || (instance is not null && ReachesThrough(instance, before) is not null) || arguments.Any(a => ReachesThrough(a.Value, before) is not null));
        return mayProve && Summary() is { IsUnknown: false } read ? Returned(read, method, instance, arguments, before, state, cancellationToken) : state;
    }

    private static IFlowAnonymousFunctionOperation? LambdaOf(IOperation value) => AccessPath.Strip(value) switch
    {
        IFlowAnonymousFunctionOperation lambda => lambda,
        IDelegateCreationOperation { Target: IFlowAnonymousFunctionOperation lambda } => lambda,
        _ => null,
    };

    // A record's synthesized clone (`with`): it copies the members and writes nothing of the original.
    private static bool IsRecordClone(IMethodSymbol method) => method.Name == "<Clone>$" && method.IsImplicitlyDeclared;

    private static bool MayWriteInBody(IMethodSymbol function, CancellationToken cancellationToken)
    {
        foreach (var reference in function.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax(cancellationToken).DescendantNodesAndSelf())
            {
                switch (node)
                {
                    case AssignmentExpressionSyntax or InvocationExpressionSyntax or ObjectCreationExpressionSyntax:
                    case PrefixUnaryExpressionSyntax { OperatorToken.ValueText: "++" or "--" }:
                    case PostfixUnaryExpressionSyntax { OperatorToken.ValueText: "++" or "--" }:
                    case ArgumentSyntax { RefKindKeyword.ValueText: "ref" or "out" }:
                        return true;
                }
            }
        }

        return false;
    }

    // A local function receives what it captured by capture, not as arguments: the variables it may write a state field
    // through (its summary's roots other than its own parameters; every variable it or the local functions it calls
    // refer to, when the summary cannot say) lose what was proven below them at its call (ANALYZER_BUGS.md item 10).
    private FlowState CapturedWrites(IMethodSymbol local, HelperSummary? summary, FlowState state, CancellationToken cancellationToken)
    {
        if (summary is { WritesState: false })
        {
            return state;
        }

        var roots = summary is { IsUnknown: false, WrittenRoots: { } written }
            ? written.Where(r => !(r is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, local)))
            : ReferredBy(local, cancellationToken);
        foreach (var root in roots)
        {
            var path = AccessPath.ForSymbol(root);
            if (_collect is not null)
            {
                _collect.Writes(path);
            }

            state = state.KillBelow(path);
        }

        return state;
    }

    // The variables, `this` and static fields a local function refers to, itself or through the local functions it calls.
    private IEnumerable<ISymbol> ReferredBy(IMethodSymbol local, CancellationToken cancellationToken)
    {
        var referred = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        // A local function is declared in its container's body, so the graph's semantic model binds it.
        if (_graph?.OriginalOperation.SemanticModel is not { } model)
        {
            return referred;
        }

        var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { local };
        var pending = new Stack<IMethodSymbol>();
        pending.Push(local);
        while (pending.Count > 0)
        {
            var function = pending.Pop();
            foreach (var reference in function.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                foreach (var node in syntax.DescendantNodes())
                {
                    if (node is ThisExpressionSyntax or BaseExpressionSyntax)
                    {
                        referred.Add(local.ContainingType);
                        continue;
                    }

                    var symbol = node is IdentifierNameSyntax identifier ? model.GetSymbolInfo(identifier, cancellationToken).Symbol : null;
                    switch (symbol)
                    {
                        case ILocalSymbol or IParameterSymbol or IFieldSymbol { IsStatic: true }:
                            referred.Add(symbol);
                            break;
                        case IFieldSymbol or IPropertySymbol or IMethodSymbol { MethodKind: not MethodKind.LocalFunction } when !symbol.IsStatic:
                            referred.Add(symbol.ContainingType); // an implicit `this`
                            break;
                        case IMethodSymbol { MethodKind: MethodKind.LocalFunction } called when seen.Add(called.OriginalDefinition):
                            pending.Push(called.OriginalDefinition);
                            break;
                    }
                }
            }
        }

        return referred;
    }

    // In a helper read for its summary: a value it received (a parameter, `this`, or a member of one) through which a call
    // may write its caller's state fields. Not a state buffer itself (`ReferenceEquals(f.State, f.DefaultState)`): passing
    // the buffer writes no field of its owner, as at a caller's own call.
    private bool ReceivedOwner(AccessPath reached) => reached.Root is IParameterSymbol or ITypeSymbol && !(reached.Length >= 2 && IsStateMember(reached.Last));

    // What a helper leaves proven when it returns (its summary's facts at exit, and the buffers it installed from what it
    // received), in the caller's terms. Only through an argument or receiver that is a variable (or `this`): the helper
    // cannot make it name another object, as it could `task.Fpu`.
    private FlowState Returned(HelperSummary summary, IMethodSymbol method, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, FlowState before, FlowState state,
        CancellationToken cancellationToken)
    {
        if (summary.AtExit.IsEmpty && summary.Installed.IsEmpty)
        {
            return state;
        }

        AccessPath? InCaller(AccessPath path)
        {
            var root = path.Root switch
            {
                IParameterSymbol parameter => ArgumentOf(parameter, method, instance, arguments),
                ITypeSymbol when method.MethodKind != MethodKind.LocalFunction => instance,
                _ => null, // what a local function captured: the caller's own variable
            };
            if (root is not null && Key(root, state) is not { Length: 1, Capture: null })
            {
                return null;
            }

            return Substitute(path, method, instance, arguments, state);
        }

        foreach (var proven in summary.AtExit)
        {
            if (InCaller(proven) is { } path)
            {
                state = state.WithNotDefault(state.NotDefault.Add(path));
            }
        }

        foreach (var install in summary.Installed)
        {
            if (InCaller(install.Key) is not { } target)
            {
                continue;
            }

            // A parameter itself: what the caller passed (a new buffer has no path); a member of one: that member.
            var value = install.Value is { Length: 1, Root: IParameterSymbol parameter } ? ArgumentOf(parameter, method, instance, arguments) : null;
            var source = value is not null ? Key(value, before) : InCaller(install.Value);
            if (value is not null || source is not null)
            {
                state = Install(target, value, source, before, state, cancellationToken);
            }
        }

        return state;
    }

    // The value a call passes for one of the method's parameters (an extension's receiver for its first).
    private static IOperation? ArgumentOf(IParameterSymbol parameter, IMethodSymbol method, IOperation? instance, ImmutableArray<IArgumentOperation> arguments)
    {
        if (!SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method.OriginalDefinition)
            && !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method.ReducedFrom?.OriginalDefinition))
        {
            return null;
        }

        if (method.ReducedFrom is not null)
        {
            return parameter.Ordinal == 0 ? instance : arguments.FirstOrDefault(a => a.Parameter?.Ordinal == parameter.Ordinal - 1)?.Value;
        }

        return arguments.FirstOrDefault(a => a.Parameter?.Ordinal == parameter.Ordinal)?.Value;
    }

    /// <summary>What a call of the swap helper changes, by its declaration: the owner, and the value it installs.</summary>
    private readonly struct SwapCall
    {
        public SwapCall(IOperation owner, IOperation? installed)
        {
            Owner = owner;
            Installed = installed;
        }

        /// <summary>The receiver or argument whose state fields the swap writes.</summary>
        public IOperation Owner { get; }

        /// <summary>The argument that becomes the owner's state buffer; null when the declaration does not say which.</summary>
        public IOperation? Installed { get; }
    }

    // The swap helper writes the state fields of its owner, all together (the contract), and nothing else: the owner is
    // the one parameter whose type has a [DefaultFpuState] member (or, with none, the receiver of an instance helper of
    // such a type), and the buffer it installs is the one other parameter of that type's state buffer's type
    // (`SwapFpState(Fpu fpu, XStateBuffer newState, XFeatureMask mask, int size)`). Null when the declaration does not
    // name one owner: the call then ends every guard on what it receives.
    private SwapCall? SwapOf(IMethodSymbol method, IOperation? instance, ImmutableArray<IArgumentOperation> arguments)
    {
        var declared = (method.ReducedFrom ?? method).OriginalDefinition;
        var owners = declared.Parameters.Where(p => p.Type is INamedTypeSymbol type && _members.DefaultMemberOf(type) is not null).ToList();
        IParameterSymbol? ownerParameter = null;
        INamedTypeSymbol ownerType;
        if (owners.Count == 1)
        {
            ownerParameter = owners[0];
            ownerType = (INamedTypeSymbol)ownerParameter.Type;
        }
        else if (owners.Count == 0 && !declared.IsStatic && instance is not null && declared.ContainingType is { } containing && _members.DefaultMemberOf(containing) is not null)
        {
            ownerType = containing;
        }
        else
        {
            return null;
        }

        IOperation? Argument(IParameterSymbol parameter) =>
            method.ReducedFrom is not null && parameter.Ordinal == 0 ? instance
            : arguments.FirstOrDefault(a => a.Parameter is { } p && (method.ReducedFrom is null ? p.Ordinal == parameter.Ordinal : p.Ordinal == parameter.Ordinal - 1))?.Value;

        var owner = ownerParameter is null ? instance : Argument(ownerParameter);
        if (owner is null)
        {
            return null;
        }

        var buffers = StateBuffersOf(ownerType);
        var installed = buffers.Count == 1
            ? declared.Parameters.Where(p => !SymbolEqualityComparer.Default.Equals(p, ownerParameter) && p.RefKind == RefKind.None
                && SymbolEqualityComparer.Default.Equals(p.Type.WithNullableAnnotation(NullableAnnotation.None), BufferType(buffers[0])?.WithNullableAnnotation(NullableAnnotation.None))).ToList()
            : new List<IParameterSymbol>();
        return new SwapCall(owner, installed.Count == 1 ? Argument(installed[0]) : null);
    }

    // The owner type's state members that may hold its default (the buffer, not the mask or the size), its base types' too.
    private List<ISymbol> StateBuffersOf(INamedTypeSymbol type)
    {
        var found = new List<ISymbol>();
        for (var current = type; current is not null; current = current.BaseType)
        {
            found.AddRange(current.GetMembers().Where(m => m is IFieldSymbol or IPropertySymbol && _members.CanHoldDefault(m)));
        }

        return found;
    }

    private static ITypeSymbol? BufferType(ISymbol member) => member switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => null,
    };

    // A swap: the owner's state fields are written (what was known of any of them ends), and its buffer then holds what
    // the installed argument held before the call — not the default when the analysis knows that of the argument (a
    // new buffer, one a guard proved, a value no state flows into), unknown otherwise. In a helper read for its summary,
    // a value it received is left for its caller to judge.
    private FlowState Swap(IOperation ownerValue, IOperation? installedValue, ImmutableArray<IArgumentOperation> arguments, FlowState state, CancellationToken cancellationToken)
    {
        var before = state;
        foreach (var argument in arguments)
        {
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            {
                state = KillTargets(argument.Value, state);
            }
        }

        var owner = Key(ownerValue, before);
        _collect?.Writes(owner);
        if (AccessPath.Strip(ownerValue)?.Type is not INamedTypeSymbol ownerType || StateBuffersOf(ownerType) is not { Count: > 0 } buffers)
        {
            return state;
        }

        if (owner is not { Capture: null })
        {
            // An owner the analysis cannot name (`(c ? fpu : other)`, a call's result): every state of its type may have changed.
            return buffers.Aggregate(state, (s, buffer) => WriteOnAnyOwner(buffer, s));
        }

        var installed = installedValue is null ? null : Key(installedValue, before);
        if (buffers.Count == 1 && installed is not null && installed.Equals(owner.Append(buffers[0])))
        {
            // The same buffer again (`SwapFpState(fpu, fpu.State, ...)`): it holds what it held, and what was known of it
            // stands; the mask and the size it was given are no buffer.
            return state;
        }

        foreach (var buffer in buffers)
        {
            state = Write(owner.Append(buffer), state);
        }

        return buffers.Count == 1 && installedValue is not null ? Install(owner.Append(buffers[0]), installedValue, installed, before, state, cancellationToken) : state;
    }

    // The state member takes a value (an argument, or the path a helper's summary names in the caller's terms): proven
    // not the default, or, in a helper read for its summary, what it received, for its caller to judge.
    private FlowState Install(AccessPath target, IOperation? value, AccessPath? source, FlowState before, FlowState into, CancellationToken cancellationToken)
    {
        if (source is not null && before.NotDefault.Contains(source))
        {
            return into.WithNotDefault(into.NotDefault.Add(target));
        }

        if (_collect is not null)
        {
            // What the helper received (or captured) is its caller's to judge; its own locals, captured values and the
            // results of other helpers of this compilation, nobody's: unknown.
            if (source is not null)
            {
                return _collect.FromCaller(source) ? into.WithInstalled(into.Installed.SetItem(target, source)) : into;
            }

            if (AccessPath.Strip(value) is IInvocationOperation { TargetMethod.DeclaringSyntaxReferences.IsEmpty: false })
            {
                return into;
            }
        }

        var alias = value is not null ? ValueAlias(value, before, cancellationToken) : source is not null ? Lookup(source, before) : null;
        return alias is null && (value is not null || source is not null) ? into.WithNotDefault(into.NotDefault.Add(target)) : into;
    }

    // The path a call may write below: a reference-typed value (a string cannot be written through).
    private static AccessPath? ReachesThrough(IOperation value, FlowState state) =>
        value.Type is { IsReferenceType: true, SpecialType: not SpecialType.System_String } || value.Type is ITypeParameterSymbol
            ? Key(value, state)
            : null;

    private FlowState KillTargets(IOperation target, FlowState state)
    {
        if (AccessPath.Strip(target) is ITupleOperation tuple)
        {
            return tuple.Elements.Aggregate(state, (s, e) => KillTargets(e, s));
        }

        if (Key(target, state) is { } path)
        {
            return Write(path, state);
        }

        // A state member written through an owner the analysis cannot name (`(c ? fpu : other).State = b`): it may be
        // any owner's.
        if (AccessPath.Strip(target) is not IMemberReferenceOperation { Member: { } member } || !IsStateMember(member))
        {
            return state;
        }

        if (IsStateField(member))
        {
            _collect?.Writes(null); // a helper's summary: it may write through anything it received
        }

        return WriteOnAnyOwner(member, state);
    }

    // What is known of the member on any owner (proven, tested by a bool, installed, copied) may have changed.
    private FlowState WriteOnAnyOwner(ISymbol member, FlowState state)
    {
        foreach (var known in state.NotDefault.Concat(state.Conditions.Values.SelectMany(c => c.Paths)).Concat(state.Installed.Keys).Concat(state.Copies.Values).ToList())
        {
            if (known.Capture is null && known.Parts.Any(part => SymbolEqualityComparer.Default.Equals(part, member)))
            {
                state = Write(known, state);
            }
        }

        return state;
    }

    // A write of the path: what was known at it and below is gone. A write of a member of an owner ends what was proven
    // of the owner's state members only where one may be computed from it: a state property with a getter of its own may
    // read any member, and a property with a setter of its own may write any. Two fields (or auto-properties) are two
    // storage locations, so `fpu.StateMask = 0` leaves the buffer `fpu.State` holds as it was, and a guard on it holds.
    // Another owner's members keep it too.
    private FlowState Write(AccessPath written, FlowState state)
    {
        NoteWrite(written);
        state = state.Kill(written);
        if (written.Length < 2 || written.Last is not { } member || member is not (IFieldSymbol or IPropertySymbol))
        {
            return state;
        }

        // Through a captured owner no path names (`(c ? fpu : other).State = b`), the member may be any owner's.
        var owner = written.Owner;
        var anyOwner = written.Capture is not null;
        if (anyOwner && IsStateMember(member))
        {
            state = WriteOnAnyOwner(member, state);
        }
        else if (!anyOwner && !state.HasFactsBelow(owner))
        {
            return state; // nothing is known of the owner's state members
        }

        var plain = IsPlainStorage(member);
        foreach (var sibling in StateMembers(TypeOf(owner.Last) ?? member.ContainingType))
        {
            if (!SymbolEqualityComparer.Default.Equals(sibling, member) && (!plain || !IsPlainStorage(sibling)))
            {
                state = anyOwner ? WriteOnAnyOwner(sibling, state) : state.Kill(owner.Append(sibling));
            }
        }

        return state;
    }

    private static IEnumerable<ISymbol> StateMembers(INamedTypeSymbol? owner)
    {
        for (var type = owner; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IFieldSymbol or IPropertySymbol && IsStateField(member))
                {
                    yield return member;
                }
            }
        }
    }

    private static bool IsStateField(ISymbol member) => ContractAttributes.Has(member.OriginalDefinition, ContractAttributes.FpuStateField);

    // A field, or an auto-property declared here (`{ get; set; }`, no accessor of its own): reading it reads only its
    // storage and writing it writes only that. A property of a referenced assembly may be computed: not plain.
    private static bool IsPlainStorage(ISymbol member)
    {
        if (member is IFieldSymbol)
        {
            return true;
        }

        if (member is not IPropertySymbol property || property.DeclaringSyntaxReferences.IsEmpty)
        {
            return false;
        }

        foreach (var reference in property.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is not PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } accessors }
                || accessors.Accessors.Any(a => a.Body is not null || a.ExpressionBody is not null))
            {
                return false;
            }
        }

        return true;
    }

    // A write of a plain state field of an unmanaged type (a mask, a size), where the owner's state members are all
    // plain: it changes no buffer and nothing that reaches one, so no guard of a caller's ends with it.
    private static bool ChangesNoBuffer(ISymbol member, ITypeSymbol? ownerType) =>
        IsPlainStorage(member) && member switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null } is { IsUnmanagedType: true }
        && StateMembers(ownerType as INamedTypeSymbol ?? member.ContainingType).All(IsPlainStorage);

    // The static type of what a path's last step names, when it is a class or struct: where its state fields are found.
    private static INamedTypeSymbol? TypeOf(ISymbol? symbol) => symbol switch
    {
        ILocalSymbol local => local.Type as INamedTypeSymbol,
        IParameterSymbol parameter => parameter.Type as INamedTypeSymbol,
        IFieldSymbol field => field.Type as INamedTypeSymbol,
        IPropertySymbol property => property.Type as INamedTypeSymbol,
        INamedTypeSymbol type => type,
        _ => null,
    };

    private void NoteWrite(AccessPath written)
    {
        if (written.IsVariable)
        {
            _collect?.Reassigned(written);
        }

        // A state field that is or may reach a buffer counts: a caller's guard on the buffer ends at its write.
        if (_collect is not null && written.Last is { } member && IsStateField(member)
            && !(written.Length >= 2 && ChangesNoBuffer(member, TypeOf(written.Owner.Last))))
        {
            _collect.Writes(written);
        }
    }

    // The storage an expression names: a path, through a ref local to what it refers to, and through a captured
    // value to the path it was read from while that path is not written.
    private static AccessPath? Key(IOperation? operation, FlowState state)
    {
        if (AccessPath.Strip(operation) is IDeclarationExpressionOperation declaration)
        {
            operation = declaration.Expression;
        }

        if (InlineArrayReceiver(operation) is { } array)
        {
            operation = array; // every element of an inline array is the array's: what one may hold, any may
        }

        if (AccessPath.Of(operation) is not { } path)
        {
            return null;
        }

        if (path.Capture is not null && path.Parts.IsEmpty && state.NotDefault.Contains(path))
        {
            return path; // a captured value proven not the default on every path (one may be null) is known as itself
        }

        var root = path.Capture is { } capture ? AccessPath.ForCapture(capture) : path.Root is ILocalSymbol { IsRef: true } local ? AccessPath.ForSymbol(local) : null;
        return root is not null && state.RefTargets.TryGetValue(root, out var referred) ? path.Rebase(root, referred) : path;
    }

    private FlowState Assign(IOperation target, IOperation value, bool isRef, FlowState state, CancellationToken cancellationToken)
    {
        if (InlineArrayReceiver(target) is not null)
        {
            // One element written: the others keep what they held, so the array only gains what this one may hold.
            return Key(target, state) is { IsRootedAtVariable: true } array && ValueAlias(value, state, cancellationToken) is { } element
                ? state.WithAliases(state.Aliases.SetItem(array, element))
                : state;
        }

        var path = isRef ? AccessPath.Of(target) : Key(target, state);
        if (path is null)
        {
            return isRef ? state : KillTargets(target, state);
        }

        // The value was read before the write: `t = (t.Item2, t.Item1)` swaps what the elements hold.
        var before = state;
        state = Write(path, state);
        if (isRef)
        {
            return Key(value, state) is { } referred ? state.WithRefTargets(state.RefTargets.SetItem(path, referred)) : state;
        }

        return path.IsRootedAtVariable && !IsStateMember(path.Last) ? Track(path, value, before, state, cancellationToken) : state;
    }

    private bool IsStateMember(ISymbol? member) => member is not null && (FpuStateMembers.IsDefaultMember(member) || _members.CanHoldDefault(member));

    // A variable (or a member of one) takes a value: proven not default, an alias of a state buffer, a condition,
    // or a copy of everything known below the value's path.
    private FlowState Track(AccessPath target, IOperation value, FlowState state, CancellationToken cancellationToken) =>
        Track(target, value, state, state, cancellationToken);

    // The same, reading the value in one state (before the write: a swap reads what the other target held) and adding
    // what the target takes to another (where the target was already written).
    private FlowState Track(AccessPath target, IOperation value, FlowState from, FlowState into, CancellationToken cancellationToken)
    {
        AnalysisBounds.EnsureStack();
        var source = AccessPath.Strip(value);
        switch (source)
        {
            case { Type.SpecialType: SpecialType.System_Boolean } when Key(source, from) is null:
                var condition = Facts(source, from, cancellationToken);
                return condition.IsEmpty ? into : into.WithConditions(into.Conditions.SetItem(target, condition));
            case IInvocationOperation call when _isSwapHelper(call.TargetMethod):
                return into.WithNotDefault(into.NotDefault.Add(target));
            case IInvocationOperation { TargetMethod.Name: "<Clone>$", Instance: { } cloned }:
                return Copy(target, Key(cloned, from), from, into); // a record's `with`: the clone has the original's members
            case IInvocationOperation call:
                into = Returned(call, from, cancellationToken) is { } alias ? into.WithAliases(into.Aliases.SetItem(target, alias)) : into;
                return WithElements(target, ResultElements(call, from, cancellationToken), into);
            case ITupleOperation { Type: INamedTypeSymbol { IsTupleType: true } type } tuple when type.TupleElements.Length == tuple.Elements.Length:
                for (var i = 0; i < tuple.Elements.Length; i++)
                {
                    into = Track(target.Append(type.TupleElements[i]), tuple.Elements[i], from, into, cancellationToken);
                }

                return into;
            case null:
                return into;
            case IObjectCreationOperation { Type.IsReferenceType: true }:
                return into.WithNonNull(into.NonNull.Add(target));
            default:
                return Copy(target, Key(source, from), from, into);
        }
    }

    private FlowState Copy(AccessPath target, AccessPath? source, FlowState state) => Copy(target, source, state, state);

    // What is known at the source and below it in one state, at the target and below it in another.
    private FlowState Copy(AccessPath target, AccessPath? source, FlowState from, FlowState into)
    {
        if (source is null)
        {
            return into;
        }

        var notDefault = into.NotDefault;
        var aliases = into.Aliases;
        var conditions = into.Conditions;
        var copies = into.Copies;
        if (from.NotDefault.Contains(source))
        {
            notDefault = notDefault.Add(target);
        }
        else if (Lookup(source, from) is { } alias)
        {
            aliases = aliases.SetItem(target, alias);
            if (from.Copies.TryGetValue(source, out var original))
            {
                copies = copies.SetItem(target, original);
            }
            else if (!alias.IsDefault && source.Equals(alias.Path) && source.Length >= 2)
            {
                copies = copies.SetItem(target, source);
            }
        }

        if (from.Conditions.TryGetValue(source, out var condition))
        {
            conditions = conditions.SetItem(target, condition);
        }

        foreach (var below in from.NotDefault)
        {
            if (below.Length > source.Length && below.StartsWith(source))
            {
                notDefault = notDefault.Add(below.Rebase(source, target));
            }
        }

        foreach (var below in from.Aliases)
        {
            if (below.Key.Length > source.Length && below.Key.StartsWith(source))
            {
                aliases = aliases.SetItem(below.Key.Rebase(source, target), below.Value);
            }
        }

        return new FlowState(notDefault, aliases, conditions, into.RefTargets, into.Installed, from.NonNull.Contains(source) ? into.NonNull.Add(target) : into.NonNull, copies);
    }

    // Deconstruction pairs each target with its element; the values were all read before any target is written.
    private FlowState Deconstruct(IDeconstructionAssignmentOperation deconstruction, FlowState state, CancellationToken cancellationToken)
    {
        // A target takes a value, a path's content (an element of a tuple variable), or the elements of a helper's
        // tuple result below it.
        var assigned = new List<(AccessPath Target, IOperation? Value, AccessPath? Source, ImmutableArray<ResultElement> Returned)>();
        var pending = new Stack<(IOperation Target, IOperation? Value, AccessPath? Source, ImmutableArray<ResultElement> Returned)>();
        pending.Push((deconstruction.Target, deconstruction.Value, null, default));
        while (pending.Count > 0)
        {
            var (target, value, source, returned) = pending.Pop();
            target = AccessPath.Strip(target)!;
            if (target is IDeclarationExpressionOperation declaration)
            {
                target = declaration.Expression;
            }

            if (target is ITupleOperation targets)
            {
                var values = AccessPath.Strip(value);
                if (values is ITupleOperation elements && elements.Elements.Length == targets.Elements.Length)
                {
                    for (var i = 0; i < targets.Elements.Length; i++)
                    {
                        pending.Push((targets.Elements[i], elements.Elements[i], null, default));
                    }
                }
                else
                {
                    var whole = source ?? Key(values, state);
                    if (returned.IsDefault && values is IInvocationOperation call)
                    {
                        returned = ResultElements(call, state, cancellationToken);
                    }

                    var type = (values?.Type ?? target.Type) as INamedTypeSymbol;
                    var matches = type is { IsTupleType: true } && type.TupleElements.Length == targets.Elements.Length;
                    for (var i = 0; i < targets.Elements.Length; i++)
                    {
                        var field = matches ? AccessPath.Member(type!.TupleElements[i]) : null;
                        var element = whole is not null && field is not null ? whole.Append(field) : null;
                        var below = returned.IsDefault || field is null
                            ? default
                            : returned.Where(r => SymbolEqualityComparer.Default.Equals(r.Fields[0], field))
                                .Select(r => new ResultElement(r.Fields.RemoveAt(0), r.Alias)).ToImmutableArray();
                        pending.Push((targets.Elements[i], null, element, below));
                    }
                }

                continue;
            }

            if (Key(target, state) is { } written)
            {
                assigned.Add((written, value, source, returned));
            }
        }

        var before = state;
        foreach (var (target, _, _, _) in assigned)
        {
            state = Write(target, state);
        }

        // Each target takes what its value held before any target was written: `(a, b) = (b, a)` swaps them.
        foreach (var (target, value, source, returned) in assigned)
        {
            if (target.IsRootedAtVariable && !IsStateMember(target.Last))
            {
                state = value is not null ? Track(target, value, before, state, cancellationToken)
                    : !returned.IsDefault ? WithElements(target, returned, state)
                    : Copy(target, source, before, state);
            }
        }

        return state;
    }

    /// <summary>An element of a tuple a helper returned that may hold a state: its element fields from the result down.</summary>
    private readonly struct ResultElement
    {
        public ResultElement(ImmutableArray<ISymbol> fields, Alias alias)
        {
            Fields = fields;
            Alias = alias;
        }

        public ImmutableArray<ISymbol> Fields { get; }

        public Alias Alias { get; }
    }

    // The target's elements take what the helper's result elements may hold.
    private static FlowState WithElements(AccessPath target, ImmutableArray<ResultElement> elements, FlowState into) =>
        elements.IsDefaultOrEmpty
            ? into
            : into.WithAliases(elements.Aggregate(into.Aliases, (aliases, e) => aliases.SetItem(e.Fields.Aggregate(target, (path, field) => path.Append(field)), e.Alias)));

    // What the elements of a tuple returned by a helper of this compilation may hold, in the caller's terms: from its
    // summary, or, for a helper whose summary could not be read, every element of a reference type.
    private ImmutableArray<ResultElement> ResultElements(IInvocationOperation call, FlowState state, CancellationToken cancellationToken)
    {
        if (call.Type is not INamedTypeSymbol { IsTupleType: true } tuple || _isFree(call.TargetMethod) || _isSwapHelper(call.TargetMethod)
            || SummaryOf(call.TargetMethod, cancellationToken) is not { } summary)
        {
            return ImmutableArray<ResultElement>.Empty;
        }

        var origin = call.Syntax.ToString();
        var found = ImmutableArray.CreateBuilder<ResultElement>();
        if (summary.IsUnknown)
        {
            // A work list over the nested tuple types: each element of a reference type may be a state.
            var pending = new Stack<(INamedTypeSymbol Type, ImmutableArray<ISymbol> Fields)>();
            pending.Push((tuple, ImmutableArray<ISymbol>.Empty));
            while (pending.Count > 0)
            {
                var (type, fields) = pending.Pop();
                foreach (var element in type.TupleElements)
                {
                    var path = fields.Add(AccessPath.Member(element));
                    if (element.Type is INamedTypeSymbol { IsTupleType: true } nested)
                    {
                        pending.Push((nested, path));
                    }
                    else if ((element.Type is { IsReferenceType: true, SpecialType: not SpecialType.System_String } || element.Type is ITypeParameterSymbol)
                        && Bind(summary.Returns!, call.TargetMethod, call.Instance, call.Arguments, origin, state) is { } unknown)
                    {
                        found.Add(new ResultElement(path, unknown));
                    }
                }
            }

            return found.ToImmutable();
        }

        foreach (var element in summary.Elements)
        {
            var text = element.ElementFields.Aggregate(origin, (t, f) => t + "." + f.Name);
            if (Bind(element.Held, call.TargetMethod, call.Instance, call.Arguments, text, state) is { } alias)
            {
                found.Add(new ResultElement(element.ElementFields, alias));
            }
        }

        return found.ToImmutable();
    }

    // What the elements of a tuple value may hold (a helper's return value, for its summary): a tuple literal element
    // by element, a helper's tuple result, a tuple variable's elements.
    private ImmutableArray<ResultElement> ElementAliases(IOperation value, FlowState state, CancellationToken cancellationToken)
    {
        var found = ImmutableArray.CreateBuilder<ResultElement>();
        var pending = new Stack<(IOperation Value, ImmutableArray<ISymbol> Fields)>();
        pending.Push((value, ImmutableArray<ISymbol>.Empty));
        while (pending.Count > 0)
        {
            var (next, fields) = pending.Pop();
            var operation = AccessPath.Strip(next);
            switch (operation)
            {
                case ITupleOperation { Type: INamedTypeSymbol { IsTupleType: true } type } tuple when type.TupleElements.Length == tuple.Elements.Length:
                    for (var i = 0; i < tuple.Elements.Length; i++)
                    {
                        pending.Push((tuple.Elements[i], fields.Add(AccessPath.Member(type.TupleElements[i]))));
                    }

                    break;
                case IInvocationOperation call when call.Type is INamedTypeSymbol { IsTupleType: true }:
                    found.AddRange(ResultElements(call, state, cancellationToken).Select(e => new ResultElement(fields.AddRange(e.Fields), e.Alias)));
                    break;
                case { Type: INamedTypeSymbol { IsTupleType: true } } when Key(operation, state) is { } whole:
                    foreach (var below in state.Aliases)
                    {
                        if (below.Key.Length > whole.Length && below.Key.StartsWith(whole) && !state.NotDefault.Contains(below.Key))
                        {
                            found.Add(new ResultElement(fields.AddRange(below.Key.Parts.RemoveRange(0, whole.Parts.Length)), below.Value));
                        }
                    }

                    break;
                case not null when !fields.IsEmpty && ValueAlias(operation, state, cancellationToken) is { } alias:
                    found.Add(new ResultElement(fields, alias));
                    break;
            }
        }

        return found.ToImmutable();
    }

    // `Pair(fpu).Item1`: an element of a helper's tuple result, read in place.
    private Alias? ElementOfResult(IOperation? value, FlowState state, CancellationToken cancellationToken)
    {
        var fields = new Stack<ISymbol>();
        while (value is IFieldReferenceOperation { Field.ContainingType.IsTupleType: true } element)
        {
            fields.Push(AccessPath.Member(element.Field));
            value = AccessPath.Strip(element.Instance);
        }

        if (fields.Count == 0 || value is not IInvocationOperation call)
        {
            return null;
        }

        var wanted = fields.ToImmutableArray();
        foreach (var returned in ResultElements(call, state, cancellationToken))
        {
            if (returned.Fields.SequenceEqual(wanted, SymbolEqualityComparer.Default))
            {
                return returned.Alias;
            }
        }

        return null;
    }

    /// <summary>
    /// The inline array an element access reads, when it is one. The 4.8 operation API has no operation for it (an
    /// operation of kind None, or one newer compilers add), so it is recognised by its syntax and its receiver's type.
    /// </summary>
    internal static IOperation? InlineArrayReceiver(IOperation? operation) =>
        operation is { Syntax: ElementAccessExpressionSyntax access } and not (IArrayElementReferenceOperation or IPropertyReferenceOperation or IInvalidOperation)
        && operation.ChildOperations.FirstOrDefault(c => c.Syntax == access.Expression) is { } receiver
        && receiver.Type is { } type && type.GetAttributes().Any(a => a.AttributeClass?.Name == "InlineArrayAttribute")
            ? receiver
            : null;

    // A pattern's variables take the input (or, under a property or positional pattern, the member or element) they
    // match. Only variables are bound: no pattern compares with a non-constant member, so none proves a guard.
    private FlowState Bind(IPatternOperation pattern, AccessPath? input, FlowState state)
    {
        var pending = new Stack<(IPatternOperation Pattern, AccessPath? Input)>();
        pending.Push((pattern, input));
        while (pending.Count > 0)
        {
            var (next, matched) = pending.Pop();
            switch (next)
            {
                case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol local }:
                    state = Declare(local, matched, state);
                    break;
                case IRecursivePatternOperation recursive:
                    if (recursive.DeclaredSymbol is ILocalSymbol named)
                    {
                        state = Declare(named, matched, state);
                    }

                    foreach (var property in recursive.PropertySubpatterns)
                    {
                        pending.Push((property.Pattern, MemberOf(property.Member, matched)));
                    }

                    var tuple = recursive.DeconstructSymbol is null ? recursive.MatchedType as INamedTypeSymbol : null;
                    for (var i = 0; i < recursive.DeconstructionSubpatterns.Length; i++)
                    {
                        var element = matched is not null && tuple is { IsTupleType: true } && tuple.TupleElements.Length == recursive.DeconstructionSubpatterns.Length
                            ? matched.Append(tuple.TupleElements[i])
                            : null;
                        pending.Push((recursive.DeconstructionSubpatterns[i], element));
                    }

                    break;
                case IBinaryPatternOperation binary:
                    pending.Push((binary.LeftPattern, matched));
                    pending.Push((binary.RightPattern, matched));
                    break;
                case INegatedPatternOperation negated:
                    pending.Push((negated.Pattern, matched));
                    break;
            }
        }

        return state;
    }

    private FlowState Declare(ILocalSymbol local, AccessPath? value, FlowState state)
    {
        var declared = AccessPath.ForSymbol(local);
        return Copy(declared, value, state.Kill(declared));
    }

    // A property pattern's member (`{ State: ... }`, `{ Fpu.State: ... }`) below the pattern's input.
    private static AccessPath? MemberOf(IOperation member, AccessPath? input)
    {
        var members = new Stack<ISymbol>();
        var operation = member;
        while (operation is IMemberReferenceOperation reference)
        {
            members.Push(reference.Member);
            operation = reference.Instance;
        }

        if (input is null || operation is not IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.PatternInput })
        {
            return null;
        }

        var path = input;
        while (members.Count > 0)
        {
            path = path.Append(members.Pop());
        }

        return path;
    }

    // What the value may be, when it may be a state buffer: an alias, a state or default member, a helper's result.
    private Alias? ValueAlias(IOperation value, FlowState state, CancellationToken cancellationToken) =>
        AccessPath.Strip(value) is IInvocationOperation call && !_isSwapHelper(call.TargetMethod)
            ? Returned(call, state, cancellationToken)
            : Key(value, state) is { } key ? Lookup(key, state) : ElementOfResult(AccessPath.Strip(value), state, cancellationToken);

    private Alias? Lookup(AccessPath key, FlowState state)
    {
        if (state.NotDefault.Contains(key) || (state.Copies.TryGetValue(key, out var original) && state.NotDefault.Contains(original)))
        {
            return null;
        }

        if (state.Aliases.TryGetValue(key, out var alias))
        {
            return alias;
        }

        if (key.Last is not { } last || (key.Length == 1 && !(last is IFieldSymbol { IsStatic: true } or IPropertySymbol { IsStatic: true })))
        {
            return null;
        }

        var owner = key.Length > 1 ? key.Owner : null;
        var ownerText = owner is null ? last.ContainingType.Name : Render(owner);
        if (FpuStateMembers.IsDefaultMember(last))
        {
            return new Alias(ownerText, owner, last.Name, Render(key) ?? last.Name, isDefault: true, key);
        }

        return _members.CanHoldDefault(last) && _members.DefaultMemberOf(last.ContainingType) is { } defaultMember
            ? new Alias(ownerText, owner, defaultMember.Name, Render(key) ?? last.Name, isDefault: false, key)
            : null;
    }

    // The path as C# at the point it was read; null when a captured root was written from different expressions.
    private string? Render(AccessPath path)
    {
        string? root;
        IEnumerable<ISymbol> members = path.Parts;
        if (path.Capture is { } capture)
        {
            root = _captureTexts.TryGetValue(capture, out var text) && text is not null ? text : null;
        }
        else
        {
            members = path.Parts.Skip(1);
            root = path.Root switch
            {
                ITypeSymbol => "this",
                IFieldSymbol { IsStatic: true } field => field.ContainingType.Name + "." + field.Name,
                { } symbol => symbol.Name,
                _ => null,
            };
        }

        return root is null ? null : members.Aggregate(root, (text, member) => text + "." + member.Name);
    }

    private void CheckFree(IInvocationOperation invocation, FlowState state, CancellationToken cancellationToken)
    {
        var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
        var value = AccessPath.Strip(argument?.Value);
        if (value is null)
        {
            return;
        }

        var method = invocation.TargetMethod.Name;
        if (value is IMemberReferenceOperation direct && FpuStateMembers.IsDefaultMember(direct.Member))
        {
            Report(invocation, method, value.Syntax.ToString(), " — it is the default state itself", "Default", direct.Instance?.Syntax.ToString(), direct.Member.Name, null);
            return;
        }

        if (value is IMemberReferenceOperation member && _members.CanHoldDefault(member.Member)
            && _members.DefaultMemberOf(member.Member.ContainingType) is { } defaultMember)
        {
            if (AccessPath.Of(value) is { } path && !state.NotDefault.Contains(path))
            {
                var owner = member.Instance?.Syntax.ToString() ?? member.Member.ContainingType.Name;
                Report(invocation, method, value.Syntax.ToString(), $"; no check that it differs from '{owner}.{defaultMember.Name}' guards this path", "State", owner, defaultMember.Name, member.Member.Name);
            }

            return;
        }

        if (ValueAlias(value, state, cancellationToken) is not { } alias)
        {
            return;
        }

        var from = alias.DefaultName is null ? "its owner's default state" : alias.OwnerText is null ? $"its owner's '{alias.DefaultName}'" : $"'{alias.OwnerText}.{alias.DefaultName}'";
        if (alias.IsDefault)
        {
            Report(invocation, method, value.Syntax.ToString(), $" — it holds '{alias.Origin}', the default state itself", "Default", alias.OwnerText, alias.DefaultName, null);
        }
        else
        {
            Report(invocation, method, value.Syntax.ToString(), $"; it holds '{alias.Origin}', and no check that it differs from {from} guards this path", "Alias", alias.OwnerText, alias.DefaultName, null);
        }
    }

    private void Report(IInvocationOperation invocation, string method, string argument, string why, string kind, string? owner, string? defaultName, string? stateName)
    {
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(FreeOfDefaultFpuStateProperties.Kind, kind)
            .Add(FreeOfDefaultFpuStateProperties.Owner, owner)
            .Add(FreeOfDefaultFpuStateProperties.DefaultMember, defaultName)
            .Add(FreeOfDefaultFpuStateProperties.StateMember, stateName);
        _report(Diagnostic.Create(RuleDescriptors.FreeOfDefaultFpuState, invocation.Syntax.GetLocation(), properties, method, argument, why));
    }

    // Facts a condition proves when it is true and when it is false.
    private Condition Facts(IOperation condition, FlowState state, CancellationToken cancellationToken)
    {
        AnalysisBounds.EnsureStack();
        var none = ImmutableHashSet<AccessPath>.Empty;
        switch (AccessPath.Strip(condition))
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return Facts(not.Operand, state, cancellationToken).Negated;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.ObjectValueEquals } equals
                when ComparedWithDefault(equals.LeftOperand, equals.RightOperand, state) is { } compared:
                return Equality(compared);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.NotEquals or BinaryOperatorKind.ObjectValueNotEquals } notEquals
                when ComparedWithDefault(notEquals.LeftOperand, notEquals.RightOperand, state) is { } compared:
                return Equality(compared).Negated;
            case IInvocationOperation { TargetMethod: { Name: "ReferenceEquals" or "Equals", IsStatic: true, ContainingType.SpecialType: SpecialType.System_Object } } call
                when call.Arguments.Length == 2 && ComparedWithDefault(call.Arguments[0].Value, call.Arguments[1].Value, state) is { } compared:
                return Equality(compared);
            case IInvocationOperation { TargetMethod: { Name: "Equals", IsStatic: false, Parameters.Length: 1 } equalsMethod, Instance: { } receiver } call
                when call.Arguments.Length == 1 && equalsMethod.Parameters[0].Type.SpecialType == SpecialType.System_Object && !OverridesEquals(AccessPath.Strip(receiver)!.Type)
                    && ComparedWithDefault(receiver, call.Arguments[0].Value, state) is { } compared:
                return Equality(compared);
            case IInvocationOperation call when !_isFree(call.TargetMethod) && !_isSwapHelper(call.TargetMethod):
                return Proven(SummaryOf(call.TargetMethod, cancellationToken), call.TargetMethod, call.Instance, call.Arguments, state);
            case IPropertyReferenceOperation { Property: { GetMethod: { } getter, Parameters.IsEmpty: true } } property:
                return Proven(SummaryOf(getter, cancellationToken), getter, property.Instance, ImmutableArray<IArgumentOperation>.Empty, state);
            case IIsPatternOperation { Pattern: IConstantPatternOperation { Value: ILiteralOperation { ConstantValue: { HasValue: true, Value: bool expected } } } } isConstant:
                var facts = Facts(isConstant.Value, state, cancellationToken);
                return expected ? facts : facts.Negated;
            case IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation { Value: ILiteralOperation { ConstantValue: { HasValue: true, Value: bool negated } } } } } isNot:
                var inner = Facts(isNot.Value, state, cancellationToken);
                return negated ? inner.Negated : inner;
            case IIsPatternOperation { Pattern: IRecursivePatternOperation { PropertySubpatterns.IsEmpty: false } properties } matched:
                // `fpu is { IsValloc: true }`: a match proves what each bool predicate property proves with its value.
                var proven = none;
                var isDefault = none;
                foreach (var property in properties.PropertySubpatterns)
                {
                    if (property is { Member: IPropertyReferenceOperation { Property: { GetMethod: { } getter, Parameters.IsEmpty: true }, Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.PatternInput } },
                        Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: bool value } } })
                    {
                        var predicate = Proven(SummaryOf(getter, cancellationToken), getter, matched.Value, ImmutableArray<IArgumentOperation>.Empty, state);
                        proven = proven.Union(value ? predicate.WhenTrue : predicate.WhenFalse);
                        isDefault = isDefault.Union(value ? predicate.DefaultWhenTrue : predicate.DefaultWhenFalse);
                    }
                }

                return new Condition(proven, none, isDefault, none);
            case { } other when Key(other, state) is { } held && state.Conditions.TryGetValue(held, out var known):
                return known;
            default:
                return Condition.None;
        }
    }

    // `x == d` for a default member `d`: false proves `x` not the default; true proves it is, when `x` is a state member of
    // the owner `d` belongs to (`fpu.State == fpu.DefaultState`).
    private static Condition Equality((AccessPath Path, bool OwnDefault) compared)
    {
        var path = ImmutableHashSet.Create(compared.Path);
        return new Condition(ImmutableHashSet<AccessPath>.Empty, path, compared.OwnDefault ? path : null, null);
    }

    // A type whose Equals(object) may be other than reference equality: one that overrides it, or that is not known.
    private static bool OverridesEquals(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class } named)
        {
            return true;
        }

        for (var current = named; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            if (current.GetMembers("Equals").OfType<IMethodSymbol>().Any(m => m.IsOverride && m.Parameters.Length == 1))
            {
                return true;
            }
        }

        return false;
    }

    // The value compared with a default member, and whether it is a state member of that default's own owner.
    private static (AccessPath Path, bool OwnDefault)? ComparedWithDefault(IOperation left, IOperation right, FlowState state)
    {
        left = AccessPath.Strip(left)!;
        right = AccessPath.Strip(right)!;
        if (InlineArrayReceiver(left) is not null || InlineArrayReceiver(right) is not null)
        {
            return null; // one element checked says nothing of the array's others
        }

        if (right is not IMemberReferenceOperation r || !FpuStateMembers.IsDefaultMember(r.Member))
        {
            (left, right) = (right, left);
        }

        if (right is not IMemberReferenceOperation defaultMember || !FpuStateMembers.IsDefaultMember(defaultMember.Member) || Key(left, state) is not { } path)
        {
            return null;
        }

        var ownDefault = path is { Length: >= 2, Last: { } last } && IsStateField(last) && defaultMember.Instance is { } owner && Key(owner, state) is { } ownerPath && ownerPath.Equals(path.Owner);
        return (path, ownDefault);
    }

    // A predicate's facts, in the caller's terms.
    private static Condition Proven(HelperSummary? summary, IMethodSymbol method, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, FlowState state)
    {
        ImmutableHashSet<AccessPath> InCaller(ImmutableHashSet<AccessPath>? facts) => facts is null
            ? ImmutableHashSet<AccessPath>.Empty
            : facts.Select(p => Substitute(p, method, instance, arguments, state)).Where(p => p is not null).ToImmutableHashSet()!;

        // A member that is its owner's default in the helper's terms is one in the caller's: a parameter or `this` becomes
        // the variable passed (Substitute rebases the owner with it); a member the caller passes by another path is not kept.
        ImmutableHashSet<AccessPath> OwnDefaults(ImmutableHashSet<AccessPath>? facts) => InCaller(facts).Where(p => p.Length >= 2).ToImmutableHashSet();

        return summary is null
            ? Condition.None
            : new Condition(InCaller(summary.WhenTrue), InCaller(summary.WhenFalse), OwnDefaults(summary.DefaultWhenTrue), OwnDefaults(summary.DefaultWhenFalse));
    }

    // A path in a helper's terms, in its caller's: a parameter becomes its argument, `this` the receiver; what a local
    // function captured stays as it is.
    private static AccessPath? Substitute(AccessPath path, IMethodSymbol method, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, FlowState state)
    {
        switch (path.Root)
        {
            case IParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method.OriginalDefinition)
                || SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method.ReducedFrom?.OriginalDefinition):
                var ordinal = parameter.Ordinal;
                var argument = arguments.FirstOrDefault(a => a.Parameter?.Ordinal == ordinal);
                if (method.ReducedFrom is not null)
                {
                    argument = ordinal == 0 ? null : arguments.FirstOrDefault(a => a.Parameter?.Ordinal == ordinal - 1);
                    if (ordinal == 0)
                    {
                        return instance is not null && Key(instance, state) is { } self ? path.Rebase(AccessPath.ForSymbol(parameter), self) : null;
                    }
                }

                return argument is not null && Key(argument.Value, state) is { } passed ? path.Rebase(AccessPath.ForSymbol(parameter), passed) : null;
            case ITypeSymbol when method.MethodKind != MethodKind.LocalFunction:
                return instance is not null && Key(instance, state) is { } receiver ? path.Rebase(AccessPath.ForSymbol(path.Root), receiver) : null;
            case ILocalSymbol or IParameterSymbol or ITypeSymbol or IFieldSymbol:
                return method.MethodKind == MethodKind.LocalFunction || path.Root is IFieldSymbol ? path : null;
            default:
                return null;
        }
    }

    // What a helper of this compilation returns, when it may be a state: the default member's name and owner from its
    // summary, the owner in the caller's terms.
    private Alias? Returned(IInvocationOperation call, FlowState state, CancellationToken cancellationToken)
    {
        if (call.Type is not { IsReferenceType: true, SpecialType: not SpecialType.System_String } || _isFree(call.TargetMethod)
            || SummaryOf(call.TargetMethod, cancellationToken)?.Returns is not { } held)
        {
            return null;
        }

        return Bind(held, call.TargetMethod, call.Instance, call.Arguments, call.Syntax.ToString(), state);
    }

    private Alias? Bind(HeldState held, IMethodSymbol method, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, string origin, FlowState state)
    {
        var read = held.Path is null ? null : Substitute(held.Path, method, instance, arguments, state);
        if (read is not null && state.NotDefault.Contains(read))
        {
            return null; // the helper hands back a state its caller proved not to be the default
        }

        var owner = held.OwnerPath is null ? null : Substitute(held.OwnerPath, method, instance, arguments, state);
        return new Alias(owner is null ? null : Render(owner), owner, held.DefaultName, (read is null ? null : Render(read)) ?? origin, held.IsDefault, read);
    }

    // The summary of a method of this compilation; null for one without a body here (its calls are judged by what
    // they receive). Read by the same analysis, a bounded number of helpers deep; a cycle or the bound answers
    // Unknown, and the bound marks this analysis cut short.
    private HelperSummary? SummaryOf(IMethodSymbol method, CancellationToken cancellationToken)
    {
        method = (method.ReducedFrom ?? method).OriginalDefinition;
        if (method.DeclaringSyntaxReferences.IsEmpty || _isFree(method) || _isSwapHelper(method))
        {
            return null;
        }

        // A summary this analysis already read is reused as it is; one the compilation kept only where reading it
        // afresh from here would not reach the bound either, so the bound answers alike whichever member came first.
        if (_read.TryGetValue(method, out var known) || (_summaries.TryGet(method, out known) && _depth + known.Height < HelperSummaries.MaxDepth))
        {
            _height = Math.Max(_height, known.Height + 1);
            return known;
        }

        if (HelperGraph(method, cancellationToken) is not { } graph)
        {
            return null;
        }

        if (_reading.Contains(method, SymbolEqualityComparer.Default))
        {
            MarkBounded();
            return HelperSummary.Unknown;
        }

        if (_depth >= HelperSummaries.MaxDepth)
        {
            SummaryBound ??= $"helpers call each other more than {HelperSummaries.MaxDepth} deep";
            MarkBounded();
            return HelperSummary.Unknown;
        }

        var collector = new SummaryCollector(method);
        var helper = new DefaultStateFlowAnalysis(_members, _isFree, _isSwapHelper, _ => { }, _summaries, _reading.Push(method), _depth + 1, collector, _read);
        helper.Analyze(graph, cancellationToken);
        SummaryBound ??= helper.SummaryBound ?? helper.CutShort;
        var summary = helper.CutShort is null ? collector.Summary(helper._height) : HelperSummary.Unknown;
        _height = Math.Max(_height, summary.Height + 1);
        if (collector.Bounded || helper.CutShort is not null)
        {
            MarkBounded();
            _read[method] = summary;
        }
        else
        {
            _summaries.Keep(method, summary);
        }

        return summary;
    }

    // A summary read under a bound or a cycle depends on where the reading started: not kept for the compilation.
    private void MarkBounded()
    {
        if (_collect is not null)
        {
            _collect.Bounded = true;
        }
    }

    private ControlFlowGraph? HelperGraph(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (method.MethodKind == MethodKind.LocalFunction)
        {
            for (var graph = _graph; graph is not null; graph = graph.Parent)
            {
                if (graph.LocalFunctions.Contains(method, SymbolEqualityComparer.Default))
                {
                    return graph.GetLocalFunctionControlFlowGraph(method, cancellationToken);
                }
            }

            return null;
        }

        if (_graph?.OriginalOperation.SemanticModel?.Compilation is not { } compilation)
        {
            return null;
        }

        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var body = reference.GetSyntax(cancellationToken) switch
            {
                BaseMethodDeclarationSyntax { Body: not null } or BaseMethodDeclarationSyntax { ExpressionBody: not null } or AccessorDeclarationSyntax { Body: not null }
                    or AccessorDeclarationSyntax { ExpressionBody: not null } or ArrowExpressionClauseSyntax => reference.GetSyntax(cancellationToken),
                _ => null,
            };
            if (body is null || !compilation.ContainsSyntaxTree(body.SyntaxTree))
            {
                continue;
            }

#pragma warning disable RS1030 // Only for the helpers a free's analysis calls; the driver's shared model is returned when it has one.
            var model = compilation.GetSemanticModel(body.SyntaxTree);
#pragma warning restore RS1030
            if (model.GetOperation(body, cancellationToken) is { Parent: null, Kind: OperationKind.MethodBody or OperationKind.ConstructorBody or OperationKind.Block } root)
            {
                return FlowRoots.Graph(root, cancellationToken);
            }
        }

        return null;
    }

    // Gathers a helper's summary from its reporting pass: its returns, its out parameters at exit, its writes.
    private sealed class SummaryCollector
    {
        private readonly IMethodSymbol _method;
        private HeldState? _returns;
        private ImmutableHashSet<AccessPath>? _whenTrue;
        private ImmutableHashSet<AccessPath>? _whenFalse;
        private ImmutableHashSet<AccessPath>? _defaultWhenTrue;
        private ImmutableHashSet<AccessPath>? _defaultWhenFalse;
        private bool _anyReturn;
        private bool _writes;
        private ImmutableHashSet<ISymbol>? _writtenRoots = ImmutableHashSet.Create<ISymbol>(SymbolEqualityComparer.Default);
        private ImmutableHashSet<ISymbol> _reassigned = ImmutableHashSet.Create<ISymbol>(SymbolEqualityComparer.Default);
        private ImmutableDictionary<int, HeldState> _outs = ImmutableDictionary<int, HeldState>.Empty;
        private ImmutableArray<HeldElement> _elements = ImmutableArray<HeldElement>.Empty;
        private ImmutableHashSet<AccessPath>? _atExit;
        private ImmutableDictionary<AccessPath, AccessPath>? _installed;

        public SummaryCollector(IMethodSymbol method) => _method = method;

        public bool Bounded { get; set; }

        // A state field may be written through the path: what it is rooted at, when that is a parameter, `this`, or a
        // variable or static field the helper does not own; anything at all, when it is not (a local of its own may
        // hold what any parameter held).
        public void Writes(AccessPath? through)
        {
            _writes = true;
            if (through is { Capture: null, Root: { } root }
                && (root is ITypeSymbol or IFieldSymbol { IsStatic: true } || (root is IParameterSymbol or ILocalSymbol && !SymbolEqualityComparer.Default.Equals(root.ContainingSymbol, _method))
                    || (root is IParameterSymbol && SymbolEqualityComparer.Default.Equals(root.ContainingSymbol, _method) && !_reassigned.Contains(root))))
            {
                _writtenRoots = _writtenRoots?.Add(root);
            }
            else
            {
                _writtenRoots = null;
            }
        }

        public void Reassigned(AccessPath variable) => _reassigned = _reassigned.Add(variable.Root!);

        public void Returned(DefaultStateFlowAnalysis analysis, IOperation value, FlowState state, CancellationToken cancellationToken)
        {
            if (_method.ReturnType.SpecialType == SpecialType.System_Boolean)
            {
                var empty = ImmutableHashSet<AccessPath>.Empty;
                ImmutableHashSet<AccessPath>? whenTrue, whenFalse, defaultWhenTrue, defaultWhenFalse;
                if (value.ConstantValue is { HasValue: true, Value: bool constant })
                {
                    (whenTrue, whenFalse) = (constant ? empty : null, constant ? null : empty);
                    (defaultWhenTrue, defaultWhenFalse) = (whenTrue, whenFalse);
                }
                else
                {
                    var facts = analysis.Facts(value, state, cancellationToken);
                    (whenTrue, whenFalse) = (facts.WhenTrue.Union(state.NotDefault), facts.WhenFalse.Union(state.NotDefault));
                    (defaultWhenTrue, defaultWhenFalse) = (facts.DefaultWhenTrue, facts.DefaultWhenFalse);
                }

                _whenTrue = Meet(_whenTrue, whenTrue, _anyReturn);
                _whenFalse = Meet(_whenFalse, whenFalse, _anyReturn);
                _defaultWhenTrue = Meet(_defaultWhenTrue, defaultWhenTrue, _anyReturn);
                _defaultWhenFalse = Meet(_defaultWhenFalse, defaultWhenFalse, _anyReturn);
                _anyReturn = true;
                return;
            }

            if (_method.ReturnType is INamedTypeSymbol { IsTupleType: true })
            {
                // Element by element: the first return that may put a state in an element names it.
                foreach (var element in analysis.ElementAliases(value, state, cancellationToken))
                {
                    if (!_elements.Any(e => e.ElementFields.SequenceEqual(element.Fields, SymbolEqualityComparer.Default)))
                    {
                        _elements = _elements.Add(new HeldElement(element.Fields, new HeldState(element.Alias.OwnerPath, element.Alias.DefaultName, element.Alias.IsDefault, element.Alias.Path)));
                    }
                }

                return;
            }

            if (_returns is null && analysis.ValueAlias(value, state, cancellationToken) is { } alias)
            {
                _returns = new HeldState(alias.OwnerPath, alias.DefaultName, alias.IsDefault, alias.Path);
            }
        }

        // Null stands for "every path": a return that cannot give this result proves everything about it.
        private static ImmutableHashSet<AccessPath>? Meet(ImmutableHashSet<AccessPath>? sofar, ImmutableHashSet<AccessPath>? next, bool any) =>
            !any ? next : sofar is null ? next : next is null ? sofar : sofar.Intersect(next);

        // A value the helper received: a parameter, `this`, or a variable it captured, or a member of one.
        public bool FromCaller(AccessPath path) => path.Capture is null && path.Root switch
        {
            IParameterSymbol parameter => true,
            ILocalSymbol local => !SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, _method),
            ITypeSymbol => true,
            _ => false,
        };

        public void AtExit(DefaultStateFlowAnalysis analysis, FlowState state)
        {
            _atExit = _atExit is null ? state.NotDefault : _atExit.Intersect(state.NotDefault);
            _installed = _installed is null ? state.Installed : _installed.Where(i => state.Installed.TryGetValue(i.Key, out var theirs) && theirs.Equals(i.Value)).ToImmutableDictionary();
            foreach (var parameter in _method.Parameters)
            {
                if (parameter.RefKind is RefKind.Out or RefKind.Ref && analysis.Lookup(AccessPath.ForSymbol(parameter), state) is { } alias)
                {
                    _outs = _outs.SetItem(parameter.Ordinal, new HeldState(alias.OwnerPath, alias.DefaultName, alias.IsDefault, alias.Path));
                }
            }
        }

        public HelperSummary Summary(int height)
        {
            // Facts about the helper's own locals, or parameters it wrote before comparing, mean nothing to a caller.
            bool Meaningful(AccessPath p) => p.Capture is null && p.Root is not ILocalSymbol && !_reassigned.Contains(p.Root!);
            HeldState Clean(HeldState held) => new(
                held.OwnerPath is { } owner && Meaningful(owner) ? owner : null, held.DefaultName, held.IsDefault, held.Path is { } path && Meaningful(path) ? path : null);
            var returns = _returns is null ? null : Clean(_returns);
            var outs = _outs.ToImmutableDictionary(o => o.Key, o => Clean(o.Value));
            var whenTrue = _whenTrue?.Where(Meaningful).ToImmutableHashSet();
            var whenFalse = _whenFalse?.Where(Meaningful).ToImmutableHashSet();
            var defaultWhenTrue = _defaultWhenTrue?.Where(Meaningful).ToImmutableHashSet();
            var defaultWhenFalse = _defaultWhenFalse?.Where(Meaningful).ToImmutableHashSet();
            var elements = _elements.Select(e => new HeldElement(e.ElementFields, Clean(e.Held))).ToImmutableArray();
            var atExit = _atExit?.Where(Meaningful).ToImmutableHashSet();
            var installed = _installed?.Where(i => Meaningful(i.Key) && Meaningful(i.Value)).ToImmutableDictionary();
            // A parameter the helper reassigned names something else where it wrote through it.
            var writtenRoots = _writtenRoots is { } roots && !roots.Any(r => _reassigned.Contains(r)) ? roots : null;
            return new HelperSummary(returns, outs, _writes, whenTrue is { IsEmpty: false } ? whenTrue : null, whenFalse is { IsEmpty: false } ? whenFalse : null, elements, height, atExit, installed,
                writtenRoots, defaultWhenTrue is { IsEmpty: false } ? defaultWhenTrue : null, defaultWhenFalse is { IsEmpty: false } ? defaultWhenFalse : null);
        }
    }
}

/// <summary>Diagnostic property names FPU0002 hands to its code fix.</summary>
internal static class FreeOfDefaultFpuStateProperties
{
    public const string Kind = "Kind";
    public const string Owner = "Owner";
    public const string DefaultMember = "DefaultMember";
    public const string StateMember = "StateMember";
}
