using System.Collections.Generic;
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
        // A work stack, not recursion: a long chain of operators nests as deep as the parser allows.
        var pending = new Stack<ExpressionSyntax>();
        pending.Push(expression);
        while (pending.Count > 0)
        {
            if (!Reads(model, pending.Pop(), pending, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    // Whether the expression itself only reads, its operands pushed to be checked in turn.
    private static bool Reads(SemanticModel model, ExpressionSyntax expression, Stack<ExpressionSyntax> operands, CancellationToken cancellationToken)
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
                if (model.GetSymbolInfo(access, cancellationToken).Symbol is not (IFieldSymbol or IPropertySymbol { Parameters.IsEmpty: true }))
                {
                    return false;
                }

                if (model.GetSymbolInfo(access.Expression, cancellationToken).Symbol is not INamedTypeSymbol)
                {
                    operands.Push(access.Expression);
                }

                return true;
            case ParenthesizedExpressionSyntax parenthesized:
                operands.Push(parenthesized.Expression);
                return true;
            case CastExpressionSyntax cast:
                operands.Push(cast.Expression);
                return !model.GetConversion(cast.Expression, cancellationToken).IsUserDefined && model.GetSymbolInfo(cast, cancellationToken).Symbol is not IMethodSymbol;
            case BinaryExpressionSyntax binary when binary.OperatorToken.IsKind(SyntaxKind.QuestionQuestionToken) || !IsUserDefined(model, binary, cancellationToken):
                operands.Push(binary.Left);
                operands.Push(binary.Right);
                return true;
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.UnaryPlusExpression or (int)SyntaxKind.LogicalNotExpression or (int)SyntaxKind.BitwiseNotExpression } unary
                when !IsUserDefined(model, unary, cancellationToken):
                operands.Push(unary.Operand);
                return true;
            case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed:
                operands.Push(suppressed.Operand);
                return true;
            case ConditionalExpressionSyntax conditional:
                operands.Push(conditional.Condition);
                operands.Push(conditional.WhenTrue);
                operands.Push(conditional.WhenFalse);
                return true;
            default:
                return false;
        }
    }

    private static bool IsUserDefined(SemanticModel model, ExpressionSyntax operation, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(operation, cancellationToken).Symbol is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator };
}
