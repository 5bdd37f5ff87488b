namespace FpuGuard.Runtime.Tests.Kernel;

using Kernel = FpuGuard.Runtime.Kernel;

/// <summary>Invariant: nothing that may sleep runs in an atomic context; contexts nest and balance.</summary>
public class ExecutionContextTests
{
    private static Kernel NewKernel() => new(CpuProfiles.SapphireRapids.Layout);

    [Fact]
    public void Vzalloc_under_the_fpu_register_lock_throws_the_kernels_report()
    {
        var kernel = NewKernel();
        kernel.FpregsLock();
        var error = Assert.Throws<SleepInAtomicContextException>(() => kernel.Memory.Vzalloc(4096));
        Assert.Contains("sleeping function called from invalid context", error.Message);
        Assert.Contains("in_atomic(): 1, irqs_disabled(): 0", error.Message);
        Assert.Contains("preempt_count: 200", error.Message);
        Assert.Contains("fpregs_lock", error.Message);
        Assert.Equal(0, kernel.Memory.AllocationAttempts);
    }

    [Fact]
    public void Vzalloc_with_interrupts_disabled_throws()
    {
        var kernel = NewKernel();
        kernel.LocalIrqDisable();
        var error = Assert.Throws<SleepInAtomicContextException>(() => kernel.Memory.Vzalloc(64));
        Assert.Contains("irqs_disabled(): 1", error.Message);
        Assert.Contains("interrupts disabled", error.Message);
    }

    [Fact]
    public void Vzalloc_with_preemption_disabled_throws_and_succeeds_after_enable()
    {
        var kernel = NewKernel();
        kernel.PreemptDisable();
        kernel.PreemptDisable();
        Assert.Contains("preemption disabled x2", Assert.Throws<SleepInAtomicContextException>(() => kernel.Memory.Vzalloc(64)).Message);
        kernel.PreemptEnable();
        kernel.PreemptEnable();
        Assert.NotNull(kernel.Memory.Vzalloc(64));
    }

    [Fact]
    public void Realloc_inside_the_register_lock_is_caught_at_run_time()
    {
        var kernel = NewKernel();
        var task = kernel.CreateProcess("amx");
        kernel.SwitchTo(task);
        Assert.True(kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData).IsSuccess);
        using (kernel.LockFpregs())
        {
            Assert.Throws<SleepInAtomicContextException>(() => kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData));
        }

        Assert.False(task.Fpu.IsDynamic);
        Assert.True(kernel.ReallocXStateBuffer(task, XFeatureMask.XTileData).IsSuccess);
    }

    [Fact]
    public void Fpregs_lock_disables_softirqs_and_nests()
    {
        var kernel = NewKernel();
        kernel.FpregsLock();
        using (kernel.LockFpregs())
        {
            Assert.Equal(2, kernel.FpregsLockDepth);
            Assert.Equal(0x400, kernel.PreemptCount);
        }

        Assert.True(kernel.InAtomicContext);
        kernel.FpregsUnlock();
        Assert.False(kernel.InAtomicContext);
    }

    [Fact]
    public void Lock_scope_unlocks_once_however_often_it_is_disposed()
    {
        var kernel = NewKernel();
        var scope = kernel.LockFpregs();
        scope.Dispose();
        scope.Dispose();
        Assert.Equal(0, kernel.FpregsLockDepth);
    }

    [Fact]
    public void Unbalanced_exits_throw()
    {
        var kernel = NewKernel();
        Assert.Throws<UnbalancedContextException>(kernel.PreemptEnable);
        Assert.Throws<UnbalancedContextException>(kernel.LocalIrqEnable);
        Assert.Throws<UnbalancedContextException>(kernel.LocalBhEnable);
        Assert.Throws<UnbalancedContextException>(kernel.FpregsUnlock);
        Assert.Equal(0, kernel.PreemptCount);
    }

    [Fact]
    public void Kernels_are_independent()
    {
        var first = NewKernel();
        var second = NewKernel();
        first.FpregsLock();
        Assert.NotNull(second.Memory.Vzalloc(64));
        Assert.Throws<System.ArgumentException>(() => second.ReallocXStateBuffer(first.Idle, XFeatureMask.XTileData));
    }
}
