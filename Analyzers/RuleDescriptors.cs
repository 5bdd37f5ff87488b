using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers;

/// <summary>Every diagnostic FpuGuard reports, in one place.</summary>
internal static class RuleDescriptors
{
    private const string Category = "FpuGuard.Reliability";
    private const string MaySleepTitle = "A call that may sleep is reached in an atomic context";
    private const string MaySleepMessage = "'{0}' may sleep ({1}) while {2}";
    private const string ConfigurationCategory = "FpuGuard.Configuration";
    private const string ListEntryTitle = "An entry of the may-sleep API list is ignored";
    private const string ListEntryMessage = "'{0}' in {1} is ignored: {2}";
    private const string ListEntryDescription = "Each entry of FpuGuard.MaySleepApis.txt and of fpuguard.may_sleep_apis is a method's documentation ID (M:System.Threading.Monitor.Wait(System.Object,System.Int32)). An entry that does not parse, or whose type is referenced but has no such method, never matches a call, so FPU0001 would stay silent about it. An entry whose type the project does not reference is fine: one list may serve several projects.";
    private const string MaySleepDescription = "Sleeping (allocating with vzalloc, waiting, scheduling) is forbidden while the FPU registers are locked, preemption is disabled or interrupts are disabled. Move the call before the region, or leave the context around it; never switch to an atomic allocation to dodge the rule.";

    public static readonly DiagnosticDescriptor MaySleepInAtomicContext = new(
        RuleIdentifiers.MaySleepInAtomicContext,
        title: MaySleepTitle,
        messageFormat: MaySleepMessage,
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: MaySleepDescription,
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.MaySleepInAtomicContext));

    /// <summary>FPU0001 found through methods of the compilation: reported when the whole compilation is known.</summary>
    public static readonly DiagnosticDescriptor MaySleepInAtomicContextInferred = AtCompilationEnd(MaySleepInAtomicContext);

    public static readonly DiagnosticDescriptor AtomicContextImbalance = new(
        RuleIdentifiers.AtomicContextImbalance,
        title: "Atomic context entered and exited unevenly",
        messageFormat: "{0}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Every path through a method must leave the atomic contexts as it found them, unless the method is marked [EntersAtomicContext] or [ExitsAtomicContext]: a lock still held on return, or released without being taken, breaks every caller.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.AtomicContextImbalance));

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

    /// <summary>FPU0005 at an entry's line of FpuGuard.MaySleepApis.txt.</summary>
    public static readonly DiagnosticDescriptor MaySleepApiListEntryIgnored = new(
        RuleIdentifiers.MaySleepApiListEntryIgnored,
        title: ListEntryTitle,
        messageFormat: ListEntryMessage,
        ConfigurationCategory,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: ListEntryDescription,
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.MaySleepApiListEntryIgnored));

    /// <summary>FPU0005 for an entry of the fpuguard.may_sleep_apis option: the options API gives no location.</summary>
    public static readonly DiagnosticDescriptor MaySleepApiOptionEntryIgnored = AtCompilationEnd(MaySleepApiListEntryIgnored);

    /// <summary>
    /// Info, on by default: the member's analysis reached a bound and gave the rule's conservative answer. Counted
    /// by the robustness and benchmark runs; shown in the IDE as a message, so that no silent gap is left.
    /// </summary>
    public static readonly DiagnosticDescriptor AnalysisCutShort = new(
        RuleIdentifiers.AnalysisCutShort,
        title: "FpuGuard's analysis of a member was cut short",
        messageFormat: "{0} could not analyse '{1}' to the end ({2}); {3}",
        Category,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "FpuGuard bounds every walk over user code: code nested deeper than the thread's stack allows, local functions that call each other in more ways than the budget, or a flow that does not settle. A member that reaches a bound gets the rule's conservative answer, and this message says which and why.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.AnalysisCutShort));

    public static readonly DiagnosticDescriptor UnreadableContract = new(
        RuleIdentifiers.UnreadableContract,
        title: "FpuGuard cannot read this contract declaration",
        messageFormat: "FpuGuard cannot read '{0}': {1}; the analysis ignores it and draws no conclusions from the methods that carry it",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The context attributes must take an AtomicContextKind (an int enum with FpuRegisterLock = 0, PreemptionDisabled = 1, InterruptsDisabled = 2) as their only constructor argument. A copy of another shape would switch the analysis off without a word: use the Runtime's declarations, <FpuGuardContracts>embed</FpuGuardContracts>, or paste the copies from docs/contracts.md.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.UnreadableContract));

    /// <summary>FPU0006 for a referenced assembly's declaration, reported at its first use here when the compilation is complete.</summary>
    public static readonly DiagnosticDescriptor UnreadableContractFirstUse = AtCompilationEnd(UnreadableContract);

    // The same rule reported when the compilation is complete: tagged so that the IDE knows to wait for it.
    private static DiagnosticDescriptor AtCompilationEnd(DiagnosticDescriptor live) => new(
        live.Id, live.Title, live.MessageFormat, live.Category, live.DefaultSeverity, live.IsEnabledByDefault,
        live.Description, live.HelpLinkUri, WellKnownDiagnosticTags.CompilationEnd);
}
