using FpuGuard.Runtime;

namespace AmxDriver;

/// <summary>Buffer management for the AMX driver: the reviewed patch's versions next to the corrected ones.</summary>
internal static class XStateBuffers
{
    // The patch as first posted: allocates under the register lock. FPU0001.
    public static KernelResult ReallocUnderLock(Kernel kernel, KernelTask task, XFeatureMask mask)
    {
        var fpu = task.Fpu;
        var stateMask = fpu.StateMask | mask;
        var size = kernel.GetXStateSize(stateMask);
        kernel.FpregsLock();
        var state = kernel.Memory.Vzalloc(size);
        if (state is null)
        {
            kernel.FpregsUnlock();
            return KernelResult.Fail(Errno.ENOMEM, "no memory");
        }

        var old = Kernel.SwapFpState(fpu, state, stateMask, size);
        kernel.FpregsUnlock();
        kernel.Memory.Vfree(old);
        return KernelResult.Ok;
    }

    // The review's version: allocate, lock, swap, unlock, free. Silent.
    public static KernelResult Realloc(Kernel kernel, KernelTask task, XFeatureMask mask)
    {
        var fpu = task.Fpu;
        var stateMask = fpu.StateMask | mask;
        var size = kernel.GetXStateSize(stateMask);
        var state = kernel.Memory.Vzalloc(size);
        if (state is null)
        {
            return KernelResult.Fail(Errno.ENOMEM, "no memory");
        }

        kernel.FpregsLock();
        var old = Kernel.SwapFpState(fpu, state, stateMask, size);
        kernel.FpregsUnlock();
        kernel.Memory.Vfree(old);
        return KernelResult.Ok;
    }

    // free_xstate_buffer() relying on its callers to check. FPU0002.
    public static void FreeUnchecked(Kernel kernel, Fpu fpu)
    {
        kernel.Memory.Vfree(fpu.State);
    }

    // The check inside, as the review asked. Silent.
    public static void Free(Kernel kernel, Fpu fpu)
    {
        if (!ReferenceEquals(fpu.State, fpu.DefaultState))
        {
            kernel.Memory.Vfree(fpu.State);
        }
    }

    // ptrace copy-in that grows the mask without growing the buffer. FPU0003.
    public static void AcceptFeatures(Fpu fpu, XFeatureMask features)
    {
        fpu.StateMask |= features;
    }

    // A lock left held on the error path. FPU0004.
    public static bool TouchState(Kernel kernel, Fpu fpu)
    {
        kernel.FpregsLock();
        if (fpu.State.Size == 0)
        {
            return false;
        }

        fpu.State.Bytes[0] = 0;
        kernel.FpregsUnlock();
        return true;
    }
}
