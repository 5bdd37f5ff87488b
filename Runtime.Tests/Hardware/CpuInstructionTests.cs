using System;
using System.Linq;

namespace FpuGuard.Runtime.Tests.Hardware;

/// <summary>XSETBV, MSRs and the save/restore optimizations and faults, where the SDM puts them.</summary>
public class CpuInstructionTests
{
    private static XStateLayout Spr => CpuProfiles.SapphireRapids.Layout;

    private static Cpu SprCpu() => CpuTestKit.Configured(Spr, (XFeatureMask)0x602E7, XFeatureMask.Pasid);

    [Theory]
    [InlineData(0x0UL, "bit 0 (x87)")]
    [InlineData(0x5UL, "AVX (bit 2) needs SSE")]
    [InlineData(0x27UL, "AVX-512 bits 7:5 must be all set")]
    [InlineData(0xE1UL, "needs SSE and AVX")]
    [InlineData(0x20007UL, "AMX bits 18:17")]
    [InlineData(0x40007UL, "AMX bits 18:17")]
    [InlineData(0x100UL, "not supported user components")]
    [InlineData(0x8UL | 0x3UL, "not supported user components")]
    public void Xsetbv_faults_on_the_sdm_rules(ulong value, string reason)
    {
        var cpu = new Cpu(Spr);
        var fault = Assert.Throws<GeneralProtectionFault>(() => cpu.Xsetbv(0, (XFeatureMask)value));
        Assert.Contains(reason, fault.Message);
        Assert.Equal(XFeatureMask.X87, cpu.Xcr0);
    }

    [Fact]
    public void Xsetbv_enforces_mpx_pairing_and_accepts_valid_values()
    {
        var cpu = new Cpu(CpuProfiles.SkylakeServer.Layout);
        Assert.Contains("MPX bits 4:3", Assert.Throws<GeneralProtectionFault>(() => cpu.Xsetbv(0, (XFeatureMask)0xB)).Message);
        cpu.Xsetbv(0, (XFeatureMask)0x2FF);
        Assert.Equal(0x2FFUL, cpu.Xgetbv(0));
    }

    [Fact]
    public void Privileged_instructions_fault_at_cpl_3()
    {
        var cpu = SprCpu();
        cpu.Cpl = 3;
        var area = new XStateBuffer(Spr.GetBufferSize(Spr.SupportedFeatures, XSaveFormat.Compacted));
        Assert.Throws<GeneralProtectionFault>(() => cpu.Xsetbv(0, XFeatureMask.FpSse));
        Assert.Throws<GeneralProtectionFault>(() => cpu.Wrmsr(Cpu.MsrIa32Xfd, 0));
        Assert.Throws<GeneralProtectionFault>(() => cpu.Xsaves(area, (XFeatureMask)ulong.MaxValue));
        Assert.Throws<GeneralProtectionFault>(() => cpu.Xrstors(area, (XFeatureMask)ulong.MaxValue));
        cpu.Xsavec(area, (XFeatureMask)ulong.MaxValue); // user instructions still work
    }

    [Fact]
    public void Msrs_reject_bits_the_cpu_does_not_have()
    {
        var cpu = SprCpu();
        Assert.Contains("IA32_XFD", Assert.Throws<GeneralProtectionFault>(() => cpu.Wrmsr(Cpu.MsrIa32Xfd, (ulong)XFeatureMask.XTileCfg)).Message);
        Assert.Contains("IA32_XSS", Assert.Throws<GeneralProtectionFault>(() => cpu.Wrmsr(Cpu.MsrIa32Xss, (ulong)XFeatureMask.Hdc)).Message);
        var zen4 = new Cpu(CpuProfiles.Zen4.Layout);
        Assert.Throws<GeneralProtectionFault>(() => zen4.Wrmsr(Cpu.MsrIa32Xfd, 0)); // no XFD on Zen 4
        var haswell = new Cpu(CpuProfiles.HaswellClient.Layout);
        Assert.Throws<GeneralProtectionFault>(() => haswell.Wrmsr(Cpu.MsrIa32Xss, 0)); // no XSAVES on Haswell
    }

