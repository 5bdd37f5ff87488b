using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace FpuGuard.Runtime;

public sealed partial class XStateLayout
{
    private const int MaxComponentSize = 1 << 24;

    /// <summary>Builds the layout from a text dump of CPUID (InstLatx64 or <c>cpuid -r</c> format; the first CPU's block).</summary>
    /// <exception cref="CpuidDataException">The dump is not one, or its leaf 0xD is incomplete or contradictory; the message names the sub-leaf.</exception>
    public static XStateLayout FromCpuidDump(string text, string name = "CPUID dump") =>
        FromCpuidSubLeaves(CpuidDumpParser.Parse(text), name);

    /// <summary>Builds the layout from the processor this process runs on.</summary>
    /// <exception cref="PlatformNotSupportedException">Not an x86 processor, or one without XSAVE.</exception>
    public static XStateLayout FromHostCpu()
    {
        if (!X86Base.IsSupported)
        {
            throw new PlatformNotSupportedException($"XStateLayout.FromHostCpu needs an x86 or x64 processor; this process runs on {RuntimeInformation.ProcessArchitecture}.");
        }

        var (maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        var (_, _, leaf1Ecx, _) = X86Base.CpuId(1, 0);
        if (maxLeaf < 0xD || (leaf1Ecx & (1 << 26)) == 0)
        {
            throw new PlatformNotSupportedException("The host processor does not support XSAVE (CPUID.1:ECX.XSAVE[bit 26] is clear or leaf 0xD is not enumerated).");
        }

        var subLeaves = new Dictionary<int, CpuidRegisters>();
        for (var subLeaf = 0; subLeaf < 64; subLeaf++)
        {
            var (eax, ebx, ecx, edx) = X86Base.CpuId(0xD, subLeaf);
            var registers = new CpuidRegisters((uint)eax, (uint)ebx, (uint)ecx, (uint)edx);
            if (subLeaf < 2 || !registers.IsZero)
            {
                subLeaves[subLeaf] = registers;
            }
        }

        return FromCpuidSubLeaves(subLeaves, "host CPU");
    }

    /// <summary>
    /// Builds the layout from leaf 0xD sub-leaves. A supported supervisor component whose sub-leaf is missing
    /// (common dump tools stop at the highest user component) is <see cref="UnknownFeatures">unknown</see>:
    /// the layout is built from what is known. Data no real processor reports is rejected whole: a user
    /// component whose sub-leaf is missing (the user layout would be unknown), a present sub-leaf of a supported
    /// component that is all zero, user components that overlap each other or the legacy area, supervisor
    /// flags that contradict sub-leaf 1, and totals in sub-leaf 0 that the known components do not add up to.
    /// </summary>
    /// <exception cref="CpuidDataException">The data is incomplete or contradictory; the message names the sub-leaf.</exception>
    public static XStateLayout FromCpuidSubLeaves(IReadOnlyDictionary<int, CpuidRegisters> subLeaves, string name)
    {
        ArgumentNullException.ThrowIfNull(subLeaves);
        ArgumentNullException.ThrowIfNull(name);
        var sl0 = Require(subLeaves, 0, "missing: it enumerates the supported user components (the dump is truncated)");
        var sl1 = Require(subLeaves, 1, "missing: it enumerates XSAVES and the supervisor components (the dump is truncated)");
        var user = (ulong)sl0.Edx << 32 | sl0.Eax;
        var supervisor = (ulong)sl1.Edx << 32 | sl1.Ecx;
        if ((user & 3) != 3)
        {
            throw new CpuidDataException($"EDX:EAX = 0x{user:x} lacks x87 or SSE, which every XSAVE processor supports", 0);
        }

        if ((supervisor & user) != 0 || (supervisor & 3) != 0)
        {
            throw new CpuidDataException($"EDX:ECX = 0x{supervisor:x} names component(s) 0x{supervisor & (user | 3):x} that are also user components", 1);
        }

        var xfdSupported = (sl1.Eax & 16) != 0;
        var components = new List<XStateComponent>
        {
            new(XFeature.X87, 160, 0, false, false, false),
            new(XFeature.Sse, 256, 160, false, false, false),
        };
        var unknown = 0UL;
        for (var index = 2; index < 64; index++)
        {
            var bit = 1UL << index;
            if (((user | supervisor) & bit) == 0)
            {
                continue;
            }

            if ((supervisor & bit) != 0 && !subLeaves.ContainsKey(index))
            {
                unknown |= bit;
                continue;
            }

            components.Add(DecodeComponent(subLeaves, index, (supervisor & bit) != 0, xfdSupported));
        }

        CheckNoOverlap(components);
        CheckTotals(sl0, components);
        return new XStateLayout(name, new Dictionary<int, CpuidRegisters>(subLeaves), components, (XFeatureMask)unknown);
    }

    private static CpuidRegisters Require(IReadOnlyDictionary<int, CpuidRegisters> subLeaves, int subLeaf, string problem) =>
        subLeaves.TryGetValue(subLeaf, out var registers) ? registers : throw new CpuidDataException(problem, subLeaf);

    private static XStateComponent DecodeComponent(IReadOnlyDictionary<int, CpuidRegisters> subLeaves, int index, bool isSupervisor, bool xfdSupported)
    {
        var kind = isSupervisor ? "supervisor" : "user";
        var sl = Require(subLeaves, index, $"missing, but component {index} is a supported {kind} component (the dump is truncated)");
        if (sl.IsZero)
        {
            throw new CpuidDataException($"all zero, but component {index} is a supported {kind} component (a dump tool artifact; the size is unknown)", index);
        }

        if (sl.Eax == 0 || sl.Eax > MaxComponentSize)
        {
            throw new CpuidDataException($"EAX (size) = {sl.Eax} is not a plausible component size", index);
        }

        var flagSupervisor = (sl.Ecx & 1) != 0;
        if (flagSupervisor != isSupervisor)
        {
            throw new CpuidDataException(
                $"ECX bit 0 says {(flagSupervisor ? "supervisor" : "user")}, but sub-leaf {(isSupervisor ? "1 EDX:ECX" : "0 EDX:EAX")} lists component {index} as a {kind} component",
                index);
        }

        if (isSupervisor && sl.Ebx != 0)
        {
            throw new CpuidDataException($"EBX (offset) = {sl.Ebx} for a supervisor component, which has no standard-format offset", index);
        }

        if (!isSupervisor && (sl.Ebx < ExtendedRegionOffset || sl.Ebx > MaxComponentSize))
        {
            throw new CpuidDataException($"EBX (offset) = {sl.Ebx} lies inside the legacy region and header (extended components start at {ExtendedRegionOffset})", index);
        }

        var xfdCapable = (sl.Ecx & 4) != 0;
        if (xfdCapable && !xfdSupported)
        {
            throw new CpuidDataException("ECX bit 2 says the component is XFD-capable, but sub-leaf 1 EAX bit 4 says XFD is not supported", index);
        }

        return new XStateComponent((XFeature)index, (int)sl.Eax, (int)sl.Ebx, isSupervisor, (sl.Ecx & 2) != 0, xfdCapable);
    }

    private static void CheckNoOverlap(List<XStateComponent> components)
    {
        var placed = components.Where(c => !c.IsSupervisor && (int)c.Feature >= 2).OrderBy(c => c.StandardOffset).ToList();
        for (var i = 1; i < placed.Count; i++)
        {
            var previous = placed[i - 1];
            var current = placed[i];
            if (current.StandardOffset < previous.StandardEnd)
            {
                throw new CpuidDataException(
                    $"component {(int)current.Feature} at {current.StandardOffset}..{current.StandardEnd - 1} overlaps component {(int)previous.Feature} at {previous.StandardOffset}..{previous.StandardEnd - 1} (sub-leaf 0x{(int)previous.Feature:X2})",
                    (int)current.Feature);
            }
        }
    }

    private static void CheckTotals(CpuidRegisters sl0, List<XStateComponent> components)
    {
        var ends = components.Where(c => !c.IsSupervisor && (int)c.Feature >= 2).Select(c => c.StandardEnd).ToList();
        var max = ends.Count == 0 ? ExtendedRegionOffset : Math.Max(ExtendedRegionOffset, ends.Max());
        if (sl0.Ecx != max)
        {
            throw new CpuidDataException($"ECX (size for all user components) = {sl0.Ecx}, but the components end at {max}", 0);
        }

        // EBX is the standard size of the XCR0 the OS enabled: it must be where some enabled component ends.
        if (sl0.Ebx != ExtendedRegionOffset && !ends.Contains((int)sl0.Ebx))
        {
            throw new CpuidDataException($"EBX (size for the enabled XCR0) = {sl0.Ebx} is not the end of any component, so no XCR0 yields it", 0);
        }
    }
}
