using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Flow;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState;

/// <summary>FPU0002: a [FreesMemory] call whose argument is, or may still be, a task's [DefaultFpuState].</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FreeOfDefaultFpuStateAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleDescriptors.FreeOfDefaultFpuState, RuleDescriptors.AnalysisCutShort);

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
        private readonly FpuStateMembers _members = new();
        private readonly HelperSummaries _summaries = new();
        private readonly ContractIndex _index;

        public Analysis(ContractIndex index) => _index = index;

        // Not cached: the compiler keeps a symbol's attributes, and a cache shared by the threads costs more in locks.
        private static bool IsFree(IMethodSymbol method) =>
            ContractAttributes.Has(method.ReducedFrom ?? method.OriginalDefinition, ContractAttributes.FreesMemory);

        private static bool IsSwapHelper(IMethodSymbol method) =>
            ContractAttributes.Has(method.OriginalDefinition, ContractAttributes.FpuStateSwapHelper);

        public void OnBlock(CodeBlockAnalysisContext context)
        {
            // Syntax first, then a walk of the operations: only a block that frees a state-looking value pays for
            // a control-flow graph, and only one that calls a freeing name is bound at all.
            if (!_index.MayInvolve(context.CodeBlock, ContractRole.FreesMemory))
            {
                return;
            }

            try
            {
                // Then the same question on syntax and symbols, loosely, before the exact one on operations: most frees
                // free what an allocation or the swap helper returned, or a state the check right above them guards,
                // and asking for one operation builds the tree of the whole member.
                if (!MayFreeState(context.CodeBlock, context.SemanticModel, context.CancellationToken))
                {
                    return;
                }

                // Reported once the analysis is complete: a cut-short one answers for the whole block instead.
                var found = new List<Diagnostic>();
                string? summaryBound = null;
                var roots = FlowRoots.Of(context.CodeBlock, context.OwningSymbol, context.SemanticModel, context.CancellationToken);
                foreach (var root in roots)
                {
                    if (MayFreeState(root))
                    {
                        var analysis = new DefaultStateFlowAnalysis(_members, IsFree, IsSwapHelper, found.Add, _summaries);
                        analysis.Analyze(FlowRoots.Graph(root, context.CancellationToken), context.CancellationToken);
                        if (analysis.CutShort is { } reason)
                        {
                            ReportConservatively(context, reason);
                            return;
                        }

                        if (analysis.SummaryBound is { } bound && summaryBound is null)
                        {
                            summaryBound = bound;
                            found.Add(Diagnostic.Create(RuleDescriptors.AnalysisCutShort, context.OwningSymbol.Locations.FirstOrDefault() ?? Location.None,
                                "The default-state analysis (FPU0002)", context.OwningSymbol.Name, bound,
                                "a helper beyond the bound is taken to return a default state and to write every state it reaches"));
                        }
                    }
                }

                found.ForEach(context.ReportDiagnostic);
            }
            catch (InsufficientExecutionStackException)
            {
                ReportConservatively(context, AnalysisBounds.TooDeep);
            }
        }

        // Every free whose argument may hold the default state by syntax and symbols (the loose question above,
        // answered by a work list, not recursion) is reported: no guard of it could be followed.
        private void ReportConservatively(CodeBlockAnalysisContext context, string reason)
        {
            foreach (var (free, method) in FreesThatMayTakeState(context.CodeBlock, context.SemanticModel, context.CancellationToken))
            {
                var argument = free.ArgumentList.Arguments.FirstOrDefault()?.Expression.ToString() ?? method.Name;
                context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.FreeOfDefaultFpuState, free.GetLocation(), method.Name, argument,
                    " (FpuGuard could not follow its guards: " + reason + ")"));
            }

            context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AnalysisCutShort, context.OwningSymbol.Locations.FirstOrDefault() ?? Location.None,
                "The default-state analysis (FPU0002)", context.OwningSymbol.Name, reason,
                "every free in it whose argument may hold a default state is reported"));
        }

        // Whether a free in the root takes a value that may be the default state: a state member, a value built from
        // one (a conditional, a tuple, a `with` copy, a member of a variable that holds one), a variable that some
        // assignment in the root gives one, or a variable or helper result the analysis must read to know. Only then
        // can the flow analysis report anything, so only then is its control-flow graph built: most frees free what
        // an allocation or the swap helper returned.
        private bool MayFreeState(IOperation root)
        {
            HashSet<ISymbol>? carriers = null;
            foreach (var operation in root.Descendants())
            {
                if (operation is IInvocationOperation call && IsFree(call.TargetMethod)
                    && call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value is { } freed
                    && MayCarry(freed, carriers ??= StateCarriers(root)))
                {
                    return true;
                }
            }

            return false;
        }

        // A work list over the shapes a state flows through inside one expression.
        private bool MayCarry(IOperation value, HashSet<ISymbol> carriers)
        {
            var pending = new Stack<IOperation>();
            pending.Push(value);
            while (pending.Count > 0)
            {
                switch (AccessPath.Strip(pending.Pop()))
                {
                    case IMemberReferenceOperation member when MayHoldDefault(member.Member):
                        return true;
                    case IMemberReferenceOperation { Instance: { } instance }:
                        pending.Push(instance);
                        break;
                    case ILocalReferenceOperation local when carriers.Contains(local.Local) || local.Local.IsRef || !DeclaredPlainly(local.Local):
                        return true;
                    case IParameterReferenceOperation parameter when carriers.Contains(parameter.Parameter):
                        return true;
                    case IConditionalAccessOperation:
                        return true;
                    case IInvocationOperation call when !call.TargetMethod.DeclaringSyntaxReferences.IsEmpty && !IsSwapHelper(call.TargetMethod):
                        return true;
                    case IInvocationOperation { TargetMethod.Name: "<Clone>$", Instance: { } cloned }:
                        pending.Push(cloned);
                        break;
                    case IConditionalOperation conditional:
                        pending.Push(conditional.WhenTrue);
                        if (conditional.WhenFalse is { } whenFalse)
                        {
                            pending.Push(whenFalse);
                        }

                        break;
                    case ICoalesceOperation coalesce:
                        pending.Push(coalesce.Value);
                        pending.Push(coalesce.WhenNull);
                        break;
                    case ITupleOperation tuple:
                        tuple.Elements.ToList().ForEach(pending.Push);
                        break;
                    case ISwitchExpressionOperation switchExpression:
                        switchExpression.Arms.Select(a => a.Value).ToList().ForEach(pending.Push);
                        break;
                    case IWithOperation with:
                        pending.Push(with.Operand);
                        pending.Push(with.Initializer);
                        break;
                    case IObjectCreationOperation creation:
                        creation.Arguments.Select(a => a.Value).ToList().ForEach(pending.Push);
                        if (creation.Initializer is { } members)
                        {
                            pending.Push(members);
                        }

                        break;
                    case IObjectOrCollectionInitializerOperation initializer:
                        initializer.Initializers.ToList().ForEach(pending.Push);
                        break;
                    case ISimpleAssignmentOperation assignment:
                        pending.Push(assignment.Value);
                        break;
                    case { } element when DefaultStateFlowAnalysis.InlineArrayReceiver(element) is { } array:
                        pending.Push(array);
                        break;
                    case { Kind: OperationKind.None or OperationKind.Invalid }:
                        return true; // code being typed, or a form the 4.8 operations do not model: left to the analysis
                }
            }

            return false;
        }

        // Declared by `var x = ...` or `T x;`: its values are the assignments the walk sees. A pattern, deconstruction,
        // out or foreach variable gets its value elsewhere: the analysis decides.
        private static bool DeclaredPlainly(ILocalSymbol local) =>
            local.DeclaringSyntaxReferences.Length == 1 && local.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax;

        // A superset of the operation-tree answer below, on syntax and symbols: every argument of a free (and an
        // extension's receiver) counts, and a local or parameter counts when a value assigned to its name (by a
        // simple assignment or an initializer, anywhere in the block) may hold the default state, or when it is
        // given a value some other way. A free the kernel's guard idiom proves safe (GuardedFree) does not count:
        // the flow analysis would agree.
        private bool MayFreeState(SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken)
        {
            foreach (var (invocation, method) in FreesThatMayTakeState(codeBlock, model, cancellationToken))
            {
                if (!GuardedFree.IsProvenSafe(invocation, method, model, cancellationToken))
                {
                    return true;
                }
            }

            return false;
        }

        private IEnumerable<(InvocationExpressionSyntax Free, IMethodSymbol Method)> FreesThatMayTakeState(SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken)
        {
            foreach (var invocation in codeBlock.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if ((_index.RolesOf(BlockSyntaxFacts.CalledName(invocation) ?? "") & ContractRole.FreesMemory) != 0
                    && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method && IsFree(method)
                    && MayTakeState(invocation, method, codeBlock, model, cancellationToken))
                {
                    yield return (invocation, method);
                }
            }
        }

        private bool MayTakeState(InvocationExpressionSyntax invocation, IMethodSymbol method, SyntaxNode codeBlock, SemanticModel model, CancellationToken cancellationToken)
        {
            var freed = invocation.ArgumentList.Arguments.Select(a => a.Expression);
            if (method.ReducedFrom is not null && invocation.Expression is MemberAccessExpressionSyntax member)
            {
                freed = freed.Append(member.Expression);
            }

            var seen = new HashSet<string>();
            var values = new Stack<ExpressionSyntax>(freed);
            while (values.Count > 0)
            {
                var value = Strip(values.Pop());
                switch (value)
                {
                    case ConditionalExpressionSyntax conditional:
                        values.Push(conditional.WhenTrue);
                        values.Push(conditional.WhenFalse);
                        continue;
                    case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.CoalesceExpression } coalesce:
                        values.Push(coalesce.Left);
                        values.Push(coalesce.Right);
                        continue;
                    case TupleExpressionSyntax tuple:
                        tuple.Arguments.Select(a => a.Expression).ToList().ForEach(values.Push);
                        continue;
                    case SwitchExpressionSyntax switchExpression:
                        switchExpression.Arms.Select(a => a.Expression).ToList().ForEach(values.Push);
                        continue;
                    case RefExpressionSyntax reference:
                        values.Push(reference.Expression);
                        continue;
                    case WithExpressionSyntax with:
                        values.Push(with.Expression);
                        with.Initializer.Expressions.ToList().ForEach(values.Push);
                        continue;
                    case BaseObjectCreationExpressionSyntax creation:
                        (creation.ArgumentList?.Arguments.Select(a => a.Expression) ?? Enumerable.Empty<ExpressionSyntax>()).ToList().ForEach(values.Push);
                        creation.Initializer?.Expressions.ToList().ForEach(values.Push);
                        continue;
                    case AssignmentExpressionSyntax assignment:
                        values.Push(assignment.Right);
                        continue;
                    case ElementAccessExpressionSyntax element:
                        values.Push(element.Expression); // an inline array's element: the array decides
                        continue;
                    case ConditionalAccessExpressionSyntax:
                        return true;
                    case InvocationExpressionSyntax call:
                        if (model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { DeclaringSyntaxReferences.IsEmpty: false } helper && !IsSwapHelper(helper))
                        {
                            return true; // a helper of this compilation: its summary decides
                        }

                        continue;
                    case IdentifierNameSyntax or MemberAccessExpressionSyntax:
                        break;
                    default:
                        continue; // A creation, a literal: what it gives is not a state member.
                }

                switch (model.GetSymbolInfo(value, cancellationToken))
                {
                    case { Symbol: IFieldSymbol or IPropertySymbol } reference when MayHoldDefault(reference.Symbol!):
                        return true;
                    case { Symbol: IFieldSymbol or IPropertySymbol } when value is MemberAccessExpressionSyntax { Expression: { } owner }:
                        values.Push(owner); // a tuple element or a record member: what the variable holds decides
                        break;
                    case { Symbol: ILocalSymbol local } when local.IsRef || !DeclaredPlainly(local):
                        return true;
                    case { Symbol: ILocalSymbol or IParameterSymbol } variable when seen.Add(variable.Symbol!.Name):
                        if (PushAssignedValues(codeBlock, variable.Symbol!.Name, values))
                        {
                            return true;
                        }

                        break;
                    case { Symbol: null, CandidateSymbols.IsEmpty: false }:
                        return true; // Code being typed: left to the analysis proper.
                }
            }

            return false;
        }

        // The values the block assigns to the simple name: initializers and simple assignments; true when it is also
        // written some other way (deconstructed into, passed out or by ref). Read per name, as a free's argument is
        // usually one variable: a table of every name the block assigns cost more than walking.
        private static bool PushAssignedValues(SyntaxNode codeBlock, string name, Stack<ExpressionSyntax> values)
        {
            foreach (var node in codeBlock.DescendantNodes())
            {
                switch (node)
                {
                    case VariableDeclaratorSyntax { Initializer: { } initializer } declarator when declarator.Identifier.ValueText == name:
                        values.Push(initializer.Value);
                        break;
                    case AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: IdentifierNameSyntax target } assignment when target.Identifier.ValueText == name:
                        values.Push(assignment.Right);
                        break;
                    case AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression, Left: ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax array } } element
                        when array.Identifier.ValueText == name:
                        values.Push(element.Right); // an inline array's element: the array holds what any element does
                        break;
                    case AssignmentExpressionSyntax { Left: TupleExpressionSyntax targets }
                        when targets.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == name):
                        return true;
                    case ArgumentSyntax { RefKindKeyword.RawKind: not 0, Expression: IdentifierNameSyntax passed } when passed.Identifier.ValueText == name:
                        return true;
                }
            }

            return false;
        }

        private static ExpressionSyntax Strip(ExpressionSyntax value) => BlockSyntaxFacts.Strip(value, casts: true);

        private bool MayHoldDefault(ISymbol member) => FpuStateMembers.IsDefaultMember(member) || _members.CanHoldDefault(member);

        // The locals and parameters assigned a value that may carry a state (the default state's included), anywhere
        // in the root; and those written some other way (deconstructed into, passed out or by ref), whose values the
        // analysis decides.
        private HashSet<ISymbol> StateCarriers(IOperation root)
        {
            var carriers = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var assignments = new List<(ISymbol Variable, IOperation Value)>();
            foreach (var operation in root.Descendants())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                        assignments.Add((declarator.Symbol, initializer.Value));
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                        assignments.Add((local.Local, assignment.Value));
                        break;
                    case ISimpleAssignmentOperation { Target: IParameterReferenceOperation parameter } assignment:
                        assignments.Add((parameter.Parameter, assignment.Value));
                        break;
                    case ISimpleAssignmentOperation assignment when DefaultStateFlowAnalysis.InlineArrayReceiver(assignment.Target) is ILocalReferenceOperation array:
                        assignments.Add((array.Local, assignment.Value));
                        break;
                    case IDeconstructionAssignmentOperation deconstruction:
                        foreach (var written in deconstruction.Target.DescendantsAndSelf())
                        {
                            if (written is ILocalReferenceOperation or IParameterReferenceOperation)
                            {
                                carriers.Add(written is ILocalReferenceOperation l ? l.Local : ((IParameterReferenceOperation)written).Parameter);
                            }
                        }

                        break;
                    case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } argument:
                        switch (AccessPath.Strip(argument.Value))
                        {
                            case ILocalReferenceOperation local:
                                carriers.Add(local.Local);
                                break;
                            case IParameterReferenceOperation parameter:
                                carriers.Add(parameter.Parameter);
                                break;
                        }

                        break;
                }
            }

            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var (variable, value) in assignments)
                {
                    changed |= !carriers.Contains(variable) && MayCarry(value, carriers) && carriers.Add(variable);
                }
            }

            return carriers;
        }
    }
}
