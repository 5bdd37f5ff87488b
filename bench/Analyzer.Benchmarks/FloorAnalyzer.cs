using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>
/// An analyzer that asks for semantic models and does nothing with them. Any analyzer that needs semantics makes
/// <see cref="CompilationWithAnalyzers"/> bind the whole compilation once more to produce its compilation
/// events; a command-line build gets those events from its emit pass for free. This analyzer measures that
/// harness floor, so each set's cost can also be read above it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FloorAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Never = new("BENCH0001", "never reported", "never reported", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Never);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSemanticModelAction(static _ => { });
    }

    public static AnalyzerSet Set { get; } = new("(floor: semantic no-op)", ImmutableArray.Create<DiagnosticAnalyzer>(new FloorAnalyzer()), ImmutableDictionary<string, ReportDiagnostic>.Empty);
}
