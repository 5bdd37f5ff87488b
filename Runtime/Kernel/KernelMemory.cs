using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace FpuGuard.Runtime;

/// <summary>
/// vzalloc/vfree: zeroed, 64-byte-aligned XSAVE buffers, with accounting of what is live, checks that
/// every free matches an allocation, and fault injection for tests.
/// </summary>
public sealed class KernelMemory
{
    private readonly Kernel _kernel;
    private readonly HashSet<XStateBuffer> _live = new(ReferenceEqualityComparer.Instance);
    private readonly ConditionalWeakTable<XStateBuffer, string> _freed = new();
    private readonly ConditionalWeakTable<XStateBuffer, KernelTask> _embedded = new();
    private int _failNth;
    private int _failAbove = int.MaxValue;

    internal KernelMemory(Kernel kernel) => _kernel = kernel;

    /// <summary>Buffers allocated and not freed.</summary>
    public int LiveAllocations => _live.Count;

    /// <summary>Bytes in live buffers.</summary>
    public long LiveBytes { get; private set; }

    /// <summary>vzalloc calls so far, failed ones included.</summary>
    public int AllocationAttempts { get; private set; }

    /// <summary>Makes the <paramref name="n"/>-th vzalloc from now fail (1 = the next one).</summary>
    public void FailNthAllocation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        _failNth = n;
    }

    /// <summary>Makes every vzalloc of more than <paramref name="bytes"/> fail.</summary>
    public void FailAllocationsLargerThan(int bytes) => _failAbove = bytes;

    /// <summary>Stops injecting failures.</summary>
    public void ClearFaultInjection()
    {
        _failNth = 0;
        _failAbove = int.MaxValue;
    }

    /// <summary>
    /// vzalloc(): a zeroed, 64-byte-aligned buffer, or null when memory is short (or a failure is injected).
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public XStateBuffer? Vzalloc(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _kernel.MightSleep();
        AllocationAttempts++;
        if (_failNth > 0 && --_failNth == 0)
        {
            return null;
        }

        if (size > _failAbove)
        {
            return null;
        }

        var buffer = new XStateBuffer(size);
        _live.Add(buffer);
        LiveBytes += size;
        return buffer;
    }

    /// <summary>
    /// vfree(): frees a vzalloc'ed buffer; null is fine. A buffer never allocated, freed twice, or embedded in
    /// a task (its default FPU state) throws <see cref="BadFreeException"/> at once.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    [FreesMemory]
    public void Vfree(XStateBuffer? buffer)
    {
        if (buffer is null)
        {
            return;
        }

        _kernel.MightSleep();
        if (_embedded.TryGetValue(buffer, out var owner))
        {
            throw new BadFreeException($"vfree() of the embedded default FPU state of task {owner}: it was never allocated");
        }

        if (!_live.Remove(buffer))
        {
            throw new BadFreeException(_freed.TryGetValue(buffer, out var when)
                ? $"vfree() of a buffer already freed ({when}): double free"
                : $"vfree() of a {buffer.Size}-byte buffer at 0x{buffer.Address:X} that vzalloc() never returned");
        }

        LiveBytes -= buffer.Size;
        var by = $"by pid {_kernel.Current.Pid}";
        _freed.AddOrUpdate(buffer, by);
        buffer.MarkFreed($"vfree() {by}");
    }

    internal void RegisterEmbedded(XStateBuffer buffer, KernelTask owner) => _embedded.AddOrUpdate(buffer, owner);
}
