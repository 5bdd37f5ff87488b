using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// The context analysis on the syntax of a structured body (<see cref="StructuredCode"/>), each call resolved by
/// the semantic model: no operation tree. Asking for one operation builds the tree of the whole member and a map
/// of all its nodes, which was most of what analysing a method cost; the symbols of its calls come from the
/// bound nodes the compiler hands the analyzers. It walks the body in evaluation order (a call after its receiver
/// and its arguments, an object creation after its initializer) and computes what the operation-tree analysis
/// computes. What it does not model (a collection initializer nested in an object initializer, an interpolated
/// string handler, a user-defined &amp;&amp; or ||, an implicit call of a base constructor declared in source) makes it
/// give up, and the operation tree is analysed instead.
/// </summary>
internal sealed partial class AtomicContextFlowAnalysis
{
    /// <summary>The analysis on the declaration's syntax; null when it is not structured or has something the walk does not model.</summary>
    internal Result? TryAnalyzeSyntax(SyntaxNode declaration, IMethodSymbol owner, SemanticModel model, CancellationToken cancellationToken)
    {
        if (!StructuredCode.IsStructured(declaration))
        {
            return null;
        }

        var (result, run) = Start(null, owner);
        return run.ExecuteSyntax(declaration, model, cancellationToken) ? result : null;
    }

    private sealed partial class Run
    {
        private SemanticModel? _model;
        private CancellationToken _cancellationToken;

        private SemanticModel Model => _model!;

        public bool ExecuteSyntax(SyntaxNode declaration, SemanticModel model, CancellationToken cancellationToken)
        {
            _model = model;
            _cancellationToken = cancellationToken;
            _reporting = true;
            ContextCounts? state = ContextCounts.Single(_baseline[0], _baseline[1], _baseline[2]);
            var (block, expression) = declaration switch
            {
                BaseMethodDeclarationSyntax method => (method.Body, method.ExpressionBody?.Expression),
                AccessorDeclarationSyntax accessor => (accessor.Body, accessor.ExpressionBody?.Expression),
                _ => (null, null),
            };
            if (declaration is ConstructorDeclarationSyntax constructor)
            {
                if (constructor.Initializer is { } initializer)
                {
                    state = VisitCall(initializer, initializer.ArgumentList, state.Value);
                }
                else if (!ImplicitBaseCallIsInert(constructor))
                {
                    return false;
                }
            }

            return Finish(block is not null ? Execute(block, state) : expression is not null && state is { } entry ? Visit(expression, entry) : null);
        }

        // A constructor with no initializer calls its base's parameterless one: nothing the analysis counts when the
        // base is not source code (a call graph node) and no constructor of it carries a contract or is listed.
        private bool ImplicitBaseCallIsInert(ConstructorDeclarationSyntax constructor)
        {
            if (constructor.Modifiers.Any(SyntaxKind.StaticKeyword) || _owner.ContainingType is not { TypeKind: TypeKind.Class, BaseType: { } baseType })
            {
                return true;
            }

            return baseType.DeclaringSyntaxReferences.IsEmpty && baseType.InstanceConstructors.All(c =>
                _analysis._contracts.Of(c) is var contract && !contract.ChangesContext && !contract.MaySleep
                && (_analysis._isListed is not { } isListed || !isListed(c, constructor.SyntaxTree)));
        }

        private ContextCounts? Execute(StatementSyntax? statement, ContextCounts? reaching)
        {
            AnalysisBounds.EnsureStack();
            if (statement is null || reaching is not { } state || _unsupported)
            {
                return reaching; // Code after a return or throw is reached by no path: it is not analysed.
            }

            _cancellationToken.ThrowIfCancellationRequested();
            switch (statement)
            {
                case BlockSyntax block:
                    return ExecuteFrom(block, 0, state);
                case IfStatementSyntax branch:
                    var (whenTrue, whenFalse) = Split(branch.Condition, state);
                    return Join(Execute(branch.Statement, whenTrue), branch.Else is null ? whenFalse : Execute(branch.Else.Statement, whenFalse));
                case ReturnStatementSyntax returning:
                    _returns.Add(returning.Expression is null ? state : Visit(returning.Expression, state));
                    return null;
                case ThrowStatementSyntax thrown:
                    if (thrown.Expression is not null)
                    {
                        Visit(thrown.Expression, state);
                    }

                    return null;
                case ExpressionStatementSyntax expression:
                    return Visit(expression.Expression, state);
                case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0 } local:
                    return Declare(local.Declaration, state);
                case UsingStatementSyntax usingScope:
                    var resources = usingScope.Declaration is { } declaration ? Declare(declaration, state)
                        : usingScope.Expression is { } resource ? Visit(resource, state)
                        : state;
                    return WithFinally(resources, s => Execute(usingScope.Statement, s), s => Dispose(usingScope, s));
                case TryStatementSyntax { Finally: { } finallyClause, Catches.Count: 0 } tryFinally:
                    return WithFinally(state, s => Execute(tryFinally.Block, s), s => Execute(finallyClause.Block, s));
                case CheckedStatementSyntax scope:
                    return Execute(scope.Block, state);
                case EmptyStatementSyntax:
                    return state;
                default:
                    _unsupported = true;
                    return null;
            }
        }

