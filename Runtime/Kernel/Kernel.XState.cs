using System;

namespace FpuGuard.Runtime;

// The buffer manager (arch/x86/kernel/fpu/xstate.c of v6.12): allocate outside any atomic context, change the
// state fields only in the swap helper, free only what was allocated.
public sealed partial class Kernel
{
    /// <summary>
    /// Grows the current task's buffer to hold <paramref name="mask"/> as well (buffers never shrink): the
    /// model's entry to <see cref="FpstateRealloc"/>, with the sizes computed for the grown feature set
    /// (the kernel's callers pass the permission's sizes). Permission is the caller's to check
    /// (<see cref="XfdEnableFeature"/> does). On allocation failure the old state is intact and the result is ENOMEM.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="task"/> is not current: the kernel reallocates only current's buffer.</exception>
    [MaySleep]
    public KernelResult ReallocXStateBuffer(KernelTask task, XFeatureMask mask)
    {
        CheckCurrent(task, "fpstate_realloc");
        var fpu = task.Fpu;
        var stateMask = fpu.StateMask | mask;
        if (stateMask == fpu.StateMask)
        {
            return KernelResult.Ok;
        }

        var unsupported = stateMask & ~FpuKernelCfg.MaxFeatures;
        if (unsupported != 0)
        {
            return KernelResult.Fail(Errno.EOPNOTSUPP, $"features {unsupported.ToHex()} are not enabled by this kernel ({FpuKernelCfg.MaxFeatures.ToHex()})");
        }

        var userXFeatures = (fpu.FpState.UserXFeatures | mask) & FpuUserCfg.MaxFeatures;
        return FpstateRealloc(mask, GetXStateSize(stateMask), Layout.GetBufferSize(userXFeatures, XSaveFormat.Standard));
    }

    /// <summary>
    /// fpstate_realloc (xstate.c): installs a new, zeroed buffer of <paramref name="ksize"/> bytes for the current
    /// task with <paramref name="xfeatures"/> added. Nothing is copied: under the FPU register lock the task's
    /// registers are made live first (fpregs_restore_userregs when TIF_NEED_FPU_LOAD), so they carry the state;
    /// the new buffer gets its own figures, only XCOMP_BV in its header, and IA32_XFD follows it. The old buffer
    /// is freed after the unlock unless it was the embedded one. ENOMEM when vzalloc fails (nothing changed).
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public KernelResult FpstateRealloc(XFeatureMask xfeatures, int ksize, int usize)
    {
        var task = Current;
        var fpu = task.Fpu;
        var regs = Memory.Vzalloc(ksize);
        if (regs is null)
        {
            return KernelResult.Fail(Errno.ENOMEM, $"vzalloc({ksize}) for features {(fpu.FpState.XFeatures | xfeatures).ToHex()} failed");
        }

        var newfps = new FpState(regs, isValloc: true) { Size = ksize, UserSize = usize };
        _fpstates.Add(regs, newfps);

        FpregsLock();
        if (fpu.NeedsLoad)
        {
            RestoreUserRegisters(task);
        }

        var curfps = fpu.FpState;
        newfps.XFeatures = curfps.XFeatures | xfeatures;
        newfps.UserXFeatures = curfps.UserXFeatures | xfeatures;
        newfps.Xfd = curfps.Xfd & ~xfeatures;
        var oldState = SwapFpState(fpu, regs, newfps.XFeatures, newfps.Size);
        XstateInitXcompBv(regs, newfps.XFeatures);
        XfdUpdateState(task);
        FpregsUnlock();

        Memory.Vfree(oldState);
        return KernelResult.Ok;
    }

    /// <summary>
    /// The only code that writes <see cref="Fpu.State"/>, <see cref="Fpu.StateMask"/> and
    /// <see cref="Fpu.StateSize"/>: all three change together (fpu_install_fpstate). Returns the old buffer for
    /// the caller to free, or null when it was the embedded default (which is never freed).
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
    /// fpstate_free: frees the task's vzalloc'ed buffer; does nothing while the task is on its embedded default
    /// state (the check the review asked to have inside, not at every call site). Like the kernel it leaves
    /// <see cref="Fpu.State"/> pointing at the freed buffer: only the swap helper changes the triple, and a
    /// later use of the buffer throws <see cref="UseAfterFreeException"/>. The kernel calls it when the task is
    /// reaped (<see cref="ReapTask"/>), when nothing can use the buffer again.
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

    // xfd_update_state: the task's buffer's IA32_XFD goes into the MSR while it is current.
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
