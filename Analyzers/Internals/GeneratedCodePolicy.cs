using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Internals;

/// <summary>How every FpuGuard analyzer treats generated code: it does not analyse it.</summary>
internal static class GeneratedCodePolicy
{
    /// <summary>
    /// Without <see cref="GeneratedCodeAnalysisFlags.Analyze"/>, the driver runs no rule on generated code, so each
    /// diagnostic is in code a rule analysed and needs no second look. With <see cref="GeneratedCodeAnalysisFlags.None"/>
    /// the driver would check every diagnostic against generated code anyway, walking every token of each file one
    /// is reported in: about a tenth of FpuGuard's own time on the benchmark corpus.
    /// </summary>
    public const GeneratedCodeAnalysisFlags Flags = GeneratedCodeAnalysisFlags.ReportDiagnostics;
}
