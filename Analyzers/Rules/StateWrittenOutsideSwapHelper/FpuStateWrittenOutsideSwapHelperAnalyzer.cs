using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using Microsoft.CodeAnalysis;
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
            start.RegisterCodeBlockAction(block =>
            {
                // Syntax first: only a block that writes a member named like a state field is walked, and only its
                // writes of such names are bound. No operation tree: asking for one builds the whole member's.
                if (!index.MayInvolve(block.CodeBlock, ContractRole.StateField))
                {
                    return;
                }

                try
                {
                    foreach (var node in ExecutableSyntax.Of(block.CodeBlock, block.OwningSymbol).SelectMany(n => n.DescendantNodesAndSelf()))
                    {
                        if ((BlockSyntaxFacts.RoleOf(node, index) & ContractRole.StateField) == 0)
                        {
                            continue;
                        }

                        foreach (var target in StateFieldWrites.Targets(node, block.SemanticModel, block.CancellationToken))
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
