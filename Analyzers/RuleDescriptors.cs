using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers;

/// <summary>Every diagnostic FpuGuard reports, in one place.</summary>
internal static class RuleDescriptors
{
    private const string Category = "FpuGuard.Reliability";

    public static readonly DiagnosticDescriptor FreeOfDefaultFpuState = new(
        RuleIdentifiers.FreeOfDefaultFpuState,
        title: "The embedded default FPU state may be freed",
        messageFormat: "'{0}' may free {1}, the task's embedded default FPU state, which was never allocated{2}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A task's default FPU state is embedded in the task and was never allocated; freeing it corrupts memory. Free the state through the helper that checks for the default state, or guard the free with a check that the state is not the default.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.FreeOfDefaultFpuState));

    public static readonly DiagnosticDescriptor FpuStateWrittenOutsideSwapHelper = new(
        RuleIdentifiers.FpuStateWrittenOutsideSwapHelper,
        title: "FPU state field written outside the swap helper",
        messageFormat: "'{0}' is written outside the swap helper{1}; the state buffer, its feature mask and its size must change together there",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The fields that describe a task's FPU state buffer change together in one swap helper. A write anywhere else lets the mask, the size and the buffer disagree: a mask grown without a bigger buffer is a buffer overrun.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.FpuStateWrittenOutsideSwapHelper));
}
