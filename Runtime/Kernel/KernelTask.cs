using System.Collections.Generic;

namespace FpuGuard.Runtime;

/// <summary>The signals the FPU code sends.</summary>
public enum Signal
{
    /// <summary>No signal.</summary>
    None = 0,
    /// <summary>Illegal instruction: a dynamic feature used without permission, or a disabled one.</summary>
    SIGILL = 4,
    /// <summary>Segmentation fault: the buffer for a permitted feature could not be allocated, or a bad signal frame.</summary>
    SIGSEGV = 11,
}

/// <summary>A task (<c>struct task_struct</c>), as much of it as the FPU code uses.</summary>
public sealed class KernelTask
{
    private readonly List<Signal> _pending = new();

    internal KernelTask(Kernel kernel, int pid, string name, KernelTask? threadOf, XStateBuffer defaultState, XFeatureMask defaultMask)
    {
        Kernel = kernel;
        Pid = pid;
        Name = name;
        Fpu = new Fpu(this, defaultState, defaultMask);
        Group = threadOf?.Group ?? new ThreadGroup(this);
        Group.Add(this);
    }

    /// <summary>The kernel the task runs on.</summary>
    public Kernel Kernel { get; }

    /// <summary>Process id.</summary>
    public int Pid { get; }

    /// <summary>Command name.</summary>
    public string Name { get; }

    /// <summary>The thread group: the process whose permissions the task shares.</summary>
    public ThreadGroup Group { get; internal set; }

    /// <summary>The FPU state.</summary>
    public Fpu Fpu { get; }

    /// <summary>Size of the alternate signal stack (0: none).</summary>
    public int SigaltstackSize { get; internal set; }

    /// <summary>Whether the task has exited (a zombie until <see cref="Kernel.ReapTask"/>, then gone).</summary>
    public bool HasExited { get; internal set; }

    /// <summary>Whether the exited task has been reaped (<c>release_task</c>): its task_struct, FPU buffer included, is freed.</summary>
    public bool IsReaped { get; internal set; }

    /// <summary>Signals sent to the task and not yet taken.</summary>
    public IReadOnlyCollection<Signal> PendingSignals => _pending;

    internal void SendSignal(Signal signal) => _pending.Add(signal);

    // Where the pending list ends now: an operation takes only the signals sent after its mark, so a signal
    // left pending by an earlier call is never reported as this one's.
    internal int SignalMark => _pending.Count;

    internal Signal TakeSignalSince(int mark)
    {
        if (_pending.Count <= mark)
        {
            return Signal.None;
        }

        var signal = _pending[mark];
        _pending.RemoveRange(mark, _pending.Count - mark);
        return signal;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}[{Pid}]";
}

/// <summary>A thread group: a process, whose permission for dynamic features is its leader's (<c>group_leader->thread.fpu.perm</c>).</summary>
public sealed class ThreadGroup
{
    private readonly List<KernelTask> _threads = new();

    internal ThreadGroup(KernelTask leader) => Leader = leader;

    /// <summary>The group leader (<c>current->group_leader</c>), whose <see cref="Fpu.Perm"/> is the process's permission.</summary>
    public KernelTask Leader { get; }

    /// <summary>The group's permitted features (<c>xstate_get_group_perm</c>: the leader's <c>__state_perm</c>).</summary>
    public XFeatureMask PermittedFeatures => Leader.Fpu.Perm.StatePerm;

    /// <summary>The group's threads, not yet exited.</summary>
    public IReadOnlyList<KernelTask> Threads => _threads;

    internal void Add(KernelTask task) => _threads.Add(task);

    internal void Remove(KernelTask task) => _threads.Remove(task);
}
