using System;
using System.Linq;

namespace FpuGuard.Runtime.Tests.Hardware;

/// <summary>Extended feature disable: first use of armed AMX tile data raises #NM, the XSAVE family sees it as init.</summary>
public class XfdTests
{
    private static XStateLayout Spr => CpuProfiles.SapphireRapids.Layout;

    private static Cpu ArmedCpu(byte[]? tileData = null)
    {
        var cpu = CpuTestKit.Configured(Spr, (XFeatureMask)0x602E7, 0);
        if (tileData is not null)
        {
            cpu.WriteRegisters(XFeature.XTileData, tileData);
        }

        cpu.Wrmsr(Cpu.MsrIa32Xfd, (ulong)XFeatureMask.XTileData);
        return cpu;
    }

    [Fact]
    public void Touching_armed_tile_data_raises_device_not_available_and_sets_xfd_err()
    {
        var cpu = ArmedCpu();
        var fault = Assert.Throws<DeviceNotAvailableFault>(() => cpu.WriteRegisters(XFeature.XTileData, new byte[8192]));
        Assert.Equal(XFeatureMask.XTileData, fault.XfdErr);
        Assert.Equal((ulong)XFeatureMask.XTileData, cpu.Rdmsr(Cpu.MsrIa32XfdErr));
        Assert.Equal("#NM", fault.Vector);
        cpu.WriteRegisters(XFeature.XTileCfg, new byte[64]); // TILECFG is not armed
    }

    [Fact]
    public void Disarming_lets_the_instruction_retry_succeed()
    {
        var cpu = ArmedCpu();
        Assert.Throws<DeviceNotAvailableFault>(() => cpu.WriteRegisters(XFeature.XTileData, new byte[8192]));
        cpu.Wrmsr(Cpu.MsrIa32XfdErr, 0);
        cpu.Wrmsr(Cpu.MsrIa32Xfd, 0);
        cpu.WriteRegisters(XFeature.XTileData, Enumerable.Repeat((byte)9, 8192).ToArray());
        Assert.True(cpu.XInUse.Has(XFeature.XTileData));
    }

    [Fact]
    public void Xsave_family_treats_an_armed_component_as_init_and_keeps_its_registers()
    {
        var data = Enumerable.Range(0, 8192).Select(i => (byte)i).ToArray();
        var cpu = ArmedCpu(data);
        var all = cpu.Xcr0;
        var compacted = new XStateBuffer(Spr.GetBufferSize(all, XSaveFormat.Compacted));
        cpu.Xsaves(compacted, all);
        Assert.False(compacted.XStateBv.Has(XFeature.XTileData));
        var standard = new XStateBuffer(Spr.GetBufferSize(all, XSaveFormat.Standard));
        cpu.Xsave(standard, all);
        Assert.False(standard.XStateBv.Has(XFeature.XTileData));
        Assert.True(standard.Bytes.Slice(2816, 8192).ToArray().All(b => b == 0));
        cpu.Wrmsr(Cpu.MsrIa32Xfd, 0);
        Assert.Equal(data, cpu.ReadRegisters(XFeature.XTileData));
    }

    [Fact]
    public void Restoring_armed_tile_data_raises_device_not_available_without_changing_state()
    {
        var source = CpuTestKit.Configured(Spr, (XFeatureMask)0x602E7, 0);
        CpuTestKit.Fill(source, source.Xcr0, new Random(5));
        var area = new XStateBuffer(Spr.GetBufferSize(source.Xcr0, XSaveFormat.Compacted));
        source.Xsaves(area, source.Xcr0);

        var target = ArmedCpu();
        target.WriteRegisters(XFeature.Avx, Enumerable.Repeat((byte)4, 256).ToArray());
        var fault = Assert.Throws<DeviceNotAvailableFault>(() => target.Xrstors(area, target.Xcr0));
        Assert.Equal(XFeatureMask.XTileData, fault.XfdErr);
        Assert.Equal(4, target.ReadRegisters(XFeature.Avx)[0]);

        area.XStateBv &= ~XFeatureMask.XTileData; // not loading it: fine, and it is initialized
        target.Xrstors(area, target.Xcr0);
        Assert.Equal(source.ReadRegisters(XFeature.Avx), target.ReadRegisters(XFeature.Avx));
    }
}
