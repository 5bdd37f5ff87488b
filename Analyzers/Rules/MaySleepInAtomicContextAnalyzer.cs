using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Rules;

/// <summary>
/// FPU0001: a call that may sleep reached where an atomic context may be held. Calls of [MaySleep] and
/// editorconfig-listed APIs, and awaits, are reported as the method is analysed (live in the IDE); calls of
/// methods of this compilation that may sleep several calls deep are reported when the compilation's call
/// graph is complete (compilation end).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MaySleepInAtomicContextAnalyzer : DiagnosticAnalyzer
{
    internal const string HeldProperty = "Held";
    internal const string RequiredProperty = "Required";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleDescriptors.MaySleepInAtomicContext, RuleDescriptors.MaySleepInAtomicContextInferred);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.EntersAtomicContext, ContractAttributes.RequiresAtomicContext, ContractAttributes.AssertsAtomicContext))
            {
                return;
            }

            var analysis = new Analysis(new MaySleepApis(start.Options.AnalyzerConfigOptionsProvider));
            start.RegisterOperationBlockStartAction(analysis.OnBlockStart);
            start.RegisterCompilationEndAction(end =>
            {
                foreach (var diagnostic in analysis.Graph.Resolve())
                {
                    end.ReportDiagnostic(diagnostic);
                }
            });
        });
    }

    private sealed class Analysis
    {
        // A method that touches no context holds none relative to its entry; sleep points never mutate it.
        private static readonly int[] NoDelta = new int[ContextCounts.Kinds];

        private readonly MethodContracts _contracts = new();
        private readonly MaySleepApis _apis;
        private readonly AtomicContextFlowAnalysis _flow;

        public Analysis(MaySleepApis apis)
        {
            _apis = apis;
            _flow = new AtomicContextFlowAnalysis(_contracts, apis.IsListed);
        }

        public SleepGraph Graph { get; } = new();

        public void OnBlockStart(OperationBlockStartAnalysisContext context)
        {
            if (context.OwningSymbol is not IMethodSymbol owner)
            {
                return;
            }

            // Cheap pass over every call: a method that never touches a context only contributes its sleep points.
            var points = new List<SleepPoint>();
            var usesContexts = _contracts.Of(owner).Requires.Length > 0;
            var gate = new object();
            context.RegisterOperationAction(
                operation =>
                {
                    var callee = operation.Operation switch
                    {
                        IInvocationOperation invocation => invocation.TargetMethod,
                        IObjectCreationOperation creation => creation.Constructor,
                        _ => null,
                    };
                    if (callee is null || callee.MethodKind == MethodKind.LocalFunction || InLambda(operation.Operation))
                    {
                        return; // A lambda's body runs when it is invoked, not where the method is.
                    }

                    var contract = _contracts.Of(callee);
                    var zero = NoDelta;
                    lock (gate)
                    {
                        usesContexts |= contract.ChangesContext;
                        if (contract.MaySleep || _apis.IsListed(callee, operation.Operation.Syntax.SyntaxTree))
                        {
                            points.Add(new SleepPoint(null, callee.Name, operation.Operation.Syntax.GetLocation(), zero));
                        }
                        else if (!contract.DoesNotSleep && !callee.DeclaringSyntaxReferences.IsEmpty)
                        {
                            points.Add(new SleepPoint(callee, callee.Name, operation.Operation.Syntax.GetLocation(), zero));
                        }
                    }
                },
                OperationKind.Invocation,
                OperationKind.ObjectCreation);
            context.RegisterOperationBlockEndAction(end =>
            {
                if (!usesContexts)
                {
                    Graph.Record(owner, points);
                    return;
                }

                foreach (var root in FlowRoots.Of(end.OperationBlocks))
                {
                    var result = _flow.Analyze(end.GetControlFlowGraph(root), owner);
                    Graph.Record(owner, result.Points);
                    foreach (var sleep in result.Sleeps)
                    {
                        end.ReportDiagnostic(Live(owner, sleep));
                    }

                    foreach (var (call, callee, held) in result.SourceCallsInContext)
                    {
                        var location = call.Syntax.GetLocation();
                        Graph.AddPending(new PendingCall(callee, location, held, (chain, locations) => Create(
                            RuleDescriptors.MaySleepInAtomicContextInferred, location, locations, owner, held, callee.Name, chain)));
                    }
                }
            });
        }

        private static bool InLambda(IOperation operation)
        {
            for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private Diagnostic Live(IMethodSymbol owner, AtomicContextFlowAnalysis.SleepInContext sleep)
        {
            var location = sleep.Operation.Syntax.GetLocation();
            if (sleep.Callee is null)
            {
                return Create(RuleDescriptors.MaySleepInAtomicContext, location, Enumerable.Empty<Location>(), owner, sleep.Held, "await", "it can suspend");
            }

            var why = sleep.Through.Count > 0
                ? string.Join(" → ", new[] { sleep.Callee.Name }.Concat(sleep.Through.Select(p => p.Name)))
                : _contracts.Of(sleep.Callee).MaySleep ? "it is marked [MaySleep]" : "it is listed in " + MaySleepApis.OptionName;
            return Create(RuleDescriptors.MaySleepInAtomicContext, location, sleep.Through.Select(p => p.Location), owner, sleep.Held, sleep.Callee.Name, why);
        }

        private Diagnostic Create(DiagnosticDescriptor descriptor, Location location, IEnumerable<Location> additional, IMethodSymbol owner, int[] held, string callee, string why)
        {
            var required = _contracts.Of(owner).Requires;
            var contexts = string.Join(" and ", Enumerable.Range(0, ContextCounts.Kinds).Where(k => held[k] > 0).Select(k =>
                MethodContracts.Describe(k) + (required.Contains(k) ? $" ({owner.Name} requires it)" : "")));
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(HeldProperty, string.Join(",", Enumerable.Range(0, ContextCounts.Kinds).Where(k => held[k] > 0)))
                .Add(RequiredProperty, string.Join(",", required));
            return Diagnostic.Create(descriptor, location, additional, properties, callee, why, contexts);
        }
    }
}
