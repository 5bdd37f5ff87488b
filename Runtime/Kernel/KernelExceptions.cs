using System;

namespace FpuGuard.Runtime;

/// <summary>
/// A function that may sleep ran in an atomic context: the kernel's
/// "BUG: sleeping function called from invalid context". Raised by <see cref="Kernel.MightSleep"/>.
/// </summary>
public sealed class SleepInAtomicContextException(string message) : InvalidOperationException(message)
{
}

/// <summary>A free of memory that was never allocated, was already freed, or is a task's embedded default FPU state.</summary>
public sealed class BadFreeException(string message) : InvalidOperationException(message)
{
}

/// <summary>An atomic context was exited more often than entered (preempt_enable without preempt_disable, ...).</summary>
public sealed class UnbalancedContextException(string message) : InvalidOperationException(message)
{
}

/// <summary>Use of freed memory through its own API: an XSAVE buffer read or written after vfree() (KASAN's use-after-free report).</summary>
public sealed class UseAfterFreeException(string message) : InvalidOperationException(message)
{
}
