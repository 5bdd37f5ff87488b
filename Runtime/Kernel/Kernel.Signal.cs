using System;
using System.Buffers.Binary;

namespace FpuGuard.Runtime;

// Signal frames (arch/x86/kernel/fpu/signal.c): the user state goes to the frame on delivery and comes
// back, validated, on sigreturn.
public sealed partial class Kernel
{
    /// <summary>
    /// Signal delivery to the current task: its user state as a frame image sized for the features its
    /// process is permitted (so a permitted but unused tile state has room), fx_sw_bytes and magic2 included.
    /// The handler then starts with the user registers in their init state (fpu__clear_user_states).
    /// </summary>
    public byte[] DeliverSignal()
    {
        var task = Current;
        SyncFpstate(task);
        var features = task.Group.PermittedFeatures & Cpu.Xcr0;
        var frame = CopyXStateToUabi(task.Fpu, features, GetUabiSize(features), withMagic2: true);
        using (LockFpregs())
        {
            var state = task.Fpu.State;
            state.XStateBv &= Cpu.Xss;
            BinaryPrimitives.WriteUInt16LittleEndian(state.Bytes, Cpu.FcwInit);
            state.Mxcsr = Cpu.MxcsrInit;
            ForceRestore(task);
        }

        return frame;
    }

    /// <summary>
    /// sigreturn for the current task: checks fx_sw_bytes (magic1, sizes, magic2), then the XSAVE header and
    /// MXCSR as ptrace does, and only then restores the state. A bad frame changes nothing, sends SIGSEGV,
    /// and the result names the field at fault.
    /// </summary>
    public KernelResult RestoreSigframe(ReadOnlySpan<byte> frame)
    {
        var task = Current;
        var result = ValidateSigframe(task, frame);
        if (!result.IsSuccess)
        {
            task.SendSignal(Signal.SIGSEGV);
            return result;
        }

        using (LockFpregs())
        {
            CopyUabiToXState(task.Fpu, frame);
            ForceRestore(task);
        }

        return KernelResult.Ok;
    }

    private KernelResult ValidateSigframe(KernelTask task, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < XStateLayout.ExtendedRegionOffset + FpXstateMagic2Size)
        {
            return KernelResult.Fail(Errno.EFAULT, $"the frame has {frame.Length} bytes, fewer than the legacy region, header and magic2");
        }

        var sw = frame[FxSwBytesOffset..];
        var magic1 = BinaryPrimitives.ReadUInt32LittleEndian(sw);
        var extendedSize = BinaryPrimitives.ReadUInt32LittleEndian(sw[4..]);
        var swFeatures = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(sw[8..]);
        var xstateSize = BinaryPrimitives.ReadUInt32LittleEndian(sw[16..]);
        var permitted = task.Group.PermittedFeatures & Cpu.Xcr0;
        var maxSize = GetUabiSize(permitted);
        if (magic1 != FpXstateMagic1)
        {
            return KernelResult.Fail(Errno.EINVAL, $"fx_sw_bytes.magic1 is 0x{magic1:X8}, expected 0x{FpXstateMagic1:X8}");
        }

        if (xstateSize < XStateLayout.ExtendedRegionOffset || xstateSize > maxSize)
        {
            return KernelResult.Fail(Errno.EINVAL, $"fx_sw_bytes.xstate_size {xstateSize} is outside {XStateLayout.ExtendedRegionOffset}..{maxSize}");
        }

        if (extendedSize != xstateSize + FpXstateMagic2Size)
        {
            return KernelResult.Fail(Errno.EINVAL, $"fx_sw_bytes.extended_size {extendedSize} is not xstate_size + {FpXstateMagic2Size}");
        }

        if (frame.Length < extendedSize)
        {
            return KernelResult.Fail(Errno.EFAULT, $"the frame has {frame.Length} bytes, fewer than fx_sw_bytes.extended_size {extendedSize}");
        }

        var magic2 = BinaryPrimitives.ReadUInt32LittleEndian(frame[(int)xstateSize..]);
        if (magic2 != FpXstateMagic2)
        {
            return KernelResult.Fail(Errno.EINVAL, $"magic2 at offset {xstateSize} is 0x{magic2:X8}, expected 0x{FpXstateMagic2:X8}");
        }

        if ((swFeatures & ~permitted) != 0)
        {
            return KernelResult.Fail(Errno.EINVAL, $"fx_sw_bytes.xfeatures {swFeatures.ToHex()} has features {(swFeatures & ~permitted).ToHex()} not permitted");
        }

        return ValidateUabiImage(frame[..(int)xstateSize], (int)xstateSize, permitted, task);
    }
}
