using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Internals;

/// <summary>Which member references write the member, and where writing FPU state fields is allowed.</summary>
internal static class StateFieldWrites
{
    /// <summary>
    /// The expressions a node writes, each stripped of parentheses: an assignment's target (simple, compound,
    /// ??=, each element of a deconstruction or tuple target), the operand of ++/--, a ref argument to a ref
    /// parameter or an out argument (Interlocked.* included), a value bound to a writable ref local. Read from
    /// syntax, with the semantic model only to tell a ref parameter from a ref readonly one and a ref local from
    /// a ref readonly one: no operation tree is built.
    /// </summary>
    public static IEnumerable<ExpressionSyntax> Targets(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (node)
        {
            case AssignmentExpressionSyntax assignment:
                return Elements(assignment.Left);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix:
                return Elements(prefix.Operand);
            case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix:
                return Elements(postfix.Operand);
            case ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.OutKeyword } argument:
                return Elements(argument.Expression);
            case ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword } argument when ParameterRefKind(argument, model, cancellationToken) == RefKind.Ref:
                return Elements(argument.Expression);
            case RefExpressionSyntax { Parent: EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } } reference
                when model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol { RefKind: RefKind.Ref }:
                return Elements(reference.Expression);
            default:
                return Enumerable.Empty<ExpressionSyntax>();
        }
    }

    // A tuple target writes each of its elements; a declaration (var (a, b) = ...) writes new locals only.
    private static IEnumerable<ExpressionSyntax> Elements(ExpressionSyntax target)
    {
        AnalysisBounds.EnsureStack();
        while (target is ParenthesizedExpressionSyntax parenthesized)
        {
            target = parenthesized.Expression;
        }

        switch (target)
        {
            case TupleExpressionSyntax tuple:
                return tuple.Arguments.SelectMany(a => Elements(a.Expression));
            case DeclarationExpressionSyntax:
                return Enumerable.Empty<ExpressionSyntax>();
            default:
                return new[] { target };
        }
    }

    // The parameter a ref argument is passed to: by its name when it has one, else by its position.
    private static RefKind? ParameterRefKind(ArgumentSyntax argument, SemanticModel model, CancellationToken cancellationToken)
    {
        if (argument.Parent is not BaseArgumentListSyntax list || list.Parent is not { } call
            || model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        if (argument.NameColon is { } name)
        {
            return method.Parameters.FirstOrDefault(p => p.Name == name.Name.Identifier.ValueText)?.RefKind;
        }

        var position = list.Arguments.IndexOf(argument);
        return position < method.Parameters.Length ? method.Parameters[position].RefKind : null;
    }

    /// <summary>
    /// Whether code in <paramref name="containingSymbol"/> may write <paramref name="member"/>: inside a swap
    /// helper, or a constructor or initializer of the member's own type (lambdas and local functions count as
    /// part of the method that contains them).
    /// </summary>
    public static bool IsAllowedWriter(ISymbol? containingSymbol, ISymbol member)
    {
        var symbol = containingSymbol;
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
        {
            symbol = symbol.ContainingSymbol;
        }

        var declaringType = member.ContainingType?.OriginalDefinition;
        switch (symbol)
        {
            case IMethodSymbol method when ContractAttributes.Has(method, ContractAttributes.FpuStateSwapHelper):
                return true;
            case IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } constructor:
                return SymbolEqualityComparer.Default.Equals(constructor.ContainingType.OriginalDefinition, declaringType);
            case IFieldSymbol or IPropertySymbol:
                return SymbolEqualityComparer.Default.Equals(symbol.ContainingType?.OriginalDefinition, declaringType);
            default:
                return false;
        }
    }
}
