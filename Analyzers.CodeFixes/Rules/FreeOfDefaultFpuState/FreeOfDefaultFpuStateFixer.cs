using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FpuGuard.Analyzers.CodeFixes.Internals;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace FpuGuard.Analyzers.CodeFixes.Rules.FreeOfDefaultFpuState;

/// <summary>
/// FPU0002 fixes. "Free through the helper": when the codebase has a method that takes the owner and frees its
/// state with the check inside (the Runtime's <c>FreeXStateBuffer(fpu)</c>), call it instead. "Guard": wrap the
/// free in <c>if (!ReferenceEquals(state, owner.DefaultState))</c>. A free of the default member itself gets
/// neither: there is no meaning-preserving fix for a free that is always wrong.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FreeOfDefaultFpuStateFixer)), Shared]
public sealed class FreeOfDefaultFpuStateFixer : PlanCodeFixProvider
{
    private const string HelperKey = "FPU0002.Helper";
    private const string GuardKey = "FPU0002.Guard";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.FreeOfDefaultFpuState);

    private protected override IEnumerable<string> Keys => new[] { HelperKey, GuardKey };

    private protected override CodeFixPlan? Plan(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string key, FixBatch batch, CancellationToken cancellationToken, out string title)
    {
        title = "";
        diagnostic.Properties.TryGetValue(FreeOfDefaultFpuStateProperties.Kind, out var kind);
        diagnostic.Properties.TryGetValue(FreeOfDefaultFpuStateProperties.Owner, out var ownerText);
        diagnostic.Properties.TryGetValue(FreeOfDefaultFpuStateProperties.DefaultMember, out var defaultName);
        if (kind is not ("State" or "Alias") || ownerText is null || defaultName is null
            || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation
            || invocation.Parent is not ExpressionStatementSyntax statement
            || invocation.ArgumentList.Arguments.FirstOrDefault()?.Expression is not { } argument)
        {
            return null;
        }

        var owner = SyntaxFactory.ParseExpression(ownerText);
        if (!ReceiverFinder.IsStable(owner))
        {
            return null;
        }

        var generator = SyntaxGenerator.GetGenerator(document);
        if (key == GuardKey)
        {
            // The guard reads the argument once more: only a value read again alike keeps the free's meaning. A
            // conditional or `??` argument is read alike too, but the analysis cannot tie the guard's reading to the
            // free's, so the guard would not end the warning; a `?.` may leave the owner null.
            if (!ReadsAlike(argument))
            {
                return null;
            }

            title = $"Free only when it is not '{ownerText}.{defaultName}'";
            var isDefault = generator.InvocationExpression(
                generator.MemberAccessExpression(generator.TypeExpression(SpecialType.System_Object), "ReferenceEquals"),
                argument.WithoutTrivia(),
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, owner, SyntaxFactory.IdentifierName(defaultName)));
            var guarded = SyntaxFactory.IfStatement(
                    (ExpressionSyntax)generator.LogicalNotExpression(isDefault),
                    SyntaxFactory.Block(statement.WithoutLeadingTrivia()))
                .WithLeadingTrivia(statement.GetLeadingTrivia());
            return new CodeFixPlan(ImmutableArray.Create<SyntaxNode>(statement), guarded);
        }

        if (kind != "State" || argument is not MemberAccessExpressionSyntax { Expression: { } ownerExpression }
            || model.GetTypeInfo(ownerExpression, cancellationToken).Type is not INamedTypeSymbol ownerType)
        {
            return null;
        }

        var enclosing = model.GetEnclosingSymbol(statement.SpanStart, cancellationToken);
        var helper = FindCheckedFree(ownerType, defaultName, enclosing, cancellationToken);
        if (helper is null || FreesOwnerElsewhere(statement, invocation, ownerExpression, ownerType, model, cancellationToken))
        {
            return null;
        }

        SyntaxNode? target = helper.IsStatic
            ? generator.MemberAccessExpression(generator.TypeExpression(helper.ContainingType), helper.Name)
            : ReceiverFinder.Find(model, statement.SpanStart, helper.ContainingType, new[] { invocation.Expression, ownerExpression }) is { } receiver
                ? generator.MemberAccessExpression(receiver, helper.Name)
                : null;
        if (target is null)
        {
            return null;
        }

        title = $"Free through '{helper.ContainingType.Name}.{helper.Name}', which checks for the default state";
        var call = SyntaxFactory.ExpressionStatement((ExpressionSyntax)generator.InvocationExpression(target, ownerExpression.WithoutTrivia()))
            .WithTriviaFrom(statement);
        return new CodeFixPlan(ImmutableArray.Create<SyntaxNode>(statement), call);
    }

    // Whether another free in the member may take something of the same owner: its argument names the owner, or a
    // variable that may hold its state (a local or parameter that is not itself an owner, as `other` in
    // `Vfree(other.State)` is). The helper receives the owner and, without source here, may write its state (the
    // rule's model; a referenced helper's body cannot be read), so the call would end a guard that other free relies on,
    // and that free would be reported in its place: the fix is not offered there (the guard fix is).
    private static bool FreesOwnerElsewhere(StatementSyntax statement, InvocationExpressionSyntax invocation, ExpressionSyntax ownerExpression, INamedTypeSymbol ownerType,
        SemanticModel model, CancellationToken cancellationToken)
    {
        var root = ownerExpression;
        while (root is MemberAccessExpressionSyntax access)
        {
            root = access.Expression;
        }

        var ownerRoot = model.GetSymbolInfo(root, cancellationToken).Symbol;
        var member = statement.Ancestors().FirstOrDefault(a => a is MemberDeclarationSyntax);
        if (ownerRoot is null || member is null)
        {
            return true;
        }

        bool MayHoldState(ISymbol? named) => named switch
        {
            null => false,
            _ when SymbolEqualityComparer.Default.Equals(named, ownerRoot) => true,
            ILocalSymbol local => !ContractMethods.IsOwner(local.Type, ownerType),
            IParameterSymbol parameter => !ContractMethods.IsOwner(parameter.Type, ownerType),
            _ => false,
        };

        foreach (var other in member.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (other != invocation && model.GetSymbolInfo(other, cancellationToken).Symbol is IMethodSymbol method
                && ContractAttributes.Has(method.ReducedFrom ?? method.OriginalDefinition, ContractAttributes.FreesMemory)
                && other.ArgumentList.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => MayHoldState(model.GetSymbolInfo(n, cancellationToken).Symbol)))
            {
                return true;
            }
        }

        return false;
    }

    // Names, member accesses, `!` and parentheses: evaluating it again gives the same value and does nothing else.
    private static bool ReadsAlike(ExpressionSyntax argument)
    {
        var pending = new Stack<ExpressionSyntax>();
        pending.Push(argument);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case IdentifierNameSyntax or ThisExpressionSyntax or LiteralExpressionSyntax:
                    break;
                case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access:
                    pending.Push(access.Expression);
                    break;
                case ParenthesizedExpressionSyntax parenthesized:
                    pending.Push(parenthesized.Expression);
                    break;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } suppressed:
                    pending.Push(suppressed.Operand);
                    break;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not:
                    pending.Push(not.Operand);
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A method in the owner type's namespace shaped like the Runtime's FreeXStateBuffer: one parameter of the
    /// owner type, returns void, named *Free*, not the method being fixed; one with source must mention the
    /// default member (its check), so an unchecked look-alike is never offered.
    /// </summary>
    private static IMethodSymbol? FindCheckedFree(INamedTypeSymbol ownerType, string defaultName, ISymbol? enclosing, CancellationToken cancellationToken)
    {
        foreach (var type in ownerType.ContainingNamespace.GetTypeMembers())
        {
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
            {
                if (method.MethodKind != MethodKind.Ordinary || !method.ReturnsVoid || method.Parameters.Length != 1
                    || !ContractMethods.IsOwner(method.Parameters[0].Type, ownerType)
                    || method.Name.IndexOf("Free", StringComparison.OrdinalIgnoreCase) < 0
                    || SymbolEqualityComparer.Default.Equals(method, enclosing)
                    || ContractAttributes.Has(method, ContractAttributes.FreesMemory))
                {
                    continue;
                }

                var sources = method.DeclaringSyntaxReferences;
                if (sources.IsEmpty || sources.Any(s => s.GetSyntax(cancellationToken).DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == defaultName)))
                {
                    return method;
                }
            }
        }

        return null;
    }
}
