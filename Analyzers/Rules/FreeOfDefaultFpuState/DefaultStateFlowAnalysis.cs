using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Flow;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState;

/// <summary>
/// Forward must-analysis over a control-flow graph: which state buffers are proven not to be the default
/// state on every path to a point. Facts come from guards on CFG edges (<c>!=</c>, <c>==</c> with the other
/// branch, <c>ReferenceEquals</c>, <c>!</c>, <c>is true/false</c>) and from values the swap helper returned; a
/// write to the buffer, its owner or a swap of the owner kills them. Locals read from a state field carry
/// "may be the default" with them.
/// </summary>
internal sealed class DefaultStateFlowAnalysis
{
    private readonly FpuStateMembers _members;
    private readonly Func<IMethodSymbol, bool> _isFree;
    private readonly Func<IMethodSymbol, bool> _isSwapHelper;
    private readonly Action<Diagnostic> _report;
    private readonly Queue<ControlFlowGraph> _nested = new();

    public DefaultStateFlowAnalysis(FpuStateMembers members, Func<IMethodSymbol, bool> isFree, Func<IMethodSymbol, bool> isSwapHelper, Action<Diagnostic> report)
    {
        _members = members;
        _isFree = isFree;
        _isSwapHelper = isSwapHelper;
        _report = report;
    }

    /// <summary>
    /// What a local holding a state field's value came from: the buffer, its owner's text and the default member's
    /// name; or the default member itself, read into the local.
    /// </summary>
    private sealed class Alias
    {
        public Alias(string ownerText, string defaultName, string origin, bool isDefault)
        {
            OwnerText = ownerText;
            DefaultName = defaultName;
            Origin = origin;
            IsDefault = isDefault;
        }

        public string OwnerText { get; }

        public string DefaultName { get; }

        public string Origin { get; }

        public bool IsDefault { get; }
    }

    private sealed class FlowState
    {
        public static readonly FlowState Empty = new(ImmutableHashSet<AccessPath>.Empty, ImmutableDictionary<AccessPath, Alias>.Empty);

        public FlowState(ImmutableHashSet<AccessPath> notDefault, ImmutableDictionary<AccessPath, Alias> aliases)
        {
            NotDefault = notDefault;
            Aliases = aliases;
        }

        public ImmutableHashSet<AccessPath> NotDefault { get; }

        public ImmutableDictionary<AccessPath, Alias> Aliases { get; }

        public FlowState With(ImmutableHashSet<AccessPath> facts) => facts.IsEmpty ? this : new FlowState(NotDefault.Union(facts), Aliases);

        public FlowState Kill(AccessPath written)
        {
            if (!NotDefault.Any(p => p.StartsWith(written)) && !Aliases.Keys.Any(k => k.StartsWith(written)))
            {
                return this; // Most writes touch nothing the analysis knows.
            }

            return new(
                NotDefault.Where(p => !p.StartsWith(written)).ToImmutableHashSet(),
                Aliases.Where(a => !a.Key.StartsWith(written)).ToImmutableDictionary());
        }

        public FlowState Meet(FlowState other) => new(
            NotDefault.Intersect(other.NotDefault),
            other.Aliases.Aggregate(Aliases, (acc, a) => acc.ContainsKey(a.Key) ? acc : acc.Add(a.Key, a.Value)));

        public bool SameAs(FlowState other) => NotDefault.SetEquals(other.NotDefault) && Aliases.Count == other.Aliases.Count && Aliases.Keys.All(other.Aliases.ContainsKey);
    }

    public void Analyze(ControlFlowGraph graph, CancellationToken cancellationToken)
    {
        _nested.Enqueue(graph);
        while (_nested.Count > 0)
        {
            var next = _nested.Dequeue();
            var run = DataFlowAnalysis<FlowState>.Run(next, FlowState.Empty, new Transfer(this), cancellationToken);
            CutShort ??= run.CutShort;
            foreach (var local in next.LocalFunctions)
            {
                _nested.Enqueue(next.GetLocalFunctionControlFlowGraph(local, cancellationToken));
            }
        }
    }

    /// <summary>Why an analysis stopped before its flow settled; null when every one settled.</summary>
    public string? CutShort { get; private set; }

    // The must-analysis on the flow engine: facts hold where every path agrees (Meet), a branch's condition adds
    // what it proves on each side.
    private sealed class Transfer : FlowTransfer<FlowState>
    {
        private readonly DefaultStateFlowAnalysis _analysis;

