using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace FpuGuard.Robustness;

/// <summary>
/// Every FpuGuard analyzer and code-fix provider over one document in an ad-hoc workspace, with every
/// exception they throw recorded instead of lost. The document's text can be swapped cheaply.
/// </summary>
public sealed class AnalyzerHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(FpuGuard.Runtime.Kernel).Assembly.Location))
            .ToImmutableArray());

    private readonly AdhocWorkspace _workspace = new();
    private readonly DocumentId _documentId;

    public AnalyzerHarness()
    {
        Analyzers = typeof(Analyzers.RuleIdentifiers).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        Fixers = typeof(Analyzers.CodeFixes.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateFixer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        var project = _workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Create(), "Robustness", "Robustness", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: References.Value));
        _documentId = _workspace.AddDocument(project.Id, "Program.cs", SourceText.From("")).Id;
    }

    public ImmutableArray<DiagnosticAnalyzer> Analyzers { get; }

    public ImmutableArray<CodeFixProvider> Fixers { get; }

    /// <summary>The document with this text.</summary>
    public Document WithText(string text) => _workspace.CurrentSolution.WithDocumentText(_documentId, SourceText.From(text)).GetDocument(_documentId)!;

    /// <summary>Runs every analyzer; exceptions go to <paramref name="failures"/>.</summary>
    public async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document, ICollection<string> failures, CancellationToken cancellationToken = default)
    {
        var compilation = (await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!;
        var errors = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, analyzer, _) => errors.Enqueue($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var diagnostics = await compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var error in errors)
        {
            failures.Add(error);
        }

        foreach (var crash in diagnostics.Where(d => d.Id == "AD0001"))
        {
            failures.Add(crash.GetMessage());
        }

        return diagnostics.Where(d => d.Id.StartsWith("FPU", StringComparison.Ordinal)).ToImmutableArray();
    }

    /// <summary>Every code action every fixer offers for the diagnostic; exceptions go to <paramref name="failures"/>.</summary>
    public async Task<IReadOnlyList<CodeAction>> FixesAsync(Document document, Diagnostic diagnostic, ICollection<string> failures, CancellationToken cancellationToken = default)
    {
        var actions = new List<CodeAction>();
        foreach (var fixer in Fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
        {
            try
            {
                await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failures.Add($"{fixer.GetType().Name}.RegisterCodeFixesAsync on {diagnostic}: {exception}");
            }
        }

        return actions;
    }

    /// <summary>The document after applying the action, or null (with the exception recorded) when it throws.</summary>
    public static async Task<Document?> ApplyAsync(CodeAction action, Document document, ICollection<string> failures, CancellationToken cancellationToken = default)
    {
        try
        {
            var operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
            var apply = operations.OfType<ApplyChangesOperation>().FirstOrDefault();
            var changed = apply?.ChangedSolution.GetDocument(document.Id);
            if (changed is not null)
            {
                _ = await changed.GetTextAsync(cancellationToken).ConfigureAwait(false);
            }

            return changed;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            failures.Add($"code action '{action.Title}': {exception}");
            return null;
        }
    }
}
