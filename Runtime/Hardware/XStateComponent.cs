namespace FpuGuard.Runtime;

/// <summary>
/// One state component as CPUID.(EAX=0xD, ECX=i) describes it. x87 and SSE, which live in the
/// legacy region, get the kernel's synthetic entries (x87 160 bytes at 0, SSE 256 bytes at 160).
/// </summary>
/// <param name="Feature">The component.</param>
/// <param name="Size">Its size in bytes (EAX).</param>
/// <param name="StandardOffset">Its standard-format offset (EBX); 0 for supervisor components, which have none.</param>
/// <param name="IsSupervisor">ECX bit 0: an IA32_XSS component, saved only by XSAVES.</param>
/// <param name="IsAligned64">ECX bit 1: 64-byte aligned in the compacted format.</param>
/// <param name="IsXfdCapable">ECX bit 2: IA32_XFD can arm it (first use raises #NM).</param>
public readonly record struct XStateComponent(
    XFeature Feature,
    int Size,
    int StandardOffset,
    bool IsSupervisor,
    bool IsAligned64,
    bool IsXfdCapable)
{
    /// <summary>The first byte after the component in the standard format.</summary>
    public int StandardEnd => StandardOffset + Size;
}
