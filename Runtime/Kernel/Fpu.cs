namespace FpuGuard.Runtime;

/// <summary>
/// A task's FPU state (the kernel's <c>struct fpu</c>): an embedded default buffer sized for the non-dynamic
/// features, the current buffer described by three fields that change together, only in
/// <see cref="Kernel.SwapFpState"/>, and the task's permission (<see cref="Perm"/>). Each buffer carries its
/// own figures (<see cref="FpState"/>); the triple's mask and size are the current buffer's.
/// </summary>
public sealed class Fpu
{
    /// <summary>The embedded default buffer (<c>__fpstate</c>): never allocated, never freed.</summary>
    [DefaultFpuState]
    public readonly XStateBuffer DefaultState;

    /// <summary>The current buffer: <see cref="DefaultState"/> until a dynamic feature is first used.</summary>
    [FpuStateField]
    public XStateBuffer State;

    /// <summary>The features <see cref="State"/> has room for.</summary>
    [FpuStateField]
    public XFeatureMask StateMask;

    /// <summary>The size of <see cref="State"/> for <see cref="StateMask"/>.</summary>
    [FpuStateField]
    public int StateSize;

    internal Fpu(KernelTask task, XStateBuffer defaultState, XFeatureMask defaultMask)
    {
        Task = task;
        DefaultState = defaultState;
        State = defaultState;
        StateMask = defaultMask;
        StateSize = defaultState.Size;
        NeedsLoad = true;
    }

    /// <summary>The task this state belongs to.</summary>
    public KernelTask Task { get; }

    /// <summary>TIF_NEED_FPU_LOAD: the registers must be restored from <see cref="State"/> before returning to user space.</summary>
    public bool NeedsLoad { get; internal set; }

    /// <summary>Whether <see cref="State"/> is a vzalloc'ed buffer (<c>is_valloc</c>).</summary>
    public bool IsDynamic => !ReferenceEquals(State, DefaultState);

    /// <summary>The current buffer's own figures (<c>fpu->fpstate</c>).</summary>
    /// <exception cref="System.ArgumentException">The current buffer was installed without them (not by the kernel's realloc).</exception>
    public FpState FpState => Task.Kernel.GetFpState(State);

    /// <summary>The task's permission (<c>fpu->perm</c>); a process's is its group leader's.</summary>
    public FpuStatePerm Perm { get; } = new();

    /// <summary>The task's IA32_XFD value (<c>fpstate->xfd</c>): dynamic features its buffer has no room for stay armed.</summary>
    public XFeatureMask Xfd => FpState.Xfd;
}