    [Fact]
    public void Missing_instructions_raise_invalid_opcode()
    {
        var haswell = CpuTestKit.Configured(CpuProfiles.HaswellClient.Layout, (XFeatureMask)0x7, 0);
        var area = new XStateBuffer(832);
        Assert.Throws<InvalidOpcodeFault>(() => haswell.Xsavec(area, (XFeatureMask)0x7));
        Assert.Throws<InvalidOpcodeFault>(() => haswell.Xsaves(area, (XFeatureMask)0x7));
        Assert.Throws<InvalidOpcodeFault>(() => haswell.Xrstors(area, (XFeatureMask)0x7));
        var bulldozer = CpuTestKit.Configured(CpuProfiles.Bulldozer.Layout, (XFeatureMask)0x7, 0);
        Assert.Throws<InvalidOpcodeFault>(() => bulldozer.Xsaveopt(area, (XFeatureMask)0x7));
    }

    [Fact]
    public void Using_a_component_not_enabled_in_xcr0_raises_invalid_opcode()
    {
        var cpu = CpuTestKit.Configured(Spr, (XFeatureMask)0x7, 0);
        Assert.Throws<InvalidOpcodeFault>(() => cpu.WriteRegisters(XFeature.ZmmHi256, new byte[512]));
    }

    [Fact]
    public void Misaligned_area_raises_general_protection_for_every_instruction()
    {
        var cpu = SprCpu();
        var area = new XStateBuffer(Spr.GetBufferSize(Spr.SupportedFeatures, XSaveFormat.Compacted), 0x1008);
        var all = (XFeatureMask)ulong.MaxValue;
        foreach (var instruction in new Action[] { () => cpu.Xsave(area, all), () => cpu.Xsaveopt(area, all), () => cpu.Xsavec(area, all), () => cpu.Xsaves(area, all), () => cpu.Xrstor(area, all), () => cpu.Xrstors(area, all) })
        {
            Assert.Contains("not 64-byte aligned", Assert.Throws<GeneralProtectionFault>(instruction).Message);
        }
    }

    [Fact]
    public void Too_small_area_faults_and_nothing_is_written()
    {
        var cpu = SprCpu();
        CpuTestKit.Fill(cpu, cpu.Xcr0, new Random(1));
        var area = new XStateBuffer(Spr.GetBufferSize((XFeatureMask)0x602E7 & ~XFeatureMask.XTileData, XSaveFormat.Compacted));
        area.Bytes.Fill(0x5A);
        var fault = Assert.Throws<PageFault>(() => cpu.Xsavec(area, (XFeatureMask)0x602E7));
        Assert.Contains("10752", fault.Message);
        Assert.True(area.Bytes.ToArray().All(b => b == 0x5A));
        Assert.Throws<PageFault>(() => cpu.Xsave(area, (XFeatureMask)0x602E7));
        Assert.True(area.Bytes.ToArray().All(b => b == 0x5A));
    }

    [Fact]
    public void Restore_that_would_read_past_the_area_faults_and_changes_nothing()
    {
        var cpu = SprCpu();
        CpuTestKit.Fill(cpu, cpu.Xcr0, new Random(2));
        var full = new XStateBuffer(Spr.GetBufferSize((XFeatureMask)0x602E7, XSaveFormat.Compacted));
        cpu.Xsavec(full, (XFeatureMask)0x602E7);
        var truncated = new XStateBuffer(4096);
        full.Bytes[..4096].CopyTo(truncated.Bytes);
        var target = SprCpu();
        var before = CpuTestKit.Snapshot(target);
        Assert.Throws<PageFault>(() => target.Xrstor(truncated, (XFeatureMask)0x602E7));
        Assert.All(before, pair => Assert.Equal(pair.Value, target.ReadRegisters(pair.Key)));
    }

    [Fact]
    public void Xsave_writes_init_values_but_xsavec_leaves_init_components_untouched()
    {
        var cpu = SprCpu();
        cpu.WriteRegisters(XFeature.Opmask, Enumerable.Repeat((byte)7, 64).ToArray());
        var avxOffsetStandard = Spr.GetOffset(XFeature.Avx, cpu.Xcr0, XSaveFormat.Standard);
        var standard = new XStateBuffer(Spr.GetBufferSize(cpu.Xcr0, XSaveFormat.Standard));
        standard.Bytes.Fill(0xAA);
        standard.Bytes.Slice(512, 64).Clear();
        cpu.Xsave(standard, cpu.Xcr0);
        Assert.True(standard.Bytes.Slice(avxOffsetStandard, 256).ToArray().All(b => b == 0)); // init value written
        Assert.Equal(XFeatureMask.Opmask, standard.XStateBv);

        var compacted = new XStateBuffer(Spr.GetBufferSize(cpu.Xcr0, XSaveFormat.Compacted));
        compacted.Bytes.Fill(0xAA);
        cpu.Xsavec(compacted, cpu.Xcr0);
        var avxOffsetCompacted = Spr.GetOffset(XFeature.Avx, cpu.Xcr0, XSaveFormat.Compacted);
        Assert.True(compacted.Bytes.Slice(avxOffsetCompacted, 256).ToArray().All(b => b == 0xAA)); // init optimization
        Assert.Equal(XFeatureMask.Opmask, compacted.XStateBv);
        Assert.Equal(XStateBuffer.CompactedFormatBit | 0x602E7UL, compacted.XCompBv);
        Assert.Equal(7, compacted.Bytes[Spr.GetOffset(XFeature.Opmask, cpu.Xcr0, XSaveFormat.Compacted)]);
    }

