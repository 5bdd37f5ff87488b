using System;
using System.Linq;
using System.Runtime.Intrinsics.X86;

namespace FpuGuard.Runtime.Tests.Hardware;

/// <summary>A fact that runs only on an x86 processor with XSAVE; elsewhere it is skipped with the reason.</summary>
public sealed class X86XsaveFactAttribute : FactAttribute
{
    public X86XsaveFactAttribute()
    {
        if (!X86Base.IsSupported)
        {
            Skip = $"needs an x86 processor; this one is {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}";
        }
        else if ((X86Base.CpuId(1, 0).Ecx & (1 << 26)) == 0)
        {
            Skip = "the host x86 processor does not support XSAVE";
        }
    }
}

/// <summary>The host CPU's layout agrees with what its CPUID instruction says, read here independently.</summary>
public class HostCpuTests
{
    private static CpuidRegisters Read(int subLeaf)
    {
        var (a, b, c, d) = X86Base.CpuId(0xD, subLeaf);
        return new CpuidRegisters((uint)a, (uint)b, (uint)c, (uint)d);
    }

    [X86XsaveFact]
    public void Host_standard_size_of_all_user_components_equals_cpuid_ecx()
    {
        var layout = XStateLayout.FromHostCpu();
        Assert.Equal((int)Read(0).Ecx, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard));
    }

    [X86XsaveFact]
    public void Host_components_are_the_ones_cpuid_reports()
    {
        var layout = XStateLayout.FromHostCpu();
        foreach (var component in layout.Components.Where(c => (int)c.Feature >= 2))
        {
            var registers = Read((int)component.Feature);
            Assert.Equal((int)registers.Eax, component.Size);
            Assert.Equal((int)registers.Ebx, component.StandardOffset);
            Assert.Equal((registers.Ecx & 2) != 0, component.IsAligned64);
        }
    }

    [X86XsaveFact]
    public void Host_enabled_sizes_are_those_of_one_valid_xcr0_and_xss()
    {
        // User space cannot read XCR0 or IA32_XSS, so look for the enabled pair among all valid ones:
        // the one calculator must reproduce both of the host's own totals for at least one of them.
        var layout = XStateLayout.FromHostCpu();
        var cpu = new Cpu(layout);
        var reportedStandard = (int)Read(0).Ebx;
        var reportedCompacted = (int)Read(1).Ebx;
        var userBits = layout.SupportedUserFeatures.Features().ToArray();
        var supervisorBits = layout.SupportedSupervisorFeatures.Features().ToArray();
        Assert.True(userBits.Length + supervisorBits.Length <= 24, "too many components to enumerate");
        var found = false;
        for (var u = 0UL; u < 1UL << userBits.Length && !found; u++)
        {
            var xcr0 = Subset(userBits, u);
            if (!xcr0.Has(XFeature.X87) || !IsValidXcr0(cpu, xcr0) || layout.GetBufferSize(xcr0, XSaveFormat.Standard) != reportedStandard)
            {
                continue;
            }

            if (!layout.SupportsXsaveC && !layout.SupportsXsaves)
            {
                found = true;
                break;
            }

            for (var s = 0UL; s < 1UL << supervisorBits.Length && !found; s++)
            {
                found = layout.GetBufferSize(xcr0 | Subset(supervisorBits, s), XSaveFormat.Compacted) == reportedCompacted;
            }
        }

        Assert.True(found, $"no valid XCR0/XSS gives standard {reportedStandard} and compacted {reportedCompacted} on {layout}");
    }

    [X86XsaveFact]
    public void Host_layout_drives_a_working_cpu_model()
    {
        var layout = XStateLayout.FromHostCpu();
        var cpu = new Cpu(layout);
        cpu.Xsetbv(0, layout.SupportedUserFeatures & ~XFeatureMask.Amx & ~XFeatureMask.Mpx);
        CpuTestKit.Fill(cpu, cpu.Xcr0, new Random(7));
        var area = new XStateBuffer((int)cpu.Cpuid(0).Ebx);
        cpu.Xsave(area, cpu.Xcr0);
        var target = new Cpu(layout);
        target.Xsetbv(0, cpu.Xcr0);
        target.Xrstor(area, cpu.Xcr0);
        foreach (var feature in cpu.Xcr0.Features())
        {
            Assert.Equal(cpu.ReadRegisters(feature), target.ReadRegisters(feature));
        }
    }

    private static XFeatureMask Subset(XFeature[] bits, ulong selector)
    {
        var mask = XFeatureMask.None;
        for (var i = 0; i < bits.Length; i++)
        {
            if ((selector & (1UL << i)) != 0)
            {
                mask |= bits[i].ToMask();
            }
        }

        return mask;
    }

    private static bool IsValidXcr0(Cpu cpu, XFeatureMask value)
    {
        try
        {
            cpu.Xsetbv(0, value);
            return true;
        }
        catch (GeneralProtectionFault)
        {
            return false;
        }
    }
}
