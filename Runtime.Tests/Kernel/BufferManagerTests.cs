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
        Assert.Equal((XFeatureMask)0x20EE7, task.Fpu.StateMask); // the user features and PASID, CET user state
        Assert.Equal(2560, task.Fpu.StateSize); // compacted 0x20ee7 on Sapphire Rapids
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
        Assert.Equal((XFeatureMask)0x60EE7, task.Fpu.StateMask);
        Assert.Equal(XStateBuffer.CompactedFormatBit | 0x60EE7UL, task.Fpu.State.XCompBv);
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
    public void Realloc_works_on_the_current_task_only()
    {
        var (kernel, task) = Running();
        kernel.SwitchTo(kernel.Idle); // stopped
        var error = Assert.Throws<InvalidOperationException>(() => kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData));
        Assert.Contains("current task only", error.Message);
        Assert.Equal(0, kernel.Memory.AllocationAttempts);
    }

    [Fact]
    public void Realloc_copies_no_memory_the_registers_carry_the_state()
    {
        var (kernel, task) = Running();
        var opmask = Enumerable.Range(0, 64).Select(i => (byte)(i + 1)).ToArray();
        kernel.UserWriteRegisters(XFeature.Opmask, opmask);
        kernel.SwitchTo(kernel.Idle);
        kernel.SwitchTo(task); // the saved state is in the default buffer, the registers are not loaded
        Assert.True(task.Fpu.NeedsLoad);

        Assert.True(kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData).IsSuccess);

        // fpregs_restore_userregs ran first; the new buffer is zeroed but for XCOMP_BV.
        Assert.False(task.Fpu.NeedsLoad);
        Assert.Same(task, kernel.FpregsOwner);
        var fresh = task.Fpu.State.Bytes.ToArray();
        Assert.Equal(XStateBuffer.CompactedFormatBit | 0x60EE7UL, BitConverter.ToUInt64(fresh, XStateBuffer.XCompBvOffset));
        fresh.AsSpan(XStateBuffer.XCompBvOffset, 8).Clear();
        Assert.All(fresh, b => Assert.Equal(0, b));

        kernel.SwitchTo(kernel.Idle); // now the registers go into the new buffer
        Assert.Equal(opmask, kernel.XStateRegsGet(task).AsSpan(1088, 64).ToArray());
        kernel.SwitchTo(task);
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.Opmask, out var read));
        Assert.Equal(opmask, read);
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
        kernel.SwitchTo(kernel.Idle);
        kernel.FreeXStateBuffer(task.Fpu);
        Assert.Equal(0, kernel.Memory.LiveAllocations);
    }

    [Fact]
    public void Free_leaves_the_pointer_at_the_freed_buffer_and_a_later_use_is_caught()
    {
        var (kernel, task) = Running();
        Assert.True(kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData).IsSuccess);
        kernel.SwitchTo(kernel.Idle);
        var freed = task.Fpu.State;
        kernel.FreeXStateBuffer(task.Fpu);
        Assert.Same(freed, task.Fpu.State); // only the swap helper changes the triple
        Assert.Equal(10752, task.Fpu.StateSize);
        Assert.True(freed.IsFreed);

        Assert.Throws<UseAfterFreeException>(() => kernel.XStateRegsGet(task)); // copy_xstate_to_uabi_buf reads it
        kernel.SwitchTo(task);
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.Avx, out _)); // the registers are still the task's
        var save = Assert.Throws<UseAfterFreeException>(() => kernel.SwitchTo(kernel.Idle)); // XSAVES into it
        Assert.Contains("after it was freed", save.Message);
    }

    [Fact]
    public void Exit_drops_the_registers_and_keeps_the_buffer_until_the_task_is_reaped()
    {
        var (kernel, task) = Running();
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192]));
        var buffer = task.Fpu.State;

        kernel.ExitTask(task); // current exits: the only way a task exits
        Assert.True(task.HasExited);
        Assert.Same(kernel.Idle, kernel.Current);
        Assert.DoesNotContain(task, kernel.Tasks);
        Assert.Equal(1, kernel.Memory.LiveAllocations); // fpu__drop frees nothing
        Assert.False(buffer.IsFreed);

        kernel.ReapTask(task); // arch_release_task_struct -> fpstate_free
        Assert.Equal(0, kernel.Memory.LiveAllocations);
        Assert.True(buffer.IsFreed);
        Assert.True(task.IsReaped);
        Assert.Throws<InvalidOperationException>(() => kernel.ReapTask(task));
    }

    [Fact]
    public void Exit_is_for_the_current_task_and_never_frees_the_embedded_buffer()
    {
        var (kernel, task) = Running();
        var other = kernel.CreateProcess("plain");
        Assert.Contains("current task only", Assert.Throws<InvalidOperationException>(() => kernel.ExitTask(other)).Message);
        Assert.Throws<InvalidOperationException>(() => kernel.ReapTask(other)); // not exited
        kernel.SwitchTo(other);
        kernel.ExitTask(other, next: task);
        Assert.Same(task, kernel.Current);
        kernel.ReapTask(other); // the embedded buffer is not vfree'd: no BadFreeException
        Assert.Equal(0, kernel.Memory.LiveAllocations);
        kernel.SwitchTo(kernel.Idle);
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
        Assert.Equal(kernel.FpuKernelCfg.DefaultFeatures, kernel.Idle.Fpu.StateMask);
        Assert.Equal(kernel.FpuKernelCfg.MaxFeatures, kernel.FpuKernelCfg.DefaultFeatures);
        Assert.False(kernel.Cpu.Xcr0.Has(XFeature.Lwp));
    }
}
