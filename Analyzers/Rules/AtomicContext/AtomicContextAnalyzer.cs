using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Rules.AtomicContext;

/// <summary>
/// FPU0001 and FPU0004, from one analysis of each block's atomic contexts. FPU0001: a call that may sleep reached
/// where an atomic context may be held. Calls of [MaySleep] and listed APIs (FpuGuard.MaySleepApis.txt,
/// fpuguard.may_sleep_apis), and awaits, are reported as the method is analysed (live in the IDE); calls of
/// methods of this compilation that may sleep several calls deep are reported when the compilation's call graph
/// is complete (compilation end). FPU0004: a context still held when the method returns on some path, or exited
/// where it may not be held (sparse's "context imbalance"), unless the method is itself
/// [EntersAtomicContext]/[ExitsAtomicContext].
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AtomicContextAnalyzer : DiagnosticAnalyzer
{
    internal const string HeldProperty = "Held";
    internal const string RequiredProperty = "Required";

    /// <summary>The kinds the callee itself holds where it sleeps: moving the call out of the caller's region does not help.</summary>
    internal const string HeldByCalleeProperty = "HeldByCallee";

    /// <summary>
    /// The most of each context held at the call on any path it runs on, as "Kind:count,..." (kinds held): in a lambda or
    /// local function, also where the member, another function or its own recursion runs it. Absent where not known.
    /// The move fix reads it to know that nothing is held before the region's entry.
    /// </summary>
    internal const string MostHeldProperty = "MostHeld";

    // Told, at compilation end, the methods that run where a context is held (SleepGraph.CalledInRegions).
    private readonly Action<IEnumerable<IMethodSymbol>>? _calledInRegions;

    /// <summary>Creates the analyzer.</summary>
    public AtomicContextAnalyzer()
    {
    }

    private AtomicContextAnalyzer(Action<IEnumerable<IMethodSymbol>> calledInRegions) => _calledInRegions = calledInRegions;

    /// <summary>
    /// The source locations of the methods of the compilation that some call in an atomic region runs, directly or
    /// through other methods, with a context still held: the FPU0001 move fix must not be offered in them (their
    /// sleep, moved out of their own region, would still run in the caller's). Runs this analyzer over the
    /// compilation; locations, not symbols, as the analysis sees a copy of the compilation.
    /// </summary>
    internal static async Task<ImmutableHashSet<Location>> MethodsCalledInRegionsAsync(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var found = ImmutableHashSet<Location>.Empty;
        var analyzer = new AtomicContextAnalyzer(methods => found = methods.SelectMany(m => m.Locations.Concat(m.PartialImplementationPart?.Locations ?? ImmutableArray<Location>.Empty))
            .Where(l => l.IsInSource).ToImmutableHashSet());
        await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer), options)
            .GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleDescriptors.MaySleepInAtomicContext, RuleDescriptors.MaySleepInAtomicContextInferred, RuleDescriptors.AtomicContextImbalance, RuleDescriptors.AnalysisCutShort);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodePolicy.Flags);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ContractAttributes.AnyDeclared(start.Compilation, ContractAttributes.EntersAtomicContext, ContractAttributes.ExitsAtomicContext, ContractAttributes.RequiresAtomicContext, ContractAttributes.AssertsAtomicContext))
            {
                return;
            }

            var analysis = new Analysis(new BlockContextFlow(start.Compilation, start.Options, start.CancellationToken));
            start.RegisterCodeBlockAction(analysis.OnBlock);
            start.RegisterCompilationEndAction(end =>
            {
                foreach (var diagnostic in analysis.Resolve(end.Compilation, end.CancellationToken).ToList())
                {
                    end.ReportDiagnostic(diagnostic);
                }

                _calledInRegions?.Invoke(analysis.Graph.CalledInRegions());
            });
        });
    }

    private sealed class Analysis
    {
        private readonly BlockContextFlow _shared;
        private readonly MethodContracts _contracts;
        private readonly AtomicContextFlowAnalysis _flow;

        public Analysis(BlockContextFlow shared)
        {
            _shared = shared;
            _contracts = shared.Contracts;
            _flow = shared.Flow;
        }

        public SleepGraph Graph { get; } = new();

        public void OnBlock(CodeBlockAnalysisContext context)
        {
            if (context.OwningSymbol is not IMethodSymbol owner)
            {
                return;
            }

            BlockContextFlow.BlockFlow flow;
            try
            {
                // Syntax first: a block that calls no context-changing name, in a method that requires no context, holds
                // none. Whether it sleeps matters only if a region calls it, which the compilation's end decides,
                // analysing it then if it must. Such a block is not even bound now.
                var requires = _contracts.Of(owner).Requires.Length > 0;
                var mayChangeContext = _shared.MayChangeContext(context.CodeBlock, context.SemanticModel, context.CancellationToken);
                if (!requires && !mayChangeContext)
                {
                    return;
                }

                flow = _shared.Of(context.CodeBlock, owner, context.SemanticModel, mayChangeContext, analyseAnyway: requires, context.CancellationToken);
            }
            catch (InsufficientExecutionStackException)
            {
                Graph.Record(owner, new[] { MaySleepUnknown(owner) });
                context.ReportDiagnostic(CutShort(owner, AnalysisBounds.TooDeep));
                return;
            }

            string? cutShort = null;
            // Every function of the member the analysis ran, for MostHeld: unless one lists only part of its sleep points (an
            // async function, only those before its first await) or was cut short.
            var runs = flow.Results is { } all && !all.Any(r => r.Owner.IsAsync || r.CutShort is not null || r.ReadsUnreadableContract) ? all : null;
            foreach (var result in flow.Results ?? Array.Empty<AtomicContextFlowAnalysis.Result>())
            {
                if (result.ReadsUnreadableContract)
                {
                    continue; // An unreadable contract (FPU0006) leaves the contexts unknown: no conclusions.
                }

                // A lambda's or local function's own analysis reports its regions; its sleep points are its callers'.
                var isOwner = SymbolEqualityComparer.Default.Equals(result.Owner, owner);
                Report(result, isOwner, runs, context);
                if (result.CutShort is { } reason)
                {
                    cutShort ??= reason;
                }
                else if (flow.ChangesContext)
                {
                    ReportImbalance(result, context);
                }
            }

            if (cutShort is not null)
            {
                Graph.Record(owner, new[] { MaySleepUnknown(owner) });
                context.ReportDiagnostic(CutShort(owner, cutShort));
            }
        }

        // FPU0004, claimed only from a finished analysis of a block that changes a context itself.
        private static void ReportImbalance(AtomicContextFlowAnalysis.Result result, CodeBlockAnalysisContext context)
        {
            var owner = result.Owner;
            foreach (var (exit, kind) in result.ExitsWithoutEntry)
            {
                context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AtomicContextImbalance, exit.GetLocation(),
                    $"{NameOf(owner)} exits {MethodContracts.KindName(kind)} here, where on some path it was not entered"));
            }

            foreach (var kind in result.HeldAtReturn)
            {
                context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AtomicContextImbalance, owner.Locations[0],
                    $"{NameOf(owner)} may return with {MethodContracts.KindName(kind)} still held: {MethodContracts.Describe(kind)} on some path out of it"));
            }

            foreach (var kind in result.LeftAtReturn)
            {
                context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.AtomicContextImbalance, owner.Locations[0],
                    $"{NameOf(owner)} requires {MethodContracts.KindName(kind)} and may return without it: on some path out of it the context its caller holds was left and not entered again"));
            }
        }

        private static string NameOf(IMethodSymbol function) => function.MethodKind == MethodKind.AnonymousFunction ? "The lambda" : $"'{MemberNames.Of(function)}'";

        // What a member is taken to do when its analysis was cut short: it may sleep, with no context of its own.
        private static SleepPoint MaySleepUnknown(IMethodSymbol method) =>
            new(null, AtomicContextFlowAnalysis.NotAnalysed, method.Locations.FirstOrDefault() ?? Location.None, new int[ContextCounts.Kinds]);

        private static Diagnostic CutShort(IMethodSymbol owner, string reason) => Diagnostic.Create(
            RuleDescriptors.AnalysisCutShort, owner.Locations.FirstOrDefault() ?? Location.None,
            "The atomic-context analysis (FPU0001, FPU0004)", MemberNames.Of(owner), reason,
            "it is taken to sleep, a region that calls it is reported, and no imbalance is reported in it");

        public IEnumerable<Diagnostic> Resolve(Compilation compilation, CancellationToken cancellationToken) =>
            Graph.Resolve((method, bodyKnown) => AnalyzeDeferred(compilation, method, bodyKnown, cancellationToken));

        // The context, not its ReportDiagnostic: a delegate of a struct's method boxes the struct.
        private void Report(AtomicContextFlowAnalysis.Result result, bool isOwner, IReadOnlyList<AtomicContextFlowAnalysis.Result>? runs, CodeBlockAnalysisContext context)
        {
            var owner = result.Owner;
            if (isOwner)
            {
                Graph.Record(owner, result.Points);
            }

            foreach (var sleep in result.Sleeps)
            {
                context.ReportDiagnostic(Live(owner, sleep, MostHeld(isOwner, runs, sleep.Syntax.GetLocation(), sleep.Held, sleep.Through.Count > 0)));
            }

            foreach (var (call, callee, held, arguments) in result.SourceCallsInContext)
            {
                var location = call.GetLocation();
                var mostHeld = MostHeld(isOwner, runs, location, held, through: false);
                Graph.AddPending(new PendingCall(callee, location, held, arguments, (chain, locations, summary) => Create(
                    RuleDescriptors.MaySleepInAtomicContextInferred, location, locations, owner, held, MemberNames.Of(callee), chain, summary, mostHeld)));
            }
        }

        // A method skipped as the compilation was analysed, now reached from a region: analysed the same way,
        // from its declarations (it holds no context, so it has nothing to report itself). A constructor also runs
        // its type's instance initializers (unless it chains to another with this(...)) and, when it has no
        // initializer of its own, its base's parameterless constructor.
        private void AnalyzeDeferred(Compilation compilation, IMethodSymbol method, bool bodyKnown, CancellationToken cancellationToken)
        {
            if (!bodyKnown)
            {
                foreach (var reference in (method.PartialImplementationPart ?? method).DeclaringSyntaxReferences)
                {
                    AnalyzeSyntax(compilation, reference.GetSyntax(cancellationToken), method, method, cancellationToken);
                }
            }

            if (method.MethodKind != MethodKind.Constructor || method.IsStatic || method.ContainingType is not { } type)
            {
                return;
            }

            var declaration = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
            if (declaration is ConstructorDeclarationSyntax { Initializer.ThisOrBaseKeyword.RawKind: (int)SyntaxKind.ThisKeyword })
            {
                return;
            }

            var callsBase = declaration switch
            {
                ConstructorDeclarationSyntax constructor => constructor.Initializer is not null,
                TypeDeclarationSyntax primary => primary.BaseList?.Types.OfType<PrimaryConstructorBaseTypeSyntax>().Any() == true,
                _ => false,
            };
            if (!callsBase && type.BaseType?.InstanceConstructors.FirstOrDefault(c => c.Parameters.IsEmpty) is { } baseConstructor
                && baseConstructor.Locations.Any(l => l.IsInSource) && (!baseConstructor.DeclaringSyntaxReferences.IsEmpty || baseConstructor.IsImplicitlyDeclared))
            {
                Graph.Record(method, new[] { new SleepPoint(baseConstructor, MemberNames.Of(baseConstructor), method.Locations.FirstOrDefault() ?? Location.None, new int[ContextCounts.Kinds]) });
            }

            foreach (var member in type.GetMembers())
            {
                if (member.IsStatic || member is not (IFieldSymbol or IPropertySymbol))
                {
                    continue;
                }

                foreach (var reference in member.DeclaringSyntaxReferences)
                {
                    var initializer = reference.GetSyntax(cancellationToken) switch
                    {
                        VariableDeclaratorSyntax { Initializer: { } value } => value,
                        PropertyDeclarationSyntax { Initializer: { } value } => value,
                        _ => (SyntaxNode?)null,
                    };
                    if (initializer is not null)
                    {
                        AnalyzeSyntax(compilation, initializer, method, method, cancellationToken);
                    }
                }
            }
        }

        private void AnalyzeSyntax(Compilation compilation, SyntaxNode syntax, IMethodSymbol method, IMethodSymbol owner, CancellationToken cancellationToken)
        {
#pragma warning disable RS1030 // Only for the few methods a region reaches; the driver's shared model is returned when it has one.
            var model = compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
            try
            {
                var results = syntax is EqualsValueClauseSyntax
                    ? (model.GetOperation(syntax, cancellationToken) is { Parent: null } root ? _flow.Analyze(root, owner, cancellationToken) : Array.Empty<AtomicContextFlowAnalysis.Result>())
                    : BlockContextFlow.Analyze(_flow, syntax, owner, model, cancellationToken);
                foreach (var result in results.Where(r => !r.ReadsUnreadableContract && SymbolEqualityComparer.Default.Equals(r.Owner, owner)))
                {
                    Graph.Record(method, result.CutShort is null ? result.Points : result.Points.Append(MaySleepUnknown(method)));
                }
            }
            catch (InsufficientExecutionStackException)
            {
                Graph.Record(method, new[] { MaySleepUnknown(method) });
            }
        }

        // The most of each context held at a call, over every way it runs that the analysis followed. In the member, its
        // count there. In a lambda or local function, also every run of it from another function of the member (the
        // member's, a caller's, its own recursive calls): each function's sleep points include those of the functions it
        // calls, shifted by what each call holds, at their own locations, counted from that function's baseline. Null when
        // not known: a call of a local function or lambda (its points are at the sleeps inside it), or runs not all listed.
        private int[]? MostHeld(bool isOwner, IReadOnlyList<AtomicContextFlowAnalysis.Result>? runs, Location location, int[] held, bool through)
        {
            if (isOwner)
            {
                return held;
            }

            if (runs is null || through)
            {
                return null;
            }

            var most = (int[])held.Clone();
            foreach (var run in runs)
            {
                var required = _contracts.Of(run.Owner).Requires;
                foreach (var point in run.Points.Where(p => p.Location.Equals(location)))
                {
                    foreach (var kind in ContextCounts.AllKinds)
                    {
                        most[(int)kind] = Math.Max(most[(int)kind], point.Delta[(int)kind] + (required.Contains(kind) ? 1 : 0));
                    }
                }
            }

            return most;
        }

        private Diagnostic Live(IMethodSymbol owner, AtomicContextFlowAnalysis.SleepInContext sleep, int[]? mostHeld)
        {
            var location = sleep.Syntax.GetLocation();
            if (sleep.Callee is null)
            {
                return Create(RuleDescriptors.MaySleepInAtomicContext, location, Enumerable.Empty<Location>(), owner, sleep.Held, "await", "it can suspend", mostHeld: mostHeld);
            }

            var why = sleep.Through.Count > 0
                ? string.Join(" → ", new[] { MemberNames.Of(sleep.Callee) }.Concat(sleep.Through.Select(p => p.Name)))
                : _contracts.Of(sleep.Callee).MaySleep ? "it is marked [MaySleep]" : "it is listed in " + _shared.MaySleepApis.WhereListed(sleep.Callee, sleep.Syntax.SyntaxTree);
            return Create(RuleDescriptors.MaySleepInAtomicContext, location, sleep.Through.Select(p => p.Location), owner, sleep.Held, MemberNames.Of(sleep.Callee), why,
                sleep.CalleeHolds, mostHeld);
        }

        private Diagnostic Create(DiagnosticDescriptor descriptor, Location location, IEnumerable<Location> additional, IMethodSymbol owner, int[] held, string callee, string why, int[]? calleeHolds = null, int[]? mostHeld = null)
        {
            var required = _contracts.Of(owner).Requires;
            var contexts = string.Join(" and ", ContextCounts.AllKinds.Where(k => held[(int)k] > 0).Select(k =>
                MethodContracts.Describe(k) + (required.Contains(k) ? $" ({(owner.MethodKind == MethodKind.AnonymousFunction ? "the lambda" : MemberNames.Of(owner))} requires it)" : "")));
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(HeldProperty, string.Join(",", ContextCounts.AllKinds.Where(k => held[(int)k] > 0)))
                .Add(RequiredProperty, string.Join(",", required))
                .Add(HeldByCalleeProperty, calleeHolds is null ? "" : string.Join(",", ContextCounts.AllKinds.Where(k => calleeHolds[(int)k] > 0)));
            if (mostHeld is not null)
            {
                properties = properties.Add(MostHeldProperty, string.Join(",", ContextCounts.AllKinds.Where(k => mostHeld[(int)k] > 0)
                    .Select(k => k + ":" + mostHeld[(int)k].ToString(System.Globalization.CultureInfo.InvariantCulture))));
            }

            return Diagnostic.Create(descriptor, location, additional, properties, callee, why, contexts);
        }
    }
}
