using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// The context analysis on the operation tree of a structured body (<see cref="StructuredCode"/>), with no
/// control-flow graph. It computes what the graph-based analysis computes: the same transfer, each operation
/// reported once with the union of the states reaching it, branches splitting on bool conditions as the graph's
/// edges do, a finally region (a using scope's Dispose included) run on every path that leaves its try, and the
/// exit checked with the union of the returns. A state of null is code no path reaches.
/// </summary>
internal sealed partial class AtomicContextFlowAnalysis
{
    private sealed partial class Run
    {
        private bool _structured;
        private bool _unsupported;
        private List<ContextCounts> _returns = new();

        /// <summary>Analyses the root's body; false when it met something only the graph-based analysis handles.</summary>
        public bool ExecuteStructured(IOperation root)
        {
            _structured = true;
            _reporting = true;
            ContextCounts? state = ContextCounts.Single(_baseline[0], _baseline[1], _baseline[2]);
            var (initializer, body) = root switch
            {
                IMethodBodyOperation method => ((IOperation?)null, (IOperation?)(method.BlockBody ?? method.ExpressionBody)),
                IConstructorBodyOperation constructor => (constructor.Initializer, constructor.BlockBody ?? constructor.ExpressionBody),
                _ => (null, null),
            };
            if (body is null)
            {
                return false;
            }

            if (initializer is not null)
            {
                state = Visit(initializer, state.Value);
            }

            return Finish(Execute(body, state));
        }

        // The exit is reached by the end of the body and by every return; false when the walk gave up.
        private bool Finish(ContextCounts? exit)
        {
            foreach (var returned in _returns)
            {
                exit = Join(exit, returned);
            }

            if (_unsupported)
            {
                return false;
            }

            if (exit is { } reached)
            {
                CheckReturn(reached);
            }

            return true;
        }

        private ContextCounts? Execute(IOperation? statement, ContextCounts? reaching)
        {
            AnalysisBounds.EnsureStack();
            if (statement is null || reaching is not { } state || _unsupported)
            {
                return reaching; // Code after a return or throw is reached by no path: it is not analysed.
            }

            switch (statement)
            {
                case IBlockOperation block:
                    return ExecuteFrom(block.Operations, 0, state);
                case IConditionalOperation branch:
                    var (whenTrue, whenFalse) = Split(branch.Condition, state);
                    return Join(Execute(branch.WhenTrue, whenTrue), branch.WhenFalse is null ? whenFalse : Execute(branch.WhenFalse, whenFalse));
                case IReturnOperation returning:
                    _returns.Add(returning.ReturnedValue is null ? state : Visit(returning.ReturnedValue, state));
                    return null;
                case IExpressionStatementOperation { Operation: IThrowOperation thrown }:
                    Visit(thrown, state);
                    return null;
                case IThrowOperation thrown:
                    Visit(thrown, state);
                    return null;
                case IUsingOperation usingScope:
                    var resources = Visit(usingScope.Resources, state);
                    return WithFinally(resources, s => Execute(usingScope.Body, s), s => Dispose(usingScope.Resources, s));
                case ITryOperation { Finally: { } finallyBlock, Catches.Length: 0 } tryFinally:
                    return WithFinally(state, s => Execute(tryFinally.Body, s), s => Execute(finallyBlock, s));
                case ILocalFunctionOperation or ILabeledOperation or IBranchOperation or ILoopOperation or ISwitchOperation or ITryOperation or ILockOperation:
                    _unsupported = true;
                    return null;
                default:
                    return Visit(statement, state);
            }
        }

        // A using declaration scopes the rest of its block: that rest is the try, the Dispose calls the finally.
        private ContextCounts? ExecuteFrom(IReadOnlyList<IOperation> statements, int start, ContextCounts? state)
        {
            for (var i = start; i < statements.Count && state is not null; i++)
            {
                if (statements[i] is IUsingDeclarationOperation declaration)
                {
                    var rest = i + 1;
                    return WithFinally(Visit(declaration.DeclarationGroup, state.Value), s => ExecuteFrom(statements, rest, s), s => Dispose(declaration.DeclarationGroup, s));
                }

                state = Execute(statements[i], state);
            }

            return state;
        }

        // The finally runs on every path leaving the try: the normal one, and each return, which then goes on
        // out. It is reported once, from the union of them all, as the graph's finally region is.
        private ContextCounts? WithFinally(ContextCounts entry, System.Func<ContextCounts, ContextCounts?> body, System.Func<ContextCounts, ContextCounts?> finallyPart)
        {
            var outer = _returns;
            _returns = new List<ContextCounts>();
            var normal = body(entry);
            var returns = _returns;
            _returns = outer;
            if (returns.Count == 0)
            {
                return normal is { } only ? finallyPart(only) : null;
            }

            var reporting = _reporting;
            if (reporting)
            {
                var all = returns.Aggregate(normal, (joined, returned) => Join(joined, returned))!.Value;
                finallyPart(all);
                _reporting = false;
            }

            var after = normal is { } normalState ? finallyPart(normalState) : null;
            foreach (var returned in returns)
            {
                if (finallyPart(returned) is { } leaving)
                {
                    _returns.Add(leaving);
                }
            }

            _reporting = reporting;
            return after;
        }

