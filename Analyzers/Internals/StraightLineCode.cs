using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Bodies that run from top to bottom with no branch anywhere: expression statements and declarations, a return
/// at the end, and none of the expressions that branch (?:, ?., &&, ||, ??, lambdas, switch expressions, throw,
/// await, interpolation handlers, queries, collection expressions). Their context analysis needs no control-flow
/// graph: the operations in order are the only path. Building graphs is most of what the analysis costs.
/// </summary>
internal static class StraightLineCode
{
    /// <summary>The root block's statements in order, when its syntax is straight-line; otherwise null.</summary>
    public static IEnumerable<IOperation>? Statements(IOperation root)
    {
        if (!IsStraightLine(root.Syntax))
        {
            return null;
        }

        return root switch
        {
            IMethodBodyOperation method => (method.BlockBody ?? method.ExpressionBody)?.Operations,
            IConstructorBodyOperation constructor when (constructor.BlockBody ?? constructor.ExpressionBody) is { } body =>
                constructor.Initializer is { } initializer ? new[] { initializer }.Concat(body.Operations) : body.Operations,
            _ => null,
        };
    }

    private static bool IsStraightLine(SyntaxNode declaration)
    {
        var (body, initializer) = declaration switch
        {
            ConstructorDeclarationSyntax constructor => ((SyntaxNode?)constructor.Body ?? constructor.ExpressionBody, (SyntaxNode?)constructor.Initializer),
            BaseMethodDeclarationSyntax method => ((SyntaxNode?)method.Body ?? method.ExpressionBody, null),
            AccessorDeclarationSyntax accessor => ((SyntaxNode?)accessor.Body ?? accessor.ExpressionBody, null),
            _ => (null, null),
        };
        if (body is null || (initializer is not null && !HasNoBranchingExpression(initializer)))
        {
            return false;
        }

        if (body is BlockSyntax block)
        {
            var statements = block.Statements;
            for (var i = 0; i < statements.Count; i++)
            {
                var allowed = statements[i] switch
                {
                    ExpressionStatementSyntax or EmptyStatementSyntax => true,
                    LocalDeclarationStatementSyntax local => local.UsingKeyword.RawKind == 0 && local.AwaitKeyword.RawKind == 0,
                    ReturnStatementSyntax => i == statements.Count - 1,
                    _ => false,
                };
                if (!allowed)
                {
                    return false;
                }
            }
        }

        return HasNoBranchingExpression(body);
    }

    private static bool HasNoBranchingExpression(SyntaxNode node)
    {
        foreach (var descendant in node.DescendantNodes())
        {
            switch (descendant)
            {
                case ConditionalExpressionSyntax or ConditionalAccessExpressionSyntax or AnonymousFunctionExpressionSyntax
                    or SwitchExpressionSyntax or ThrowExpressionSyntax or AwaitExpressionSyntax or QueryExpressionSyntax
                    or InterpolatedStringExpressionSyntax or CollectionExpressionSyntax or LocalFunctionStatementSyntax
                    or StatementSyntax and not (ExpressionStatementSyntax or LocalDeclarationStatementSyntax or ReturnStatementSyntax or EmptyStatementSyntax):
                    return false;
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.LogicalAndExpression) || binary.IsKind(SyntaxKind.LogicalOrExpression) || binary.IsKind(SyntaxKind.CoalesceExpression):
                    return false;
                case AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.CoalesceAssignmentExpression):
                    return false;
            }
        }

        return true;
    }
}
