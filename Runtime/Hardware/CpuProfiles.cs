using System;
using System.Collections.Generic;
using System.Linq;

namespace FpuGuard.Runtime;

/// <summary>
/// Leaf 0xD of real processors. Sapphire Rapids' leaf 0xD lines are a verbatim <c>cpuid -r</c> capture (its
/// block header and leaf 0 line are added so the dump parses as a whole); the others are
/// written in InstLatx64's format from the values those parts report (the figures of the xstate
/// primer and the kernel's boot logs: sizes, offsets, flags and the enabled totals).
/// </summary>
public static class CpuProfiles
{
    /// <summary>Intel Haswell client (Core i7-4770): x87, SSE and AVX; XSAVEOPT but no XSAVEC/XSAVES.</summary>
    public static CpuProfile HaswellClient { get; } = new(
        "haswell",
        "Intel Core i7-4770 (Haswell client, AVX only)",
        """
        CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69
        CPUID 0000000D: 00000007-00000340-00000340-00000000 [SL 00]
        CPUID 0000000D: 00000001-00000000-00000000-00000000 [SL 01]
        CPUID 0000000D: 00000100-00000240-00000000-00000000 [SL 02]
        """,
        XFeatureMask.FpSse | XFeatureMask.Avx,
        XFeatureMask.None);

    /// <summary>
    /// Intel Skylake client (CPUID.1 EAX 000506E3, e.g. Core i7-6700K): MPX, XSAVES with processor trace as supervisor state, and, as
    /// in the dumps of Skylake to Whiskey Lake clients, no line for PT's sub-leaf 8: PT is an unknown component.
    /// Leaf 0 and 0xD lines as EXEgesis' test dump has them (untagged InstLatx64 format).
    /// </summary>
    public static CpuProfile SkylakeClient { get; } = new(
        "skylake-client",
        "Intel Skylake client (000506E3; MPX; PT's sub-leaf not in the dump)",
        """
        CPUID 00000000: 00000016-756E6547-6C65746E-49656E69
        CPUID 0000000D: 0000001F-00000440-00000440-00000000
        CPUID 0000000D: 0000000F-000003C0-00000100-00000000
        CPUID 0000000D: 00000100-00000240-00000000-00000000
        CPUID 0000000D: 00000040-000003C0-00000000-00000000
        CPUID 0000000D: 00000040-00000400-00000000-00000000
        """,
        XFeatureMask.FpSse | XFeatureMask.Avx | XFeatureMask.Mpx,
        XFeatureMask.None);

    /// <summary>Intel Xeon Skylake-SP: MPX and AVX-512, XSAVES with processor trace as supervisor state.</summary>
    public static CpuProfile SkylakeServer { get; } = new(
        "skylake-sp",
        "Intel Xeon Gold 6148 (Skylake-SP, MPX and AVX-512)",
        """
        CPUID 00000000: 00000016-756E6547-6C65746E-49656E69
        CPUID 0000000D: 000002FF-00000A88-00000A88-00000000 [SL 00]
        CPUID 0000000D: 0000000F-00000A08-00000100-00000000 [SL 01]
        CPUID 0000000D: 00000100-00000240-00000000-00000000 [SL 02]
        CPUID 0000000D: 00000040-000003C0-00000000-00000000 [SL 03]
        CPUID 0000000D: 00000040-00000400-00000000-00000000 [SL 04]
        CPUID 0000000D: 00000040-00000440-00000000-00000000 [SL 05]
        CPUID 0000000D: 00000200-00000480-00000000-00000000 [SL 06]
        CPUID 0000000D: 00000400-00000680-00000000-00000000 [SL 07]
        CPUID 0000000D: 00000080-00000000-00000001-00000000 [SL 08]
        CPUID 0000000D: 00000008-00000A80-00000000-00000000 [SL 09]
        """,
        XFeatureMask.FpSse | XFeatureMask.Avx | XFeatureMask.Mpx | XFeatureMask.Avx512 | XFeatureMask.Pkru,
        XFeatureMask.None);

