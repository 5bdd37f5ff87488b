using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper;

/// <summary>FPU0003: an [FpuStateField] member written outside the [FpuStateSwapHelper] method.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FpuStateWrittenOutsideSwapHelperAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleDescriptors.FpuStateWrittenOutsideSwapHelper, RuleDescriptors.AnalysisCutShort);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodePolicy.Flags);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.FpuStateField))
            {
                return;
            }

            var analysis = new Analysis();
            var index = ContractIndex.For(start.Compilation);
            var compilation = start.Compilation;
            var cancellation = start.CancellationToken;

            // A writable Span<T> over an inline array held by a state field is written without any write syntax
            // (Span<ulong> s = fpu.Registers;): names of such members are looked at wherever they appear. The
            // compilation's own state members are read once, when first needed; usually there are none.
            var viewable = new System.Lazy<(ImmutableHashSet<string> Names, NameMentions Mentions)>(() =>
            {
                var names = StateFieldWrites.NamesHoldingInlineArrays(compilation, name => (index.RolesOf(name) & ContractRole.StateField) != 0, cancellation);
                return (names, new NameMentions(names));
            });
            start.RegisterCodeBlockAction(block =>
            {
                // Syntax first: only a block that writes a member named like a state field, or names one that can be
                // viewed as a span, is walked, and only those names are bound. No operation tree: asking for one
                // builds the whole member's.
                var writes = index.MayInvolve(block.CodeBlock, ContractRole.StateField);
                var views = viewable.Value.Names.Count > 0 && viewable.Value.Mentions.In(block.CodeBlock);
                if (!writes && !views)
                {
                    return;
                }

                try
                {
                    foreach (var node in ExecutableSyntax.Of(block.CodeBlock, block.OwningSymbol).SelectMany(n => n.DescendantNodesAndSelf()))
                    {
                        var targets = (BlockSyntaxFacts.RoleOf(node, index) & ContractRole.StateField) != 0
                            ? StateFieldWrites.Targets(node, block.SemanticModel, block.CancellationToken)
                            : views && node is SimpleNameSyntax name && viewable.Value.Names.Contains(name.Identifier.ValueText)
                                ? StateFieldWrites.ViewTargets(name, block.SemanticModel, block.CancellationToken)
                                : Enumerable.Empty<ExpressionSyntax>();
                        foreach (var target in targets)
                        {
                            if (block.SemanticModel.GetSymbolInfo(target, block.CancellationToken).Symbol is { Kind: SymbolKind.Field or SymbolKind.Property } written)
                            {
                                // The lambda or local function the write is in, if any: whether it is the helper's depends on it.
                                var writer = block.SemanticModel.GetEnclosingSymbol(target.SpanStart, block.CancellationToken) ?? block.OwningSymbol;
                                analysis.AnalyzeWrite(written, target, writer, block.ReportDiagnostic);
                            }
                        }
                    }
                }
                catch (System.InsufficientExecutionStackException)
                {
                    block.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AnalysisCutShort, block.OwningSymbol.Locations.FirstOrDefault() ?? Location.None,
                        "The state-field write analysis (FPU0003)", block.OwningSymbol.Name, AnalysisBounds.TooDeep,
                        "writes after the point it reached are not reported"));
                }
            });
        });
    }

    private sealed class Analysis
    {
        private readonly ContractMethods _contractMethods = new();

        public void AnalyzeWrite(ISymbol written, Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax target, ISymbol owner, System.Action<Diagnostic> report)
        {
            var member = written.OriginalDefinition;
            if (!StateFieldWrites.IsStateMember(member) || StateFieldWrites.PropertyBackedBy(member) is not null
                || StateFieldWrites.IsAllowedWriter(owner, member, target))
            {
                return;
            }

            var helpers = _contractMethods.SwapHelpersFor(member.ContainingType);
            var helper = helpers.Length == 1 ? $" '{helpers[0].ContainingType.Name}.{helpers[0].Name}'" : "";
            report(Diagnostic.Create(
                RuleDescriptors.FpuStateWrittenOutsideSwapHelper,
                target.GetLocation(),
                $"{member.ContainingType.Name}.{member.Name}",
                helper));
        }
    }
}
