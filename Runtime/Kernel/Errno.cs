namespace FpuGuard.Runtime;

/// <summary>The kernel error numbers the buffer manager returns (positive, as errno; functions return them negated in C).</summary>
public enum Errno
{
    /// <summary>Success.</summary>
    None = 0,
    /// <summary>Operation not permitted (feature not permitted for the task).</summary>
    EPERM = 1,
    /// <summary>Out of memory (the allocation failed).</summary>
    ENOMEM = 12,
    /// <summary>Bad address (a user buffer of the wrong size; first-use allocation failure).</summary>
    EFAULT = 14,
    /// <summary>Invalid argument (a malformed header or MXCSR, an out-of-range index).</summary>
    EINVAL = 22,
    /// <summary>No space (a thread's alternate signal stack is too small for the larger frame).</summary>
    ENOSPC = 28,
    /// <summary>Not supported (the feature is not supported, or not a dynamic one).</summary>
    EOPNOTSUPP = 95,
}

/// <summary>What a kernel function returns: success, or the errno and a reason naming what was wrong.</summary>
public readonly record struct KernelResult(Errno Errno, string? Reason)
{
    /// <summary>Success.</summary>
    public static KernelResult Ok => default;

    /// <summary>The signal the call raised for the current task (SIGSEGV for a failed sigreturn), reported here and not left pending.</summary>
    public Signal Signal { get; init; }

    /// <summary>Whether the call succeeded.</summary>
    public bool IsSuccess => Errno == Errno.None;

    /// <summary>A failure.</summary>
    public static KernelResult Fail(Errno errno, string reason) => new(errno, reason);

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? "0" : $"-{Errno}: {Reason}{(Signal == Signal.None ? "" : $" ({Signal})")}";
}