    /// <summary>Intel Xeon Sapphire Rapids: AVX-512 and AMX (tile data XFD-capable), XFD; leaf 0xD as <c>cpuid -r</c> printed it.</summary>
    public static CpuProfile SapphireRapids { get; } = new(
        "sapphire-rapids",
        "Intel Xeon Sapphire Rapids (AVX-512 and AMX)",
        """
        CPU 0:
           0x00000000 0x00: eax=0x0000001f ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69
           0x0000000d 0x00: eax=0x000602e7 ebx=0x00002b00 ecx=0x00002b00 edx=0x00000000
           0x0000000d 0x01: eax=0x0000001f ebx=0x00002d00 ecx=0x0000dd00 edx=0x00000000
           0x0000000d 0x02: eax=0x00000100 ebx=0x00000240 ecx=0x00000000 edx=0x00000000
           0x0000000d 0x05: eax=0x00000040 ebx=0x00000440 ecx=0x00000000 edx=0x00000000
           0x0000000d 0x06: eax=0x00000200 ebx=0x00000480 ecx=0x00000000 edx=0x00000000
           0x0000000d 0x07: eax=0x00000400 ebx=0x00000680 ecx=0x00000000 edx=0x00000000
           0x0000000d 0x08: eax=0x00000080 ebx=0x00000000 ecx=0x00000001 edx=0x00000000
           0x0000000d 0x09: eax=0x00000008 ebx=0x00000a80 ecx=0x00000000 edx=0x00000000
           0x0000000d 0x0a: eax=0x00000008 ebx=0x00000000 ecx=0x00000001 edx=0x00000000
           0x0000000d 0x0b: eax=0x00000010 ebx=0x00000000 ecx=0x00000001 edx=0x00000000
           0x0000000d 0x0c: eax=0x00000018 ebx=0x00000000 ecx=0x00000001 edx=0x00000000
           0x0000000d 0x0e: eax=0x00000030 ebx=0x00000000 ecx=0x00000001 edx=0x00000000
           0x0000000d 0x0f: eax=0x00000328 ebx=0x00000000 ecx=0x00000001 edx=0x00000000
           0x0000000d 0x11: eax=0x00000040 ebx=0x00000ac0 ecx=0x00000002 edx=0x00000000
           0x0000000d 0x12: eax=0x00002000 ebx=0x00000b00 ecx=0x00000006 edx=0x00000000
        """,
        XFeatureMask.FpSse | XFeatureMask.Avx | XFeatureMask.Avx512 | XFeatureMask.Pkru | XFeatureMask.Amx,
        XFeatureMask.Pasid | XFeatureMask.Lbr);

    /// <summary>AMD EPYC Genoa (Zen 4): AVX-512 without MPX's gap, CET user and supervisor state.</summary>
    public static CpuProfile Zen4 { get; } = new(
        "zen4",
        "AMD EPYC 9654 (Zen 4, Genoa)",
        """
        CPUID 00000000: 00000010-68747541-444D4163-69746E65
        CPUID 0000000D: 000002E7-00000988-00000988-00000000 [SL 00]
        CPUID 0000000D: 0000000F-00000988-00001800-00000000 [SL 01]
        CPUID 0000000D: 00000100-00000240-00000000-00000000 [SL 02]
        CPUID 0000000D: 00000040-00000340-00000000-00000000 [SL 05]
        CPUID 0000000D: 00000200-00000380-00000000-00000000 [SL 06]
        CPUID 0000000D: 00000400-00000580-00000000-00000000 [SL 07]
        CPUID 0000000D: 00000008-00000980-00000000-00000000 [SL 09]
        CPUID 0000000D: 00000010-00000000-00000001-00000000 [SL 0B]
        CPUID 0000000D: 00000018-00000000-00000001-00000000 [SL 0C]
        """,
        XFeatureMask.FpSse | XFeatureMask.Avx | XFeatureMask.Avx512 | XFeatureMask.Pkru,
        XFeatureMask.None);

    /// <summary>AMD family 15h (Bulldozer): AVX and lightweight profiling (component 62, above the 32-bit EAX).</summary>
    public static CpuProfile Bulldozer { get; } = new(
        "bulldozer",
        "AMD FX-8150 (family 15h, Bulldozer, LWP)",
        """
        CPUID 00000000: 0000000D-68747541-444D4163-69746E65
        CPUID 0000000D: 00000007-00000340-000003C0-40000000 [SL 00]
        CPUID 0000000D: 00000000-00000000-00000000-00000000 [SL 01]
        CPUID 0000000D: 00000100-00000240-00000000-00000000 [SL 02]
        CPUID 0000000D: 00000080-00000340-00000000-00000000 [SL 3E]
        """,
        XFeatureMask.FpSse | XFeatureMask.Avx,
        XFeatureMask.None);

    /// <summary>Every built-in profile.</summary>
    public static IReadOnlyList<CpuProfile> All { get; } = [HaswellClient, SkylakeClient, SkylakeServer, SapphireRapids, Zen4, Bulldozer];

    /// <summary>The profile with this <see cref="CpuProfile.Id"/>.</summary>
    /// <exception cref="ArgumentException">No such profile; the message lists the ids.</exception>
    public static CpuProfile Get(string id) =>
        All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"No CPU profile '{id}'. Known: {string.Join(", ", All.Select(p => p.Id))}.", nameof(id));
}
