// One of the contract declarations FpuGuard's analyzer package embeds, as text, into projects that cannot
// reference this assembly (<FpuGuardContracts>embed</FpuGuardContracts>): it is written in C# 7.3 so that it
// compiles in a project of any language version, and is the only copy there is.
namespace FpuGuard.Runtime
{
    /// <summary>A region in which sleeping is forbidden.</summary>
    public enum AtomicContextKind
    {
        /// <summary>The FPU registers are locked (<c>fpregs_lock()</c>: softirqs and preemption off).</summary>
        FpuRegisterLock = 0,
        /// <summary>Preemption is disabled (<c>preempt_disable()</c>).</summary>
        PreemptionDisabled = 1,
        /// <summary>Interrupts are disabled (<c>local_irq_disable()</c>, an exception entered with IF = 0).</summary>
        InterruptsDisabled = 2,
    }
}
