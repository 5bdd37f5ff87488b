using System.Threading;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState;

/// <summary>
/// The kernel's idiom for freeing a task's state, read from syntax: <c>if (fpu.State != fpu.DefaultState)
/// Vfree(fpu.State);</c>, the free first in the branch the check guards. Only the check runs between the two, so
/// the flow analysis (<see cref="DefaultStateFlowAnalysis"/>) would prove the same and report nothing: a block
/// whose frees are all like this, or free no state, needs no operation tree or control-flow graph. Any other
/// shape (a statement or a call between, a guard in an else, a pattern) is left to the flow analysis.
/// </summary>
internal static class GuardedFree
{
    /// <summary>
    /// Whether the if statement that holds the free (as its branch, or first in its branch's block) proves its
    /// only argument is not a [DefaultFpuState] member on that branch: <c>!=</c>, <c>!(==)</c>,
    /// <c>!ReferenceEquals</c>, <c>!object.Equals</c>, the argument and the compared value written alike as a
    /// plain chain of names, the receiver a plain chain too.
    /// </summary>
    public static bool IsProvenSafe(InvocationExpressionSyntax free, IMethodSymbol method, SemanticModel model, CancellationToken cancellationToken)
    {
        if (method.ReducedFrom is not null
            || free.ArgumentList.Arguments is not { Count: 1 } arguments
            || arguments[0] is not { NameColon: null, RefKindKeyword.RawKind: 0 } argument
            || !HasPlainReceiver(free.Expression)
            || Strip(argument.Expression) is not { } freed || !IsChain(freed)
            || free.Parent is not ExpressionStatementSyntax statement)
        {
            return false;
        }

        var guard = statement.Parent switch
        {
            IfStatementSyntax direct when direct.Statement == statement => direct,
            BlockSyntax { Parent: IfStatementSyntax holder } block when holder.Statement == block && block.Statements[0] == statement => holder,
            _ => null,
        };
        return guard is not null
            && model.GetSymbolInfo(freed, cancellationToken).Symbol is { } symbol && !FpuStateMembers.IsDefaultMember(symbol)
            && Proves(guard.Condition, freed, whenTrue: true, model, cancellationToken);
    }

    // Whether the condition, having this value, proves the freed value is not a default member.
    private static bool Proves(ExpressionSyntax condition, ExpressionSyntax freed, bool whenTrue, SemanticModel model, CancellationToken cancellationToken)
    {
        AnalysisBounds.EnsureStack();
        switch (Strip(condition))
        {
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not:
                return Proves(not.Operand, freed, !whenTrue, model, cancellationToken);
            case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.NotEqualsExpression } notEquals:
                return whenTrue && ComparesWithDefault(notEquals.Left, notEquals.Right, freed, model, cancellationToken);
            case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.EqualsExpression } equals:
                return !whenTrue && ComparesWithDefault(equals.Left, equals.Right, freed, model, cancellationToken);
            case InvocationExpressionSyntax { ArgumentList.Arguments: { Count: 2 } pair } call
                when !whenTrue && pair[0].NameColon is null && pair[1].NameColon is null
                    && model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { Name: "ReferenceEquals" or "Equals", IsStatic: true, ContainingType.SpecialType: SpecialType.System_Object }:
                return ComparesWithDefault(pair[0].Expression, pair[1].Expression, freed, model, cancellationToken);
            default:
                return false;
        }
    }

    private static bool ComparesWithDefault(ExpressionSyntax left, ExpressionSyntax right, ExpressionSyntax freed, SemanticModel model, CancellationToken cancellationToken)
    {
        left = Strip(left);
        right = Strip(right);
        return (IsDefault(right, model, cancellationToken) && SameChain(left, freed))
            || (IsDefault(left, model, cancellationToken) && SameChain(right, freed));
    }

    private static bool IsDefault(ExpressionSyntax value, SemanticModel model, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(value, cancellationToken).Symbol is { } symbol && FpuStateMembers.IsDefaultMember(symbol);

    // Written alike, in one method and one scope: the same locals, parameters and members.
    private static bool SameChain(ExpressionSyntax value, ExpressionSyntax freed) =>
        IsChain(value) && value.IsEquivalentTo(freed, topLevel: false);

    private static bool HasPlainReceiver(ExpressionSyntax called) => called switch
    {
        IdentifierNameSyntax or GenericNameSyntax => true,
        MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access => IsChain(access.Expression),
        _ => false,
    };

    // Names, this, and member accesses of them: reading one runs no call the flow analysis counts.
    private static bool IsChain(ExpressionSyntax value)
    {
        while (value is MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression, Name: IdentifierNameSyntax } access)
        {
            value = access.Expression;
        }

        return value is IdentifierNameSyntax or ThisExpressionSyntax or BaseExpressionSyntax;
    }

    // Not through casts: the flow analysis looks through conversions, but a cast here is not the idiom.
    private static ExpressionSyntax Strip(ExpressionSyntax value) => BlockSyntaxFacts.Strip(value, casts: false);
}
