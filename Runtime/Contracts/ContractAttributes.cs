using System;

// The contract vocabulary FpuGuard's analyzers check. They recognise these attributes by simple name in
// any namespace, so code that cannot reference this assembly may declare its own copies. The analyzer
// package embeds this file, as text, into such projects (<FpuGuardContracts>embed</FpuGuardContracts>): it is
// written in C# 7.3 so that it compiles in a project of any language version, and is the only copy there is.
namespace FpuGuard.Runtime
{
    /// <summary>The method may sleep (allocate with <c>vzalloc</c>, wait, schedule): never call it in an atomic context.</summary>
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, Inherited = false)]
    public sealed class MaySleepAttribute : Attribute
    {
    }

    /// <summary>After the method returns, the caller holds the atomic context <see cref="Kind"/>.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = true)]
    public sealed class EntersAtomicContextAttribute : Attribute
    {
        /// <summary>Declares the context.</summary>
        public EntersAtomicContextAttribute(AtomicContextKind kind) => Kind = kind;

        /// <summary>The context entered.</summary>
        public AtomicContextKind Kind { get; }
    }

    /// <summary>The method releases the atomic context <see cref="Kind"/> the caller held (also a scope's <c>Dispose</c>).</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = true)]
    public sealed class ExitsAtomicContextAttribute : Attribute
    {
        /// <summary>Declares the context.</summary>
        public ExitsAtomicContextAttribute(AtomicContextKind kind) => Kind = kind;

        /// <summary>The context exited.</summary>
        public AtomicContextKind Kind { get; }
    }

    /// <summary>The method runs with the atomic context <see cref="Kind"/> held on entry (an exception handler with interrupts off).</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = true)]
    public sealed class RequiresAtomicContextAttribute : Attribute
    {
        /// <summary>Declares the context.</summary>
        public RequiresAtomicContextAttribute(AtomicContextKind kind) => Kind = kind;

        /// <summary>The context held on entry.</summary>
        public AtomicContextKind Kind { get; }
    }

    /// <summary>
    /// The method does not sleep, whatever it calls: the analysis does not look through it. For code that sleeps
    /// only in contexts the analysis cannot see (a sleeping branch the caller's arguments never take).
    /// </summary>
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, Inherited = false)]
    public sealed class DoesNotSleepAttribute : Attribute
    {
    }

    /// <summary>From this call on, the caller holds the atomic context <see cref="Kind"/> (like lockdep_assert_held).</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = true)]
    public sealed class AssertsAtomicContextAttribute : Attribute
    {
        /// <summary>Declares the context.</summary>
        public AssertsAtomicContextAttribute(AtomicContextKind kind) => Kind = kind;

        /// <summary>The context asserted.</summary>
        public AtomicContextKind Kind { get; }
    }

    /// <summary>One of the fields that describe a task's current FPU state buffer; only the swap helper writes it.</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false)]
    public sealed class FpuStateFieldAttribute : Attribute
    {
    }

    /// <summary>The one method that changes the FPU state fields, all together.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class FpuStateSwapHelperAttribute : Attribute
    {
    }

    /// <summary>The task's embedded default FPU state buffer: it was never allocated and must never be freed.</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false)]
    public sealed class DefaultFpuStateAttribute : Attribute
    {
    }

    /// <summary>The method frees the memory its first argument refers to.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class FreesMemoryAttribute : Attribute
    {
    }
}
