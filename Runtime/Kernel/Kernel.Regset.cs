using System;

namespace FpuGuard.Runtime;

// ptrace PTRACE_GETREGSET / PTRACE_SETREGSET of NT_X86_XSTATE (arch/x86/kernel/fpu/regset.c).
public sealed partial class Kernel
{
    /// <summary>The regset's size: a standard-format image of every user feature the kernel supports (fpu_user_cfg.max_size).</summary>
    public int XStateRegsetSize => FpuUserCfg.MaxSize;

    /// <summary>
    /// xstateregs_get: the tracee's state as a user-ABI image of <see cref="XStateRegsetSize"/> bytes, as
    /// copy_xstate_to_uabi_buf writes it (XSTATE_BV = the buffer's features &amp; its user_xfeatures; MXCSR
    /// 0x1F80 unless SSE or YMM is in use; bytes 464–471 the user features of XCR0).
    /// </summary>
    public byte[] XStateRegsGet(KernelTask target)
    {
        CheckTracee(target);
        return CopyXStateToUabiBuf(target);
    }

    /// <summary>
    /// xstateregs_set: a count other than fpu_user_cfg.max_size is EFAULT; then copy_uabi_to_xstate checks the
    /// header against the tracee buffer's <c>user_xfeatures</c> (so tile data for a tracee whose buffer has not
    /// grown is EINVAL: ptrace never grows a buffer), XCOMP_BV, the reserved header bytes and MXCSR, and only
    /// then copies. Any error leaves the tracee's state as it was; the reason names the field.
    /// May sleep (the kernel vmallocs a bounce buffer): call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public KernelResult XStateRegsSet(KernelTask target, ReadOnlySpan<byte> image)
    {
        CheckTracee(target);
        MightSleep();
        if (image.Length != XStateRegsetSize)
        {
            return KernelResult.Fail(Errno.EFAULT, $"the image has {image.Length} bytes; the regset is {XStateRegsetSize} (fpu_user_cfg.max_size)");
        }

        // fpu_force_restore comes first in xstateregs_set; it only marks the registers stale, so doing it
        // after a rejected copy would change nothing the tracee can see either.
        var result = CopyUabiToXState(target, image);
        if (result.IsSuccess)
        {
            ForceRestore(target);
        }

        return result;
    }

    private void CheckTracee(KernelTask target)
    {
        CheckOwnTask(target);
        if (ReferenceEquals(target, Current))
        {
            throw new InvalidOperationException($"ptrace needs a stopped tracee; {target} is running.");
        }
    }
}
