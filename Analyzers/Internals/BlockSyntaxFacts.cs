using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Whether a code block's syntax calls, or writes, a member with a given name: a walk of the block that stops at
/// the first match and allocates nothing of its own. A collection initializer's implied Add counts as a call. A
/// using scope's implied Dispose does not: the rules look at a region from the call that enters it, which is
/// explicit. A local function with attributes counts as anything (its contract is not in the index).
/// </summary>
internal static class BlockSyntaxFacts
{
    public static bool Involves(SyntaxNode block, ContractRole role, ContractIndex index)
    {
        foreach (var node in block.DescendantNodesAndSelf())
        {
            var name = node switch
            {
                InvocationExpressionSyntax invocation when role != ContractRole.StateField => NameOf(invocation.Expression),
                InitializerExpressionSyntax initializer when role != ContractRole.StateField && initializer.IsKind(SyntaxKind.CollectionInitializerExpression) => "Add",
                AssignmentExpressionSyntax assignment when role == ContractRole.StateField => WrittenName(assignment.Left),
                PrefixUnaryExpressionSyntax prefix when role == ContractRole.StateField && (prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression)) => WrittenName(prefix.Operand),
                PostfixUnaryExpressionSyntax postfix when role == ContractRole.StateField => WrittenName(postfix.Operand),
                ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument when role == ContractRole.StateField => WrittenName(argument.Expression),
                RefExpressionSyntax reference when role == ContractRole.StateField => WrittenName(reference.Expression),
                LocalFunctionStatementSyntax { AttributeLists.Count: > 0 } => "",
                _ => null,
            };
            if (name is not null && (name.Length == 0 || (index.RolesOf(name) & role) != 0))
            {
                return true;
            }
        }

        return false;
    }

    private static string? NameOf(ExpressionSyntax expression) => expression switch
    {
        SimpleNameSyntax name => name.Identifier.ValueText,
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        ParenthesizedExpressionSyntax parenthesized => NameOf(parenthesized.Expression),
        _ => null,
    };

    // A tuple target ((a.X, b.Y) = ...) writes every element: "" stands for "look closer" and counts as a match.
    private static string? WrittenName(ExpressionSyntax target) => target switch
    {
        TupleExpressionSyntax => "",
        DeclarationExpressionSyntax => null,
        ConditionalAccessExpressionSyntax conditional => WrittenName(conditional.WhenNotNull),
        ElementAccessExpressionSyntax element => WrittenName(element.Expression),
        _ => NameOf(target),
    };
}
