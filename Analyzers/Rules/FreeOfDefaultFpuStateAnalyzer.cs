using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
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
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.FreesMemory)
                || !ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.DefaultFpuState))
            {
                return;
            }

            var analysis = new Analysis();
            start.RegisterOperationBlockStartAction(analysis.OnBlockStart);
        });
    }

    private sealed class Analysis
    {
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _frees = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _swaps = new(SymbolEqualityComparer.Default);
        private readonly FpuStateMembers _members = new();

        private bool IsFree(IMethodSymbol method) =>
            _frees.GetOrAdd(method.ReducedFrom ?? method.OriginalDefinition, m => ContractAttributes.Has(m, ContractAttributes.FreesMemory));

        private bool IsSwapHelper(IMethodSymbol method) =>
            _swaps.GetOrAdd(method.OriginalDefinition, m => ContractAttributes.Has(m, ContractAttributes.FpuStateSwapHelper));

        public void OnBlockStart(OperationBlockStartAnalysisContext context)
        {
            // Cheap filter first: only a block that frees a state-looking value pays for a control-flow graph.
            var candidates = new Flag();
            context.RegisterOperationAction(
                operation =>
                {
                    var invocation = (IInvocationOperation)operation.Operation;
                    if (IsFree(invocation.TargetMethod) && MayBeState(invocation))
                    {
                        candidates.Set();
                    }
                },
                OperationKind.Invocation);
            context.RegisterOperationBlockEndAction(end =>
            {
                if (!candidates.IsSet)
                {
                    return;
                }

                foreach (var root in FlowRoots.Of(end.OperationBlocks))
                {
                    new DefaultStateFlowAnalysis(_members, IsFree, IsSwapHelper, end.ReportDiagnostic).Analyze(end.GetControlFlowGraph(root));
                }
            });
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

    private sealed class Flag
    {
        private int _set;

        public bool IsSet => Volatile.Read(ref _set) != 0;

        public void Set() => Volatile.Write(ref _set, 1);
    }
}
