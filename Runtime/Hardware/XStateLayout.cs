using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace FpuGuard.Runtime;

/// <summary>
/// A processor's XSAVE layout as CPUID leaf 0xD enumerates it: which components exist, their sizes,
/// standard offsets and flags, and the one calculator of buffer sizes and offsets in both formats
/// (the kernel's <c>xstate_calculate_size</c> and <c>xfeature_get_offset</c>). Immutable.
/// </summary>
public sealed partial class XStateLayout
{
    /// <summary>Size of the legacy (FXSAVE) region.</summary>
    public const int LegacyRegionSize = 512;

    /// <summary>Size of the XSAVE header.</summary>
    public const int HeaderSize = 64;

    /// <summary>Offset of the first extended component: legacy region plus header.</summary>
    public const int ExtendedRegionOffset = LegacyRegionSize + HeaderSize;

    /// <summary>Alignment the XSAVE family requires of the area, and of aligned compacted components.</summary>
    public const int Alignment = 64;

    private readonly XStateComponent[] _byFeature = new XStateComponent[64];
    private readonly ulong _alignedMask;
    private readonly IReadOnlyDictionary<int, CpuidRegisters> _subLeaves;

    private XStateLayout(string name, IReadOnlyDictionary<int, CpuidRegisters> subLeaves, IEnumerable<XStateComponent> components, XFeatureMask unknown)
    {
        Name = name;
        UnknownFeatures = unknown;
        _subLeaves = subLeaves;
        var sl0 = subLeaves[0];
        var sl1 = subLeaves[1];
        SupportedUserFeatures = (XFeatureMask)((ulong)sl0.Edx << 32 | sl0.Eax);
        SupportedSupervisorFeatures = (XFeatureMask)((ulong)sl1.Edx << 32 | sl1.Ecx);
        ReportedEnabledStandardSize = (int)sl0.Ebx;
        ReportedMaxStandardSize = (int)sl0.Ecx;
        ReportedEnabledCompactedSize = (int)sl1.Ebx;
        SupportsXsaveOpt = (sl1.Eax & 1) != 0;
        SupportsXsaveC = (sl1.Eax & 2) != 0;
        SupportsXgetbv1 = (sl1.Eax & 4) != 0;
        SupportsXsaves = (sl1.Eax & 8) != 0;
        SupportsXfd = (sl1.Eax & 16) != 0;

        var list = components.OrderBy(c => c.Feature).ToList();
        foreach (var component in list)
        {
            _byFeature[(int)component.Feature] = component;
            if (component.IsAligned64)
            {
                _alignedMask |= 1UL << (int)component.Feature;
            }

            if (component.IsXfdCapable)
            {
                XfdCapableFeatures |= component.Feature.ToMask();
            }
        }

        Components = list;
    }

    /// <summary>Where the data came from: a profile name, "host CPU" or the dump's name.</summary>
    public string Name { get; }

    /// <summary>CPUID.(0xD,0) EDX:EAX: the components XCR0 can enable.</summary>
    public XFeatureMask SupportedUserFeatures { get; }

    /// <summary>CPUID.(0xD,1) EDX:ECX: the components IA32_XSS can enable.</summary>
    public XFeatureMask SupportedSupervisorFeatures { get; }

    /// <summary>Every component the processor has.</summary>
    public XFeatureMask SupportedFeatures => SupportedUserFeatures | SupportedSupervisorFeatures;

    /// <summary>Components IA32_XFD can arm (CPUID.(0xD,i) ECX bit 2).</summary>
    public XFeatureMask XfdCapableFeatures { get; }

    /// <summary>CPUID.(0xD,0) EBX: standard-format size for the XCR0 enabled when the data was read.</summary>
    public int ReportedEnabledStandardSize { get; }

    /// <summary>CPUID.(0xD,0) ECX: standard-format size for every supported user component.</summary>
    public int ReportedMaxStandardSize { get; }

    /// <summary>CPUID.(0xD,1) EBX: compacted size of the XCR0 | IA32_XSS enabled when the data was read (0 where not enumerated).</summary>
    public int ReportedEnabledCompactedSize { get; }

    /// <summary>CPUID.(0xD,1) EAX bit 0.</summary>
    public bool SupportsXsaveOpt { get; }

    /// <summary>CPUID.(0xD,1) EAX bit 1: XSAVEC and the compacted form of XRSTOR.</summary>
    public bool SupportsXsaveC { get; }

    /// <summary>CPUID.(0xD,1) EAX bit 2: XGETBV with ECX = 1 (XINUSE).</summary>
    public bool SupportsXgetbv1 { get; }

    /// <summary>CPUID.(0xD,1) EAX bit 3: XSAVES/XRSTORS and IA32_XSS.</summary>
    public bool SupportsXsaves { get; }

    /// <summary>CPUID.(0xD,1) EAX bit 4: extended feature disable (IA32_XFD, IA32_XFD_ERR).</summary>
    public bool SupportsXfd { get; }

    /// <summary>
    /// Supported supervisor components whose sub-leaf the data lacks (dumps of Skylake to Whiskey Lake list
    /// sub-leaves only up to the highest user component, while sub-leaf 1 ECX names processor trace): their size
    /// and alignment are unknown, so only a query that needs them throws <see cref="CpuidDataException"/>.
    /// </summary>
    public XFeatureMask UnknownFeatures { get; }

    /// <summary>The supported components whose sub-leaf is known, in ascending order, x87 and SSE included.</summary>
    public IReadOnlyList<XStateComponent> Components { get; }

