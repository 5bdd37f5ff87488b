using System.Collections.Immutable;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Rules;

/// <summary>FPU0003: an [FpuStateField] member written outside the [FpuStateSwapHelper] method.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FpuStateWrittenOutsideSwapHelperAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleDescriptors.FpuStateWrittenOutsideSwapHelper);

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
                // Syntax first: only a block that writes a member named like a state field is bound and walked.
                if (!index.MayInvolve(block.CodeBlock, ContractRole.StateField))
                {
                    return;
                }

                foreach (var root in FlowRoots.Of(block.CodeBlock, block.OwningSymbol, block.SemanticModel, block.CancellationToken))
                {
                    foreach (var operation in root.DescendantsAndSelf())
                    {
                        if (operation is IMemberReferenceOperation { Kind: OperationKind.FieldReference or OperationKind.PropertyReference } reference)
                        {
                            analysis.AnalyzeReference(reference, block.OwningSymbol, block.ReportDiagnostic);
                        }
                    }
                }
            });
        });
    }

    private sealed class Analysis
    {
        private readonly ContractMethods _contractMethods = new();

        public void AnalyzeReference(IMemberReferenceOperation reference, ISymbol owner, System.Action<Diagnostic> report)
        {
            var member = reference.Member.OriginalDefinition;
            if (!ContractAttributes.Has(member, ContractAttributes.FpuStateField)
                || !StateFieldWrites.IsWrite(reference)
                || StateFieldWrites.IsAllowedWriter(owner, member))
            {
                return;
            }

            var helpers = _contractMethods.SwapHelpersFor(member.ContainingType);
            var helper = helpers.Length == 1 ? $" '{helpers[0].ContainingType.Name}.{helpers[0].Name}'" : "";
            report(Diagnostic.Create(
                RuleDescriptors.FpuStateWrittenOutsideSwapHelper,
                reference.Syntax.GetLocation(),
                $"{member.ContainingType.Name}.{member.Name}",
                helper));
        }
    }
}
