using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FpuGuard.Analyzers.CodeFixes.Internals;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace FpuGuard.Analyzers.CodeFixes.Rules.StateWrittenOutsideSwapHelper;

/// <summary>
/// FPU0003 fixes. "Change the state together": a run of plain assignments that writes every state field of one
/// owner becomes one swap-helper call with the values written. A run that writes only some of them gets no swap
/// fix: the call would pair the new values with the old ones (the old buffer with a new mask is the bug itself).
/// "Reallocate": <c>owner.Mask |= features</c> becomes a call of the may-sleep reallocation for those features,
/// where no atomic context can be held. Where the meaning could change (values that read state fields,
/// reordered side effects, no receiver), none is offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FpuStateWrittenOutsideSwapHelperFixer)), Shared]
public sealed class FpuStateWrittenOutsideSwapHelperFixer : PlanCodeFixProvider
{
    private const string SwapKey = "FPU0003.SwapHelper";
    private const string ReallocKey = "FPU0003.Reallocate";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.FpuStateWrittenOutsideSwapHelper);

    private protected override IEnumerable<string> Keys => new[] { SwapKey, ReallocKey };

    private protected override CodeFixPlan? Plan(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string key, FixBatch batch, CancellationToken cancellationToken, out string title)
    {
        var plan = PlanFor(document, root, model, diagnostic, key, cancellationToken, out var callee);
        title = string.Format(key == SwapKey ? "Change the FPU state together with '{0}'" : "Reallocate the buffer for the new features with '{0}'", callee);
        return plan;
    }

    private static CodeFixPlan? PlanFor(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string key, CancellationToken cancellationToken, out string callee)
    {
        callee = "";
        if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not MemberAccessExpressionSyntax access
            || access.Parent is not AssignmentExpressionSyntax assignment || assignment.Left != access
            || assignment.Parent is not ExpressionStatementSyntax statement
            || model.GetSymbolInfo(access, cancellationToken).Symbol is not { ContainingType: { } ownerType } member
            || !ReceiverFinder.IsStable(access.Expression))
        {
            return null;
        }

        var generator = SyntaxGenerator.GetGenerator(document);
        return key switch
        {
            SwapKey when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression) => PlanSwap(model, statement, access.Expression, ownerType, generator, cancellationToken, out callee),
            ReallocKey when assignment.IsKind(SyntaxKind.OrAssignmentExpression) => PlanRealloc(model, statement, access.Expression, member, assignment.Right, generator, out callee),
            _ => null,
        };
    }

    private static CodeFixPlan? PlanSwap(SemanticModel model, ExpressionStatementSyntax statement, ExpressionSyntax owner, INamedTypeSymbol ownerType, SyntaxGenerator generator, CancellationToken cancellationToken, out string callee)
    {
        callee = "";
        var helpers = new ContractMethods().SwapHelpersFor(ownerType);
        if (helpers.Length != 1 || statement.Parent is not BlockSyntax block || helpers[0].IsGenericMethod)
        {
            return null;
        }

        var helper = helpers[0];
        // The analyzer's own test of a state member (a [field: FpuStateField] property included, its backing field not).
        var stateFields = ownerType.GetMembers().Where(m => StateFieldWrites.IsStateMember(m) && StateFieldWrites.PropertyBackedBy(m) is null).ToList();
        if (stateFields.Count == 0)
        {
            return null;
        }

        var byParameter = MapParameters(helper, ownerType, stateFields);
        if (byParameter is null)
        {
            return null;
        }

        var run = Run(model, block, statement, owner, stateFields);
        var written = new Dictionary<ISymbol, ExpressionSyntax>(SymbolEqualityComparer.Default);
        foreach (var (_, field, value) in run)
        {
            if (written.ContainsKey(field) || ReadsStateField(model, value, stateFields))
            {
                return null; // Written twice, or a later value reads an earlier write: one call would change the meaning.
            }

            written[field] = value;
        }

        if (written.Count != stateFields.Count)
        {
            return null; // The fields not written would keep their old values beside the new ones: the bug, kept.
        }

        var order = run.Select(r => r.Field).ToList();
        var parameterOrder = byParameter.Where(p => p.Value is not null && written.ContainsKey(p.Value)).Select(p => p.Value!).ToList();
        if (!order.SequenceEqual(parameterOrder, SymbolEqualityComparer.Default) && run.Count(r => !SideEffects.None(model, r.Value, cancellationToken)) > 1)
        {
            return null; // Arguments would evaluate the values' side effects in another order.
        }

        var arguments = helper.Parameters.Select(p => byParameter[p] is { } field ? written[field].WithoutTrivia() : owner.WithoutTrivia());
        var target = Target(model, statement.SpanStart, helper, generator);
        if (target is null)
        {
            return null;
        }

        callee = $"{helper.ContainingType.Name}.{helper.Name}";
        var call = SyntaxFactory.ExpressionStatement((ExpressionSyntax)generator.InvocationExpression(target, arguments.Select(a => generator.Argument(a))))
            .WithLeadingTrivia(run[0].Statement.GetLeadingTrivia())
            .WithTrailingTrivia(run[run.Count - 1].Statement.GetTrailingTrivia());
        return new CodeFixPlan(run.Select(r => (SyntaxNode)r.Statement).ToImmutableArray(), call);
    }

    // Each parameter other than the owner takes exactly one state field, matched by type; the owner parameter maps to null.
    private static Dictionary<IParameterSymbol, ISymbol?>? MapParameters(IMethodSymbol helper, INamedTypeSymbol ownerType, List<ISymbol> stateFields)
    {
        var map = new Dictionary<IParameterSymbol, ISymbol?>(SymbolEqualityComparer.Default);
        var ownerSeen = false;
        foreach (var parameter in helper.Parameters)
        {
            if (!ownerSeen && ContractMethods.IsOwner(parameter.Type, ownerType))
            {
                ownerSeen = true;
                map[parameter] = null;
                continue;
            }

            var matches = stateFields.Where(f => ReceiverFinder.Is(TypeOf(f), parameter.Type)).ToList();
            if (matches.Count != 1 || map.Values.Contains(matches[0], SymbolEqualityComparer.Default) || parameter.RefKind != RefKind.None)
            {
                return null;
            }

            map[parameter] = matches[0];
        }

        return ownerSeen && map.Count(m => m.Value is not null) == stateFields.Count ? map : null;
    }

    private static List<(ExpressionStatementSyntax Statement, ISymbol Field, ExpressionSyntax Value)> Run(SemanticModel model, BlockSyntax block, ExpressionStatementSyntax statement, ExpressionSyntax owner, List<ISymbol> stateFields)
    {
        var statements = block.Statements;
        var index = statements.IndexOf(statement);
        var first = index;
        while (first > 0 && StateWrite(model, statements[first - 1], owner, stateFields) is not null)
        {
            first--;
        }

        var run = new List<(ExpressionStatementSyntax, ISymbol, ExpressionSyntax)>();
        for (var i = first; i < statements.Count && StateWrite(model, statements[i], owner, stateFields) is { } write; i++)
        {
            run.Add(((ExpressionStatementSyntax)statements[i], write.Field, write.Value));
        }

        return run;
    }

    private static (ISymbol Field, ExpressionSyntax Value)? StateWrite(SemanticModel model, StatementSyntax statement, ExpressionSyntax owner, List<ISymbol> stateFields)
    {
        if (statement is ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: MemberAccessExpressionSyntax target } assignment }
            && SyntaxFactory.AreEquivalent(target.Expression, owner)
            && model.GetSymbolInfo(target).Symbol is { } field
            && stateFields.Contains(field.OriginalDefinition, SymbolEqualityComparer.Default))
        {
            return (field.OriginalDefinition, assignment.Right);
        }

        return null;
    }

    private static bool ReadsStateField(SemanticModel model, ExpressionSyntax value, List<ISymbol> stateFields) =>
        value.DescendantNodesAndSelf().OfType<SimpleNameSyntax>().Any(name =>
            model.GetSymbolInfo(name).Symbol is { } symbol && stateFields.Contains(symbol.OriginalDefinition, SymbolEqualityComparer.Default));

    private static CodeFixPlan? PlanRealloc(SemanticModel model, ExpressionStatementSyntax statement, ExpressionSyntax owner, ISymbol maskField, ExpressionSyntax features, SyntaxGenerator generator, out string callee)
    {
        callee = "";
        var maskType = TypeOf(maskField);
        var ownerType = maskField.ContainingType;
        if (maskType is null || AtomicContextMayBeHeld(model, statement))
        {
            return null; // A call that may sleep there would trade this bug for FPU0001's.
        }

        foreach (var method in new ContractMethods().Near(ownerType, ContractAttributes.MaySleep))
        {
            if (method.Parameters.Length != 2 || method.IsGenericMethod || !ReceiverFinder.Is(method.Parameters[1].Type, maskType)
                || method.Parameters[0].Type is not INamedTypeSymbol subjectType)
            {
                continue;
            }

            var subject = ReceiverFinder.Is(ownerType, subjectType) ? owner.WithoutTrivia() : ReceiverFinder.Find(model, statement.SpanStart, subjectType, new[] { owner });
            if (subject is null)
            {
                continue;
            }

            var target = Target(model, statement.SpanStart, method, generator, owner);
            if (target is null)
            {
                continue;
            }

            callee = $"{method.ContainingType.Name}.{method.Name}";
            var call = SyntaxFactory.ExpressionStatement((ExpressionSyntax)generator.InvocationExpression(target, generator.Argument(subject), generator.Argument(features.WithoutTrivia())))
                .WithTriviaFrom(statement);
            return new CodeFixPlan(ImmutableArray.Create<SyntaxNode>(statement), call);
        }

        return null;
    }

    // Conservative: the method that holds the statement enters, exits or asserts a context anywhere, or requires one.
    private static bool AtomicContextMayBeHeld(SemanticModel model, StatementSyntax statement)
    {
        var member = statement.Ancestors().LastOrDefault(a => a is MemberDeclarationSyntax and not BaseTypeDeclarationSyntax and not BaseNamespaceDeclarationSyntax) ?? statement;
        var contracts = new MethodContracts();
        if (model.GetDeclaredSymbol(member) is IMethodSymbol method && contracts.Of(method).Requires.Length > 0)
        {
            return true;
        }

        return member.DescendantNodes().Any(node => node switch
        {
            LocalFunctionStatementSyntax local => model.GetDeclaredSymbol(local) is IMethodSymbol inner && contracts.Of(inner).Requires.Length > 0,
            InvocationExpressionSyntax invocation => model.GetSymbolInfo(invocation).Symbol is IMethodSymbol callee && contracts.Of(callee).ChangesContext,
            _ => false,
        });
    }

    private static SyntaxNode? Target(SemanticModel model, int position, IMethodSymbol method, SyntaxGenerator generator, params ExpressionSyntax[] hints)
    {
        if (method.IsStatic)
        {
            return generator.MemberAccessExpression(generator.TypeExpression(method.ContainingType), method.Name);
        }

        var receiver = ReceiverFinder.Find(model, position, method.ContainingType, hints);
        return receiver is null ? null : generator.MemberAccessExpression(receiver, method.Name);
    }

    private static ITypeSymbol? TypeOf(ISymbol member) => member switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => null,
    };
}