    /// <summary>The sub-leaf registers this layout was built from.</summary>
    public CpuidRegisters GetCpuidSubLeaf(int subLeaf) =>
        _subLeaves.TryGetValue(subLeaf, out var registers) ? registers : default;

    /// <summary>Whether the processor has the component.</summary>
    public bool Supports(XFeature feature) => SupportedFeatures.Has(feature);

    /// <summary>The component's CPUID description.</summary>
    /// <exception cref="ArgumentException">The processor does not have it.</exception>
    /// <exception cref="CpuidDataException">The data lacks the component's sub-leaf (<see cref="UnknownFeatures"/>).</exception>
    public XStateComponent GetComponent(XFeature feature)
    {
        if (!Supports(feature))
        {
            throw new ArgumentException($"{Name} does not support XSAVE component {(int)feature} ({feature}).", nameof(feature));
        }

        RequireKnown(feature.ToMask());
        return _byFeature[(int)feature];
    }

    /// <summary>
    /// The size of an XSAVE area holding <paramref name="features"/> in <paramref name="format"/>: the one
    /// size calculator. Standard: the end of the component that ends last (not the highest-numbered one:
    /// APX reuses MPX's old range). Compacted: components packed in ascending order after the header,
    /// each aligned to 64 bytes first when CPUID says so.
    /// </summary>
    /// <exception cref="ArgumentException">A component is not supported, or a supervisor component is asked for in the standard format.</exception>
    /// <exception cref="CpuidDataException">The set holds a component whose sub-leaf the data lacks.</exception>
    public int GetBufferSize(XFeatureMask features, XSaveFormat format)
    {
        CheckFeatures(features, format, nameof(features));
        RequireKnown(features);
        var extended = (ulong)features & ~(ulong)XFeatureMask.FpSse;
        if (format == XSaveFormat.Standard)
        {
            var end = ExtendedRegionOffset;
            for (var bits = extended; bits != 0; bits &= bits - 1)
            {
                end = Math.Max(end, _byFeature[BitOperations.TrailingZeroCount(bits)].StandardEnd);
            }

            return end;
        }

        var size = ExtendedRegionOffset;
        for (var bits = extended; bits != 0; bits &= bits - 1)
        {
            var index = BitOperations.TrailingZeroCount(bits);
            if ((_alignedMask & (1UL << index)) != 0)
            {
                size = AlignUp(size);
            }

            size += _byFeature[index].Size;
        }

        return size;
    }

    /// <summary>The offset of <paramref name="feature"/> in an area holding <paramref name="features"/> in <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentException">The feature is not in the set, or the set is not valid for the format.</exception>
    /// <exception cref="CpuidDataException">The feature, or a component packed before it, has a sub-leaf the data lacks.</exception>
    public int GetOffset(XFeature feature, XFeatureMask features, XSaveFormat format)
    {
        CheckFeatures(features, format, nameof(features));
        if (!features.Has(feature))
        {
            throw new ArgumentException($"Component {(int)feature} ({feature}) is not in the set {features.ToHex()}.", nameof(feature));
        }

        // Components after the feature do not move it, so an unknown one there does not matter.
        RequireKnown(features & (XFeatureMask)((2UL << (int)feature) - 1));

        if (feature is XFeature.X87 or XFeature.Sse || format == XSaveFormat.Standard)
        {
            return _byFeature[(int)feature].StandardOffset;
        }

        var offset = ExtendedRegionOffset;
        var before = (ulong)features & ~(ulong)XFeatureMask.FpSse & ((1UL << (int)feature) - 1);
        for (var bits = before; bits != 0; bits &= bits - 1)
        {
            var index = BitOperations.TrailingZeroCount(bits);
            if ((_alignedMask & (1UL << index)) != 0)
            {
                offset = AlignUp(offset);
            }

            offset += _byFeature[index].Size;
        }

        return (_alignedMask & (1UL << (int)feature)) != 0 ? AlignUp(offset) : offset;
    }

    private void CheckFeatures(XFeatureMask features, XSaveFormat format, string parameter)
    {
        var unsupported = features & ~SupportedFeatures;
        if (unsupported != 0)
        {
            throw new ArgumentException($"{Name} does not support component(s) {unsupported.ToHex()} ({unsupported}).", parameter);
        }

        if (format == XSaveFormat.Standard && (features & SupportedSupervisorFeatures) != 0)
        {
            throw new ArgumentException($"Supervisor component(s) {(features & SupportedSupervisorFeatures).ToHex()} exist only in the compacted format (XSAVES).", parameter);
        }

        if (format is not (XSaveFormat.Standard or XSaveFormat.Compacted))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown XSAVE format.");
        }
    }

    private void RequireKnown(XFeatureMask needed)
    {
        var unknown = needed & UnknownFeatures;
        if (unknown != 0)
        {
            var index = BitOperations.TrailingZeroCount((ulong)unknown);
            throw new CpuidDataException(
                $"missing from {Name}, but component {index} ({(XFeature)index}) is a supported supervisor component (sub-leaf 1 EDX:ECX = {SupportedSupervisorFeatures.ToHex()}), so its size and alignment are unknown and the query for {needed.ToHex()} cannot be answered",
                index);
        }
    }

    private static int AlignUp(int value) => (value + Alignment - 1) & ~(Alignment - 1);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: user {SupportedUserFeatures.ToHex()}, supervisor {SupportedSupervisorFeatures.ToHex()}{(UnknownFeatures != 0 ? $" (unknown: {UnknownFeatures.ToHex()})" : "")}, max standard size {ReportedMaxStandardSize}";
}
