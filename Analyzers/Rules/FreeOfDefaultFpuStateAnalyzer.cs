using System.Collections.Concurrent;
using System.Collections.Generic;
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
            foreach (var root in roots)
            {
                if (MayFreeState(root))
                {
                    new DefaultStateFlowAnalysis(_members, IsFree, IsSwapHelper, context.ReportDiagnostic).Analyze(FlowRoots.Graph(root, context.CancellationToken));
                }
            }
        }

        // Whether a free in the root takes a value that may be the default state: a state member, or a local or
        // parameter that some assignment in the root gives one (directly or through another such variable). Only
        // then can the flow analysis report anything, so only then is its control-flow graph built: most frees
        // free what an allocation or the swap helper returned.
        private bool MayFreeState(IOperation root)
        {
            HashSet<ISymbol>? carriers = null;
            foreach (var operation in root.Descendants())
            {
                if (operation is not IInvocationOperation call || !IsFree(call.TargetMethod))
                {
                    continue;
                }

                switch (AccessPath.Strip(call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value))
                {
                    case IMemberReferenceOperation member when MayHoldDefault(member.Member):
                        return true;
                    case ILocalReferenceOperation local when (carriers ??= StateCarriers(root)).Contains(local.Local):
                        return true;
                    case IParameterReferenceOperation parameter when (carriers ??= StateCarriers(root)).Contains(parameter.Parameter):
                        return true;
                }
            }

            return false;
        }

        private bool MayHoldDefault(ISymbol member) => FpuStateMembers.IsDefaultMember(member) || _members.CanHoldDefault(member);

        // The locals and parameters assigned a state member's value (the default state's included), or another
        // carrier's, anywhere in the root.
        private HashSet<ISymbol> StateCarriers(IOperation root)
        {
            var assignments = new List<(ISymbol Variable, IOperation? Value)>();
            foreach (var operation in root.Descendants())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                        assignments.Add((declarator.Symbol, AccessPath.Strip(initializer.Value)));
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                        assignments.Add((local.Local, AccessPath.Strip(assignment.Value)));
                        break;
                    case ISimpleAssignmentOperation { Target: IParameterReferenceOperation parameter } assignment:
                        assignments.Add((parameter.Parameter, AccessPath.Strip(assignment.Value)));
                        break;
                }
            }

            var carriers = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var (variable, value) in assignments)
                {
                    var carries = value switch
                    {
                        IMemberReferenceOperation member => MayHoldDefault(member.Member),
                        ILocalReferenceOperation local => carriers.Contains(local.Local),
                        IParameterReferenceOperation parameter => carriers.Contains(parameter.Parameter),
                        _ => false,
                    };
                    changed |= carries && carriers.Add(variable);
                }
            }

            return carriers;
        }
    }
}
