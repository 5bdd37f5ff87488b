using System;

namespace FpuGuard.Runtime;

// fork/clone, exit and reaping (fpu_clone and fpu__drop in arch/x86/kernel/fpu/core.c, exit_thread and
// arch_release_task_struct in arch/x86/kernel/process.c, fpstate_free in xstate.c; v6.12).
public sealed partial class Kernel
{
    /// <summary>
    /// fork, or clone with CLONE_THREAD when <paramref name="thread"/> (fpu_clone): the current task's registers
    /// are made live under the FPU register lock and saved straight into the child's embedded buffer
    /// (save_fpregs_to_fpstate), for the child's default features: tile data, a dynamic feature, is not
    /// inherited, and PASID is cleared. A new process inherits its parent's permission (fpu_inherit_perms);
    /// a thread keeps the default one and uses its group leader's. A thread has no alternate signal stack.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="parent"/> is not current: only a running task forks.</exception>
    [MaySleep]
    public KernelTask Fork(KernelTask parent, string? name = null, bool thread = false)
    {
        CheckCurrent(parent, "fork");
        MightSleep();
        var child = CreateTask(name ?? parent.Name, thread ? parent : null);
        var dst = child.Fpu;
        FpregsLock();
        if (parent.Fpu.NeedsLoad)
        {
            RestoreUserRegisters(parent);
        }

        SaveFpregsTo(dst.State, dst.StateMask);
        FpregsUnlock();
        if (!thread)
        {
            dst.Perm.CopyFrom(GroupPerm(parent));
        }

        dst.State.XStateBv &= ~XFeatureMask.Pasid;
        child.SigaltstackSize = thread ? 0 : parent.SigaltstackSize;
        return child;
    }

    /// <summary>
    /// The current task exits (do_exit → exit_thread → fpu__drop): its registers are deactivated, not saved
    /// for later and not freed; the processor switches to <paramref name="next"/> (the idle task by default),
    /// saving the registers into the still-allocated buffer as any switch does. The task is a zombie until
    /// <see cref="ReapTask"/>, which frees the buffer.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="task"/> is not current or is the idle task, or <paramref name="next"/> is <paramref name="task"/>.</exception>
    [MaySleep]
    public void ExitTask(KernelTask task, KernelTask? next = null)
    {
        CheckCurrent(task, "exit");
        if (ReferenceEquals(task, Idle))
        {
            throw new InvalidOperationException("The idle task does not exit.");
        }

        next ??= Idle;
        CheckOwnTask(next);
        if (ReferenceEquals(next, task))
        {
            throw new InvalidOperationException($"{task} cannot switch to itself as it exits.");
        }

        MightSleep();
        FpuDrop(task.Fpu);
        SwitchTo(next);
        task.HasExited = true;
        task.Group.Remove(task);
        _tasks.Remove(task);
    }

    /// <summary>
    /// Reaps an exited task (release_task → put_task_struct → arch_release_task_struct → fpstate_free): its
    /// vzalloc'ed buffer, if any, is freed; the embedded one goes with the task_struct.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    /// <exception cref="InvalidOperationException">The task has not exited, or was reaped already.</exception>
    [MaySleep]
    public void ReapTask(KernelTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!ReferenceEquals(task.Kernel, this))
        {
            throw new ArgumentException($"Task {task} belongs to another kernel.", nameof(task));
        }

        if (!task.HasExited || task.IsReaped)
        {
            throw new InvalidOperationException(task.IsReaped ? $"{task} was reaped already." : $"{task} has not exited; only a zombie is reaped.");
        }

        FreeXStateBuffer(task.Fpu);
        task.IsReaped = true;
    }

    // fpu__drop: an exiting current task's registers belong to nobody any more (fpregs_deactivate).
    private void FpuDrop(Fpu fpu)
    {
        PreemptDisable();
        if (ReferenceEquals(fpu.Task, Current) && ReferenceEquals(FpregsOwner, fpu.Task))
        {
            FpregsOwner = null;
        }

        PreemptEnable();
    }
}