        public Transfer(DefaultStateFlowAnalysis analysis) => _analysis = analysis;

        public override FlowState Join(FlowState a, FlowState b) => a.Meet(b);

        public override bool Same(FlowState a, FlowState b) => a.SameAs(b);

        public override FlowState Visit(IOperation operation, FlowState state) => _analysis.Visit(Graph, operation, state, Reporting);

        public override bool Follow(BasicBlock block, bool? conditionHolds, ref FlowState state)
        {
            if (conditionHolds is { } holds && block.BranchValue is { } condition)
            {
                var (whenTrue, whenFalse) = _analysis.Facts(condition);
                state = state.With(holds ? whenTrue : whenFalse);
            }

            return true;
        }
    }

    // One operation; its children were visited by the engine.
    private FlowState Visit(ControlFlowGraph graph, IOperation operation, FlowState state, bool report)
    {
        if (operation is IFlowAnonymousFunctionOperation lambda)
        {
            if (report)
            {
                _nested.Enqueue(graph.GetAnonymousFunctionControlFlowGraph(lambda));
            }

            return state;
        }

        switch (operation)
        {
            case IInvocationOperation invocation:
                if (report && _isFree(invocation.TargetMethod))
                {
                    CheckFree(invocation, state);
                }

                return AfterInvocation(invocation, state);
            case ISimpleAssignmentOperation assignment:
                return Assign(assignment.Target, assignment.Value, state);
            case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                var local = AccessPath.ForSymbol(declarator.Symbol);
                return Track(local, initializer.Value, state.Kill(local));
            case IAssignmentOperation other:
                return KillTargets(other.Target, state);
            case IIncrementOrDecrementOperation increment:
                return KillTargets(increment.Target, state);
            default:
                return state;
        }
    }

