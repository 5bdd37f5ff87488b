using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.CodeFixes.Internals;

/// <summary>Finds an expression of a wanted type at a position, for calling an instance method there.</summary>
internal static class ReceiverFinder
{
    /// <summary>
    /// In order: a sub-expression of <paramref name="hints"/> of the type (the receiver chain of the call being
    /// replaced); the only local or parameter of the type in scope; <c>this</c>; one or two field/property
    /// hops from a hint (<c>fpu.Task.Kernel</c>). Null when none is found.
    /// </summary>
    public static ExpressionSyntax? Find(SemanticModel model, int position, INamedTypeSymbol type, IEnumerable<ExpressionSyntax> hints)
    {
        var hintList = hints.Where(h => h.SyntaxTree == model.SyntaxTree).ToList();
        foreach (var hint in hintList)
        {
            for (var expression = hint; expression is not null; expression = (expression as MemberAccessExpressionSyntax)?.Expression)
            {
                if (Is(model.GetTypeInfo(expression).Type, type) && IsStable(expression))
                {
                    return expression.WithoutTrivia();
                }
            }
        }

        var inScope = model.LookupSymbols(position)
            .Where(s => s is ILocalSymbol or IParameterSymbol && Is(TypeOf(s), type))
            .ToList();
        if (inScope.Count == 1)
        {
            return SyntaxFactory.IdentifierName(inScope[0].Name);
        }

        var enclosing = model.GetEnclosingSymbol(position);
        if (enclosing is { IsStatic: false } && Is(enclosing.ContainingType, type))
        {
            return SyntaxFactory.ThisExpression();
        }

        foreach (var hint in hintList)
        {
            if (model.GetTypeInfo(hint).Type is INamedTypeSymbol start && Hop(start, type, 2) is { } path)
            {
                return path.Aggregate((ExpressionSyntax)hint.WithoutTrivia(), (e, name) =>
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, e, SyntaxFactory.IdentifierName(name)));
            }
        }

        return null;
    }

    /// <summary>Whether evaluating the expression twice, or not at all, changes nothing (names and member accesses only).</summary>
    public static bool IsStable(ExpressionSyntax expression)
    {
        while (true)
        {
            switch (expression)
            {
                case IdentifierNameSyntax or ThisExpressionSyntax:
                    return true;
                case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression, Name: IdentifierNameSyntax } access:
                    expression = access.Expression;
                    break;
                case ParenthesizedExpressionSyntax parenthesized:
                    expression = parenthesized.Expression;
                    break;
                default:
                    return false;
            }
        }
    }

    public static bool Is(ITypeSymbol? actual, ITypeSymbol wanted) =>
        actual is not null && SymbolEqualityComparer.Default.Equals(actual.OriginalDefinition, wanted.OriginalDefinition);

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => null,
    };

    private static List<string>? Hop(INamedTypeSymbol from, INamedTypeSymbol to, int depth)
    {
        if (depth == 0)
        {
            return null;
        }

        foreach (var member in from.GetMembers().Where(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && m is IFieldSymbol or IPropertySymbol { Parameters.IsEmpty: true }))
        {
            var memberType = TypeOf(member);
            if (Is(memberType, to))
            {
                return new List<string> { member.Name };
            }
        }

        foreach (var member in from.GetMembers().Where(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && m is IFieldSymbol or IPropertySymbol { Parameters.IsEmpty: true }))
        {
            if (TypeOf(member) is INamedTypeSymbol next && next.TypeKind == TypeKind.Class && Hop(next, to, depth - 1) is { } rest)
            {
                rest.Insert(0, member.Name);
                return rest;
            }
        }

        return null;
    }
}