        // A using scope's resources are disposed last first; the analysis assumes none is null, as the graph's does.
        private ContextCounts? Dispose(IOperation resources, ContextCounts state)
        {
            var disposed = resources is IVariableDeclarationGroupOperation group
                ? group.Declarations.SelectMany(d => d.Declarators).Select(d => ((IOperation)d, d.Symbol.Type)).Reverse().ToList()
                : new List<(IOperation, ITypeSymbol)> { (resources, resources.Type!) };
            foreach (var (resource, type) in disposed)
            {
                if (DisposeMethod(type) is not { } dispose)
                {
                    _unsupported = true;
                    return null;
                }

                state = Call(resource, dispose, state);
            }

            return state;
        }

        // What the lowered using calls: IDisposable.Dispose, resolved to the type's implementation (as Resolve does).
        private static IMethodSymbol? DisposeMethod(ITypeSymbol? type)
        {
            if (type is null || type.IsRefLikeType || type.TypeKind == TypeKind.TypeParameter)
            {
                return null; // Pattern-based or constrained Dispose: left to the graph.
            }

            var disposable = type.SpecialType == SpecialType.System_IDisposable
                ? (INamedTypeSymbol)type
                : type.AllInterfaces.FirstOrDefault(i => i.SpecialType == SpecialType.System_IDisposable);
            if (disposable?.GetMembers(nameof(System.IDisposable.Dispose)).FirstOrDefault() is not IMethodSymbol dispose)
            {
                return null;
            }

            return type.FindImplementationForInterfaceMember(dispose) as IMethodSymbol ?? dispose;
        }

        // The states on the true and the false side of a condition, as the graph's conditional edges carry them.
        private (ContextCounts? WhenTrue, ContextCounts? WhenFalse) Split(IOperation condition, ContextCounts state)
        {
            switch (condition)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not:
                    var (t, f) = Split(not.Operand, state);
                    return (f, t);
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd, OperatorMethod: null } and:
                    var (leftTrue, leftFalse) = Split(and.LeftOperand, state);
                    var (rightTrue, rightFalse) = leftTrue is { } l ? Split(and.RightOperand, l) : (null, null);
                    return (rightTrue, Join(leftFalse, rightFalse));
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr, OperatorMethod: null } or:
                    var (orLeftTrue, orLeftFalse) = Split(or.LeftOperand, state);
                    var (orRightTrue, orRightFalse) = orLeftFalse is { } r ? Split(or.RightOperand, r) : (null, null);
                    return (Join(orLeftTrue, orRightTrue), orRightFalse);
                case IConditionalOperation { WhenFalse: { } whenFalse } choice when choice.Type?.SpecialType == SpecialType.System_Boolean:
                    var (pickTrue, pickFalse) = Split(choice.Condition, state);
                    var (aTrue, aFalse) = pickTrue is { } p ? Split(choice.WhenTrue, p) : (null, null);
                    var (bTrue, bFalse) = pickFalse is { } q ? Split(whenFalse, q) : (null, null);
                    return (Join(aTrue, bTrue), Join(aFalse, bFalse));
                default:
                    var after = Visit(condition, state);
                    return Atom(condition) is { } atom
                        ? (after.Assume(atom.Index, !atom.Negated), after.Assume(atom.Index, atom.Negated))
                        : (after, after);
            }
        }

        // Expressions that branch, in a structured body; null for any other operation.
        private ContextCounts? Branching(IOperation operation, ContextCounts state)
        {
            AnalysisBounds.EnsureStack();
            switch (operation)
            {
                case IAnonymousFunctionOperation:
                    return state; // Created here, not run here.
                case IConditionalOperation { WhenFalse: { } whenFalse } choice:
                    var (whenTrue, otherwise) = Split(choice.Condition, state);
                    return Join(whenTrue is { } t ? Visit(choice.WhenTrue, t) : null, otherwise is { } f ? Visit(whenFalse, f) : null) ?? ContextCounts.Empty;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical:
                    if (logical.OperatorMethod is not null)
                    {
                        _unsupported = true;
                        return state;
                    }

                    var (yes, no) = Split(logical, state);
                    return Join(yes, no) ?? ContextCounts.Empty;
                case ICoalesceOperation coalesce:
                    var value = Visit(coalesce.Value, state);
                    return value.Union(Visit(coalesce.WhenNull, value));
                case ICoalesceAssignmentOperation coalesceAssignment:
                    var target = Visit(coalesceAssignment.Target, state);
                    return target.Union(Visit(coalesceAssignment.Value, target));
                case IConditionalAccessOperation access:
                    var receiver = Visit(access.Operation, state);
                    return receiver.Union(Visit(access.WhenNotNull, receiver));
                default:
                    return null;
            }
        }

        private static ContextCounts? Join(ContextCounts? a, ContextCounts? b) =>
            a is not { } left ? b : b is not { } right ? a : left.Union(right);
    }
}
