using FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Performance;

/// <summary>
/// Which contract roles a node may involve, by the name it calls or writes (<see cref="TreeRoleMarks"/> marks
/// them in one walk of the tree for every FpuGuard analyzer). A collection initializer's implied Add counts as a call. A
/// using scope's implied Dispose does not: the rules look at a region from the call that enters it, which is
/// explicit. A local function or lambda with attributes counts as anything (its contract is not in the index).
/// </summary>
internal static class BlockSyntaxFacts
{
    private const ContractRole AllRoles = ContractRole.ChangesContext | ContractRole.FreesMemory | ContractRole.StateField;

    /// <summary>The roles one node may involve: a call (context change, free), a write (state field), an attributed local function.</summary>
    public static ContractRole RoleOf(SyntaxNode node, ContractIndex index) => node switch
    {
        // A call may also write its receiver (an extension's 'this ref', a struct's own method).
        InvocationExpressionSyntax invocation => Called(CalledName(invocation), index)
            | (invocation.Expression is MemberAccessExpressionSyntax access ? Written(access.Expression, index) : ContractRole.None),
        MemberAccessExpressionSyntax { Parent: not InvocationExpressionSyntax } access => Called(access.Name.Identifier.ValueText, index) & ContractRole.ChangesContext,
        ObjectCreationExpressionSyntax creation => Called(TypeName(creation.Type), index),
        InitializerExpressionSyntax initializer when initializer.IsKind(SyntaxKind.CollectionInitializerExpression) => Called("Add", index),
        AssignmentExpressionSyntax assignment => Written(assignment.Left, index),
        PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression) => Written(prefix.Operand, index),
        PostfixUnaryExpressionSyntax postfix => Written(postfix.Operand, index),
        ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument => Written(argument.Expression, index),
        ArgumentSyntax { Parent.Parent: InvocationExpressionSyntax invocation } argument when CalledName(invocation) == StateFieldWrites.UnsafeAsRef => Written(argument.Expression, index),
        RefExpressionSyntax reference => Written(reference.Expression, index),
        LocalFunctionStatementSyntax { AttributeLists.Count: > 0 } => AllRoles,
        ParenthesizedLambdaExpressionSyntax { AttributeLists.Count: > 0 } => AllRoles,
        _ => ContractRole.None,
    };

    /// <summary>
    /// The expression inside parentheses and <c>!</c> (null-forgiving), and inside casts when
    /// <paramref name="casts"/>: the value the syntax stands for.
    /// </summary>
    public static ExpressionSyntax Strip(ExpressionSyntax value, bool casts)
    {
        while (true)
        {
            switch (value)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    value = parenthesized.Expression;
                    break;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed:
                    value = suppressed.Operand;
                    break;
                case CastExpressionSyntax cast when casts:
                    value = cast.Expression;
                    break;
                default:
                    return value;
            }
        }
    }

    /// <summary>The name an invocation calls, when its syntax says (a simple name, a member access or binding).</summary>
    public static string? CalledName(InvocationExpressionSyntax invocation) => NameOf(invocation.Expression);

    private static string? TypeName(TypeSyntax type) => type switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        _ => null,
    };

    private static ContractRole Called(string? name, ContractIndex index)
    {
        var roles = name is null ? ContractRole.None : index.RolesOf(name) & (ContractRole.ChangesContext | ContractRole.FreesMemory);
        return name == nameof(System.IDisposable.Dispose) && (roles & ContractRole.ChangesContext) != 0
            ? (roles & ~ContractRole.ChangesContext) | ContractRole.ExplicitDispose
            : roles;
    }

    // Every name of the target's chain counts: writing a field of a struct-typed state field writes the state field
    // (f.Header.XComp = 0). A tuple target writes every element: it counts as a state-field write, to look closer.
    private static ContractRole Written(ExpressionSyntax target, ContractIndex index)
    {
        var role = ContractRole.None;
        while (true)
        {
            switch (target)
            {
                case TupleExpressionSyntax:
                    return ContractRole.StateField;
                case ParenthesizedExpressionSyntax parenthesized:
                    target = parenthesized.Expression;
                    break;
                case ConditionalAccessExpressionSyntax conditional:
                    role |= Written(NameOf(conditional.Expression), index);
                    target = conditional.WhenNotNull;
                    break;
                case MemberAccessExpressionSyntax access:
                    role |= Written(access.Name.Identifier.ValueText, index);
                    target = access.Expression;
                    break;
                case ElementAccessExpressionSyntax element:
                    target = element.Expression;
                    break;
                case ConditionalExpressionSyntax:
                    return role; // A ref conditional's branches are ref expressions, each a node of its own.
                case RefExpressionSyntax reference:
                    target = reference.Expression;
                    break;
                default:
                    return role | Written(NameOf(target), index);
            }
        }
    }

    private static ContractRole Written(string? name, ContractIndex index) =>
        name is null ? ContractRole.None : index.RolesOf(name) & ContractRole.StateField;

    private static string? NameOf(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression switch
        {
            SimpleNameSyntax name => name.Identifier.ValueText,
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            _ => null,
        };
    }
}
