namespace FpuGuard.Analyzers.Contracts;

/// <summary>
/// The analyzers' copy of the contract vocabulary's <c>AtomicContextKind</c>: the values are the ones the user's
/// enum must have (FPU0006 checks its members by name and value), so an attribute argument reads as one of these.
/// </summary>
internal enum AtomicContextKind
{
    FpuRegisterLock = 0,
    PreemptionDisabled = 1,
    InterruptsDisabled = 2,
}
