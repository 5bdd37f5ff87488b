using System.Linq;

namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>Invariant: only what vzalloc returned is freed, once; the embedded default state never is.</summary>
public class KernelMemoryTests
{
    private static Kernel NewKernel() => new(CpuProfiles.SapphireRapids.Layout);

    [Fact]
    public void Vzalloc_returns_zeroed_aligned_buffers_and_accounts_for_them()
    {
        var memory = NewKernel().Memory;
        var a = memory.Vzalloc(10752)!;
        var b = memory.Vzalloc(100)!;
        Assert.True(a.IsAligned && b.IsAligned);
        Assert.True(a.Bytes.ToArray().All(x => x == 0));
        Assert.Equal(2, memory.LiveAllocations);
        Assert.Equal(10852, memory.LiveBytes);
        memory.Vfree(a);
        memory.Vfree(null);
        Assert.Equal(1, memory.LiveAllocations);
        Assert.Equal(100, memory.LiveBytes);
    }

    [Fact]
    public void Double_free_throws_at_once()
    {
        var memory = NewKernel().Memory;
        var buffer = memory.Vzalloc(64);
        memory.Vfree(buffer);
        Assert.Contains("double free", Assert.Throws<BadFreeException>(() => memory.Vfree(buffer)).Message);
    }

    [Fact]
    public void Free_of_a_buffer_never_allocated_throws()
    {
        var memory = NewKernel().Memory;
        Assert.Contains("never returned", Assert.Throws<BadFreeException>(() => memory.Vfree(new XStateBuffer(64))).Message);
    }

    [Fact]
    public void Free_of_a_tasks_embedded_default_state_throws()
    {
        var kernel = NewKernel();
        var task = kernel.CreateProcess("victim");
        var error = Assert.Throws<BadFreeException>(() => kernel.Memory.Vfree(task.Fpu.DefaultState));
        Assert.Contains("embedded default FPU state of task victim", error.Message);
    }

    [Fact]
    public void Injected_failures_hit_the_nth_allocation_or_large_ones()
    {
        var memory = NewKernel().Memory;
        memory.FailNthAllocation(2);
        Assert.NotNull(memory.Vzalloc(64));
        Assert.Null(memory.Vzalloc(64));
        Assert.NotNull(memory.Vzalloc(64));
        memory.FailAllocationsLargerThan(4096);
        Assert.Null(memory.Vzalloc(8192));
        Assert.NotNull(memory.Vzalloc(4096));
        memory.ClearFaultInjection();
        Assert.NotNull(memory.Vzalloc(8192));
        Assert.Equal(6, memory.AllocationAttempts);
        Assert.Equal(4, memory.LiveAllocations);
    }
}
