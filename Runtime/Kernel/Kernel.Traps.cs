using System;

namespace FpuGuard.Runtime;

// First use of a dynamic feature: #NM (arch/x86/kernel/traps.c, fpu/xstate.c).
public sealed partial class Kernel
{
    /// <summary>
    /// exc_device_not_available: entered with interrupts disabled. An XFD event (first use of an armed
    /// dynamic feature) is handled by <see cref="HandleXfdEvent"/>; CR0.TS and FPU emulation are not modelled.
    /// </summary>
    [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
    public void ExcDeviceNotAvailable()
    {
        if (!HandleXfdEvent())
        {
            throw new InvalidOperationException("#NM without an XFD event: CR0.TS and math emulation are not modelled.");
        }
    }

    /// <summary>
    /// handle_xfd_event: reads and clears IA32_XFD_ERR, then enables interrupts for the allocation (it may
    /// sleep; never allocate atomically instead), and disables them again. No permission: SIGILL; the buffer
    /// could not grow: SIGSEGV. Returns false when there was no XFD event.
    /// </summary>
    [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
    public bool HandleXfdEvent()
    {
        if (!Layout.SupportsXfd)
        {
            return false;
        }

        var xfdErr = (XFeatureMask)Cpu.Rdmsr(Cpu.MsrIa32XfdErr);
        if (xfdErr == XFeatureMask.None)
        {
            return false;
        }

        Cpu.Wrmsr(Cpu.MsrIa32XfdErr, 0);
        LocalIrqEnable();
        var result = XfdEnableFeature(xfdErr);
        LocalIrqDisable();
        switch (result.Errno)
        {
            case Errno.EPERM:
                Current.SendSignal(Signal.SIGILL);
                break;
            case Errno.None:
                break;
            default:
                Current.SendSignal(Signal.SIGSEGV);
                break;
        }

        return true;
    }

    /// <summary>
    /// xfd_enable_feature (__xfd_enable_feature, xstate.c): grows the current task's buffer for the dynamic
    /// features in <paramref name="xfdErr"/> if its group has permission (EPERM otherwise), to the sizes the
    /// permission records (<c>__state_size</c>, <c>__user_state_size</c>); EFAULT if the buffer could not grow.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public KernelResult XfdEnableFeature(XFeatureMask xfdErr)
    {
        var xfdEvent = xfdErr & UserDynamicFeatures;
        if (xfdEvent == XFeatureMask.None)
        {
            return KernelResult.Ok;
        }

        var task = Current;
        if ((task.Group.PermittedFeatures & xfdEvent) != xfdEvent)
        {
            return KernelResult.Fail(Errno.EPERM, $"features {xfdEvent.ToHex()} are not permitted for {task}");
        }

        var perm = GroupPerm(task);
        var result = FpstateRealloc(xfdEvent, perm.StateSize, perm.UserStateSize);
        return result.IsSuccess ? result : KernelResult.Fail(Errno.EFAULT, result.Reason ?? "reallocation failed");
    }
}
