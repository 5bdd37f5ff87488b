using System;

namespace FpuGuard.Runtime;

// fork/clone and exit (fpu_clone, fpstate_free).
public sealed partial class Kernel
{
    /// <summary>
    /// fork (or clone of a thread): the child gets its own embedded buffer holding a copy of the parent's
    /// non-dynamic state; a dynamic buffer is never shared and tile data is not inherited (the child starts
    /// with it in the init state, armed). A new process inherits the parent's permissions and alternate
    /// signal stack; a thread shares its group's permissions and has no alternate stack.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public KernelTask Fork(KernelTask parent, string? name = null, bool thread = false)
    {
        CheckOwnTask(parent);
        MightSleep();
        SyncFpstate(parent);
        var child = CreateTask(name ?? parent.Name, thread ? parent.Group : new ThreadGroup(parent.Group));
        CopyXState(parent.Fpu.State, parent.Fpu.StateMask, child.Fpu.DefaultState, DefaultFeatures);
        child.SigaltstackSize = thread ? 0 : parent.SigaltstackSize;
        return child;
    }

    /// <summary>
    /// Exit of a task that is not running: frees its dynamic buffer (never the embedded one) and drops it.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public void ExitTask(KernelTask task)
    {
        CheckOwnTask(task);
        if (ReferenceEquals(task, Current) || ReferenceEquals(task, Idle))
        {
            throw new InvalidOperationException($"{task} is running or idle; switch to another task before it exits.");
        }

        FreeXStateBuffer(task.Fpu);
        if (ReferenceEquals(FpregsOwner, task))
        {
            FpregsOwner = null;
        }

        task.Group.Remove(task);
        _tasks.Remove(task);
        task.HasExited = true;
    }
}
