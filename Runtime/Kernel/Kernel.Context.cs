using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace FpuGuard.Runtime;

public sealed partial class Kernel
{
    private const int SoftirqDisableOffset = 0x200;

    /// <summary>preempt_disable() nesting.</summary>
    public int PreemptDisableDepth { get; private set; }

    /// <summary>local_bh_disable() nesting (fpregs_lock() included).</summary>
    public int SoftirqDisableDepth { get; private set; }

    /// <summary>local_irq_disable() nesting (an exception entered with interrupts off counts one).</summary>
    public int IrqDisableDepth { get; private set; }

    /// <summary>fpregs_lock() nesting.</summary>
    public int FpregsLockDepth { get; private set; }

    /// <summary>The kernel's preempt_count(): preemption nesting plus SOFTIRQ_DISABLE_OFFSET per softirq disable.</summary>
    public int PreemptCount => PreemptDisableDepth + SoftirqDisableOffset * SoftirqDisableDepth;

    /// <summary>Whether interrupts are disabled.</summary>
    public bool IrqsDisabled => IrqDisableDepth > 0;

    /// <summary>Whether sleeping is forbidden here.</summary>
    public bool InAtomicContext => PreemptCount != 0 || IrqsDisabled;

    /// <summary>preempt_disable(): the scheduler will not preempt until the matching enable.</summary>
    [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)]
    public void PreemptDisable() => PreemptDisableDepth++;

    /// <summary>preempt_enable().</summary>
    [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)]
    public void PreemptEnable() => PreemptDisableDepth = Leave(PreemptDisableDepth, "preempt_enable() without preempt_disable()");

    /// <summary>local_irq_disable().</summary>
    [EntersAtomicContext(AtomicContextKind.InterruptsDisabled)]
    public void LocalIrqDisable() => IrqDisableDepth++;

    /// <summary>local_irq_enable().</summary>
    [ExitsAtomicContext(AtomicContextKind.InterruptsDisabled)]
    public void LocalIrqEnable() => IrqDisableDepth = Leave(IrqDisableDepth, "local_irq_enable() with interrupts already enabled");

    /// <summary>local_bh_disable(): no softirq runs, and so no preemption, until the matching enable.</summary>
    [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)]
    public void LocalBhDisable() => SoftirqDisableDepth++;

    /// <summary>local_bh_enable().</summary>
    [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)]
    public void LocalBhEnable() => SoftirqDisableDepth = Leave(SoftirqDisableDepth, "local_bh_enable() without local_bh_disable()");

    /// <summary>
    /// fpregs_lock(): softirqs and preemption off, so nothing else uses or changes the FPU registers
    /// until <see cref="FpregsUnlock"/>. Never sleep inside.
    /// </summary>
    [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)]
    public void FpregsLock()
    {
        SoftirqDisableDepth++;
        FpregsLockDepth++;
    }

    /// <summary>fpregs_unlock().</summary>
    [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)]
    public void FpregsUnlock()
    {
        FpregsLockDepth = Leave(FpregsLockDepth, "fpregs_unlock() without fpregs_lock()");
        SoftirqDisableDepth--;
    }

    /// <summary><see cref="FpregsLock"/> for a <c>using</c> scope: disposing it unlocks.</summary>
    [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)]
    public FpregsLockScope LockFpregs()
    {
        FpregsLock();
        return new FpregsLockScope(this);
    }

    /// <summary>
    /// might_sleep(): throws <see cref="SleepInAtomicContextException"/> when called in an atomic context,
    /// with the kernel's report: preempt count, interrupt state and which contexts are held.
    /// </summary>
    [MaySleep]
    public void MightSleep([CallerMemberName] string caller = "")
    {
        if (!InAtomicContext)
        {
            return;
        }

        var held = new List<string>();
        if (FpregsLockDepth > 0)
        {
            held.Add($"the FPU register lock (fpregs_lock) x{FpregsLockDepth}");
        }

        if (PreemptDisableDepth > 0)
        {
            held.Add($"preemption disabled x{PreemptDisableDepth}");
        }

        if (SoftirqDisableDepth > FpregsLockDepth)
        {
            held.Add($"softirqs disabled x{SoftirqDisableDepth - FpregsLockDepth}");
        }

        if (IrqsDisabled)
        {
            held.Add("interrupts disabled");
        }

        throw new SleepInAtomicContextException(
            $"BUG: sleeping function called from invalid context at {caller}\n" +
            $"in_atomic(): {(PreemptCount != 0 ? 1 : 0)}, irqs_disabled(): {(IrqsDisabled ? 1 : 0)}, pid: {Current.Pid}, name: {Current.Name}\n" +
            $"preempt_count: {PreemptCount:x}, expected: 0\n" +
            $"held: {string.Join(", ", held)}");
    }

    private static int Leave(int depth, string problem) =>
        depth > 0 ? depth - 1 : throw new UnbalancedContextException(problem);
}

/// <summary>An FPU register lock held until disposed (<see cref="Kernel.LockFpregs"/>).</summary>
public sealed class FpregsLockScope : System.IDisposable
{
    private Kernel? _kernel;

    internal FpregsLockScope(Kernel kernel) => _kernel = kernel;

    /// <summary>fpregs_unlock(), once.</summary>
    [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)]
    public void Dispose()
    {
        var kernel = _kernel;
        _kernel = null;
        kernel?.FpregsUnlock();
    }
}
