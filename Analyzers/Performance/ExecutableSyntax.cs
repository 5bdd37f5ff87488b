using System.Collections.Generic;
using System.Linq;
using FpuGuard.Analyzers.Flow;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Performance;

/// <summary>
/// The syntax a code block runs, as <see cref="Flow.FlowRoots"/> gives its operations but without building them: a
/// method's or accessor's body (and a constructor's initializer), an expression body, this variable's field
/// initializer, a property's initializer, a primary constructor's base arguments, top-level statements. A
/// property's, indexer's or type's declaration is a code block of its own beside its accessors and members, so
/// only what belongs to that symbol is taken: nothing is walked twice.
/// </summary>
internal static class ExecutableSyntax
{
    public static IEnumerable<SyntaxNode> Of(SyntaxNode codeBlock, ISymbol owner)
    {
        switch (codeBlock)
        {
            case ConstructorDeclarationSyntax constructor:
                return Present(constructor.Initializer, constructor.Body, constructor.ExpressionBody);
            case BaseMethodDeclarationSyntax method:
                return Present(method.Body, method.ExpressionBody);
            case AccessorDeclarationSyntax accessor:
                return Present(accessor.Body, accessor.ExpressionBody);
            case BaseFieldDeclarationSyntax field:
                return field.Declaration.Variables
                    .Where(v => v.Identifier.ValueText == owner.Name)
                    .Select(v => (SyntaxNode?)v.Initializer)
                    .Where(i => i is not null)!;
            case BasePropertyDeclarationSyntax property:
                return Present((property as PropertyDeclarationSyntax)?.Initializer);
            case TypeDeclarationSyntax type:
                return owner is IMethodSymbol { MethodKind: MethodKind.Constructor }
                    ? Present(type.BaseList?.Types.OfType<PrimaryConstructorBaseTypeSyntax>().FirstOrDefault()?.ArgumentList)
                    : Enumerable.Empty<SyntaxNode>();
            case CompilationUnitSyntax unit:
                return unit.Members.OfType<GlobalStatementSyntax>();
            case BaseTypeDeclarationSyntax or BaseNamespaceDeclarationSyntax:
                return Enumerable.Empty<SyntaxNode>();
            default:
                return new[] { codeBlock };
        }
    }

    private static IEnumerable<SyntaxNode> Present(params SyntaxNode?[] nodes) => nodes.Where(n => n is not null)!;
}
