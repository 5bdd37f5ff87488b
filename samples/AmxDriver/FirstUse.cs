using FpuGuard.Runtime;

namespace AmxDriver;

/// <summary>First use of AMX tile data: the #NM path, as posted and as merged.</summary>
internal static class FirstUse
{
    // The exception fixup as posted: the allocation three calls down runs with interrupts disabled. FPU0001.
    [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
    public static void ExcDeviceNotAvailableAsPosted(Kernel kernel, KernelTask task)
    {
        if (HandleXfdEventAsPosted(kernel, task))
        {
            return;
        }
    }

    private static bool HandleXfdEventAsPosted(Kernel kernel, KernelTask task) => EnableFeature(kernel, task) == Errno.None;

    private static Errno EnableFeature(Kernel kernel, KernelTask task) =>
        XStateBuffers.Realloc(kernel, task, XFeatureMask.XTileData).Errno;

    // As merged: the handler enables interrupts around the allocation. Silent.
    [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
    public static void ExcDeviceNotAvailable(Kernel kernel, KernelTask task)
    {
        if (HandleXfdEvent(kernel, task))
        {
            return;
        }
    }

    [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
    private static bool HandleXfdEvent(Kernel kernel, KernelTask task)
    {
        kernel.LocalIrqEnable();
        var result = EnableFeature(kernel, task);
        kernel.LocalIrqDisable();
        return result == Errno.None;
    }
}
