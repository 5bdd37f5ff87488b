using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Flow;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Rules.AtomicContext;

/// <summary>
/// What one operation does to the atomic contexts (FPU0001, FPU0004): a call of an [EntersAtomicContext],
/// [ExitsAtomicContext] or [AssertsAtomicContext] member changes them; a call that may sleep, or an await, where
/// one may be held is reported; a call of a member of this compilation is a sleep point of the method for the
/// call graph. A call is anything that runs user code: methods, constructors, accessors (getters, setters,
/// init, event add/remove), user-defined operators and conversions, Deconstruct, the members patterns call, a
/// collection expression's builder. Branches on a bool local or parameter split the worlds
/// (<see cref="ContextCounts"/>), and a bool local assigned a constant is known (the "locked" flag idiom).
/// </summary>
internal sealed class AtomicContextTransfer : FlowTransfer<ContextCounts>
{
    /// <summary>The condition that an async function has awaited: its sleep points after that are not its caller's.</summary>
    public const int AwaitedAtom = ContextCounts.MaxAtoms - 1;

    // The last operation kind the Roslyn the analyzer is built against knows (4.8): a newer one may run code.
    private const int LastKnownOperationKind = 0x7e;

    private readonly AtomicContextFlowAnalysis _analysis;
    private readonly IMethodSymbol _owner;
    private readonly MethodContract _ownerContract;
    private readonly int[] _baseline;
    private readonly AtomicContextFlowAnalysis.Result _result;
    private readonly AtomicContextFlowAnalysis.FunctionBudget _budget;

    // The root's: the operations of a control-flow graph have none of their own.
    private readonly SemanticModel? _model;
    private readonly Action<ControlFlowGraph, IMethodSymbol>? _lambdaFound;
    private readonly CancellationToken _cancellationToken;
    private readonly HashSet<TextSpanKey> _reported = new();
    private readonly Dictionary<ISymbol, int> _atoms = new(SymbolEqualityComparer.Default);

    public AtomicContextTransfer(AtomicContextFlowAnalysis analysis, IMethodSymbol owner, MethodContract ownerContract, int[] baseline,
        AtomicContextFlowAnalysis.Result result, SemanticModel? model, AtomicContextFlowAnalysis.FunctionBudget budget, Action<ControlFlowGraph, IMethodSymbol>? lambdaFound,
        CancellationToken cancellationToken)
    {
        _analysis = analysis;
        _owner = owner;
        _ownerContract = ownerContract;
        _baseline = baseline;
        _result = result;
        _model = model;
        _budget = budget;
        _lambdaFound = lambdaFound;
        _cancellationToken = cancellationToken;
    }

    public override ContextCounts Join(ContextCounts a, ContextCounts b) => a.Union(b);

    public override bool Same(ContextCounts a, ContextCounts b) => a.Equals(b);

    public override void AtExit(ContextCounts state)
    {
        foreach (var kind in ContextCounts.AllKinds)
        {
            if (!_ownerContract.Enters.Contains(kind) && !_ownerContract.Exits.Contains(kind) && state.MaxOf(kind) > _baseline[(int)kind])
            {
                _result.HeldAtReturn.Add(kind);
            }
        }

        // A required context is its caller's: the caller goes on holding it, so it must be held again on the way back.
        foreach (var kind in _ownerContract.Requires)
        {
            if (!_ownerContract.Exits.Contains(kind) && state.MayBeZero(kind) && !_result.LeftAtReturn.Contains(kind))
            {
                _result.LeftAtReturn.Add(kind);
            }
        }
    }

    // A using scope's lowering skips Dispose when the resource is null. The analysis assumes a using resource is
    // never null (a lock scope is not): counting that branch would leave every using-scoped lock held.
    public override bool Follow(BasicBlock block, bool? conditionHolds, ref ContextCounts state)
    {
        if (conditionHolds is not { } holds)
        {
            return true;
        }

        if (holds && block.BranchValue is IIsNullOperation { IsImplicit: true } && block.EnclosingRegion.Kind == ControlFlowRegionKind.Finally)
        {
            return false;
        }

        if (Atom(block.BranchValue) is { } atom)
        {
            state = state.Assume(atom.Index, holds ^ atom.Negated);
        }

        return true;
    }

