using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Flow;

/// <summary>
/// The bool locals and parameters whose value is known on every path to a point (a must-analysis the engine runs
/// beside every rule's): after <c>if (flag) return;</c> <c>flag</c> is false, after <c>done = true;</c> it is
/// true. A way out of a block whose condition contradicts what is known is not taken, so code that no path
/// reaches is not analysed: <c>if (flag) throw ...; ... if (flag) { Free(fpu.State); }</c> frees nothing. Up to
/// 64 conditions per graph, bits of two masks; joins keep what both sides know alike. A constant condition
/// (<c>while (true)</c>) has one way out, whatever is known, and so has a call of a method declared here whose
/// every <c>return</c> gives the same literal (<c>static bool Always() =&gt; true;</c>).
/// </summary>
internal readonly struct KnownConditions
{
    private readonly ulong _known;
    private readonly ulong _values;

    private KnownConditions(ulong known, ulong values)
    {
        _known = known;
        _values = values & known;
    }

    public static KnownConditions Nothing => default;

    public KnownConditions Join(KnownConditions other)
    {
        var known = _known & other._known & ~(_values ^ other._values);
        return new(known, _values);
    }

    public bool Same(KnownConditions other) => _known == other._known && _values == other._values;

    /// <summary>False when the condition is known to have the other value.</summary>
    public bool MayBe(int atom, bool value) => (_known & Bit(atom)) == 0 || ((_values & Bit(atom)) != 0) == value;

    public KnownConditions With(int atom, bool value) =>
        new(_known | Bit(atom), value ? _values | Bit(atom) : _values & ~Bit(atom));

    public KnownConditions Without(int atom) => new(_known & ~Bit(atom), _values);

    private static ulong Bit(int atom) => 1UL << atom;
}

/// <summary>
/// Which bool locals and parameters of one graph are conditions <see cref="KnownConditions"/> can follow, and
/// what each operation and branch does to them. A condition is a bool local or by-value parameter declared by
/// the graph's own function, that no lambda or local function writes and no <c>ref</c> is taken to: then only
/// the graph's own operations change it, and each is seen.
/// </summary>
internal sealed class ConditionAtoms
{
    private const int MaxAtoms = 64;

    private readonly SyntaxNode? _root;
    private readonly Dictionary<ISymbol, int> _atoms = new(SymbolEqualityComparer.Default);
    private readonly HashSet<ISymbol> _untracked = new(SymbolEqualityComparer.Default);
    private List<IdentifierNameSyntax>? _suspects;

    public ConditionAtoms(ControlFlowGraph graph) => _root = graph.OriginalOperation.Syntax;

    /// <summary>Whether the way out of a block with this condition, taken when it is <paramref name="holds"/>, may
    /// be taken; if so, <paramref name="known"/> learns the condition's value there.</summary>
    public bool Allows(IOperation? condition, bool holds, ref KnownConditions known)
    {
        // A constant condition (`while (true)`, a const bool) has one way: C# itself takes the other to be unreachable.
        if (condition?.ConstantValue is { HasValue: true, Value: bool constant })
        {
            return constant == holds;
        }

        var negated = false;
        while (true)
        {
            switch (condition)
            {
                case IParenthesizedOperation parenthesized:
                    condition = parenthesized.Operand;
                    continue;
                case IConversionOperation { OperatorMethod: null, IsImplicit: true } conversion:
                    condition = conversion.Operand;
                    continue;
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null } not:
                    negated = !negated;
                    condition = not.Operand;
                    continue;
            }

            break;
        }

        // A call of a method whose every return gives the same constant (a filter's `F(k) => true`): when it returns,
        // it returns that. Its throwing is the call's throw point, not a way out of this branch.
        if (condition is IInvocationOperation invocation && ConstantResult(invocation) is { } result)
        {
            return (result ^ negated) == holds;
        }

        if (Atom(Variable(condition)) is not { } atom)
        {
            return true;
        }

        var value = holds ^ negated;
        if (!known.MayBe(atom, value))
        {
            return false;
        }

