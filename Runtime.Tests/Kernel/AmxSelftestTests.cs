using System;
using System.Linq;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>The kernel's tools/testing/selftests/x86/amx.c scenarios, on the Sapphire Rapids profile.</summary>
public class AmxSelftestTests
{
    private const ulong TileData = (ulong)XFeature.XTileData;

    private static byte[] Tiles(byte seed) => Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 + seed)).ToArray();

    private static (Kernel Kernel, KernelTask Task) Process()
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var task = kernel.CreateProcess("amx");
        kernel.SwitchTo(task);
        return (kernel, task);
    }

    [Fact]
    public void Use_without_permission_gets_sigill_and_no_buffer()
    {
        var (kernel, task) = Process();
        Assert.Equal(Signal.SIGILL, kernel.UserWriteRegisters(XFeature.XTileData, Tiles(1)));
        Assert.False(task.Fpu.IsDynamic);
        Assert.Equal(0, kernel.Memory.AllocationAttempts);
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileCfg, new byte[64])); // TILECFG is not dynamic
    }

    [Fact]
    public void Arch_prctl_reports_support_and_permission_and_rejects_bad_requests()
    {
        var (kernel, task) = Process();
        Assert.True(kernel.ArchPrctl(task, Kernel.ArchGetXCompSupp, 0, out var supported).IsSuccess);
        Assert.Equal(0x602E7UL, supported);
        kernel.ArchPrctl(task, Kernel.ArchGetXCompPerm, 0, out var before);
        Assert.Equal(0x202E7UL, before);
        Assert.Equal(Errno.EINVAL, kernel.ArchPrctl(task, Kernel.ArchReqXCompPerm, 64, out _).Errno);
        Assert.Equal(Errno.EINVAL, kernel.ArchPrctl(task, Kernel.ArchReqXCompPerm, 63, out _).Errno);
        Assert.Equal(Errno.EINVAL, kernel.ArchPrctl(task, Kernel.ArchReqXCompPerm, 19, out _).Errno); // XFEATURE_MAX of v6.12
        Assert.Equal(Errno.EOPNOTSUPP, kernel.ArchPrctl(task, Kernel.ArchReqXCompPerm, (ulong)XFeature.BndRegs, out _).Errno);

        // xstate_prctl_req[] maps only XTILE_DATA: features permitted by default are not requestable either.
        Assert.Equal(Errno.EOPNOTSUPP, kernel.ArchPrctl(task, Kernel.ArchReqXCompPerm, (ulong)XFeature.Avx, out _).Errno);
        Assert.Equal(Errno.EOPNOTSUPP, kernel.ArchPrctl(task, Kernel.ArchReqXCompPerm, (ulong)XFeature.XTileCfg, out _).Errno);
        Assert.True(kernel.ArchPrctl(task, Kernel.ArchReqXCompPerm, TileData, out _).IsSuccess);
        Assert.True(kernel.ArchPrctl(task, Kernel.ArchReqXCompPerm, TileData, out _).IsSuccess); // already permitted
        kernel.ArchPrctl(task, Kernel.ArchGetXCompPerm, 0, out var after);
        Assert.Equal(0x602E7UL, after); // grown, not overwritten with the requested bit alone
        Assert.Equal(Errno.EINVAL, kernel.ArchPrctl(task, 0x1001, 0, out _).Errno);
    }

    [Fact]
    public void Permission_then_first_use_grows_the_buffer_to_the_right_size()
    {
        var (kernel, task) = Process();
        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        Assert.False(task.Fpu.IsDynamic); // permission alone allocates nothing
        var tiles = Tiles(2);
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, tiles));
        Assert.Equal(10752, task.Fpu.StateSize);
        Assert.Equal(kernel.GetXStateSize((XFeatureMask)0x602E7), task.Fpu.State.Size);
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.XTileData, out var read));
        Assert.Equal(tiles, read);
    }

    [Fact]
    public void Permission_is_process_wide_and_threads_share_it()
    {
        var (kernel, task) = Process();
        var thread = kernel.Fork(task, "worker", thread: true);
        Assert.True(kernel.RequestXCompPermission(thread, TileData).IsSuccess);
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, Tiles(3)));
        Assert.True(task.Fpu.IsDynamic);
        Assert.False(thread.Fpu.IsDynamic); // each thread grows its own buffer on its own first use
    }

    [Fact]
    public void Fork_inherits_permission_but_not_tile_data()
    {
        var (kernel, parent) = Process();
        kernel.RequestXCompPermission(parent, TileData);
        kernel.UserWriteRegisters(XFeature.XTileData, Tiles(4));
        kernel.UserWriteRegisters(XFeature.Avx, Enumerable.Repeat((byte)9, 256).ToArray());
        var child = kernel.Fork(parent, "child");
        Assert.NotSame(parent.Group, child.Group);
        Assert.Equal(parent.Group.PermittedFeatures, child.Group.PermittedFeatures);
        Assert.False(child.Fpu.IsDynamic);

        kernel.SwitchTo(child);
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.Avx, out var avx)); // non-dynamic state is inherited
        Assert.All(avx, b => Assert.Equal(9, b));
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.XTileData, out var tiles)); // first use: allocated, init
        Assert.All(tiles, b => Assert.Equal(0, b));
        Assert.NotSame(parent.Fpu.State, child.Fpu.State);
        Assert.Equal(2, kernel.Memory.LiveAllocations);
    }

    [Fact]
    public void Five_threads_keep_their_tile_data_over_ten_context_switches()
    {
        var (kernel, leader) = Process();
        kernel.RequestXCompPermission(leader, TileData);
        var threads = Enumerable.Range(0, 5).Select(i => kernel.Fork(leader, $"t{i}", thread: true)).ToArray();
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < threads.Length; i++)
            {
                kernel.SwitchTo(threads[i]);
                if (round > 0)
                {
                    Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.XTileData, out var tiles));
                    Assert.Equal(Tiles((byte)(i * 16 + round - 1)), tiles);
                }

                Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, Tiles((byte)(i * 16 + round))));
            }
        }

        Assert.Equal(5, kernel.Memory.LiveAllocations);
    }

    [Fact]
    public void Ptrace_round_trip_of_tile_data()
    {
        var (kernel, tracee) = Process();
        kernel.RequestXCompPermission(tracee, TileData);
        kernel.UserWriteRegisters(XFeature.XTileData, Tiles(5));
        kernel.SwitchTo(kernel.Idle); // the tracee stops

        var image = kernel.XStateRegsGet(tracee);
        Assert.Equal(kernel.XStateRegsetSize, image.Length);
        Assert.Equal(11008, image.Length);
        Assert.Equal(Tiles(5), image.AsSpan(2816, 8192).ToArray());
        Tiles(6).CopyTo(image, 2816);
        Assert.True(kernel.XStateRegsSet(tracee, image).IsSuccess);

        kernel.SwitchTo(tracee);
        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.XTileData, out var tiles));
        Assert.Equal(Tiles(6), tiles);
    }

    [Fact]
    public void Ptrace_set_of_tile_data_is_refused_for_a_tracee_that_never_used_it()
    {
        // v6.12 checks the image against the tracee buffer's user_xfeatures and never grows a tracee.
        var (kernel, tracee) = Process();
        kernel.RequestXCompPermission(tracee, TileData);
        kernel.SwitchTo(kernel.Idle);
        var image = kernel.XStateRegsGet(tracee);
        BitConverter.GetBytes(BitConverter.ToUInt64(image, 512) | TileDataBit).CopyTo(image, 512);
        Tiles(7).CopyTo(image, 2816);
        Assert.Equal(Errno.EINVAL, kernel.XStateRegsSet(tracee, image).Errno);
        Assert.False(tracee.Fpu.IsDynamic);
        kernel.SwitchTo(tracee);
        kernel.UserReadRegisters(XFeature.XTileData, out var tiles); // first use: grown now, in its init state
        Assert.All(tiles, b => Assert.Equal(0, b));
    }

    private const ulong TileDataBit = 1UL << 18;

    [Fact]
    public void Signal_frame_grows_with_the_buffer_not_with_the_permission()
    {
        var (kernel, task) = Process();
        var small = kernel.DeliverSignal();
        Assert.True(kernel.RestoreSigframe(small).IsSuccess);
        kernel.RequestXCompPermission(task, TileData);
        var stillSmall = kernel.DeliverSignal();
        Assert.True(kernel.RestoreSigframe(stillSmall).IsSuccess);
        kernel.UserWriteRegisters(XFeature.XTileData, Tiles(1));
        var large = kernel.DeliverSignal();
        Assert.Equal(2816 + Kernel.FpXstateMagic2Size, small.Length); // standard size of 0x202e7
        Assert.Equal(2816 + Kernel.FpXstateMagic2Size, stillSmall.Length); // permitted, not used: fpstate->user_size
        Assert.Equal(11008 + Kernel.FpXstateMagic2Size, large.Length);
        Assert.Equal(11648, kernel.MaxFrameSize); // the boot log's "max sigframe size"
    }

    [Fact]
    public void Too_small_alternate_signal_stack_refuses_the_permission()
    {
        // max_frame_size = 440 (rt_sigframe) + 15 + 11124 (11008 + magic2 + fregs_state) + 63, rounded to 16.
        var (kernel, task) = Process();
        Assert.Equal(11648, kernel.MaxFrameSize);
        Assert.True(kernel.SetSigaltstack(task, 11647).IsSuccess);
        var refused = kernel.RequestXCompPermission(task, TileData);
        Assert.Equal(Errno.ENOSPC, refused.Errno);
        Assert.Contains("alternate signal stack", refused.Reason);
        Assert.Contains("11648", refused.Reason);
        Assert.False(task.Group.PermittedFeatures.Has(XFeature.XTileData));

        Assert.True(kernel.SetSigaltstack(task, 11648).IsSuccess); // validate_sigaltstack: not smaller is enough
        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);

        // sigaltstack_size_valid: strictly larger than 11648 - 11124 + __user_state_size (11008) = 11532.
        Assert.Equal(Errno.ENOMEM, kernel.SetSigaltstack(task, 11532).Errno);
        Assert.True(kernel.SetSigaltstack(task, 11533).IsSuccess);
    }

    [Fact]
    public void Signal_handler_sees_the_state_and_its_changes_survive_sigreturn()
    {
        var (kernel, task) = Process();
        kernel.RequestXCompPermission(task, TileData);
        kernel.UserWriteRegisters(XFeature.XTileData, Tiles(8));
        var frame = kernel.DeliverSignal();
        Assert.Equal(Tiles(8), frame.AsSpan(2816, 8192).ToArray());

        Assert.Equal(Signal.None, kernel.UserReadRegisters(XFeature.XTileData, out var inHandler)); // the handler starts clean
        Assert.All(inHandler, b => Assert.Equal(0, b));

        Tiles(9).CopyTo(frame, 2816);
        Assert.True(kernel.RestoreSigframe(frame).IsSuccess);
        kernel.UserReadRegisters(XFeature.XTileData, out var after);
        Assert.Equal(Tiles(9), after);
    }

    [Fact]
    public void First_use_with_a_failing_allocation_gets_sigsegv_and_keeps_the_old_state()
    {
        var (kernel, task) = Process();
        kernel.RequestXCompPermission(task, TileData);
        kernel.UserWriteRegisters(XFeature.Avx, Enumerable.Repeat((byte)5, 256).ToArray());
        kernel.Memory.FailNthAllocation(1);
        Assert.Equal(Signal.SIGSEGV, kernel.UserWriteRegisters(XFeature.XTileData, Tiles(10)));
        Assert.False(task.Fpu.IsDynamic);
        kernel.UserReadRegisters(XFeature.Avx, out var avx);
        Assert.All(avx, b => Assert.Equal(5, b));
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, Tiles(10))); // retried later, it works
    }
}
