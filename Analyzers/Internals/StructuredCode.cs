using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Bodies whose control flow is structured: blocks, if/else, return and throw anywhere, using scopes (statements
/// and declarations), try/finally without catch, and the branching expressions ?:, ?., &&, ||, ?? and ??=. No
/// loop, goto, switch, catch, lock (its Monitor calls may be listed as sleeping), local function or yield: every
/// statement is reached at most once, along paths the operation tree shows, so the context analysis needs no
/// control-flow graph for them. Building graphs was a fifth of what the analyzers cost. Lambdas are not looked
/// into: they are created here, not run here.
/// </summary>
internal static class StructuredCode
{
    /// <summary>Whether the declaration (a method, constructor, operator or accessor) has a structured body.</summary>
    public static bool IsStructured(SyntaxNode declaration)
    {
        var (body, initializer) = declaration switch
        {
            ConstructorDeclarationSyntax constructor => ((SyntaxNode?)constructor.Body ?? constructor.ExpressionBody, (SyntaxNode?)constructor.Initializer),
            BaseMethodDeclarationSyntax method => ((SyntaxNode?)method.Body ?? method.ExpressionBody, null),
            AccessorDeclarationSyntax accessor => ((SyntaxNode?)accessor.Body ?? accessor.ExpressionBody, null),
            _ => (null, null),
        };
        return body is not null && (initializer is null || Allowed(initializer)) && Allowed(body);
    }

    private static bool Allowed(SyntaxNode node)
    {
        foreach (var descendant in node.DescendantNodesAndSelf(n => n is not AnonymousFunctionExpressionSyntax))
        {
            var allowed = descendant switch
            {
                BlockSyntax or ExpressionStatementSyntax or ReturnStatementSyntax or IfStatementSyntax or ElseClauseSyntax
                    or EmptyStatementSyntax or ThrowStatementSyntax or CheckedStatementSyntax => true,
                LocalDeclarationStatementSyntax local => local.AwaitKeyword.RawKind == 0,
                UsingStatementSyntax @using => @using.AwaitKeyword.RawKind == 0,
                TryStatementSyntax @try => @try.Catches.Count == 0 && @try.Finally is not null,
                FinallyClauseSyntax => true,
                StatementSyntax => false,
                SwitchExpressionSyntax or QueryExpressionSyntax or ThrowExpressionSyntax or CollectionExpressionSyntax => false,
                _ => true,
            };
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }
}
