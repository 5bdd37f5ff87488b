using System;
using System.Linq;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>The realloc/swap/free functions as the review corrected them.</summary>
public class BufferManagerTests
{
    private static (Kernel Kernel, KernelTask Task) Running(string profile = "sapphire-rapids")
    {
        var kernel = new Kernel(CpuProfiles.Get(profile).Layout);
        var task = kernel.CreateProcess("amx");
        kernel.SwitchTo(task);
        Assert.True(kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData).IsSuccess);
        return (kernel, task);
    }

    [Fact]
    public void Default_state_has_room_for_every_non_dynamic_feature()
    {
        var (kernel, task) = Running();
        Assert.Equal((XFeatureMask)0x202E7, task.Fpu.StateMask);
        Assert.Equal(2560, task.Fpu.StateSize); // compacted 0x202e7 on Sapphire Rapids
        Assert.Same(task.Fpu.DefaultState, task.Fpu.State);
        Assert.Equal(XFeatureMask.XTileData, task.Fpu.Xfd);
        Assert.Equal(XFeatureMask.XTileData, kernel.DynamicFeatures);
    }

    [Fact]
    public void Realloc_grows_to_the_calculators_size_and_disarms_xfd()
    {
        var (kernel, task) = Running();
        Assert.True(kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData).IsSuccess);
        Assert.Equal(10752, task.Fpu.StateSize);
        Assert.Equal(10752, task.Fpu.State.Size);
        Assert.Equal((XFeatureMask)0x602E7, task.Fpu.StateMask);
        Assert.Equal(XStateBuffer.CompactedFormatBit | 0x602E7UL, task.Fpu.State.XCompBv);
        Assert.Equal(XFeatureMask.None, task.Fpu.Xfd);
        Assert.Equal(0UL, kernel.Cpu.Rdmsr(Cpu.MsrIa32Xfd));
        Assert.Equal(1, kernel.Memory.LiveAllocations);
        Assert.True(kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData).IsSuccess); // no shrink, no new buffer
        Assert.Equal(1, kernel.Memory.AllocationAttempts);
    }

    [Fact]
    public void Realloc_failure_returns_enomem_and_leaves_the_old_state_intact()
    {
        var (kernel, task) = Running();
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.Avx, Enumerable.Repeat((byte)0x42, 256).ToArray()));
        kernel.SyncFpstate(task);
        var before = (task.Fpu.State, task.Fpu.StateMask, task.Fpu.StateSize, Image: task.Fpu.State.Bytes.ToArray());
        kernel.Memory.FailNthAllocation(1);
        var result = kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData);
        Assert.Equal(Errno.ENOMEM, result.Errno);
        Assert.Contains("vzalloc(10752)", result.Reason);
        Assert.Same(before.State, task.Fpu.State);
        Assert.Equal(before.StateMask, task.Fpu.StateMask);
        Assert.Equal(before.StateSize, task.Fpu.StateSize);
        Assert.Equal(before.Image, task.Fpu.State.Bytes.ToArray());
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.Avx, out var avx));
        Assert.All(avx, b => Assert.Equal(0x42, b));
    }

    [Fact]
    public void Realloc_of_a_stopped_task_copies_its_saved_state_into_the_new_buffer()
    {
        var (kernel, task) = Running();
        kernel.UserWriteRegisters(XFeature.Opmask, Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        kernel.SwitchTo(kernel.Idle); // saved into the default buffer, then stopped
        var defaultState = task.Fpu.State;

        Assert.True(kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData).IsSuccess);
        Assert.NotSame(defaultState, task.Fpu.State);
        Assert.Equal(1, kernel.Memory.LiveAllocations); // the default one was not freed
        var image = kernel.XStateRegsGet(task);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray(), image.AsSpan(1088, 64).ToArray());

        kernel.SwitchTo(task);
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.Opmask, out var opmask));
        Assert.Equal(63, opmask[63]);
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.XTileData, out var tiles)); // no #NM: disarmed
        Assert.All(tiles, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Realloc_of_current_before_its_registers_are_loaded_copies_the_saved_state()
    {
        var (kernel, task) = Running();
        kernel.UserWriteRegisters(XFeature.ZmmHi256, Enumerable.Repeat((byte)0x5C, 512).ToArray());
        var other = kernel.CreateProcess("other");
        kernel.SwitchTo(other);
        kernel.UserWriteRegisters(XFeature.ZmmHi256, new byte[512]); // the processor now holds other's registers
        kernel.SwitchTo(task); // current again, registers not loaded yet
        Assert.True(task.Fpu.NeedsLoad);
        Assert.True(kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData).IsSuccess);
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.ZmmHi256, out var zmm));
        Assert.All(zmm, b => Assert.Equal(0x5C, b));
    }

    [Fact]
    public void Swap_helper_returns_the_old_buffer_unless_it_was_the_default()
    {
        var (kernel, task) = Running();
        var fpu = task.Fpu;
        var first = kernel.Memory.Vzalloc(10752)!;
        Assert.Null(Kernel.SwapFpState(fpu, first, (XFeatureMask)0x602E7, 10752));
        var second = kernel.Memory.Vzalloc(10752)!;
        Assert.Same(first, Kernel.SwapFpState(fpu, second, (XFeatureMask)0x602E7, 10752));
        Assert.Throws<ArgumentException>(() => Kernel.SwapFpState(fpu, new XStateBuffer(64), (XFeatureMask)0x602E7, 10752));
        Assert.Same(second, fpu.State);
    }

    [Fact]
    public void Free_checks_for_the_default_state_itself()
    {
        var (kernel, task) = Running();
        kernel.FreeXStateBuffer(task.Fpu); // on the default state: nothing to free, no BadFreeException
        Assert.True(kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData).IsSuccess);
        kernel.FreeXStateBuffer(task.Fpu);
        Assert.Equal(0, kernel.Memory.LiveAllocations);
    }

    [Fact]
    public void Exit_frees_the_dynamic_buffer_and_never_the_embedded_one()
    {
        var (kernel, task) = Running();
        var other = kernel.CreateProcess("plain");
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192]));
        kernel.SwitchTo(kernel.Idle);
        kernel.ExitTask(task);
        kernel.ExitTask(other);
        Assert.Equal(0, kernel.Memory.LiveAllocations);
        Assert.True(task.HasExited);
        Assert.Throws<InvalidOperationException>(() => kernel.ExitTask(kernel.Idle));
    }

    [Theory]
    [InlineData("haswell")]
    [InlineData("skylake-sp")]
    [InlineData("zen4")]
    [InlineData("bulldozer")]
    public void Processors_without_xfd_have_no_dynamic_features(string profile)
    {
        var kernel = new Kernel(CpuProfiles.Get(profile).Layout);
        Assert.Equal(XFeatureMask.None, kernel.DynamicFeatures);
        Assert.Equal(kernel.Cpu.Xcr0, kernel.Idle.Fpu.StateMask);
        Assert.False(kernel.Cpu.Xcr0.Has(XFeature.BndRegs) || kernel.Cpu.Xcr0.Has(XFeature.Lwp));
    }
}
