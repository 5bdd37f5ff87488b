using System;
using System.Collections.Generic;
using System.Linq;

namespace FpuGuard.Runtime.Tests.Hardware;

/// <summary>Builds processors in known states for the instruction tests.</summary>
internal static class CpuTestKit
{
    /// <summary>The smallest valid XCR0 holding the wanted supported bits (closure under the XSETBV rules).</summary>
    public static XFeatureMask ValidXcr0(XStateLayout layout, ulong wanted)
    {
        var value = ((XFeatureMask)wanted & layout.SupportedUserFeatures) | XFeatureMask.X87;
        if ((value & XFeatureMask.Avx512) != 0)
        {
            value |= XFeatureMask.Avx512 | XFeatureMask.Sse | XFeatureMask.Avx;
        }

        if (value.Has(XFeature.Avx))
        {
            value |= XFeatureMask.Sse;
        }

        if ((value & XFeatureMask.Mpx) != 0)
        {
            value |= XFeatureMask.Mpx;
        }

        if ((value & XFeatureMask.Amx) != 0)
        {
            value |= XFeatureMask.Amx;
        }

        return value & layout.SupportedUserFeatures;
    }

    /// <summary>A processor with XCR0 and (where XSAVES exists) IA32_XSS set.</summary>
    public static Cpu Configured(XStateLayout layout, XFeatureMask xcr0, XFeatureMask xss)
    {
        var cpu = new Cpu(layout);
        cpu.Xsetbv(0, xcr0);
        if (layout.SupportsXsaves)
        {
            // An unknown component (its sub-leaf missing from the dump) cannot be saved: leave it disabled.
            cpu.Wrmsr(Cpu.MsrIa32Xss, (ulong)(xss & layout.SupportedSupervisorFeatures & ~layout.UnknownFeatures));
        }

        return cpu;
    }

    /// <summary>Components the processor can hold state for now (XCR0 plus, at CPL 0, the supported supervisor ones whose size is known).</summary>
    public static IEnumerable<XFeature> Accessible(Cpu cpu) =>
        (cpu.Xcr0 | (cpu.Layout.SupportedSupervisorFeatures & ~cpu.Layout.UnknownFeatures)).Features();

    /// <summary>Writes random bytes into the chosen components; returns what each now holds.</summary>
    public static void Fill(Cpu cpu, XFeatureMask which, Random random)
    {
        foreach (var feature in which.Features())
        {
            var bytes = new byte[cpu.GetRegisterFileSize(feature)];
            random.NextBytes(bytes);
            cpu.WriteRegisters(feature, bytes);
        }

        if (which.Has(XFeature.Sse))
        {
            cpu.Ldmxcsr((uint)random.Next(0, 0x10000));
        }
    }

    /// <summary>Every accessible component's registers.</summary>
    public static Dictionary<XFeature, byte[]> Snapshot(Cpu cpu) =>
        Accessible(cpu).ToDictionary(f => f, cpu.ReadRegisters);

    /// <summary>The register image of a component in its init state.</summary>
    public static byte[] InitImage(Cpu cpu, XFeature feature)
    {
        var image = new byte[cpu.GetRegisterFileSize(feature)];
        if (feature == XFeature.X87)
        {
            image[0] = Cpu.FcwInit & 0xFF;
            image[1] = Cpu.FcwInit >> 8;
        }

        return image;
    }
}
