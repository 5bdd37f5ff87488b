using System;

namespace FpuGuard.Runtime;

// The buffer manager (arch/x86/kernel/fpu/xstate.c), as the review corrected it: allocate outside any
// atomic context, change the state fields only in the swap helper, free only what was allocated.
public sealed partial class Kernel
{
    /// <summary>
    /// Grows <paramref name="task"/>'s buffer to hold <paramref name="mask"/> as well (buffers never shrink).
    /// The allocation happens first, outside any lock; a task that is not current (stopped for ptrace) is
    /// swapped directly; for current the swap happens under the FPU register lock, copying the old state
    /// only when the registers are not live. The old buffer is freed after. On allocation failure the
    /// old state is intact and the result is ENOMEM. Permission is the caller's to check
    /// (<see cref="XfdEnableFeature"/> and <see cref="XStateRegsSet"/> do).
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public KernelResult ReallocXStateBuffer(KernelTask task, XFeatureMask mask)
    {
        CheckOwnTask(task);
        var fpu = task.Fpu;
        var stateMask = fpu.StateMask | mask;
        if (stateMask == fpu.StateMask)
        {
            return KernelResult.Ok;
        }

        var unsupported = stateMask & ~(Cpu.Xcr0 | Cpu.Xss);
        if (unsupported != 0)
        {
            return KernelResult.Fail(Errno.EOPNOTSUPP, $"features {unsupported.ToHex()} are not enabled on this processor");
        }

        var size = GetXStateSize(stateMask);
        var state = Memory.Vzalloc(size);
        if (state is null)
        {
            return KernelResult.Fail(Errno.ENOMEM, $"vzalloc({size}) for features {stateMask.ToHex()} failed");
        }

        FpstateInitUser(state, stateMask);
        XStateBuffer? oldState;
        if (!ReferenceEquals(task, Current))
        {
            // Stopped (ptrace): its registers were saved at switch-out; the buffer holds its state.
            CopyXState(fpu.State, fpu.StateMask, state, stateMask);
            oldState = SwapFpState(fpu, state, stateMask, size);
            ForceRestore(task);
        }
        else
        {
            FpregsLock();
            if (fpu.NeedsLoad)
            {
                CopyXState(fpu.State, fpu.StateMask, state, stateMask);
            }

            oldState = SwapFpState(fpu, state, stateMask, size);
            XfdUpdateState(task);
            FpregsUnlock();
        }

        Memory.Vfree(oldState);
        return KernelResult.Ok;
    }

    /// <summary>
    /// The only code that writes <see cref="Fpu.State"/>, <see cref="Fpu.StateMask"/> and
    /// <see cref="Fpu.StateSize"/>: all three change together. Returns the old buffer for the caller to free,
    /// or null when it was the embedded default (which is never freed).
    /// </summary>
    [FpuStateSwapHelper]
    public static XStateBuffer? SwapFpState(Fpu fpu, XStateBuffer newState, XFeatureMask mask, int size)
    {
        ArgumentNullException.ThrowIfNull(fpu);
        ArgumentNullException.ThrowIfNull(newState);
        if (newState.Size < size)
        {
            throw new ArgumentException($"The new buffer has {newState.Size} bytes, fewer than the {size} its features need.", nameof(newState));
        }

        var oldState = fpu.State;
        fpu.State = newState;
        fpu.StateMask = mask;
        fpu.StateSize = size;
        return ReferenceEquals(oldState, fpu.DefaultState) ? null : oldState;
    }

    /// <summary>
    /// Frees the task's dynamically allocated buffer; does nothing while the task is on its embedded
    /// default state (the check the review asked to have inside, not at every call site).
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public void FreeXStateBuffer(Fpu fpu)
    {
        ArgumentNullException.ThrowIfNull(fpu);
        if (!ReferenceEquals(fpu.State, fpu.DefaultState))
        {
            Memory.Vfree(fpu.State);
        }
    }

    // Copies every component present in one kernel buffer into another with room for at least as much.
    private void CopyXState(XStateBuffer from, XFeatureMask fromMask, XStateBuffer to, XFeatureMask toMask)
    {
        from.Bytes[..XStateLayout.LegacyRegionSize].CopyTo(to.Bytes);
        var present = from.XStateBv & fromMask & toMask;
        foreach (var feature in (present & ~XFeatureMask.FpSse).Features())
        {
            var size = Layout.GetComponent(feature).Size;
            from.Bytes.Slice(Layout.GetOffset(feature, fromMask, KernelFormat), size)
                .CopyTo(to.Bytes.Slice(Layout.GetOffset(feature, toMask, KernelFormat), size));
        }

        to.XStateBv = present;
    }

    // The task's IA32_XFD goes into the MSR while it is current (xfd_update_state).
    private void XfdUpdateState(KernelTask task)
    {
        if (Layout.SupportsXfd && ReferenceEquals(task, Current) && (XFeatureMask)Cpu.Rdmsr(Cpu.MsrIa32Xfd) != task.Fpu.Xfd)
        {
            Cpu.Wrmsr(Cpu.MsrIa32Xfd, (ulong)task.Fpu.Xfd);
        }
    }

    // fpu_force_restore: the buffer changed behind the registers; never trust them for this task again.
    private void ForceRestore(KernelTask task)
    {
        task.Fpu.NeedsLoad = true;
        if (ReferenceEquals(FpregsOwner, task))
        {
            FpregsOwner = null;
        }
    }
}