    private FlowState AfterInvocation(IInvocationOperation invocation, FlowState state)
    {
        var swaps = _isSwapHelper(invocation.TargetMethod);
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out || (swaps && argument.Value.Type?.IsReferenceType == true))
            {
                state = KillTargets(argument.Value, state);
            }
        }

        return state;
    }

    private FlowState KillTargets(IOperation target, FlowState state)
    {
        if (AccessPath.Strip(target) is ITupleOperation tuple)
        {
            return tuple.Elements.Aggregate(state, (s, e) => KillTargets(e, s));
        }

        return AccessPath.Of(target) is { } path ? state.Kill(path) : state;
    }

    private FlowState Assign(IOperation target, IOperation value, FlowState state)
    {
        var path = AccessPath.Of(target);
        if (path is null)
        {
            return state;
        }

        state = state.Kill(path);
        return path.Parts.Length == 1 && path.Root is ILocalSymbol or IParameterSymbol ? Track(path, value, state) : state;
    }

    // A local or parameter takes a value: proven not default, or an alias of a state buffer, or unknown.
    private FlowState Track(AccessPath local, IOperation value, FlowState state)
    {
        var source = AccessPath.Strip(value);
        if (source is IInvocationOperation call && _isSwapHelper(call.TargetMethod))
        {
            return new FlowState(state.NotDefault.Add(local), state.Aliases);
        }

        var sourcePath = AccessPath.Of(source);
        if (sourcePath is null)
        {
            return state;
        }

        if (state.NotDefault.Contains(sourcePath))
        {
            return new FlowState(state.NotDefault.Add(local), state.Aliases);
        }

        if (state.Aliases.TryGetValue(sourcePath, out var alias))
        {
            return new FlowState(state.NotDefault, state.Aliases.SetItem(local, alias));
        }

        if (source is IMemberReferenceOperation defaultState && FpuStateMembers.IsDefaultMember(defaultState.Member))
        {
            var owner = defaultState.Instance?.Syntax.ToString() ?? defaultState.Member.ContainingType.Name;
            return new FlowState(state.NotDefault, state.Aliases.SetItem(local, new Alias(owner, defaultState.Member.Name, source.Syntax.ToString(), isDefault: true)));
        }

        if (source is IMemberReferenceOperation member && _members.CanHoldDefault(member.Member)
            && _members.DefaultMemberOf(member.Member.ContainingType) is { } defaultMember)
        {
            var owner = member.Instance?.Syntax.ToString() ?? member.Member.ContainingType.Name;
            return new FlowState(state.NotDefault, state.Aliases.SetItem(local, new Alias(owner, defaultMember.Name, source.Syntax.ToString(), isDefault: false)));
        }

        return state;
    }

    private void CheckFree(IInvocationOperation invocation, FlowState state)
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

        var path = AccessPath.Of(value);
        if (path is null || state.NotDefault.Contains(path))
        {
            return;
        }

        if (value is IMemberReferenceOperation member && _members.CanHoldDefault(member.Member)
            && _members.DefaultMemberOf(member.Member.ContainingType) is { } defaultMember)
        {
            var owner = member.Instance?.Syntax.ToString() ?? member.Member.ContainingType.Name;
            Report(invocation, method, value.Syntax.ToString(), $"; no check that it differs from '{owner}.{defaultMember.Name}' guards this path", "State", owner, defaultMember.Name, member.Member.Name);
        }
        else if (path.Parts.Length == 1 && state.Aliases.TryGetValue(path, out var alias))
        {
            if (alias.IsDefault)
            {
                Report(invocation, method, value.Syntax.ToString(), $" — it holds '{alias.Origin}', the default state itself", "Default", alias.OwnerText, alias.DefaultName, null);
            }
            else
            {
                Report(invocation, method, value.Syntax.ToString(), $"; it holds '{alias.Origin}', and no check that it differs from '{alias.OwnerText}.{alias.DefaultName}' guards this path", "Alias", alias.OwnerText, alias.DefaultName, null);
            }
        }
    }

    private void Report(IInvocationOperation invocation, string method, string argument, string why, string kind, string? owner, string defaultName, string? stateName)
    {
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(FreeOfDefaultFpuStateProperties.Kind, kind)
            .Add(FreeOfDefaultFpuStateProperties.Owner, owner)
            .Add(FreeOfDefaultFpuStateProperties.DefaultMember, defaultName)
            .Add(FreeOfDefaultFpuStateProperties.StateMember, stateName);
        _report(Diagnostic.Create(RuleDescriptors.FreeOfDefaultFpuState, invocation.Syntax.GetLocation(), properties, method, argument, why));
    }

    // Facts a condition proves when it is true and when it is false.
    private (ImmutableHashSet<AccessPath> WhenTrue, ImmutableHashSet<AccessPath> WhenFalse) Facts(IOperation condition)
    {
        AnalysisBounds.EnsureStack();
        var none = ImmutableHashSet<AccessPath>.Empty;
        switch (AccessPath.Strip(condition))
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                var (t, f) = Facts(not.Operand);
                return (f, t);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.ObjectValueEquals } equals
                when ComparedWithDefault(equals.LeftOperand, equals.RightOperand) is { } path:
                return (none, none.Add(path));
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.NotEquals or BinaryOperatorKind.ObjectValueNotEquals } notEquals
                when ComparedWithDefault(notEquals.LeftOperand, notEquals.RightOperand) is { } path:
                return (none.Add(path), none);
            case IInvocationOperation { TargetMethod: { Name: "ReferenceEquals" or "Equals", IsStatic: true, ContainingType.SpecialType: SpecialType.System_Object } } call
                when call.Arguments.Length == 2 && ComparedWithDefault(call.Arguments[0].Value, call.Arguments[1].Value) is { } path:
                return (none, none.Add(path));
            case IIsPatternOperation { Pattern: IConstantPatternOperation { Value: ILiteralOperation { ConstantValue: { HasValue: true, Value: bool expected } } } } isConstant:
                var facts = Facts(isConstant.Value);
                return expected ? facts : (facts.WhenFalse, facts.WhenTrue);
            case IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation { Value: ILiteralOperation { ConstantValue: { HasValue: true, Value: bool negated } } } } } isNot:
                var inner = Facts(isNot.Value);
                return negated ? (inner.WhenFalse, inner.WhenTrue) : inner;
            default:
                return (none, none);
        }
    }

    private static AccessPath? ComparedWithDefault(IOperation left, IOperation right)
    {
        left = AccessPath.Strip(left)!;
        right = AccessPath.Strip(right)!;
        if (right is IMemberReferenceOperation r && FpuStateMembers.IsDefaultMember(r.Member))
        {
            return AccessPath.Of(left);
        }

        return left is IMemberReferenceOperation l && FpuStateMembers.IsDefaultMember(l.Member) ? AccessPath.Of(right) : null;
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
