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
    private readonly Queue<Signal> _pending = new();

    internal KernelTask(Kernel kernel, int pid, string name, ThreadGroup group, XStateBuffer defaultState, XFeatureMask defaultMask)
    {
        Kernel = kernel;
        Pid = pid;
        Name = name;
        Group = group;
        group.Add(this);
        Fpu = new Fpu(this, defaultState, defaultMask);
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

    /// <summary>Whether the task has exited.</summary>
    public bool HasExited { get; internal set; }

    /// <summary>Signals sent to the task and not yet taken.</summary>
    public IReadOnlyCollection<Signal> PendingSignals => _pending;

    internal void SendSignal(Signal signal) => _pending.Enqueue(signal);

    internal Signal TakeSignal() => _pending.Count > 0 ? _pending.Dequeue() : Signal.None;

    /// <inheritdoc />
    public override string ToString() => $"{Name}[{Pid}]";
}

/// <summary>A thread group: the process-wide permission for dynamic features (<c>fpu->perm</c> of the group leader).</summary>
public sealed class ThreadGroup
{
    private readonly List<KernelTask> _threads = new();

    internal ThreadGroup(Kernel kernel) => PermittedFeatures = kernel.DefaultFeatures;

    internal ThreadGroup(ThreadGroup parent) => PermittedFeatures = parent.PermittedFeatures;

    /// <summary>The user features the group may use: the default ones plus the dynamic ones requested.</summary>
    public XFeatureMask PermittedFeatures { get; internal set; }

    /// <summary>The group's threads, not yet exited.</summary>
    public IReadOnlyList<KernelTask> Threads => _threads;

    internal void Add(KernelTask task) => _threads.Add(task);

    internal void Remove(KernelTask task) => _threads.Remove(task);
}