    [Fact]
    public void Xsave_changes_only_the_rfbm_bits_of_xstate_bv()
    {
        var cpu = SprCpu();
        var area = new XStateBuffer(Spr.GetBufferSize(cpu.Xcr0, XSaveFormat.Standard));
        area.XStateBv = XFeatureMask.Pkru | XFeatureMask.Avx;
        cpu.Xsave(area, XFeatureMask.Avx);
        Assert.Equal(XFeatureMask.Pkru, area.XStateBv);
    }

    [Fact]
    public void Xsaveopt_skips_components_unmodified_since_xrstor_from_the_same_area()
    {
        var cpu = SprCpu();
        cpu.WriteRegisters(XFeature.Avx, Enumerable.Repeat((byte)1, 256).ToArray());
        cpu.WriteRegisters(XFeature.Opmask, Enumerable.Repeat((byte)2, 64).ToArray());
        var area = new XStateBuffer(Spr.GetBufferSize(cpu.Xcr0, XSaveFormat.Standard));
        cpu.Xsave(area, cpu.Xcr0);
        cpu.Xrstor(area, cpu.Xcr0);
        var avx = Spr.GetOffset(XFeature.Avx, cpu.Xcr0, XSaveFormat.Standard);
        var opmask = Spr.GetOffset(XFeature.Opmask, cpu.Xcr0, XSaveFormat.Standard);
        area.Bytes.Slice(avx, 256).Fill(0xEE);
        area.Bytes.Slice(opmask, 64).Fill(0xEE);
        cpu.WriteRegisters(XFeature.Opmask, Enumerable.Repeat((byte)3, 64).ToArray());

        cpu.Xsaveopt(area, cpu.Xcr0);
        Assert.Equal(0xEE, area.Bytes[avx]); // unmodified since XRSTOR: not written
        Assert.Equal(3, area.Bytes[opmask]); // modified: written

        var other = new XStateBuffer(area.Size);
        cpu.Xsaveopt(other, cpu.Xcr0);
        Assert.Equal(1, other.Bytes[avx]); // another address: no modified optimization
    }

    [Fact]
    public void Xsaves_uses_the_modified_optimization_only_after_xrstors_with_the_same_xcomp_bv()
    {
        var cpu = SprCpu();
        var all = cpu.Xcr0 | cpu.Xss;
        cpu.WriteRegisters(XFeature.Pkru, [1, 2, 3, 4, 5, 6, 7, 8]);
        var area = new XStateBuffer(Spr.GetBufferSize(all, XSaveFormat.Compacted));
        cpu.Xsaves(area, all);
        cpu.Xrstors(area, all);
        var pkru = Spr.GetOffset(XFeature.Pkru, all, XSaveFormat.Compacted);
        area.Bytes[pkru] = 0xEE;
        cpu.Xsaves(area, all);
        Assert.Equal(0xEE, area.Bytes[pkru]);
        cpu.Xsaves(area, cpu.Xcr0); // different RFBM, so a different XCOMP_BV: everything in use is written
        Assert.Equal(1, area.Bytes[Spr.GetOffset(XFeature.Pkru, cpu.Xcr0, XSaveFormat.Compacted)]);
    }

    [Theory]
    [InlineData(false, 520, "bytes 8–23 must be zero")]
    [InlineData(true, 530, "bytes 16–63 must be zero")]
    public void Xrstor_faults_on_reserved_header_bytes(bool compacted, int offset, string reason)
    {
        var cpu = SprCpu();
        var format = compacted ? XSaveFormat.Compacted : XSaveFormat.Standard;
        var area = new XStateBuffer(Spr.GetBufferSize(cpu.Xcr0, format));
        if (compacted)
        {
            cpu.Xsavec(area, cpu.Xcr0);
        }
        else
        {
            cpu.Xsave(area, cpu.Xcr0);
        }

        area.Bytes[offset] = 1;
        Assert.Contains(reason, Assert.Throws<GeneralProtectionFault>(() => cpu.Xrstor(area, cpu.Xcr0)).Message);
    }

