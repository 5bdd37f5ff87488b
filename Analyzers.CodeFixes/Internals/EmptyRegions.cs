using System.Collections.Generic;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.CodeFixes.Internals;

/// <summary>
/// An atomic region a fix moved every statement out of is removed with it: a <c>using</c> of a scope with an
/// empty block, or an entering call followed at once by its exit. A fix marks the region it edits; after all the
/// fixes of a run are applied (one, or FixAll's many), the marked regions that are empty go. Only a region whose
/// entry does nothing but enter (a call on a plain receiver with side-effect-free arguments) is marked.
/// </summary>
internal static class EmptyRegions
{
    private const string Kind = "FpuGuard.EmptyRegion";

    /// <summary>The nodes to mark for the region that starts at <paramref name="start"/> (none when it may not go).</summary>
    public static IReadOnlyList<(SyntaxNode Node, SyntaxAnnotation Mark)> Marks(
        SemanticModel model, StatementSyntax start, BlockSyntax body, HashSet<AtomicContextKind> held, MethodContracts contracts, CancellationToken cancellationToken)
    {
        var id = start.SpanStart.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var none = new List<(SyntaxNode, SyntaxAnnotation)>();
        if (start is UsingStatementSyntax usingStatement)
        {
            var resource = usingStatement.Expression
                ?? (usingStatement.Declaration is { Variables: { Count: 1 } variables } ? variables[0].Initializer?.Value : null);
            return resource is InvocationExpressionSyntax call && OnlyEnters(model, call, cancellationToken) && !HasComments(start)
                ? new List<(SyntaxNode, SyntaxAnnotation)> { (start, new SyntaxAnnotation(Kind, id)) }
                : none;
        }

        if (start is not ExpressionStatementSyntax { Expression: InvocationExpressionSyntax enter } || !OnlyEnters(model, enter, cancellationToken)
            || model.GetSymbolInfo(enter, cancellationToken).Symbol is not IMethodSymbol entering)
        {
            return none;
        }

        // The exit: the first later statement of the block that changes a context, if it leaves exactly what the entry entered.
        var entered = new HashSet<AtomicContextKind>(contracts.Of(entering).Enters);
        foreach (var later in body.Statements.SkipWhile(s => s != start).Skip(1))
        {
            var changing = later.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>()
                .Select(i => model.GetSymbolInfo(i, cancellationToken).Symbol).OfType<IMethodSymbol>().Where(m => contracts.Of(m).ChangesContext).ToList();
            if (changing.Count == 0)
            {
                continue;
            }

            var isExit = later is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 } exit }
                && changing.Count == 1 && contracts.Of(changing[0]) is { Enters.Length: 0, Asserts.Length: 0 } exitContract
                && entered.SetEquals(exitContract.Exits) && held.IsSubsetOf(entered)
                && SameReceiver(enter, exit) && !HasComments(start) && !HasComments(later);
            return isExit
                ? new List<(SyntaxNode, SyntaxAnnotation)> { (start, new SyntaxAnnotation(Kind, id)), (later, new SyntaxAnnotation(Kind, id)) }
                : none;
        }

        return none;
    }

    /// <summary>Removes the marked regions that are empty now.</summary>
    public static SyntaxNode RemoveEmpty(SyntaxNode root)
    {
        var remove = new List<SyntaxNode>();
        foreach (var region in root.GetAnnotatedNodes(Kind).Distinct().GroupBy(n => n.GetAnnotations(Kind).First().Data))
        {
            var nodes = region.ToList();
            if (nodes.Count == 1 && nodes[0] is UsingStatementSyntax { Statement: BlockSyntax { Statements.Count: 0 } } usingStatement && !HasComments(usingStatement))
            {
                remove.Add(usingStatement);
            }
            else if (nodes.Count == 2 && nodes[0].Parent is BlockSyntax block && nodes[1].Parent == block
                && block.Statements.IndexOf((StatementSyntax)nodes[1]) == block.Statements.IndexOf((StatementSyntax)nodes[0]) + 1)
            {
                remove.AddRange(nodes);
            }
        }

        return remove.Count == 0 ? root : root.RemoveNodes(remove, SyntaxRemoveOptions.KeepNoTrivia)!;
    }

    private static bool OnlyEnters(SemanticModel model, InvocationExpressionSyntax call, CancellationToken cancellationToken) =>
        call.Expression switch
        {
            MemberAccessExpressionSyntax access => ReceiverFinder.IsStable(access.Expression),
            IdentifierNameSyntax => true,
            _ => false,
        }
        && call.ArgumentList.Arguments.All(a => a.RefKindKeyword.IsKind(SyntaxKind.None) && SideEffects.None(model, a.Expression, cancellationToken));

    private static bool SameReceiver(InvocationExpressionSyntax enter, InvocationExpressionSyntax exit) => (enter.Expression, exit.Expression) switch
    {
        (MemberAccessExpressionSyntax a, MemberAccessExpressionSyntax b) => SyntaxFactory.AreEquivalent(a.Expression, b.Expression),
        (IdentifierNameSyntax, IdentifierNameSyntax) => true,
        _ => false,
    };

    private static bool HasComments(SyntaxNode node) =>
        node.DescendantTrivia(descendIntoTrivia: true).Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia)
            || t.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || t.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia) || t.IsDirective);
}