    public override ContextCounts Visit(IOperation operation, ContextCounts state)
    {
        switch (operation)
        {
            case IFlowAnonymousFunctionOperation lambda:
                if (Reporting && _lambdaFound is { } found)
                {
                    found(Graph.GetAnonymousFunctionControlFlowGraph(lambda, _cancellationToken), lambda.Symbol);
                }

                return state; // Created here, not run here.
            case IInvocationOperation invocation:
                return Invocation(invocation, state);
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                return Call(creation.Syntax, constructor, state, arguments: creation.Arguments);
            case IPropertyReferenceOperation property:
                return Accessed(property, state);
            case ISimpleAssignmentOperation assignment:
                state = Setter(assignment.Target, state);
                return Assigned(assignment.Target, assignment.Value, state);
            case ICompoundAssignmentOperation compound:
                state = Operator(compound.Syntax, compound.OperatorMethod, state);
                return ForgetWritten(compound.Target, Setter(compound.Target, state));
            case IIncrementOrDecrementOperation increment:
                state = Operator(increment.Syntax, increment.OperatorMethod, state);
                return ForgetWritten(increment.Target, Setter(increment.Target, state));
            case IDeconstructionAssignmentOperation deconstruction:
                return Deconstructed(deconstruction, state);
            case IBinaryOperation binary:
                return Operator(binary.Syntax, binary.OperatorMethod, state);
            case IUnaryOperation unary:
                return Operator(unary.Syntax, unary.OperatorMethod, state);
            case IConversionOperation conversion:
                return Operator(conversion.Syntax, conversion.OperatorMethod, state);
            case IEventAssignmentOperation eventAssignment when eventAssignment.EventReference is IEventReferenceOperation reference:
                return Accessor(eventAssignment.Syntax, eventAssignment.Adds ? reference.Event.AddMethod : reference.Event.RemoveMethod, state);
            case IRecursivePatternOperation { DeconstructSymbol: IMethodSymbol deconstruct } pattern:
                return Call(pattern.Syntax, deconstruct, state);
            case IListPatternOperation list:
                return Member(list.Syntax, list.IndexerSymbol, Member(list.Syntax, list.LengthSymbol, state));
            case ISlicePatternOperation slice:
                return Member(slice.Syntax, slice.SliceSymbol, state);
            case IAwaitOperation awaiting:
                if (Reporting && _analysis.TracksSleeps && Held(state) is { } held)
                {
                    Report(new AtomicContextFlowAnalysis.SleepInContext(awaiting.Syntax, null, held, Array.Empty<SleepPoint>()));
                }

                return _owner.IsAsync ? state.Forget(AwaitedAtom).Assume(AwaitedAtom, true) : state;
            case IVariableDeclaratorOperation declarator:
                state = Forget(declarator.Symbol, state);
                return declarator.Initializer is { } initializer ? Known(declarator.Symbol, initializer.Value, state) : state;
            default:
                return (int)operation.Kind is 0 or > LastKnownOperationKind ? Newer(operation, state) : state;
        }
    }

    // ---- Calls ----

