using System;

namespace FpuGuard.Runtime;

/// <summary>
/// A real processor's CPUID leaf 0xD, kept as dump text, and the XCR0 / IA32_XSS its operating
/// system had enabled when the dump was taken (what sub-leaf 0 EBX and sub-leaf 1 EBX report).
/// </summary>
public sealed class CpuProfile
{
    private readonly Lazy<XStateLayout> _layout;

    internal CpuProfile(string id, string name, string dump, XFeatureMask enabledXcr0, XFeatureMask enabledXss)
    {
        Id = id;
        Name = name;
        Dump = dump;
        EnabledXcr0 = enabledXcr0;
        EnabledXss = enabledXss;
        _layout = new Lazy<XStateLayout>(() => XStateLayout.FromCpuidDump(dump, name));
    }

    /// <summary>A short key ("sapphire-rapids"), as the tools accept it.</summary>
    public string Id { get; }

    /// <summary>The processor.</summary>
    public string Name { get; }

    /// <summary>The leaf 0xD dump text.</summary>
    public string Dump { get; }

    /// <summary>XCR0 as enabled when the dump was taken.</summary>
    public XFeatureMask EnabledXcr0 { get; }

    /// <summary>IA32_XSS as enabled when the dump was taken.</summary>
    public XFeatureMask EnabledXss { get; }

    /// <summary>The layout decoded from the dump.</summary>
    public XStateLayout Layout => _layout.Value;

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Name})";
}
