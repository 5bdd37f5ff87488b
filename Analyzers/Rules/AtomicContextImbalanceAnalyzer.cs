using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Rules;

/// <summary>
/// FPU0004: an atomic context still held when the method returns on some path, or exited where it may not be
/// held (sparse's "context imbalance"), unless the method is itself [EntersAtomicContext]/[ExitsAtomicContext].
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AtomicContextImbalanceAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(RuleDescriptors.AtomicContextImbalance);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodePolicy.Flags);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.EntersAtomicContext, ContractAttributes.ExitsAtomicContext, ContractAttributes.RequiresAtomicContext))
            {
                return;
            }

            // The analysis FPU0001 runs on these methods: whichever of the two rules runs second reuses the first's.
            var shared = SharedContextFlow.For(start.Compilation, start.Options, start.CancellationToken);
            start.RegisterCodeBlockAction(block =>
            {
                if (block.OwningSymbol is not IMethodSymbol owner)
                {
                    return;
                }

                SharedContextFlow.BlockFlow flow;
                try
                {
                    // Syntax first: a block that calls no context-changing name is left before it is even bound.
                    if (!shared.MayChangeContext(block.CodeBlock, block.SemanticModel, block.CancellationToken))
                    {
                        return;
                    }

                    // Using-scope Dispose calls only appear with an entering call before them.
                    flow = shared.Of(block.CodeBlock, owner, block.SemanticModel, mayChangeContext: true, analyseAnyway: false, block.CancellationToken);
                }
                catch (System.InsufficientExecutionStackException)
                {
                    return; // FPU0001's analyzer says so (FPU0007): an imbalance is claimed only on a finished analysis.
                }

                if (!flow.ChangesContext || flow.Results!.Any(r => r.ReadsUnreadableContract))
                {
                    return; // An unreadable contract (FPU0006) leaves the contexts unknown: no conclusions.
                }

                foreach (var result in flow.Results!)
                {
                    if (result.CutShort is not null)
                    {
                        continue;
                    }

                    foreach (var (exit, kind) in result.ExitsWithoutEntry)
                    {
                        block.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AtomicContextImbalance, exit.GetLocation(),
                            $"'{owner.Name}' exits {MethodContracts.KindName(kind)} here, where on some path it was not entered"));
                    }

                    foreach (var kind in result.HeldAtReturn)
                    {
                        block.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AtomicContextImbalance, owner.Locations[0],
                            $"'{owner.Name}' may return with {MethodContracts.KindName(kind)} still held: {MethodContracts.Describe(kind)} on some path out of it"));
                    }
                }
            });
        });
    }
}
