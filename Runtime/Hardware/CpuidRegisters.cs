namespace FpuGuard.Runtime;

/// <summary>The four registers one CPUID (leaf, sub-leaf) returns.</summary>
public readonly record struct CpuidRegisters(uint Eax, uint Ebx, uint Ecx, uint Edx)
{
    /// <summary>Whether all four registers are zero: what a dump tool prints for a sub-leaf it did not read.</summary>
    public bool IsZero => (Eax | Ebx | Ecx | Edx) == 0;

    /// <inheritdoc />
    public override string ToString() => $"{Eax:X8}-{Ebx:X8}-{Ecx:X8}-{Edx:X8}";
}
