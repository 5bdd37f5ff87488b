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

    /// <summary>The non-FPU part of an x86-64 signal frame (<c>struct rt_sigframe</c>: return address, ucontext, siginfo).</summary>
    public const int RtSigframeSize = 440;

    /// <summary>arch_prctl() for the three XCOMP options, on behalf of <paramref name="task"/>.</summary>
    public KernelResult ArchPrctl(KernelTask task, int option, ulong argument, out ulong value)
    {
        CheckOwnTask(task);
        value = 0;
        switch (option)
        {
            case ArchGetXCompSupp:
                value = (ulong)Cpu.Xcr0;
                return KernelResult.Ok;
            case ArchGetXCompPerm:
                value = (ulong)task.Group.PermittedFeatures;
                return KernelResult.Ok;
            case ArchReqXCompPerm:
                return RequestXCompPermission(task, argument);
            default:
                return KernelResult.Fail(Errno.EINVAL, $"arch_prctl option 0x{option:x} is not an XCOMP option");
        }
    }

    /// <summary>
    /// xstate_request_perm: permits the dynamic feature <paramref name="index"/> for the task's whole process.
    /// EINVAL for an index past the last component; EOPNOTSUPP for a feature the kernel does not support;
    /// success at once for one already permitted (every non-dynamic feature is); ENOSPC when some thread's
    /// alternate signal stack cannot hold the larger signal frame. Permissions only grow.
    /// </summary>
    public KernelResult RequestXCompPermission(KernelTask task, ulong index)
    {
        CheckOwnTask(task);
        if (index >= 64)
        {
            return KernelResult.Fail(Errno.EINVAL, $"feature index {index} is past the last XSAVE component (63)");
        }

        var requested = (XFeatureMask)(1UL << (int)index);
        if ((Cpu.Xcr0 & requested) == 0)
        {
            return KernelResult.Fail(Errno.EOPNOTSUPP, $"component {index} is not a user feature this kernel supports ({Cpu.Xcr0.ToHex()})");
        }

        var group = task.Group;
        if ((group.PermittedFeatures & requested) == requested)
        {
            return KernelResult.Ok;
        }

        var permitted = group.PermittedFeatures | requested;
        var frameSize = GetSignalFrameSize(permitted);
        foreach (var thread in group.Threads)
        {
            if (thread.SigaltstackSize != 0 && thread.SigaltstackSize < frameSize)
            {
                return KernelResult.Fail(Errno.ENOSPC, $"the alternate signal stack of {thread} ({thread.SigaltstackSize} bytes) cannot hold the {frameSize}-byte signal frame");
            }
        }

        group.PermittedFeatures = permitted;
        return KernelResult.Ok;
    }

    /// <summary>The size of a signal frame carrying these user features (standard-format image, magic, rt_sigframe).</summary>
    public int GetSignalFrameSize(XFeatureMask features) =>
        ((GetUabiSize(features) + FpXstateMagic2Size + XStateLayout.Alignment - 1) & ~(XStateLayout.Alignment - 1)) + RtSigframeSize;

    /// <summary>
    /// sigaltstack(): sets the task's alternate signal stack; ENOMEM when it cannot hold the signal frame
    /// for the features its process is permitted.
    /// </summary>
    public KernelResult SetSigaltstack(KernelTask task, int size)
    {
        CheckOwnTask(task);
        var needed = GetSignalFrameSize(task.Group.PermittedFeatures);
        if (size != 0 && size < needed)
        {
            return KernelResult.Fail(Errno.ENOMEM, $"an alternate signal stack of {size} bytes cannot hold the {needed}-byte signal frame");
        }

        task.SigaltstackSize = size;
        return KernelResult.Ok;
    }
}
