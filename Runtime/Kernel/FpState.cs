namespace FpuGuard.Runtime;

/// <summary>
/// One XSAVE buffer of a task with its own figures (the kernel's <c>struct fpstate</c>, arch/x86/include/asm/fpu/types.h):
/// the kernel sets them where it creates the buffer (<c>__fpstate_reset</c> for the embedded one,
/// <c>fpstate_realloc</c> for a grown one) and nowhere else. The register image is <see cref="Regs"/>.
/// </summary>
public sealed class FpState
{
    internal FpState(XStateBuffer regs, bool isValloc)
    {
        Regs = regs;
        IsValloc = isValloc;
    }

    /// <summary>The XSAVE area (<c>fpstate->regs</c>).</summary>
    public XStateBuffer Regs { get; }

    /// <summary><c>fpstate->size</c>: the kernel-format size the buffer holds.</summary>
    public int Size { get; internal set; }

    /// <summary><c>fpstate->user_size</c>: the standard-format (user ABI) size of its user features.</summary>
    public int UserSize { get; internal set; }

    /// <summary><c>fpstate->xfeatures</c>: the features, supervisor ones included, the buffer has room for.</summary>
    public XFeatureMask XFeatures { get; internal set; }

    /// <summary><c>fpstate->user_xfeatures</c>: the user features a user-ABI image of this buffer may carry.</summary>
    public XFeatureMask UserXFeatures { get; internal set; }

    /// <summary><c>fpstate->xfd</c>: the dynamic features IA32_XFD arms while this buffer is the task's.</summary>
    public XFeatureMask Xfd { get; internal set; }

    /// <summary><c>fpstate->is_valloc</c>: vzalloc'ed by <c>fpstate_realloc</c> (else the embedded default).</summary>
    public bool IsValloc { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"fpstate size {Size}, user_size {UserSize}, xfeatures {XFeatures.ToHex()}, user_xfeatures {UserXFeatures.ToHex()}, xfd {Xfd.ToHex()}{(IsValloc ? ", valloc" : "")}";
}

/// <summary>
/// A task's permission for dynamic features (<c>struct fpu_state_perm</c>): what the group may grow to and
/// the sizes that takes. Only the group leader's is consulted (<c>xstate_get_group_perm</c>).
/// </summary>
public sealed class FpuStatePerm
{
    /// <summary><c>__state_perm</c>: the permitted features.</summary>
    public XFeatureMask StatePerm { get; internal set; }

    /// <summary><c>__state_size</c>: the kernel buffer size for the permitted features.</summary>
    public int StateSize { get; internal set; }

    /// <summary><c>__user_state_size</c>: the user-ABI size for the permitted user features.</summary>
    public int UserStateSize { get; internal set; }

    internal void CopyFrom(FpuStatePerm source)
    {
        StatePerm = source.StatePerm;
        StateSize = source.StateSize;
        UserStateSize = source.UserStateSize;
    }

    /// <inheritdoc />
    public override string ToString() => $"perm {StatePerm.ToHex()}, size {StateSize}, user size {UserStateSize}";
}

/// <summary>The kernel's <c>struct fpu_state_config</c>: <c>fpu_kernel_cfg</c> or <c>fpu_user_cfg</c>, set once at boot.</summary>
/// <param name="MaxFeatures">Every feature enabled (dynamic ones included).</param>
/// <param name="DefaultFeatures">The features of a task's embedded buffer (no dynamic ones).</param>
/// <param name="MaxSize">The size for <paramref name="MaxFeatures"/>.</param>
/// <param name="DefaultSize">The size for <paramref name="DefaultFeatures"/>.</param>
public sealed record FpuStateConfig(XFeatureMask MaxFeatures, XFeatureMask DefaultFeatures, int MaxSize, int DefaultSize);