    [Fact]
    public void Xrstor_faults_on_header_bits_outside_the_enabled_components()
    {
        var cpu = CpuTestKit.Configured(Spr, (XFeatureMask)0x7, XFeatureMask.Pasid);
        var standard = new XStateBuffer(Spr.GetBufferSize(Spr.SupportedUserFeatures, XSaveFormat.Standard)) { XStateBv = XFeatureMask.Pkru };
        Assert.Contains("not in XCR0", Assert.Throws<GeneralProtectionFault>(() => cpu.Xrstor(standard, (XFeatureMask)ulong.MaxValue)).Message);

        var compacted = new XStateBuffer(4096) { XCompBv = XStateBuffer.CompactedFormatBit | 0x207 };
        Assert.Contains("not in XCR0", Assert.Throws<GeneralProtectionFault>(() => cpu.Xrstor(compacted, (XFeatureMask)ulong.MaxValue)).Message);

        compacted.XCompBv = XStateBuffer.CompactedFormatBit | 0x3;
        compacted.XStateBv = XFeatureMask.Avx;
        Assert.Contains("not in XCOMP_BV", Assert.Throws<GeneralProtectionFault>(() => cpu.Xrstor(compacted, (XFeatureMask)ulong.MaxValue)).Message);

        compacted.XStateBv = 0;
        compacted.XCompBv = XStateBuffer.CompactedFormatBit | 0x403; // PASID: enabled in XSS, so only XRSTORS takes it
        Assert.Throws<GeneralProtectionFault>(() => cpu.Xrstor(compacted, (XFeatureMask)ulong.MaxValue));
        cpu.Xrstors(compacted, (XFeatureMask)ulong.MaxValue);
    }

    [Fact]
    public void Xrstors_needs_the_compacted_form_and_xrstor_needs_xsavec_for_it()
    {
        var cpu = SprCpu();
        var area = new XStateBuffer(4096);
        Assert.Contains("compacted form", Assert.Throws<GeneralProtectionFault>(() => cpu.Xrstors(area, cpu.Xcr0)).Message);
        var haswell = CpuTestKit.Configured(CpuProfiles.HaswellClient.Layout, (XFeatureMask)0x7, 0);
        var compacted = new XStateBuffer(832) { XCompBv = XStateBuffer.CompactedFormatBit | 0x7 };
        Assert.Throws<GeneralProtectionFault>(() => haswell.Xrstor(compacted, (XFeatureMask)0x7));
    }

    [Fact]
    public void Restoring_an_mxcsr_with_reserved_bits_faults_and_changes_nothing()
    {
        var cpu = SprCpu();
        CpuTestKit.Fill(cpu, cpu.Xcr0, new Random(3));
        var area = new XStateBuffer(Spr.GetBufferSize(cpu.Xcr0, XSaveFormat.Standard));
        cpu.Xsave(area, cpu.Xcr0);
        area.Mxcsr = 0x0001_1F80;
        var target = SprCpu();
        var before = CpuTestKit.Snapshot(target);
        Assert.Contains("MXCSR", Assert.Throws<GeneralProtectionFault>(() => target.Xrstor(area, XFeatureMask.Avx)).Message);
        Assert.All(before, pair => Assert.Equal(pair.Value, target.ReadRegisters(pair.Key)));
        Assert.Throws<GeneralProtectionFault>(() => target.Ldmxcsr(0x0001_0000));
    }

    [Fact]
    public void Xrstor_initializes_components_whose_xstate_bv_bit_is_clear()
    {
        var cpu = SprCpu();
        CpuTestKit.Fill(cpu, cpu.Xcr0, new Random(4));
        var area = new XStateBuffer(Spr.GetBufferSize(cpu.Xcr0, XSaveFormat.Standard));
        cpu.Xrstor(area, XFeatureMask.Avx | XFeatureMask.Pkru);
        Assert.Equal(new byte[256], cpu.ReadRegisters(XFeature.Avx));
        Assert.False(cpu.XInUse.Has(XFeature.Avx));
        Assert.True(cpu.XInUse.Has(XFeature.Opmask)); // not in RFBM: untouched
        Assert.Equal(cpu.Xcr0 & cpu.XInUse, (XFeatureMask)cpu.Xgetbv(1));
    }
}
