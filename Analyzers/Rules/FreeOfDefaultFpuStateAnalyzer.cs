using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Rules;

/// <summary>FPU0002: a [FreesMemory] call whose argument is, or may still be, a task's [DefaultFpuState].</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FreeOfDefaultFpuStateAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleDescriptors.FreeOfDefaultFpuState);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodePolicy.Flags);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.FreesMemory)
                || !ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.DefaultFpuState))
            {
                return;
            }

            var analysis = new Analysis(ContractIndex.For(start.Compilation));
            start.RegisterCodeBlockAction(analysis.OnBlock);
        });
    }

    private sealed class Analysis
    {
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _frees = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _swaps = new(SymbolEqualityComparer.Default);
        private readonly FpuStateMembers _members = new();
        private readonly ContractIndex _index;

        public Analysis(ContractIndex index) => _index = index;

        private bool IsFree(IMethodSymbol method) =>
            _frees.GetOrAdd(method.ReducedFrom ?? method.OriginalDefinition, m => ContractAttributes.Has(m, ContractAttributes.FreesMemory));

        private bool IsSwapHelper(IMethodSymbol method) =>
            _swaps.GetOrAdd(method.OriginalDefinition, m => ContractAttributes.Has(m, ContractAttributes.FpuStateSwapHelper));

        public void OnBlock(CodeBlockAnalysisContext context)
        {
            // Syntax first, then a walk of the operations: only a block that frees a state-looking value pays for
            // a control-flow graph, and only one that calls a freeing name is bound at all.
            if (!_index.MayInvolve(context.CodeBlock, ContractRole.FreesMemory))
            {
                return;
            }

            var roots = FlowRoots.Of(context.CodeBlock, context.OwningSymbol, context.SemanticModel, context.CancellationToken);
            if (!roots.Any(b => b.Descendants().Any(o => o is IInvocationOperation call && IsFree(call.TargetMethod) && MayBeState(call))))
            {
                return;
            }

            foreach (var root in roots)
            {
                new DefaultStateFlowAnalysis(_members, IsFree, IsSwapHelper, context.ReportDiagnostic).Analyze(FlowRoots.Graph(root, context.CancellationToken));
            }
        }

        private bool MayBeState(IInvocationOperation invocation)
        {
            var value = AccessPath.Strip(invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value);
            return value switch
            {
                ILocalReferenceOperation => true,
                IMemberReferenceOperation member => FpuStateMembers.IsDefaultMember(member.Member) || _members.CanHoldDefault(member.Member),
                _ => false,
            };
        }
    }
}
