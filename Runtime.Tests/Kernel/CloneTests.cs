using System;
using System.Linq;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>fpu_clone (v6.12): the parent's registers, made live, are saved into the child's embedded buffer.</summary>
public class CloneTests
{
    [Fact]
    public void Fork_loads_the_parents_registers_and_saves_them_into_the_child()
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var parent = kernel.CreateProcess("parent");
        var other = kernel.CreateProcess("other");
        kernel.SwitchTo(parent);
        var avx = Enumerable.Repeat((byte)0x3C, 256).ToArray();
        kernel.UserWriteRegisters(XFeature.Avx, avx);
        kernel.SwitchTo(other);
        kernel.UserWriteRegisters(XFeature.Avx, new byte[256]); // the processor holds other's registers
        kernel.SwitchTo(parent);
        Assert.True(parent.Fpu.NeedsLoad);

        var child = kernel.Fork(parent, "child");

        Assert.False(parent.Fpu.NeedsLoad); // fpregs_restore_userregs under fpregs_lock
        Assert.Same(parent, kernel.FpregsOwner);
        var image = child.Fpu.State;
        Assert.Equal(XStateBuffer.CompactedFormatBit | (ulong)child.Fpu.StateMask, image.XCompBv); // an XSAVES image
        Assert.True(image.XStateBv.Has(XFeature.Avx));
        Assert.Equal(avx, image.Bytes.Slice(576, 256).ToArray());
        Assert.True(child.Fpu.NeedsLoad);
    }

    [Fact]
    public void Fork_clears_pasid_in_the_child()
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var parent = kernel.CreateProcess("parent");
        kernel.SwitchTo(parent);
        kernel.UserWriteRegisters(XFeature.Avx, new byte[256]);
        kernel.Cpu.WriteRegisters(XFeature.Pasid, BitConverter.GetBytes(0x1234UL)); // the kernel binds a PASID
        var child = kernel.Fork(parent, "child");
        Assert.False(child.Fpu.State.XStateBv.Has(XFeature.Pasid));
        kernel.SwitchTo(kernel.Idle);
        Assert.True(parent.Fpu.State.XStateBv.Has(XFeature.Pasid));
    }

    [Fact]
    public void Only_the_running_task_forks()
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var parent = kernel.CreateProcess("parent");
        Assert.Contains("current task only", Assert.Throws<InvalidOperationException>(() => kernel.Fork(parent)).Message);
        Assert.Single(kernel.Tasks, t => t.Name == "parent");
    }
}
