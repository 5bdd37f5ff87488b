using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace FpuGuard.Analyzers.CodeFixes.Internals;

/// <summary>
/// One edit a fix makes: statements replaced by one new statement (or wrapped), or a custom edit of the
/// document (a move). Plans of FixAll are applied together, each statement edited once.
/// </summary>
internal sealed class CodeFixPlan
{
    private readonly System.Action<DocumentEditor>? _edit;

    public CodeFixPlan(ImmutableArray<SyntaxNode> replaced, SyntaxNode replacement)
    {
        Replaced = replaced;
        Replacement = replacement.WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);
    }

    /// <summary>A custom edit touching <paramref name="touched"/> (the first is the key FixAll de-duplicates on).</summary>
    public CodeFixPlan(ImmutableArray<SyntaxNode> touched, System.Action<DocumentEditor> edit)
    {
        Replaced = touched;
        Replacement = touched[0];
        _edit = edit;
    }

    public ImmutableArray<SyntaxNode> Replaced { get; }

    public SyntaxNode Replacement { get; }

    public static async Task<Document> ApplyAsync(Document document, IEnumerable<CodeFixPlan> plans, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<SyntaxNode>();
        foreach (var plan in plans.OrderBy(p => p.Replaced[0].SpanStart))
        {
            if (!seen.Add(plan.Replaced[0]) || (plan._edit is null && plan.Replaced.Skip(1).Any(seen.Contains)))
            {
                continue; // Another diagnostic of the same run made this edit already.
            }

            if (plan._edit is not null)
            {
                plan._edit(editor);
                continue;
            }

            editor.ReplaceNode(plan.Replaced[0], plan.Replacement);
            foreach (var extra in plan.Replaced.Skip(1))
            {
                seen.Add(extra);
                editor.RemoveNode(extra);
            }
        }

        var changed = document.WithSyntaxRoot(EmptyRegions.RemoveEmpty(editor.GetChangedRoot()));
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>FixAll for plan-based fixes: every diagnostic's plan in a document, applied in one edit.</summary>
internal sealed class PlanFixAllProvider : DocumentBasedFixAllProvider
{
    private readonly System.Func<Document, SyntaxNode, SemanticModel, Diagnostic, string, FixBatch, CancellationToken, CodeFixPlan?> _plan;

    private readonly System.Func<Document, CancellationToken, Task<object?>> _prepare;

    public PlanFixAllProvider(System.Func<Document, SyntaxNode, SemanticModel, Diagnostic, string, FixBatch, CancellationToken, CodeFixPlan?> plan, System.Func<Document, CancellationToken, Task<object?>> prepare)
    {
        _plan = plan;
        _prepare = prepare;
    }

    protected override async Task<Document?> FixAllAsync(FixAllContext fixAllContext, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        var cancellationToken = fixAllContext.CancellationToken;
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || fixAllContext.CodeActionEquivalenceKey is not { } key)
        {
            return document;
        }

        var batch = new FixBatch(await _prepare(document, cancellationToken).ConfigureAwait(false));
        var plans = diagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => _plan(document, root, model, d, key, batch, cancellationToken)).Where(p => p is not null).Select(p => p!).ToList();
        return plans.Count == 0 ? document : await CodeFixPlan.ApplyAsync(document, plans, cancellationToken).ConfigureAwait(false);
    }
}