        known = known.With(atom, value);
        return true;
    }

    /// <summary>What one operation (its children already seen) does to the known conditions: a constant assigned
    /// is known, any other write forgets.</summary>
    public KnownConditions After(IOperation operation, KnownConditions known)
    {
        switch (operation)
        {
            case ISimpleAssignmentOperation assignment when Atom(Variable(assignment.Target)) is { } atom:
                return !assignment.IsRef && assignment.Value.ConstantValue is { HasValue: true, Value: bool value } ? known.With(atom, value) : known.Without(atom);
            case IVariableDeclaratorOperation declarator when Atom(declarator.Symbol) is { } atom:
                return declarator.Initializer?.Value.ConstantValue is { HasValue: true, Value: bool initial } ? known.With(atom, initial) : known.Without(atom);
            case ICompoundAssignmentOperation compound:
                return Forget(compound.Target, known);
            case IIncrementOrDecrementOperation increment:
                return Forget(increment.Target, known);
            case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                return Forget(argument.Value, known);
            case IDeclarationPatternOperation { DeclaredSymbol: { } declared } when Atom(declared) is { } atom:
                return known.Without(atom);
            case IDeconstructionAssignmentOperation deconstruction:
                foreach (var target in deconstruction.Target.DescendantsAndSelf())
                {
                    known = Forget(target, known);
                }

                return known;
            default:
                return known;
        }
    }

    /// <summary>
    /// The bool every <c>return</c> of the called method gives, when it is one literal (<c>=&gt; true</c>, or
    /// <c>{ Log(); return true; }</c>): the method is declared here, bound without virtual dispatch (a static or
    /// non-virtual method, a local function), and returns by value. Otherwise null: the call may give either.
    /// </summary>
    internal static bool? ConstantResult(IInvocationOperation invocation) => ConstantResult(invocation, onlyTrivial: false, out _);

    /// <summary>
    /// Whether the call can neither run code nor throw: its method does nothing but return a literal, and it is called
    /// without a receiver that may be null (a static method, a local function, through <c>this</c>).
    /// </summary>
    internal static bool OnlyReturnsConstant(IInvocationOperation invocation) =>
        invocation.Instance is null or IInstanceReferenceOperation && ConstantResult(invocation, onlyTrivial: true, out var trivial) is not null && trivial;

    // With onlyTrivial, a body of more than its one return is not walked: every call in a try asks.
    private static bool? ConstantResult(IInvocationOperation invocation, bool onlyTrivial, out bool trivial)
    {
        trivial = false;
        var method = invocation.TargetMethod;
        if (invocation.IsVirtual || method.ReturnType.SpecialType != SpecialType.System_Boolean || method.ReturnsByRef || method.ReturnsByRefReadonly
            || method.IsAsync || method.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var (body, expressionBody) = method.DeclaringSyntaxReferences[0].GetSyntax() switch
        {
            MethodDeclarationSyntax declaration => (declaration.Body, declaration.ExpressionBody),
            LocalFunctionStatementSyntax local => (local.Body, local.ExpressionBody),
            _ => (null, null),
        };
        if (expressionBody is not null)
        {
            trivial = true;
            return Literal(expressionBody.Expression);
        }

        if (body is null)
        {
            return null;
        }

        trivial = body.Statements.Count == 1 && body.Statements[0] is ReturnStatementSyntax;
        if (onlyTrivial && !trivial)
        {
            return null;
        }

        bool? result = null;
        foreach (var node in body.DescendantNodes(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            if (node is YieldStatementSyntax)
            {
                return null;
            }

            if (node is ReturnStatementSyntax ret)
            {
                if (Literal(ret.Expression) is not { } value || (result is { } earlier && earlier != value))
                {
                    return null;
                }

                result = value;
            }
        }

        return result;

        static bool? Literal(ExpressionSyntax? expression)
        {
            while (expression is ParenthesizedExpressionSyntax parenthesized)
            {
                expression = parenthesized.Expression;
            }

            return expression?.Kind() switch
            {
                SyntaxKind.TrueLiteralExpression => true,
                SyntaxKind.FalseLiteralExpression => false,
                _ => null,
            };
        }
    }

    private KnownConditions Forget(IOperation target, KnownConditions known) =>
        Atom(Variable(target)) is { } atom ? known.Without(atom) : known;

    private static ISymbol? Variable(IOperation? operation) => operation switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        _ => null,
    };

    private int? Atom(ISymbol? symbol)
    {
        if (symbol is null || _untracked.Contains(symbol))
        {
            return null;
        }

        if (_atoms.TryGetValue(symbol, out var index))
        {
            return index;
        }

        if (_atoms.Count == MaxAtoms || !Followable(symbol))
        {
            _untracked.Add(symbol);
            return null;
        }

        index = _atoms.Count;
        _atoms[symbol] = index;
        return index;
    }

    private bool Followable(ISymbol symbol)
    {
        var isBool = symbol switch
        {
            ILocalSymbol { Type.SpecialType: SpecialType.System_Boolean, IsRef: false } => true,
            IParameterSymbol { Type.SpecialType: SpecialType.System_Boolean, RefKind: RefKind.None } => true,
            _ => false,
        };
        if (!isBool || _root is null || symbol.DeclaringSyntaxReferences.Length != 1)
        {
            return false;
        }

        var declaration = symbol.DeclaringSyntaxReferences[0].GetSyntax();
        if (declaration.SyntaxTree != _root.SyntaxTree || !_root.Span.Contains(declaration.Span) || InNestedFunction(declaration))
        {
            return false; // Another function's variable: it may change while this one runs.
        }

        foreach (var identifier in Suspects())
        {
            if (identifier.Identifier.ValueText == symbol.Name)
            {
                return false;
            }
        }

        return true;
    }

    // The identifiers that may change a variable behind the graph's back: written inside a lambda or local
    // function, or taken by ref into a ref local. Found once per graph, when the first condition is met.
    private List<IdentifierNameSyntax> Suspects()
    {
        if (_suspects is null)
        {
            _suspects = new List<IdentifierNameSyntax>();
            foreach (var identifier in _root!.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Parent is RefExpressionSyntax || (IsWritten(identifier) && InNestedFunction(identifier)))
                {
                    _suspects.Add(identifier);
                }
            }
        }

        return _suspects;
    }

    private bool InNestedFunction(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null && current != _root; current = current.Parent)
        {
            if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the identifier is written there (assigned, incremented, passed by ref or out, a deconstruction's
    /// target) or has a ref taken to it.</summary>
    internal static bool MayChange(IdentifierNameSyntax identifier) => identifier.Parent is RefExpressionSyntax || IsWritten(identifier);

    private static bool IsWritten(IdentifierNameSyntax identifier) => identifier.Parent switch
    {
        AssignmentExpressionSyntax assignment => assignment.Left == identifier,
        PrefixUnaryExpressionSyntax prefix => prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression),
        PostfixUnaryExpressionSyntax postfix => postfix.IsKind(SyntaxKind.PostIncrementExpression) || postfix.IsKind(SyntaxKind.PostDecrementExpression),
        ArgumentSyntax { Parent: TupleExpressionSyntax } => true, // A deconstruction's target, or a tuple read: either way suspect.
        ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
        _ => false,
    };
}