        // A using declaration scopes the rest of its block: that rest is the try, the Dispose calls the finally.
        private ContextCounts? ExecuteFrom(BlockSyntax block, int start, ContextCounts? state)
        {
            var statements = block.Statements;
            for (var i = start; i < statements.Count && state is not null; i++)
            {
                if (statements[i] is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 } usingDeclaration)
                {
                    var rest = i + 1;
                    return WithFinally(Declare(usingDeclaration.Declaration, state.Value), s => ExecuteFrom(block, rest, s), s => Dispose(usingDeclaration.Declaration, s));
                }

                state = Execute(statements[i], state);
            }

            return state;
        }

        private ContextCounts Declare(VariableDeclarationSyntax declaration, ContextCounts state)
        {
            foreach (var declarator in declaration.Variables)
            {
                if (declarator.Initializer is { } initializer)
                {
                    state = Visit(initializer.Value, state);
                }

                if (_atoms.Count > 0)
                {
                    state = Forget(Model.GetDeclaredSymbol(declarator, _cancellationToken), state);
                }
            }

            return state;
        }

        private ContextCounts? Dispose(UsingStatementSyntax usingScope, ContextCounts state) => usingScope switch
        {
            { Declaration: { } declaration } => Dispose(declaration, state),
            { Expression: { } resource } => Dispose(resource, Model.GetTypeInfo(resource, _cancellationToken).Type, state),
            _ => state,
        };

        // A using scope's resources are disposed last first; the analysis assumes none is null, as the graph's does.
        private ContextCounts? Dispose(VariableDeclarationSyntax declaration, ContextCounts state)
        {
            ContextCounts? disposed = state;
            foreach (var declarator in declaration.Variables.Reverse())
            {
                var type = (Model.GetDeclaredSymbol(declarator, _cancellationToken) as ILocalSymbol)?.Type;
                disposed = disposed is { } before ? Dispose(declarator, type, before) : null;
            }

            return disposed;
        }

        private ContextCounts? Dispose(SyntaxNode resource, ITypeSymbol? type, ContextCounts state)
        {
            if (DisposeMethod(type) is not { } dispose)
            {
                _unsupported = true;
                return null;
            }

            return Transition(resource, dispose, state);
        }

        // The states on the true and the false side of a condition, as the graph's conditional edges carry them.
        private (ContextCounts? WhenTrue, ContextCounts? WhenFalse) Split(ExpressionSyntax condition, ContextCounts state)
        {
            AnalysisBounds.EnsureStack();
            condition = StripParentheses(condition);
            switch (condition)
            {
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not when IsBoolean(not.Operand):
                    var (t, f) = Split(not.Operand, state);
                    return (f, t);
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression } conjunction when IsBuiltIn(conjunction):
                    var (leftTrue, leftFalse) = Split(conjunction.Left, state);
                    var (rightTrue, rightFalse) = leftTrue is { } l ? Split(conjunction.Right, l) : (null, null);
                    return (rightTrue, Join(leftFalse, rightFalse));
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalOrExpression } disjunction when IsBuiltIn(disjunction):
                    var (orLeftTrue, orLeftFalse) = Split(disjunction.Left, state);
                    var (orRightTrue, orRightFalse) = orLeftFalse is { } r ? Split(disjunction.Right, r) : (null, null);
                    return (Join(orLeftTrue, orRightTrue), orRightFalse);
                case ConditionalExpressionSyntax choice when IsBoolean(choice):
                    var (pickTrue, pickFalse) = Split(choice.Condition, state);
                    var (aTrue, aFalse) = pickTrue is { } p ? Split(choice.WhenTrue, p) : (null, null);
                    var (bTrue, bFalse) = pickFalse is { } q ? Split(choice.WhenFalse, q) : (null, null);
                    return (Join(aTrue, bTrue), Join(aFalse, bFalse));
                default:
                    var after = Visit(condition, state);
                    return AtomOf(condition) is { } atom
                        ? (after.Assume(atom.Index, !atom.Negated), after.Assume(atom.Index, atom.Negated))
                        : (after, after);
            }
        }

        private (int Index, bool Negated)? AtomOf(ExpressionSyntax condition)
        {
            var negated = false;
            condition = StripParentheses(condition);
            while (condition is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not)
            {
                negated = !negated;
                condition = StripParentheses(not.Operand);
            }

            return condition is IdentifierNameSyntax ? Atom(Model.GetSymbolInfo(condition, _cancellationToken).Symbol, negated) : null;
        }

        // Each expression's calls in evaluation order, the branching ones splitting the state.
        private ContextCounts Visit(ExpressionSyntax expression, ContextCounts state)
        {
            AnalysisBounds.EnsureStack();
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    return Visit(parenthesized.Expression, state);
                case AnonymousFunctionExpressionSyntax:
                    return state; // Created here, not run here.
                case IdentifierNameSyntax or LiteralExpressionSyntax or PredefinedTypeSyntax or ThisExpressionSyntax or BaseExpressionSyntax:
                    return state;
                case InvocationExpressionSyntax invocation:
                    return VisitInvocation(invocation, state);
                case BaseObjectCreationExpressionSyntax creation:
                    return VisitCreation(creation, state);
                case AwaitExpressionSyntax awaiting:
                    var awaited = Visit(awaiting.Expression, state);
                    if (_reporting && _analysis.TracksSleeps && Held(awaited) is { } held)
                    {
                        Report(new SleepInContext(awaiting, null, held, System.Array.Empty<SleepPoint>()));
                    }

                    return awaited;
                case ConditionalExpressionSyntax choice:
                    var (whenTrue, otherwise) = Split(choice.Condition, state);
                    return Join(whenTrue is { } t ? Visit(choice.WhenTrue, t) : null, otherwise is { } f ? Visit(choice.WhenFalse, f) : null) ?? ContextCounts.Empty;
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression or (int)SyntaxKind.LogicalOrExpression } logical:
                    if (!IsBuiltIn(logical))
                    {
                        _unsupported = true;
                        return state;
                    }

                    var (yes, no) = Split(logical, state);
                    return Join(yes, no) ?? ContextCounts.Empty;
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.CoalesceExpression } coalesce:
                    var value = Visit(coalesce.Left, state);
                    return value.Union(Visit(coalesce.Right, value));
                case AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.CoalesceAssignmentExpression } coalesceAssignment:
                    var target = Visit(coalesceAssignment.Left, state);
                    return target.Union(Visit(coalesceAssignment.Right, target));
                case ConditionalAccessExpressionSyntax access:
                    var receiver = Visit(access.Expression, state);
                    return receiver.Union(Visit(access.WhenNotNull, receiver));
                case AssignmentExpressionSyntax assignment:
                    var assigned = Visit(assignment.Right, Visit(assignment.Left, state));
                    return assignment.Left is IdentifierNameSyntax ? ForgetWritten(assignment.Left, assigned) : assigned;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } increment:
                    return ForgetWritten(increment.Operand, Visit(increment.Operand, state));
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } increment:
                    return ForgetWritten(increment.Operand, Visit(increment.Operand, state));
                case IsPatternExpressionSyntax test:
                    return Visit(test.Expression, state); // A pattern calls nothing.
                case InterpolatedStringExpressionSyntax interpolated when Model.GetTypeInfo(interpolated, _cancellationToken).ConvertedType?.SpecialType != SpecialType.System_String:
                    _unsupported = true; // A handler or a FormattableString: calls the tree shows and the syntax does not.
                    return state;
                case SwitchExpressionSyntax or ThrowExpressionSyntax or QueryExpressionSyntax or CollectionExpressionSyntax:
                    _unsupported = true;
                    return state;
                default:
                    return VisitChildren(expression, state);
            }
        }

        // Any other node: its expressions, in source order (which is evaluation order for what is left).
        private ContextCounts VisitChildren(SyntaxNode node, ContextCounts state)
        {
            AnalysisBounds.EnsureStack();
            foreach (var child in node.ChildNodes())
            {
                state = child is ExpressionSyntax expression ? Visit(expression, state) : VisitChildren(child, state);
            }

            return state;
        }

        private ContextCounts ForgetWritten(ExpressionSyntax target, ContextCounts state) =>
            _atoms.Count > 0 && StripParentheses(target) is IdentifierNameSyntax name ? Forget(Model.GetSymbolInfo(name, _cancellationToken).Symbol, state) : state;

        private ContextCounts VisitInvocation(InvocationExpressionSyntax invocation, ContextCounts state)
        {
            // The receiver first (a conditional access's was visited with it); a simple name has none.
            var receiver = invocation.Expression switch
            {
                MemberAccessExpressionSyntax member => member.Expression,
                MemberBindingExpressionSyntax or SimpleNameSyntax => null,
                var other => other,
            };
            if (receiver is not null)
            {
                state = Visit(receiver, state);
            }

            return VisitCall(invocation, invocation.ArgumentList, state);
        }

        // The arguments, then the call (an invocation or a constructor initializer); no call when nothing is bound
        // (nameof, dynamic, an error).
        private ContextCounts VisitCall(SyntaxNode call, ArgumentListSyntax arguments, ContextCounts state)
        {
            foreach (var argument in arguments.Arguments)
            {
                state = Visit(argument.Expression, state);
            }

            if (Model.GetSymbolInfo(call, _cancellationToken).Symbol is not IMethodSymbol method)
            {
                return state;
            }

            foreach (var argument in arguments.Arguments)
            {
                if (argument.RefKindKeyword.RawKind is (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword)
                {
                    state = ForgetWritten(argument.Expression, state);
                }
            }

            return Transition(call, ResolveSyntax(call, method.ReducedFrom ?? method), state);
        }

        // using statements call IDisposable.Dispose in the lowered graph: the implementation carries the contract.
        private IMethodSymbol ResolveSyntax(SyntaxNode call, IMethodSymbol method)
        {
            if (method.Name != nameof(System.IDisposable.Dispose) || method.ContainingType.SpecialType != SpecialType.System_IDisposable)
            {
                return method;
            }

            var receiver = call is InvocationExpressionSyntax { Expression: var target } ? target switch
            {
                MemberAccessExpressionSyntax member => member.Expression,
                MemberBindingExpressionSyntax => call.Ancestors().OfType<ConditionalAccessExpressionSyntax>().FirstOrDefault(a => a.WhenNotNull.Span.Contains(call.Span))?.Expression,
                _ => null,
            } : null;
            var type = receiver is null ? null : Model.GetTypeInfo(receiver, _cancellationToken).Type;
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                type = nullable.TypeArguments[0];
            }

            return type?.FindImplementationForInterfaceMember(method) as IMethodSymbol ?? method;
        }

        // The arguments, the initializer, then the constructor.
        private ContextCounts VisitCreation(BaseObjectCreationExpressionSyntax creation, ContextCounts state)
        {
            if (creation.ArgumentList is { } arguments)
            {
                foreach (var argument in arguments.Arguments)
                {
                    state = Visit(argument.Expression, state);
                }
            }

            if (creation.Initializer is { } initializer)
            {
                state = VisitInitializer(initializer, state);
            }

            return Model.GetSymbolInfo(creation, _cancellationToken).Symbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
                && constructor.ContainingType.TypeKind != TypeKind.Delegate
                ? Transition(creation, constructor, state)
                : state;
        }

        private ContextCounts VisitInitializer(InitializerExpressionSyntax initializer, ContextCounts state)
        {
            switch (initializer.Kind())
            {
                case SyntaxKind.ObjectInitializerExpression:
                    foreach (var member in initializer.Expressions)
                    {
                        if (member is not AssignmentExpressionSyntax assignment || assignment.Right is InitializerExpressionSyntax)
                        {
                            _unsupported = true; // A nested initializer adds to or sets the members of a member.
                            return state;
                        }

                        state = Visit(assignment.Right, VisitChildren(assignment.Left, state));
                    }

                    return state;
                case SyntaxKind.CollectionInitializerExpression:
                    foreach (var element in initializer.Expressions)
                    {
                        state = element is InitializerExpressionSyntax complex ? VisitChildren(complex, state) : Visit(element, state);
                        if (Model.GetCollectionInitializerSymbolInfo(element, _cancellationToken).Symbol is IMethodSymbol add)
                        {
                            state = Transition(element, add.ReducedFrom ?? add, state);
                        }
                    }

                    return state;
                default:
                    return VisitChildren(initializer, state);
            }
        }

        private bool IsBoolean(ExpressionSyntax expression) =>
            Model.GetTypeInfo(expression, _cancellationToken).Type?.SpecialType == SpecialType.System_Boolean;

        private bool IsBuiltIn(BinaryExpressionSyntax logical) =>
            Model.GetSymbolInfo(logical, _cancellationToken).Symbol is not IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator };

        private static ExpressionSyntax StripParentheses(ExpressionSyntax expression)
        {
            while (expression is ParenthesizedExpressionSyntax parenthesized)
            {
                expression = parenthesized.Expression;
            }

            return expression;
        }
    }
}
