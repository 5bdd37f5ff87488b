namespace FpuGuard.Runtime;

/// <summary>The two layouts of an XSAVE area (SDM Vol. 1, 13.4.3).</summary>
public enum XSaveFormat
{
    /// <summary>Every component at its fixed CPUID offset (XSAVE, XSAVEOPT, XRSTOR; the user ABI).</summary>
    Standard,
    /// <summary>Components present in XCOMP_BV packed in ascending order after the header (XSAVEC, XSAVES).</summary>
    Compacted,
}
