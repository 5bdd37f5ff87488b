using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace FpuGuard.Analyzers.CodeFixes.Internals;

/// <summary>
/// A fixer whose fixes are <see cref="CodeFixPlan"/>s, one kind per equivalence key: it registers each plan
/// that applies to a diagnostic, and FixAll applies every diagnostic's plan for the chosen key in one edit.
/// </summary>
public abstract class PlanCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence keys of the fixes, in the order they are offered.</summary>
    private protected abstract IEnumerable<string> Keys { get; }

    /// <summary>The plan of the fix <paramref name="key"/> for the diagnostic, and its title; null when it does not apply.</summary>
    private protected abstract CodeFixPlan? Plan(Document document, SyntaxNode root, SemanticModel model, Diagnostic diagnostic, string key, FixBatch batch, CancellationToken cancellationToken, out string title);

    /// <summary>
    /// What the fixes of a run need to know about the whole project, computed once before they are planned (see
    /// <see cref="FixBatch.Prepared"/>); null by default.
    /// </summary>
    private protected virtual Task<object?> PrepareAsync(Document document, CancellationToken cancellationToken) => Task.FromResult<object?>(null);

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() => new PlanFixAllProvider((d, r, m, diagnostic, key, batch, c) => Plan(d, r, m, diagnostic, key, batch, c, out _), PrepareAsync);

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        var prepared = await PrepareAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            foreach (var key in Keys)
            {
                if (Plan(context.Document, root, model, diagnostic, key, new FixBatch(prepared), context.CancellationToken, out var title) is { } plan)
                {
                    context.RegisterCodeFix(CodeAction.Create(title, c => CodeFixPlan.ApplyAsync(context.Document, new[] { plan }, c), key), diagnostic);
                }
            }
        }
    }
}

/// <summary>
/// What the fixes of one run (one fix, or FixAll's in a document, planned in source order) share: the statements
/// earlier plans move, which a later plan may move past because their order is kept.
/// </summary>
internal sealed class FixBatch
{
    public FixBatch(object? prepared = null) => Prepared = prepared;

    /// <summary>What the fixer's PrepareAsync computed for this run, before any plan: the same for one fix and for FixAll.</summary>
    public object? Prepared { get; }

    public HashSet<SyntaxNode> Moved { get; } = new();
}
