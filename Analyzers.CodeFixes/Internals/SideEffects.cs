using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.CodeFixes.Internals;

/// <summary>Which expressions a fix may evaluate earlier, later or not at all without changing what the code does.</summary>
internal static class SideEffects
{
    /// <summary>
    /// Whether evaluating the expression only reads: constants, locals, parameters, fields and property getters,
    /// and the built-in operators on them. Calls, allocations, assignments, increments and user-defined operators
    /// or conversions do more.
    /// </summary>
    public static bool None(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        if (model.GetConstantValue(expression, cancellationToken).HasValue)
        {
            return true;
        }

        switch (expression)
        {
            case LiteralExpressionSyntax or DefaultExpressionSyntax or TypeOfExpressionSyntax or SizeOfExpressionSyntax or ThisExpressionSyntax:
                return true;
            case IdentifierNameSyntax name:
                return model.GetSymbolInfo(name, cancellationToken).Symbol is ILocalSymbol or IParameterSymbol or IFieldSymbol or IPropertySymbol { Parameters.IsEmpty: true };
            case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access:
                return model.GetSymbolInfo(access, cancellationToken).Symbol is IFieldSymbol or IPropertySymbol { Parameters.IsEmpty: true }
                    && (model.GetSymbolInfo(access.Expression, cancellationToken).Symbol is INamedTypeSymbol || None(model, access.Expression, cancellationToken));
            case ParenthesizedExpressionSyntax parenthesized:
                return None(model, parenthesized.Expression, cancellationToken);
            case CastExpressionSyntax cast:
                return !model.GetConversion(cast.Expression, cancellationToken).IsUserDefined && None(model, cast.Expression, cancellationToken)
                    && model.GetSymbolInfo(cast, cancellationToken).Symbol is not IMethodSymbol;
            case BinaryExpressionSyntax binary when binary.OperatorToken.IsKind(SyntaxKind.QuestionQuestionToken) || !IsUserDefined(model, binary, cancellationToken):
                return None(model, binary.Left, cancellationToken) && None(model, binary.Right, cancellationToken);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.UnaryPlusExpression or (int)SyntaxKind.LogicalNotExpression or (int)SyntaxKind.BitwiseNotExpression } unary
                when !IsUserDefined(model, unary, cancellationToken):
                return None(model, unary.Operand, cancellationToken);
            case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed:
                return None(model, suppressed.Operand, cancellationToken);
            case ConditionalExpressionSyntax conditional:
                return None(model, conditional.Condition, cancellationToken) && None(model, conditional.WhenTrue, cancellationToken) && None(model, conditional.WhenFalse, cancellationToken);
            default:
                return false;
        }
    }

    private static bool IsUserDefined(SemanticModel model, ExpressionSyntax operation, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(operation, cancellationToken).Symbol is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator };
}
