namespace FpuGuard.Analyzers;

/// <summary>The diagnostic IDs FpuGuard reports, and the one place their help links are built.</summary>
public static class RuleIdentifiers
{
    /// <summary>A call that may sleep is reached while an atomic context may be held.</summary>
    public const string MaySleepInAtomicContext = "FPU0001";

    /// <summary>The task's default, embedded FPU state may be freed.</summary>
    public const string FreeOfDefaultFpuState = "FPU0002";

    /// <summary>An FPU state field is written outside the swap helper.</summary>
    public const string FpuStateWrittenOutsideSwapHelper = "FPU0003";

    /// <summary>An atomic context is still held when a method returns, or exited without being entered.</summary>
    public const string AtomicContextImbalance = "FPU0004";

    /// <summary>An entry of a may-sleep API list can never match a call: it does not parse, or its type has no such method.</summary>
    public const string MaySleepApiListEntryIgnored = "FPU0005";

    /// <summary>A contract attribute or its kind enum has a shape FpuGuard cannot read.</summary>
    public const string UnreadableContract = "FPU0006";

    /// <summary>A member's analysis reached a bound (depth, recursion, iterations) and answered conservatively.</summary>
    public const string AnalysisCutShort = "FPU0007";

    /// <summary>Where the rule pages are: docs/rules/ of the project's home (RepositoryUrl, generated into <see cref="ProjectHome"/>).</summary>
    private static readonly string DocumentationBase = ProjectHome.RepositoryUrl + "/blob/" + ProjectHome.Branch + "/docs/rules/";

    /// <summary>The documentation page of a rule (docs/rules/ID.md).</summary>
    public static string GetHelpUri(string identifier) => DocumentationBase + identifier + ".md";
}
