using System;
using System.Buffers.Binary;

namespace FpuGuard.Runtime;

// ptrace PTRACE_GETREGSET / PTRACE_SETREGSET of NT_X86_XSTATE (arch/x86/kernel/fpu/regset.c).
public sealed partial class Kernel
{
    /// <summary>The regset's size: a standard-format image of every user feature the kernel supports (fpu_user_cfg.max_size).</summary>
    public int XStateRegsetSize => GetUabiSize(Cpu.Xcr0);

    /// <summary>xstateregs_get: the tracee's state as a user-ABI image of <see cref="XStateRegsetSize"/> bytes.</summary>
    public byte[] XStateRegsGet(KernelTask target)
    {
        CheckTracee(target);
        return CopyXStateToUabi(target.Fpu, Cpu.Xcr0, XStateRegsetSize, withMagic2: false);
    }

    /// <summary>
    /// xstateregs_set: validates the whole image first (size, XCOMP_BV zero, reserved header bytes zero,
    /// features within the process's permission, MXCSR), grows the buffer when the image carries a
    /// permitted dynamic feature the tracee has no room for, then copies it in. Any error leaves the
    /// tracee's state as it was; the reason names the field.
    /// May sleep: call with preemption and interrupts enabled.
    /// </summary>
    [MaySleep]
    public KernelResult XStateRegsSet(KernelTask target, ReadOnlySpan<byte> image)
    {
        CheckTracee(target);
        if (image.Length != XStateRegsetSize)
        {
            return KernelResult.Fail(Errno.EFAULT, $"the image has {image.Length} bytes; the regset is {XStateRegsetSize}");
        }

        var validation = ValidateUabiImage(image, image.Length, target.Group.PermittedFeatures, target);
        if (!validation.IsSuccess)
        {
            return validation;
        }

        var xstateBv = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(image[XStateBuffer.XStateBvOffset..]);
        var missing = xstateBv & DynamicFeatures & ~target.Fpu.StateMask;
        if (missing != 0)
        {
            var grown = GrowStoppedTracee(target, missing);
            if (!grown.IsSuccess)
            {
                return grown;
            }
        }

        CopyUabiToXState(target.Fpu, image);
        ForceRestore(target);
        return KernelResult.Ok;
    }

    // Not in v6.12, which validates the image against the tracee buffer's user_xfeatures and never grows it
    // (fpstate_realloc works on current only): the model's ptrace path still grows a stopped tracee for a
    // permitted dynamic feature, copying its saved state. The signals-and-ptrace issue removes this.
    [MaySleep]
    private KernelResult GrowStoppedTracee(KernelTask target, XFeatureMask missing)
    {
        var fpu = target.Fpu;
        var curfps = fpu.FpState;
        var perm = GroupPerm(target);
        var regs = Memory.Vzalloc(perm.StateSize);
        if (regs is null)
        {
            return KernelResult.Fail(Errno.ENOMEM, $"vzalloc({perm.StateSize}) for features {(curfps.XFeatures | missing).ToHex()} failed");
        }

        var newfps = new FpState(regs, isValloc: true)
        {
            Size = perm.StateSize,
            UserSize = perm.UserStateSize,
            XFeatures = curfps.XFeatures | missing,
            UserXFeatures = curfps.UserXFeatures | missing,
            Xfd = curfps.Xfd & ~missing,
        };
        _fpstates.Add(regs, newfps);
        XstateInitXcompBv(regs, newfps.XFeatures);
        CopyXState(fpu.State, fpu.StateMask, regs, newfps.XFeatures);
        var oldState = SwapFpState(fpu, regs, newfps.XFeatures, newfps.Size);
        ForceRestore(target);
        Memory.Vfree(oldState);
        return KernelResult.Ok;
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
