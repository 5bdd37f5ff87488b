using System.Linq;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>
/// Each buffer's own figures (struct fpstate) and the permission's (struct fpu_state_perm), set only where
/// v6.12 sets them; the sigaltstack checks that use them.
/// </summary>
public class PermissionTests
{
    private const ulong TileData = (ulong)XFeature.XTileData;

    private static (Kernel Kernel, KernelTask Task) Process(string profile = "sapphire-rapids")
    {
        var kernel = new Kernel(CpuProfiles.Get(profile).Layout);
        var task = kernel.CreateProcess("amx");
        kernel.SwitchTo(task);
        return (kernel, task);
    }

    [Fact]
    public void Each_buffer_carries_its_own_figures_set_where_the_kernel_sets_them()
    {
        var (kernel, task) = Process();
        var embedded = task.Fpu.FpState;
        Assert.Same(task.Fpu.DefaultState, embedded.Regs);
        Assert.False(embedded.IsValloc);
        Assert.Equal((2560, 2816, (XFeatureMask)0x20EE7, (XFeatureMask)0x202E7, XFeatureMask.XTileData),
            (embedded.Size, embedded.UserSize, embedded.XFeatures, embedded.UserXFeatures, embedded.Xfd));

        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        Assert.Same(embedded, task.Fpu.FpState); // permission alone changes no buffer
        Assert.Equal(2816, embedded.UserSize);

        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192]));
        var grown = task.Fpu.FpState;
        Assert.NotSame(embedded, grown);
        Assert.True(grown.IsValloc);
        Assert.Equal((10752, 11008, (XFeatureMask)0x60EE7, (XFeatureMask)0x602E7, XFeatureMask.None),
            (grown.Size, grown.UserSize, grown.XFeatures, grown.UserXFeatures, grown.Xfd));
        Assert.Equal((2560, (XFeatureMask)0x20EE7), (embedded.Size, embedded.XFeatures)); // the old buffer keeps its own
        Assert.Equal((grown.XFeatures, grown.Size), (task.Fpu.StateMask, task.Fpu.StateSize));
    }

    [Fact]
    public void The_permission_carries_its_own_figures_and_get_perm_shows_the_user_part()
    {
        var (kernel, task) = Process();
        var perm = task.Fpu.Perm;
        Assert.Equal(((XFeatureMask)0x20EE7, 2560, 2816), (perm.StatePerm, perm.StateSize, perm.UserStateSize)); // fpstate_reset
        kernel.ArchPrctl(task, Kernel.ArchGetXCompPerm, 0, out var before);
        Assert.Equal(0x202E7UL, before);

        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        Assert.Equal(((XFeatureMask)0x602E7, 10752, 11008), (perm.StatePerm, perm.StateSize, perm.UserStateSize)); // __xstate_request_perm
    }

    [Fact]
    public void First_use_sizes_the_buffer_from_the_permission_not_from_the_features()
    {
        var (kernel, task) = Process();
        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        task.Fpu.Perm.StateSize = 12288; // as if the permission were for more
        task.Fpu.Perm.UserStateSize = 12000;
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192]));
        Assert.Equal(12288, task.Fpu.FpState.Size);
        Assert.Equal(12000, task.Fpu.FpState.UserSize);
        Assert.Equal(12288, task.Fpu.State.Size);
    }

    [Fact]
    public void A_thread_uses_its_leaders_permission_and_keeps_the_default_one_itself()
    {
        var (kernel, task) = Process();
        var thread = kernel.Fork(task, "worker", thread: true);
        Assert.Same(task, thread.Group.Leader);
        Assert.True(kernel.RequestXCompPermission(thread, TileData).IsSuccess);
        Assert.Equal((XFeatureMask)0x602E7, task.Fpu.Perm.StatePerm);
        Assert.Equal((XFeatureMask)0x20EE7, thread.Fpu.Perm.StatePerm);
        kernel.SwitchTo(thread);
        Assert.Equal(Signal.None, kernel.UserWriteRegisters(XFeature.XTileData, new byte[8192]));
        Assert.Equal(10752, thread.Fpu.StateSize);
    }

    [Fact]
    public void A_forked_process_inherits_the_permission_with_its_sizes()
    {
        var (kernel, task) = Process();
        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        var child = kernel.Fork(task, "child");
        Assert.Same(child, child.Group.Leader);
        Assert.Equal((task.Fpu.Perm.StatePerm, task.Fpu.Perm.StateSize, task.Fpu.Perm.UserStateSize),
            (child.Fpu.Perm.StatePerm, child.Fpu.Perm.StateSize, child.Fpu.Perm.UserStateSize));
    }

    [Fact]
    public void Small_alternate_stacks_are_valid_until_a_dynamic_feature_is_permitted()
    {
        var (kernel, task) = Process();
        Assert.Equal(Errno.ENOMEM, kernel.SetSigaltstack(task, Kernel.MinSigStkSz - 1).Errno);
        Assert.True(kernel.SetSigaltstack(task, Kernel.MinSigStkSz).IsSuccess); // far smaller than any frame: fine without permission
        Assert.True(kernel.SigaltstackSizeValid(task, 2048));
        Assert.Equal(Errno.ENOSPC, kernel.RequestXCompPermission(task, TileData).Errno);
        Assert.True(kernel.SetSigaltstack(task, 0).IsSuccess);
        Assert.True(kernel.RequestXCompPermission(task, TileData).IsSuccess);
        Assert.False(kernel.SigaltstackSizeValid(task, 2048));
    }

    [Fact]
    public void Without_dynamic_features_any_alternate_stack_from_minsigstksz_up_is_valid()
    {
        var (kernel, task) = Process("skylake-sp");
        Assert.True(kernel.SetSigaltstack(task, Kernel.MinSigStkSz).IsSuccess);
        Assert.Equal(Errno.EOPNOTSUPP, kernel.RequestXCompPermission(task, TileData).Errno); // no AMX here
    }

    [Theory]
    [InlineData(2)]
    [InlineData(17)]
    [InlineData(3)]
    [InlineData(0)]
    public void Indexes_the_prctl_table_does_not_map_are_eopnotsupp_even_when_permitted_by_default(int index)
    {
        var (kernel, task) = Process();
        var result = kernel.RequestXCompPermission(task, (ulong)index);
        Assert.Equal(Errno.EOPNOTSUPP, result.Errno);
        Assert.Contains("xstate_prctl_req", result.Reason);
    }

    [Fact]
    public void Every_index_from_xfeature_max_up_is_einval()
    {
        var (kernel, task) = Process();
        Assert.All(Enumerable.Range(Kernel.XFeatureMax, 64 - Kernel.XFeatureMax + 2),
            index => Assert.Equal(Errno.EINVAL, kernel.RequestXCompPermission(task, (ulong)index).Errno));
        Assert.Equal(19, Kernel.XFeatureMax);
    }
}
