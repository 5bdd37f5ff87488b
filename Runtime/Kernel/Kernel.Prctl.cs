namespace FpuGuard.Runtime;

// Permissions for dynamic features: arch_prctl(ARCH_GET_XCOMP_SUPP / ARCH_GET_XCOMP_PERM / ARCH_REQ_XCOMP_PERM).
public sealed partial class Kernel
{
    /// <summary>arch_prctl option: the user features the kernel supports.</summary>
    public const int ArchGetXCompSupp = 0x1021;

    /// <summary>arch_prctl option: the user features the caller's process may use.</summary>
    public const int ArchGetXCompPerm = 0x1022;

    /// <summary>arch_prctl option: ask permission for a dynamic feature by component number.</summary>
    public const int ArchReqXCompPerm = 0x1023;

    /// <summary>The non-FPU part of an x86-64 signal frame (<c>sizeof(struct rt_sigframe)</c>: return address, ucontext, siginfo).</summary>
    public const int RtSigframeSize = 440;

    /// <summary>MINSIGSTKSZ of x86: sigaltstack() refuses a smaller stack whatever the features.</summary>
    public const int MinSigStkSz = 2048;

    /// <summary>XFEATURE_MAX of v6.12 (one past XTILE_DATA; v6.16 adds APX and makes it 20).</summary>
    public const int XFeatureMax = 19;

    // sizeof(struct fregs_state): the 32-bit frame's FSAVE image, counted for every frame with IA32 emulation.
    private const int FregsStateSize = 112;

    // xstate_prctl_req[]: the facility an index asks for; only tile data is mapped.
    private static XFeatureMask XstatePrctlReq(int index) => index == (int)XFeature.XTileData ? XFeatureMask.XTileData : XFeatureMask.None;

    /// <summary>arch_prctl() for the three XCOMP options, on behalf of <paramref name="task"/> (fpu_xstate_prctl).</summary>
    public KernelResult ArchPrctl(KernelTask task, int option, ulong argument, out ulong value)
    {
        CheckOwnTask(task);
        value = 0;
        switch (option)
        {
            case ArchGetXCompSupp:
                value = (ulong)(FpuUserCfg.MaxFeatures | XFeatureMask.FpSse);
                return KernelResult.Ok;
            case ArchGetXCompPerm:
                value = (ulong)(task.Group.PermittedFeatures & UserSupportedFeatures);
                return KernelResult.Ok;
            case ArchReqXCompPerm:
                return RequestXCompPermission(task, argument);
            default:
                return KernelResult.Fail(Errno.EINVAL, $"arch_prctl option 0x{option:x} is not an XCOMP option");
        }
    }

    /// <summary>
    /// xstate_request_perm (xstate.c, v6.12): permits the facility <paramref name="index"/> names in
    /// <c>xstate_prctl_req[]</c> for the task's whole process. EINVAL for an index at or past XFEATURE_MAX (19);
    /// EOPNOTSUPP for an index the table does not map (every one but 18, XTILE_DATA: also 17 and 2, although
    /// permitted by default) and for a mapped feature the kernel did not enable; success at once when already
    /// permitted; then __xstate_request_perm: ENOSPC when some thread's alternate signal stack is smaller than
    /// the larger frame (validate_sigaltstack), else the leader's permission grows, with its sizes.
    /// </summary>
    public KernelResult RequestXCompPermission(KernelTask task, ulong index)
    {
        CheckOwnTask(task);
        if (index >= XFeatureMax)
        {
            return KernelResult.Fail(Errno.EINVAL, $"feature index {index} is not below XFEATURE_MAX ({XFeatureMax})");
        }

        var requested = XstatePrctlReq((int)index);
        if (requested == XFeatureMask.None)
        {
            return KernelResult.Fail(Errno.EOPNOTSUPP, $"xstate_prctl_req[{index}] maps no facility: only {(int)XFeature.XTileData} (XTILE_DATA) can be requested");
        }

        if ((FpuUserCfg.MaxFeatures & requested) != requested)
        {
            return KernelResult.Fail(Errno.EOPNOTSUPP, $"features {requested.ToHex()} are not enabled by this kernel ({FpuUserCfg.MaxFeatures.ToHex()})");
        }

        var permitted = task.Group.PermittedFeatures;
        return (permitted & requested) == requested ? KernelResult.Ok : RequestPermLocked(task, permitted, requested);
    }