    private ContextCounts Invocation(IInvocationOperation invocation, ContextCounts state)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            {
                state = ForgetWritten(argument.Value, state);
            }
        }

        var method = invocation.TargetMethod;
        if (method.MethodKind == MethodKind.DelegateInvoke)
        {
            return Delegate(invocation, state);
        }

        // Enumerating an iterator of this compilation runs its body.
        if (method.Name == "GetEnumerator" && Origin(invocation.Instance) is IInvocationOperation created && IsIterator(created.TargetMethod))
        {
            return Call(invocation.Syntax, created.TargetMethod, state, enumerates: true);
        }

        // A record's `with` clones through its copy constructor.
        if (method.Name == "<Clone>$" && method.ContainingType.InstanceConstructors.FirstOrDefault(IsCopyConstructor) is { } copy)
        {
            return Call(invocation.Syntax, copy, state);
        }

        return Call(invocation.Syntax, Resolve(invocation), state, arguments: invocation.Arguments);
    }

    private static bool IsCopyConstructor(IMethodSymbol constructor) =>
        constructor.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, constructor.ContainingType);

    // A scope kept in a local typed IDisposable: the value assigned to it tells which Dispose runs.
    private IMethodSymbol Resolve(IInvocationOperation invocation) =>
        MethodContracts.Called(invocation.TargetMethod, Strip(Origin(invocation.Instance) ?? invocation.Instance)?.Type);

    // A delegate local (or parameter, field) assigned once from a lambda or method group: its invocation runs that.
    private ContextCounts Delegate(IInvocationOperation invocation, ContextCounts state)
    {
        var value = Strip(Origin(invocation.Instance));
        if (value is IDelegateCreationOperation creation)
        {
            value = Strip(creation.Target);
        }

        switch (value)
        {
            case IFlowAnonymousFunctionOperation lambda when GraphOf(lambda) is { } graph:
                return Function(invocation.Syntax, lambda.Symbol, graph, state);
            case IMethodReferenceOperation reference:
                return Call(invocation.Syntax, reference.Method, state);
            default:
                return Call(invocation.Syntax, invocation.TargetMethod, state);
        }
    }

    private ContextCounts Operator(SyntaxNode syntax, IMethodSymbol? method, ContextCounts state) =>
        method is null ? state : Call(syntax, method, state);

    private ContextCounts Member(SyntaxNode syntax, ISymbol? member, ContextCounts state) => member switch
    {
        IPropertySymbol property => Accessor(syntax, property.GetMethod, state),
        IMethodSymbol method => Call(syntax, method, state),
        _ => state,
    };

    // A property or indexer read runs its getter; written, its setter runs when the assignment does. A
    // ref-returning one runs its getter either way.
    private ContextCounts Accessed(IPropertyReferenceOperation property, ContextCounts state)
    {
        var isSetTarget = !property.Property.ReturnsByRef && property.Parent switch
        {
            ISimpleAssignmentOperation assignment => assignment.Target == property,
            ITupleOperation tuple => IsDeconstructionTarget(tuple),
            _ => false,
        };
        return isSetTarget ? state : Accessor(property.Syntax, property.Property.GetMethod, state);
    }

    private ContextCounts Setter(IOperation target, ContextCounts state) =>
        target is IPropertyReferenceOperation { Property: { ReturnsByRef: false, SetMethod: { } setter } } property ? Accessor(property.Syntax, setter, state) : state;

    private static bool IsDeconstructionTarget(ITupleOperation tuple)
    {
        IOperation current = tuple;
        while (current.Parent is ITupleOperation outer)
        {
            current = outer;
        }

        return current.Parent is IDeconstructionAssignmentOperation assignment && assignment.Target == current;
    }

    // Deconstruct (from the semantic model: the operation does not say), then the setters of the targets.
    private ContextCounts Deconstructed(IDeconstructionAssignmentOperation deconstruction, ContextCounts state)
    {
        var loop = deconstruction.Syntax as ForEachVariableStatementSyntax
            ?? (deconstruction.Syntax.Parent as ForEachVariableStatementSyntax is { } outer && outer.Variable == deconstruction.Syntax ? outer : null);
        if (_model is { } model && (deconstruction.Syntax is AssignmentExpressionSyntax || loop is not null))
        {
            var info = deconstruction.Syntax is AssignmentExpressionSyntax assignment
                ? model.GetDeconstructionInfo(assignment)
                : model.GetDeconstructionInfo(loop!);
            var pending = new Stack<DeconstructionInfo>();
            pending.Push(info);
            while (pending.Count > 0)
            {
                var next = pending.Pop();
                if (next.Method is { } method)
                {
                    state = Call(deconstruction.Syntax, method, state);
                }

                foreach (var nested in next.Nested)
                {
                    pending.Push(nested);
                }
            }
        }

        var targets = new Stack<IOperation>();
        targets.Push(deconstruction.Target);
        while (targets.Count > 0)
        {
            var target = targets.Pop();
            if (target is ITupleOperation tuple)
            {
                foreach (var element in tuple.Elements)
                {
                    targets.Push(element);
                }

                continue;
            }

            state = ForgetWritten(target, Setter(target, state));
        }

        return state;
    }

    // Forms newer than the operation API the analyzer is built on: a collection expression runs its builder
    // (or constructor and Add); anything else that binds to a method runs it; anything else may run code.
    private ContextCounts Newer(IOperation operation, ContextCounts state)
    {
        if (_model is not { } model)
        {
            return state;
        }

        if (operation.Syntax is CollectionExpressionSyntax)
        {
            return CollectionExpression(operation, state);
        }

        if (model.GetSymbolInfo(operation.Syntax, _cancellationToken).Symbol is IMethodSymbol method)
        {
            return Call(operation.Syntax, method, state);
        }

        return state;
    }

    private ContextCounts CollectionExpression(IOperation operation, ContextCounts state)
    {
        if (operation.Type is not INamedTypeSymbol type || type.DeclaringSyntaxReferences.IsEmpty)
        {
            return state; // Arrays, spans and library collections run no code of this compilation.
        }

        var builder = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.Name == "CollectionBuilderAttribute");
        if (builder is { ConstructorArguments.Length: 2 } && builder.ConstructorArguments[0].Value is INamedTypeSymbol builderType
            && builder.ConstructorArguments[1].Value is string name)
        {
            foreach (var create in builderType.GetMembers(name).OfType<IMethodSymbol>())
            {
                state = Call(operation.Syntax, create, state);
            }

            return state;
        }

        if (type.InstanceConstructors.FirstOrDefault(c => c.Parameters.IsEmpty) is { } constructor)
        {
            state = Call(operation.Syntax, constructor, state);
        }

        foreach (var add in type.GetMembers("Add").OfType<IMethodSymbol>())
        {
            state = Call(operation.Syntax, add, state);
        }

        return state;
    }

    private ContextCounts Accessor(SyntaxNode syntax, IMethodSymbol? accessor, ContextCounts state) =>
        accessor is null ? state : Call(syntax, accessor, state);

    // What a call does to the contexts (and, tracking sleeps, where it may sleep), its arguments evaluated.
    private ContextCounts Call(SyntaxNode call, IMethodSymbol callee, ContextCounts state, bool enumerates = false, ImmutableArray<IArgumentOperation> arguments = default)
    {
        var contract = _analysis.Contracts.Of(callee);
        if (contract.IsUnreadable)
        {
            _result.ReadsUnreadableContract = true;
        }

        if (_analysis.TracksSleeps)
        {
            TrackSleep(call, callee, contract, state, enumerates, arguments);
        }

        if (!contract.ChangesContext)
        {
            return state;
        }

        _result.UsesContexts = true;
        foreach (var kind in contract.Exits)
        {
            if (Reporting && state.MayBeZero(kind) && !_ownerContract.Exits.Contains(kind))
            {
                _result.ExitsWithoutEntry.Add((call, kind));
            }
        }

        return state.Apply(contract.Enters, contract.Exits, contract.Asserts);
    }

    // Where the call may sleep: a sleep point of this function for the call graph, and a report when a context may
    // be held here. Creating an iterator runs none of its body; enumerating it does.
    private void TrackSleep(SyntaxNode call, IMethodSymbol callee, MethodContract contract, ContextCounts state, bool enumerates, ImmutableArray<IArgumentOperation> arguments)
    {
        // No world: no path reaches the call (a known condition ruled it out). It neither sleeps nor holds anything; its
        // empty state would read as nothing held, a sleep outside every region for the function's callers.
        if (!Reporting || state.IsEmpty)
        {
            return;
        }

        if (callee.MethodKind == MethodKind.LocalFunction)
        {
            if (!enumerates && IsIterator(callee))
            {
                return;
            }

            if (LocalGraph(callee) is { } graph)
            {
                Function(call, callee, graph, state);
            }
        }
        else if (contract.MaySleep || _analysis.IsListed!(callee, call.SyntaxTree))
        {
            AddPoint(new SleepPoint(null, MemberNames.Of(callee), call.GetLocation(), Delta(state)), state);
            if (Held(state) is { } held)
            {
                Report(new AtomicContextFlowAnalysis.SleepInContext(call, callee, held, Array.Empty<SleepPoint>()));
            }
        }
        else if (!contract.DoesNotSleep && IsSource(callee) && (enumerates || !IsIterator(callee)))
        {
            var known = KnownArguments(callee, arguments, state);
            AddPoint(new SleepPoint(callee, MemberNames.Of(callee), call.GetLocation(), Delta(state), passes: known, forwards: Forwards(callee, arguments)), state);
            if (Held(state) is { } held)
            {
                _result.SourceCallsInContext.Add((call, callee, held, known));
            }
        }
    }

    // An async function's callers see only what it does before its first await.
    private void AddPoint(SleepPoint point, ContextCounts state)
    {
        if (!_owner.IsAsync || state.MayBe(AwaitedAtom, false))
        {
            var requires = Requires(state);
            _result.Points.Add(requires.IsEmpty ? point : point.WithRequires(requires));
        }
    }

    // ---- Conditions into callees: a helper that sleeps only under one value of a bool parameter, called with the other ----

    // The owner's bool parameters that no code writes and that have one value in every world here: a call of the owner
    // that passes the other value never reaches this point (SleepGraph judges its pending calls with them).
    private ImmutableArray<(int Ordinal, bool Value)> Requires(ContextCounts state)
    {
        var requires = ImmutableArray<(int, bool)>.Empty;
        foreach (var parameter in UnwrittenBoolParameters())
        {
            if (_atoms.TryGetValue(parameter, out var atom) && KnownValue(atom, state) is { } value)
            {
                requires = requires.Add((parameter.Ordinal, value));
            }
        }

        return requires;
    }

    // The value a bool argument has at the call, where it is a constant or a condition known in every world.
    private ImmutableArray<(int Ordinal, bool Value)> KnownArguments(IMethodSymbol callee, ImmutableArray<IArgumentOperation> arguments, ContextCounts state)
    {
        var known = ImmutableArray<(int, bool)>.Empty;
        if (arguments.IsDefaultOrEmpty)
        {
            return known;
        }

        foreach (var argument in arguments)
        {
            if (argument.Parameter is not { } parameter || !IsByValueBool(parameter)
                || !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol.OriginalDefinition, callee.OriginalDefinition))
            {
                continue;
            }

            if (ValueAt(argument.Value, state) is { } value)
            {
                known = known.Add((parameter.Ordinal, value));
            }
        }

        return known;
    }

    // A constant, or a condition already followed here (`!c` included); no new condition is taken on for it.
    private bool? ValueAt(IOperation value, ContextCounts state)
    {
        var (operation, negated) = Negations(value);
        if (operation?.ConstantValue is { HasValue: true, Value: bool constant })
        {
            return constant ^ negated;
        }

        return Variable(operation) is { } symbol && _atoms.TryGetValue(symbol, out var atom) && KnownValue(atom, state) is { } known ? known ^ negated : null;
    }

    // The callee's bool parameters given one of the owner's own unwritten bool parameters as is: what a call of the owner
    // passes for that parameter goes on to the callee.
    private ImmutableArray<(int Ordinal, int From)> Forwards(IMethodSymbol callee, ImmutableArray<IArgumentOperation> arguments)
    {
        var forwards = ImmutableArray<(int, int)>.Empty;
        if (arguments.IsDefaultOrEmpty)
        {
            return forwards;
        }

        foreach (var argument in arguments)
        {
            if (argument.Parameter is { } parameter && IsByValueBool(parameter)
                && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol.OriginalDefinition, callee.OriginalDefinition)
                && AccessPath.Strip(argument.Value) is IParameterReferenceOperation { Parameter: var own }
                && UnwrittenBoolParameters().Contains(own, SymbolEqualityComparer.Default))
            {
                forwards = forwards.Add((parameter.Ordinal, own.Ordinal));
            }
        }

        return forwards;
    }

    private static bool IsByValueBool(IParameterSymbol parameter) => parameter is { RefKind: RefKind.None, Type.SpecialType: SpecialType.System_Boolean };

    // Whether any code in the declaration (its lambdas and local functions included) may write the parameter.
    private static bool IsWrittenIn(SyntaxNode declaration, IParameterSymbol parameter) =>
        declaration.DescendantNodes().OfType<IdentifierNameSyntax>().Any(i => i.Identifier.ValueText == parameter.Name && ConditionAtoms.MayChange(i));

    private static bool? KnownValue(int atom, ContextCounts state) =>
        !state.MayBe(atom, false) ? true : !state.MayBe(atom, true) ? false : null;

    private List<IParameterSymbol>? _unwrittenBoolParameters;

    private List<IParameterSymbol> UnwrittenBoolParameters()
    {
        if (_unwrittenBoolParameters is null)
        {
            _unwrittenBoolParameters = new List<IParameterSymbol>();
            if (_owner.MethodKind is not MethodKind.AnonymousFunction and not MethodKind.LocalFunction && _owner.DeclaringSyntaxReferences.Length == 1
                && _owner.Parameters.Any(IsByValueBool))
            {
                var declaration = _owner.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken);
                _unwrittenBoolParameters.AddRange(_owner.Parameters.Where(p => IsByValueBool(p) && !IsWrittenIn(declaration, p)));
            }
        }

        return _unwrittenBoolParameters;
    }

    private static bool IsSource(IMethodSymbol method) =>
        !method.DeclaringSyntaxReferences.IsEmpty || (method.IsImplicitlyDeclared && method.MethodKind == MethodKind.Constructor && method.ContainingType.Locations.Any(l => l.IsInSource));

    private static bool IsIterator(IMethodSymbol method) =>
        method.ReturnType.OriginalDefinition.SpecialType is SpecialType.System_Collections_Generic_IEnumerable_T or SpecialType.System_Collections_IEnumerable
            or SpecialType.System_Collections_Generic_IEnumerator_T or SpecialType.System_Collections_IEnumerator
        && method.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is { } body && body.DescendantNodes(n => n == body || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<YieldStatementSyntax>().Any());

    // A local function or lambda runs at its call: its sleep points count here, shifted by what this call holds. A
    // call of one whose analysis is under way (recursion) is handed up to that analysis, which repeats the
    // function's points at the contexts the recursive call holds.
    private ContextCounts Function(SyntaxNode call, IMethodSymbol function, ControlFlowGraph graph, ContextCounts state)
    {
        if (!Reporting || !_analysis.TracksSleeps || state.IsEmpty)
        {
            return state; // Not reached (see TrackSleep): the function does not run here.
        }

        var delta = Delta(state);
        if (_budget.OnTheWay.Contains(function, SymbolEqualityComparer.Default))
        {
            _result.ReEntries.Add(new AtomicContextFlowAnalysis.ReEntry(function, delta));
            return state;
        }

        var inner = AnalyzeFunction(call, function, graph, Constants(function, state));
        _result.CutShort ??= inner.CutShort;
        foreach (var reEntry in inner.ReEntries)
        {
            _result.ReEntries.Add(new AtomicContextFlowAnalysis.ReEntry(reEntry.Function, Shift(delta, reEntry.Delta)));
        }

        // One report for the call: the first leaf that sleeps held, with the most any such leaf holds.
        AtomicContextFlowAnalysis.SleepInContext? sleep = null;
        foreach (var point in inner.Points)
        {
            var shifted = Shift(delta, point.Delta);
            // Named through the function, so that a chain read from this member's summary shows it ('M → L → Vzalloc').
            AddPoint(new SleepPoint(point.Callee, $"{MemberNames.Of(function)} → {point.Name}", point.Location, shifted), state);
            if (point.Delta.Any(d => d > 0))
            {
                continue; // Under the function's own region: reported there, by its own analysis, not at each call.
            }

            var held = ContextCounts.AllKinds.Select(k => state.MaxOf(k) + point.Delta[(int)k]).ToArray();
            if (!held.Any(h => h > 0))
            {
                continue;
            }

            if (point.IsLeaf)
            {
                sleep ??= new AtomicContextFlowAnalysis.SleepInContext(call, function, new int[ContextCounts.Kinds], new[] { point }) { CalleeHolds = new int[ContextCounts.Kinds] };
                for (var kind = 0; kind < ContextCounts.Kinds; kind++)
                {
                    sleep.Held[kind] = Math.Max(sleep.Held[kind], held[kind]);
                    sleep.CalleeHolds![kind] = Math.Max(sleep.CalleeHolds[kind], point.Delta[kind]);
                }
            }
            else
            {
                _result.SourceCallsInContext.Add((call, point.Callee!, held, ImmutableArray<(int, bool)>.Empty));
            }
        }

        if (sleep is not null)
        {
            Report(sleep);
        }

        return state;
    }

    // What the call knows of the bool parameters the function captures, in every world: a parameter of a function that
    // encloses it, written nowhere in that function (nor by a ref to it), has the same value in the whole run of the
    // call, recursion included. The function's sleeps that the value rules out are not this call's.
    private List<(IParameterSymbol, bool)>? Constants(IMethodSymbol function, ContextCounts state)
    {
        List<(IParameterSymbol, bool)>? constants = null;
        var functionSyntax = function.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
        foreach (var atom in _atoms)
        {
            if (atom.Key is not IParameterSymbol { RefKind: RefKind.None } parameter || functionSyntax is null
                || parameter.ContainingSymbol is not IMethodSymbol declaring || SymbolEqualityComparer.Default.Equals(declaring, function))
            {
                continue;
            }

            if (KnownValue(atom.Value, state) is not { } value)
            {
                continue;
            }

            if (declaring.DeclaringSyntaxReferences.Length != 1 || declaring.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is not { } declaration
                || declaration.SyntaxTree != functionSyntax.SyntaxTree || !declaration.Span.Contains(functionSyntax.Span) || declaration == functionSyntax
                || IsWrittenIn(declaration, parameter))
            {
                continue;
            }

            (constants ??= new List<(IParameterSymbol, bool)>()).Add((parameter, value));
        }

        return constants;
    }

    /// <summary>The entry state with the parameters the caller knows assumed (see <see cref="Constants"/>).</summary>
    public ContextCounts AssumeAtEntry(ContextCounts entry, IReadOnlyList<(IParameterSymbol Parameter, bool Value)>? assumed)
    {
        if (assumed is null)
        {
            return entry;
        }

        foreach (var (parameter, value) in assumed)
        {
            if (Atom(parameter, false) is { } atom)
            {
                entry = entry.Assume(atom.Index, value);
            }
        }

        return entry;
    }

    // Past the budget the function is not analysed: it may sleep, at this call.
    private AtomicContextFlowAnalysis.Result AnalyzeFunction(SyntaxNode call, IMethodSymbol function, ControlFlowGraph graph, List<(IParameterSymbol, bool)>? assumed)
    {
        if (++_budget.Analyses > AtomicContextFlowAnalysis.FunctionBudget.MaxAnalyses)
        {
            var notAnalysed = new AtomicContextFlowAnalysis.Result(function) { CutShort = $"more than {AtomicContextFlowAnalysis.FunctionBudget.MaxAnalyses} analyses of local functions and lambdas" };
            notAnalysed.Points.Add(new SleepPoint(null, AtomicContextFlowAnalysis.NotAnalysed, call.GetLocation(), new int[ContextCounts.Kinds]));
            return notAnalysed;
        }

        _budget.OnTheWay.Add(function);
        try
        {
            var inner = _analysis.Analyze(graph, function, _model, _budget, null, _cancellationToken, assumed);
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
    private static void ResolveRecursion(AtomicContextFlowAnalysis.Result inner, IMethodSymbol function)
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
        for (var graph = Graph; graph is not null; graph = graph.Parent)
        {
            if (graph.LocalFunctions.Contains(function, SymbolEqualityComparer.Default))
            {
                return graph.GetLocalFunctionControlFlowGraph(function, _cancellationToken);
            }
        }

        return null;
    }

    private ControlFlowGraph? GraphOf(IFlowAnonymousFunctionOperation lambda)
    {
        for (var graph = Graph; graph is not null; graph = graph.Parent)
        {
            if (Contains(graph, lambda))
            {
                return graph.GetAnonymousFunctionControlFlowGraph(lambda, _cancellationToken);
            }
        }

        return null;
    }

    private static bool Contains(ControlFlowGraph graph, IOperation operation)
    {
        var root = operation;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        foreach (var block in graph.Blocks)
        {
            if (block.Operations.Contains(root) || block.BranchValue == root)
            {
                return true;
            }
        }

        return false;
    }

    // ---- Values: where a local, parameter, field or flow capture got its value (assigned once) ----

    private IOperation? Origin(IOperation? reference)
    {
        for (var hops = 0; hops < 8; hops++)
        {
            var stripped = Strip(reference);
            ISymbol? symbol = stripped switch
            {
                ILocalReferenceOperation local => local.Local,
                IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
                _ => null,
            };
            var capture = stripped is IFlowCaptureReferenceOperation captured ? captured.Id : (CaptureId?)null;
            if (symbol is null && capture is null)
            {
                return stripped;
            }

            var value = SingleValue(symbol, capture);
            if (value is null)
            {
                return null;
            }

            reference = value;
        }

        return null;
    }

    // The one value assigned to the symbol or capture in this graph or an enclosing one; null when none or several.
    private IOperation? SingleValue(ISymbol? symbol, CaptureId? capture)
    {
        IOperation? found = null;
        for (var graph = Graph; graph is not null; graph = graph.Parent)
        {
            foreach (var block in graph.Blocks)
            {
                foreach (var operation in block.Operations.Concat(block.BranchValue is null ? Enumerable.Empty<IOperation>() : new[] { block.BranchValue }))
                {
                    foreach (var node in operation.DescendantsAndSelf())
                    {
                        IOperation? value = node switch
                        {
                            IFlowCaptureOperation flow when capture is { } id && flow.Id.Equals(id) => flow.Value,
                            ISimpleAssignmentOperation assignment when symbol is not null && Strip(assignment.Target) is { } target && RefersTo(target, symbol) => assignment.Value,
                            IVariableDeclaratorOperation declarator when symbol is not null && SymbolEqualityComparer.Default.Equals(declarator.Symbol, symbol) => declarator.Initializer?.Value,
                            _ => null,
                        };
                        if (value is null)
                        {
                            continue;
                        }

                        if (found is not null)
                        {
                            return null;
                        }

                        found = value;
                    }
                }
            }

            if (found is not null || capture is not null)
            {
                return found;
            }
        }

        return found;
    }

    private static bool RefersTo(IOperation target, ISymbol symbol) => target switch
    {
        ILocalReferenceOperation local => SymbolEqualityComparer.Default.Equals(local.Local, symbol),
        IFieldReferenceOperation field => SymbolEqualityComparer.Default.Equals(field.Field, symbol),
        _ => false,
    };

    private static IOperation? Strip(IOperation? operation)
    {
        while (operation is IConversionOperation { OperatorMethod: null } or IParenthesizedOperation)
        {
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        }

        return operation;
    }

    // ---- Conditions: bool locals and parameters split the worlds ----

    private (int Index, bool Negated)? Atom(IOperation? condition)
    {
        var (operation, negated) = Negations(condition);
        return Atom(Variable(operation), negated);
    }

    // The operand under any `!`s, and whether their count is odd.
    private static (IOperation? Operand, bool Negated) Negations(IOperation? condition)
    {
        var negated = false;
        condition = AccessPath.Strip(condition);
        while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not)
        {
            negated = !negated;
            condition = AccessPath.Strip(not.Operand);
        }

        return (condition, negated);
    }

    private static ISymbol? Variable(IOperation? operation) => operation switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

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
            if (_atoms.Count == AwaitedAtom)
            {
                return null;
            }

            index = _atoms.Count;
            _atoms[symbol!] = index;
        }

        return (index, negated);
    }

    // A bool local assigned a constant is known from there: `locked = true` after the lock, `if (locked)` in the finally.
    private ContextCounts Assigned(IOperation target, IOperation value, ContextCounts state)
    {
        state = ForgetWritten(target, state);
        return AccessPath.Strip(target) is ILocalReferenceOperation local ? Known(local.Local, value, state) : state;
    }

    private ContextCounts Known(ISymbol local, IOperation value, ContextCounts state) =>
        value.ConstantValue is { HasValue: true, Value: bool constant } && Atom(local, false) is { } atom ? state.Assume(atom.Index, constant) : state;

    // An assignment to a condition's variable makes what the branches learned of it stale.
    private ContextCounts ForgetWritten(IOperation? target, ContextCounts state) => Forget(Variable(AccessPath.Strip(target)), state);

    private ContextCounts Forget(ISymbol? written, ContextCounts state) =>
        written is not null && _atoms.TryGetValue(written, out var index) ? state.Forget(index) : state;

    // ---- Reporting ----

    private int[] Delta(ContextCounts state)
    {
        var delta = new int[ContextCounts.Kinds];
        foreach (var kind in ContextCounts.AllKinds)
        {
            delta[(int)kind] = state.MaxOf(kind) - _baseline[(int)kind];
        }

        return delta;
    }

    private static int[]? Held(ContextCounts state)
    {
        int[]? held = null;
        foreach (var kind in ContextCounts.AllKinds)
        {
            if (state.MaxOf(kind) is var count && count > 0)
            {
                held ??= new int[ContextCounts.Kinds];
                held[(int)kind] = count;
            }
        }

        return held;
    }

    private void Report(AtomicContextFlowAnalysis.SleepInContext sleep)
    {
        if (_reported.Add(new TextSpanKey(sleep.Syntax)))
        {
            _result.Sleeps.Add(sleep);
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
