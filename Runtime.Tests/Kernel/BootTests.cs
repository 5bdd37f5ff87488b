using FpuGuard.Runtime.Tests.Hardware;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>The boot feature set and buffer sizes of fpu__init_system_xstate / fpu__init_cpu_xstate (v6.12).</summary>
public class BootTests
{
    [Fact]
    public void Skylake_sp_keeps_mpx_in_xcr0_and_enables_no_supervisor_feature_because_pt_is_unsupported()
    {
        var kernel = new Kernel(CpuProfiles.SkylakeServer.Layout);
        Assert.Equal((XFeatureMask)0x2FF, kernel.Cpu.Xcr0); // XFEATURE_MASK_USER_SUPPORTED still has BNDREGS, BNDCSR
        Assert.Equal(0UL, kernel.Cpu.Rdmsr(Cpu.MsrIa32Xss)); // PT is XFEATURE_MASK_SUPERVISOR_UNSUPPORTED
        Assert.Equal(2568, kernel.FpuKernelCfg.MaxSize); // boot log: 0x2ff, 2568 bytes compacted
        Assert.Equal(2696, kernel.FpuUserCfg.MaxSize);
        Assert.Equal(2568, kernel.Idle.Fpu.StateSize);

        var task = kernel.CreateProcess("mpx");
        kernel.SwitchTo(task);
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.BndRegs, new byte[64]));
    }

    [Fact]
    public void Zen4_writes_cet_user_state_into_ia32_xss_and_task_buffers_have_room_for_it()
    {
        var kernel = new Kernel(CpuProfiles.Zen4.Layout);
        Assert.Equal((XFeatureMask)0x2E7, kernel.Cpu.Xcr0);
        Assert.Equal((ulong)XFeatureMask.CetUser, kernel.Cpu.Rdmsr(Cpu.MsrIa32Xss)); // not CET supervisor state in v6.12
        Assert.Equal((XFeatureMask)0xAE7, kernel.FpuKernelCfg.DefaultFeatures);
        Assert.Equal(2440 + 16, kernel.FpuKernelCfg.DefaultSize);
        Assert.Equal(2440, kernel.FpuUserCfg.MaxSize);

        var task = kernel.CreateProcess("shstk");
        Assert.Equal(2456, task.Fpu.State.Size);
        kernel.SwitchTo(task);
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.Avx, new byte[256])); // the task's registers are live
        kernel.Cpu.WriteRegisters(XFeature.CetUser, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 });
        kernel.SwitchTo(kernel.Idle); // XSAVES saves the supervisor component into the task's buffer
        Assert.True(task.Fpu.State.XStateBv.Has(XFeature.CetUser));
        Assert.Equal(16, task.Fpu.State.Bytes[2440 + 15]);
    }

    [Fact]
    public void Sapphire_rapids_enables_pasid_cet_user_and_the_independent_lbr_but_sizes_buffers_without_lbr()
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        Assert.Equal((XFeatureMask)0x602E7, kernel.Cpu.Xcr0);
        Assert.Equal((ulong)(XFeatureMask.Pasid | XFeatureMask.CetUser | XFeatureMask.Lbr), kernel.Cpu.Rdmsr(Cpu.MsrIa32Xss));
        Assert.Equal((ulong)XFeatureMask.XTileData, kernel.Cpu.Rdmsr(Cpu.MsrIa32Xfd));
        Assert.Equal((XFeatureMask)0x60EE7, kernel.FpuKernelCfg.MaxFeatures);
        Assert.Equal(10752, kernel.FpuKernelCfg.MaxSize); // get_xsaves_size_no_independent
        Assert.Equal(11584, (int)kernel.Cpu.Cpuid(1).Ebx); // with LBR's 808 bytes, as IA32_XSS is left
        Assert.Equal(new FpuStateConfig((XFeatureMask)0x602E7, (XFeatureMask)0x202E7, 11008, 2816), kernel.FpuUserCfg);
        Assert.Equal(2560, kernel.FpuKernelCfg.DefaultSize);
    }

    [Fact]
    public void Haswell_without_xsaves_uses_the_standard_format_and_never_writes_ia32_xss()
    {
        var kernel = new Kernel(CpuProfiles.HaswellClient.Layout);
        Assert.Equal((XFeatureMask)0x7, kernel.Cpu.Xcr0);
        Assert.Throws<GeneralProtectionFault>(() => kernel.Cpu.Rdmsr(Cpu.MsrIa32Xss));
        Assert.Equal(XSaveFormat.Standard, kernel.KernelFormat);
        Assert.Equal(832, kernel.FpuKernelCfg.MaxSize);
        Assert.Equal(832, kernel.FpuUserCfg.MaxSize);
    }

    [Fact]
    public void Bulldozer_leaves_lwp_out()
    {
        var kernel = new Kernel(CpuProfiles.Bulldozer.Layout);
        Assert.Equal((XFeatureMask)0x7, kernel.Cpu.Xcr0);
    }

    [Fact]
    public void A_client_dump_without_the_pt_subleaf_boots()
    {
        var kernel = new Kernel(XStateLayout.FromCpuidDump(CpuidDumpTests.KabyLakeTagged));
        Assert.Equal((XFeatureMask)0x1F, kernel.Cpu.Xcr0);
        Assert.Equal(XFeatureMask.None, kernel.Cpu.Xss);
        Assert.Equal(960, kernel.FpuKernelCfg.DefaultSize);
    }

    [Fact]
    public void Booting_needs_the_size_of_every_supervisor_feature_the_kernel_enables()
    {
        // Sapphire Rapids without PASID's sub-leaf: the layout is built, but v6.12 would put PASID in every
        // task buffer, so the boot's size query names the missing sub-leaf.
        var dump = CpuProfiles.SapphireRapids.Dump.Replace("0x0000000d 0x0a: eax=0x00000008 ebx=0x00000000 ecx=0x00000001 edx=0x00000000", "");
        var layout = XStateLayout.FromCpuidDump(dump);
        Assert.Equal(XFeatureMask.Pasid, layout.UnknownFeatures);
        Assert.Equal(0x0A, Assert.Throws<CpuidDataException>(() => new Kernel(layout)).SubLeaf);
    }
}