    // __xstate_request_perm, under the sighand lock.
    private KernelResult RequestPermLocked(KernelTask task, XFeatureMask permitted, XFeatureMask requested)
    {
        var mask = permitted | requested | (FpuKernelCfg.MaxFeatures & SupervisorSupportedFeatures);
        var ksize = GetXStateSize(mask);
        mask &= UserSupportedFeatures;
        var usize = Layout.GetBufferSize(mask, XSaveFormat.Standard);
        var result = ValidateSigaltstack(task, usize);
        if (!result.IsSuccess)
        {
            return result;
        }

        var perm = GroupPerm(task);
        perm.StatePerm = mask;
        perm.StateSize = ksize;
        perm.UserStateSize = usize;
        return KernelResult.Ok;
    }

    /// <summary>
    /// The largest signal frame (<c>max_frame_size</c>, init_sigframe_size in arch/x86/kernel/signal.c): rt_sigframe,
    /// frame padding, the largest FPU state (<see cref="FpuDefaultStateSize"/>) and XSAVE alignment padding,
    /// rounded up to 16.
    /// </summary>
    public int MaxFrameSize => (RtSigframeSize + 15 + FpuDefaultStateSize + 63 + 15) & ~15;

    /// <summary>
    /// <c>fpu_default_state_size</c> (fpu__get_fpstate_size): the user ABI's largest XSAVE image, magic2, and the
    /// 32-bit FSAVE image that IA32 emulation makes every frame leave room for.
    /// </summary>
    public int FpuDefaultStateSize => FpuUserCfg.MaxSize + FpXstateMagic2Size + FregsStateSize;

    // validate_sigaltstack (xstate.c): every thread's alternate stack must hold a frame of the new user size.
    private KernelResult ValidateSigaltstack(KernelTask task, int usize)
    {
        var framesize = MaxFrameSize - FpuUserCfg.MaxSize + usize;
        foreach (var thread in task.Group.Threads)
        {
            if (thread.SigaltstackSize != 0 && thread.SigaltstackSize < framesize)
            {
                return KernelResult.Fail(Errno.ENOSPC, $"the alternate signal stack of {thread} ({thread.SigaltstackSize} bytes) is smaller than the {framesize}-byte signal frame");
            }
        }

        return KernelResult.Ok;
    }

    /// <summary>
    /// sigaltstack_size_valid (arch/x86/kernel/signal.c): with dynamic features on this processor and a process
    /// permitted one, the stack must be strictly larger than the frame for the permitted user size; otherwise
    /// any size is valid (strict_sigaltstack_size is off by default).
    /// </summary>
    public bool SigaltstackSizeValid(KernelTask task, int size)
    {
        CheckOwnTask(task);
        if (DynamicFeatures == XFeatureMask.None)
        {
            return true; // !fpu_state_size_dynamic()
        }

        var perm = GroupPerm(task);
        var fsize = MaxFrameSize - FpuDefaultStateSize + perm.UserStateSize;
        return size > fsize || (perm.StatePerm & UserDynamicFeatures) == 0;
    }

    /// <summary>
    /// sigaltstack() (do_sigaltstack in kernel/signal.c): sets the task's alternate signal stack (0 disables it);
    /// ENOMEM for a stack smaller than <see cref="MinSigStkSz"/> or one <see cref="SigaltstackSizeValid"/> refuses.
    /// </summary>
    public KernelResult SetSigaltstack(KernelTask task, int size)
    {
        CheckOwnTask(task);
        if (size != 0 && size < MinSigStkSz)
        {
            return KernelResult.Fail(Errno.ENOMEM, $"an alternate signal stack of {size} bytes is smaller than MINSIGSTKSZ ({MinSigStkSz})");
        }

        if (size != 0 && !SigaltstackSizeValid(task, size))
        {
            var needed = MaxFrameSize - FpuDefaultStateSize + GroupPerm(task).UserStateSize;
            return KernelResult.Fail(Errno.ENOMEM, $"an alternate signal stack of {size} bytes is not larger than the {needed}-byte signal frame of the permitted features");
        }

        task.SigaltstackSize = size;
        return KernelResult.Ok;
    }
}
