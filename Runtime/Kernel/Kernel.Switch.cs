using System;

namespace FpuGuard.Runtime;

// Context switch and the lazy restore on return to user space (switch_fpu_prepare/finish,
// fpregs_restore_userregs).
public sealed partial class Kernel
{
    /// <summary>
    /// Switches the processor to <paramref name="next"/>: saves the outgoing task's live registers into its
    /// buffer (XSAVES, or XSAVEOPT without it) and marks the incoming one to restore its registers on the
    /// way back to user space.
    /// </summary>
    public void SwitchTo(KernelTask next)
    {
        CheckOwnTask(next);
        if (ReferenceEquals(next, Current))
        {
            return;
        }

        PreemptDisable();
        var prev = Current;
        if (!prev.Fpu.NeedsLoad)
        {
            SaveFpregsToFpstate(prev);
            prev.Fpu.NeedsLoad = true;
        }

        Current = next;
        next.Fpu.NeedsLoad = true;
        PreemptEnable();
    }

    /// <summary>
    /// fpregs_restore_userregs(): before returning to user space, load the current task's registers unless
    /// the processor still holds them, writing the task's IA32_XFD first (XRSTORS of an armed component faults).
    /// Call with interrupts disabled, as exit_to_user_mode does.
    /// </summary>
    [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
    public void FpregsRestoreUserregs() => RestoreUserRegisters(Current);

    // fpregs_restore_userregs proper; its callers hold the FPU registers still (interrupts off on the way to
    // user space, the register lock in fpstate_realloc and fpu_clone).
    private void RestoreUserRegisters(KernelTask task)
    {
        if (!task.Fpu.NeedsLoad)
        {
            return;
        }

        XfdUpdateState(task);
        if (!ReferenceEquals(FpregsOwner, task))
        {
            // RFBM covers every feature a task buffer can hold (XFEATURE_MASK_FPSTATE, not the independent
            // ones): components the buffer lacks (tile data of a task that never used it) are initialized, so
            // no other task's registers leak into this one. XSTATE_BV has no such bit, so XFD-armed components
            // are initialized without #NM.
            var everyFeature = FpuKernelCfg.MaxFeatures;
            if (KernelFormat == XSaveFormat.Compacted)
            {
                Cpu.Xrstors(task.Fpu.State, everyFeature);
            }
            else
            {
                Cpu.Xrstor(task.Fpu.State, everyFeature);
            }

            FpregsOwner = task;
        }

        task.Fpu.NeedsLoad = false;
    }

    /// <summary>Makes the current task's buffer hold its registers (fpu_sync_fpstate), e.g. before copying it out.</summary>
    public void SyncFpstate(KernelTask task)
    {
        CheckOwnTask(task);
        if (!ReferenceEquals(task, Current))
        {
            return; // Not running: its buffer is up to date since it was switched out.
        }

        using (LockFpregs())
        {
            if (!task.Fpu.NeedsLoad)
            {
                SaveFpregsToFpstate(task);
            }
        }
    }

    // save_fpregs_to_fpstate: XSAVES (modified optimization) or XSAVEOPT into the task's current buffer.
    private void SaveFpregsToFpstate(KernelTask task) => SaveFpregsTo(task.Fpu.State, task.Fpu.StateMask);

    // os_xsave: the live registers into a buffer, for the buffer's features.
    private void SaveFpregsTo(XStateBuffer state, XFeatureMask xfeatures)
    {
        if (KernelFormat == XSaveFormat.Compacted)
        {
            Cpu.Xsaves(state, xfeatures);
        }
        else if (Layout.SupportsXsaveOpt)
        {
            Cpu.Xsaveopt(state, xfeatures);
        }
        else
        {
            Cpu.Xsave(state, xfeatures);
        }
    }

    /// <summary>
    /// The current task, in user mode, executes an instruction that writes a component's registers (VMOVDQU,
    /// TILELOADD, ...). A first use of an armed dynamic feature takes the #NM path and is retried; returns the
    /// signal the task got instead, if any (SIGILL without permission, SIGSEGV if the buffer could not grow).
    /// May sleep (first use grows the buffer): call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public Signal UserWriteRegisters(XFeature feature, ReadOnlySpan<byte> value)
    {
        var data = value.ToArray();
        return RunUserInstruction(feature, () => Cpu.WriteRegisters(feature, data));
    }

    /// <summary>The current task, in user mode, reads a component's registers; see <see cref="UserWriteRegisters"/>. May sleep.</summary>
    [MaySleep]
    public Signal UserReadRegisters(XFeature feature, out byte[] value)
    {
        byte[]? read = null;
        var signal = RunUserInstruction(feature, () => read = Cpu.ReadRegisters(feature));
        value = read ?? Array.Empty<byte>();
        return signal;
    }

    private Signal RunUserInstruction(XFeature feature, Action instruction)
    {
        if (!Layout.SupportedUserFeatures.Has(feature))
        {
            throw new ArgumentException($"{feature} is not a user component of {Layout.Name}.", nameof(feature));
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            LocalIrqDisable();
            FpregsRestoreUserregs();
            LocalIrqEnable();
            Cpu.Cpl = 3;
            try
            {
                instruction();
                return Signal.None;
            }
            catch (InvalidOpcodeFault)
            {
                return Signal.SIGILL;
            }
            catch (DeviceNotAvailableFault)
            {
                Cpu.Cpl = 0;
                var mark = Current.SignalMark;
                LocalIrqDisable(); // the exception is entered with interrupts off
                ExcDeviceNotAvailable();
                LocalIrqEnable();
                var signal = Current.TakeSignalSince(mark);
                if (signal != Signal.None)
                {
                    return signal;
                }
            }
            finally
            {
                Cpu.Cpl = 0;
            }
        }

        throw new InvalidOperationException($"{feature} still faults after the #NM handler enabled it.");
    }
}
