using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

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
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.EntersAtomicContext, ContractAttributes.ExitsAtomicContext, ContractAttributes.RequiresAtomicContext))
            {
                return;
            }

            var contracts = new MethodContracts();
            var flow = new AtomicContextFlowAnalysis(contracts, static (_, _) => false);
            var index = ContractIndex.For(start.Compilation);
            start.RegisterOperationBlockAction(end =>
            {
                // Syntax first: ordinary code never names a context-changing method and costs no more than this.
                if (end.OwningSymbol is not IMethodSymbol owner
                    || !index.MayInvolve(end.OperationBlocks.Select(b => b.Syntax), ContractRole.ChangesContext)
                    || !end.OperationBlocks.Any(b => b.Descendants().Any(o => o is IInvocationOperation call && contracts.Of(call.TargetMethod).ChangesContext)))
                {
                    return; // using-scope Dispose calls only appear with an entering call before them.
                }

                foreach (var root in FlowRoots.Of(end.OperationBlocks))
                {
                    var result = flow.Analyze(end.GetControlFlowGraph(root), owner);
                    foreach (var (exit, kind) in result.ExitsWithoutEntry)
                    {
                        end.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AtomicContextImbalance, exit.Syntax.GetLocation(),
                            $"'{owner.Name}' exits {MethodContracts.KindName(kind)} here, where on some path it was not entered"));
                    }

                    foreach (var kind in result.HeldAtReturn)
                    {
                        end.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AtomicContextImbalance, owner.Locations[0],
                            $"'{owner.Name}' may return with {MethodContracts.KindName(kind)} still held: {MethodContracts.Describe(kind)} on some path out of it"));
                    }
                }
            });
        });
    }
}
