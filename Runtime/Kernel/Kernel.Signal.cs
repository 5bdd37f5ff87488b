using System;
using System.Buffers.Binary;

namespace FpuGuard.Runtime;

// Signal frames (arch/x86/kernel/fpu/signal.c of v6.12): XSAVE writes the user state straight into the frame
// on delivery, XRSTOR reads it straight back on sigreturn; the kernel checks only the software bytes.
public sealed partial class Kernel
{
    /// <summary><c>init_pkru_value</c> (arch/x86/mm/pkeys.c): access to every protection key but 0 disabled.</summary>
    public const uint InitPkruValue = 0x55555554;

    /// <summary>The frame's size for the current task: <c>xstate_sigframe_size</c> = its buffer's <c>user_size</c> + magic2.</summary>
    public int SignalFrameSize => Current.Fpu.FpState.UserSize + FpXstateMagic2Size;

    /// <summary>
    /// Signal delivery to the current task (64-bit frame): get_sigframe's <c>sig_prepare_pkru</c> (PKRU 0 while
    /// the frame is written), then <c>copy_fpstate_to_sigframe</c>: the header cleared, the registers loaded,
    /// XSAVE with RFBM = the buffer's <c>user_xfeatures</c> into a frame of <see cref="SignalFrameSize"/> bytes,
    /// <c>update_pkru_in_sigframe</c> (the task's PKRU into the PKRU slot, XSTATE_BV left as XSAVE wrote it, as
    /// in v6.12), and <c>save_xstate_epilog</c> (fx_sw_bytes from <c>user_size</c> and <c>user_xfeatures</c>,
    /// magic2, XSTATE_BV |= FP | SSE). The handler then starts with <c>fpu__clear_user_states</c>: every user
    /// component in its init state, PKRU <see cref="InitPkruValue"/> where the processor has protection keys.
    /// </summary>
    public byte[] DeliverSignal()
    {
        var task = Current;
        var fpstate = task.Fpu.FpState;
        var frame = new XStateBuffer(fpstate.UserSize + FpXstateMagic2Size);
        using (LockFpregs())
        {
            RestoreUserRegisters(task);
            var pkru = HasProtectionKeys ? ReadPkru() : 0;
            if (HasProtectionKeys)
            {
                WritePkru(0);
            }

            Cpu.Xsave(frame, fpstate.UserXFeatures);
            if (HasProtectionKeys)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(frame.Bytes[Layout.GetComponent(XFeature.Pkru).StandardOffset..], pkru);
            }
        }

        SaveXStateEpilog(frame.Bytes, fpstate);
        FpuClearUserStates(task);
        return frame.Bytes.ToArray();
    }

    /// <summary>
    /// sigreturn for the current task (64-bit frame, <c>fpu__restore_sig</c> → <c>__fpu_restore_sig</c>).
    /// <c>check_xstate_in_sigframe</c> as in v6.12: a bad magic1, an xstate_size outside 576..<c>user_size</c> or
    /// above extended_size, or a bad magic2 means the frame is legacy (<c>fx_only</c>: FXRSTOR of bytes 0–511,
    /// everything else initialized). Otherwise <c>restore_fpregs_from_user</c>: XRSTOR from the frame itself
    /// with RFBM = fx_sw_bytes.xfeatures &amp; <c>user_xfeatures</c>, the hardware's checks and nothing else;
    /// the other user features are initialized. A fault (bad header, reserved MXCSR bits, a frame too short)
    /// fails the restore: <c>fpu__clear_user_states</c> puts the user state in its init configuration and the
    /// task gets SIGSEGV, reported in the result (<see cref="KernelResult.Signal"/>), which names the cause.
    /// </summary>
    public KernelResult RestoreSigframe(ReadOnlySpan<byte> frame)
    {
        var task = Current;
        var result = FpuRestoreSig(task, frame);
        if (!result.IsSuccess)
        {
            FpuClearUserStates(task);
            return result with { Signal = Signal.SIGSEGV };
        }

        return result;
    }

    private bool HasProtectionKeys => Cpu.Xcr0.Has(XFeature.Pkru);

    private KernelResult FpuRestoreSig(KernelTask task, ReadOnlySpan<byte> frame)
    {
        var fpstate = task.Fpu.FpState;
        if (frame.Length < XStateLayout.LegacyRegionSize)
        {
            return KernelResult.Fail(Errno.EFAULT, $"the frame has {frame.Length} bytes; fx_sw_bytes (bytes 464-511) lie beyond it");
        }

        // check_xstate_in_sigframe (v6.12).
        var sw = frame[FxSwBytesOffset..];
        var magic1 = BinaryPrimitives.ReadUInt32LittleEndian(sw);
        var extendedSize = BinaryPrimitives.ReadUInt32LittleEndian(sw[4..]);
        var swXFeatures = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(sw[8..]);
        var xstateSize = BinaryPrimitives.ReadUInt32LittleEndian(sw[16..]);
        var fxOnly = magic1 != FpXstateMagic1
            || xstateSize < XStateLayout.ExtendedRegionOffset
            || xstateSize > fpstate.UserSize
            || xstateSize > extendedSize;
        if (!fxOnly)
        {
            if (frame.Length < xstateSize + FpXstateMagic2Size)
            {
                return KernelResult.Fail(Errno.EFAULT, $"the frame has {frame.Length} bytes; magic2 at fx_sw_bytes.xstate_size {xstateSize} lies beyond it");
            }

            fxOnly = BinaryPrimitives.ReadUInt32LittleEndian(frame[(int)xstateSize..]) != FpXstateMagic2;
        }

        var userXFeatures = fxOnly ? XFeatureMask.FpSse : swXFeatures;
        return RestoreFpregsFromUser(task, frame, userXFeatures, fxOnly);
    }

    // restore_fpregs_from_user / __restore_fpregs_from_user.
    private KernelResult RestoreFpregsFromUser(KernelTask task, ReadOnlySpan<byte> frame, XFeatureMask xrestore, bool fxOnly)
    {
        var ufeatures = task.Fpu.FpState.UserXFeatures;
        xrestore &= ufeatures;
        using (LockFpregs())
        {
            // The model loads the task's own registers first: this is os_xrstor_supervisor's part (supervisor
            // state from the buffer) and also initializes what lies outside user_xfeatures, which v6.12 leaves as
            // the registers had it (armed by XFD, so not readable).
            RestoreUserRegisters(task);
            try
            {
                if (fxOnly)
                {
                    // fxrstor_from_user_sigframe: the legacy region alone; its MXCSR is checked by the hardware.
                    var legacy = new XStateBuffer(XStateLayout.ExtendedRegionOffset);
                    frame[..XStateLayout.LegacyRegionSize].CopyTo(legacy.Bytes);
                    legacy.Bytes[FxSwBytesOffset..XStateLayout.LegacyRegionSize].Clear();
                    legacy.XStateBv = XFeatureMask.FpSse;
                    Cpu.Xrstor(legacy, xrestore);
                }
                else
                {
                    var user = new XStateBuffer(frame.Length);
                    frame.CopyTo(user.Bytes);
                    Cpu.Xrstor(user, xrestore);
                }
            }
            catch (CpuFault fault)
            {
                return KernelResult.Fail(Errno.EFAULT, $"XRSTOR from the frame (RFBM {xrestore.ToHex()}{(fxOnly ? ", fx_only" : "")}) faulted: {fault.Message}");
            }

            var initBv = ufeatures & ~xrestore;
            if (initBv != 0)
            {
                OsXrstorInitFpstate(initBv);
            }

            task.Fpu.NeedsLoad = false; // fpregs_mark_activate
        }

        return KernelResult.Ok;
    }

    // fpu__clear_user_states: the task's registers loaded (supervisor state included), every user component
    // but PKRU initialized from init_fpstate (XFEATURE_MASK_USER_RESTORE), PKRU init_pkru_value; the registers
    // are then the task's (fpregs_mark_activate).
    private void FpuClearUserStates(KernelTask task)
    {
        using (LockFpregs())
        {
            RestoreUserRegisters(task);
            OsXrstorInitFpstate(UserSupportedFeatures & ~XFeatureMask.Pkru);
            if (HasProtectionKeys)
            {
                WritePkru(InitPkruValue);
            }

            task.Fpu.NeedsLoad = false;
        }
    }

    // save_xstate_epilog / save_sw_bytes for a 64-bit frame.
    private static void SaveXStateEpilog(Span<byte> frame, FpState fpstate)
    {
        var sw = frame[FxSwBytesOffset..];
        BinaryPrimitives.WriteUInt32LittleEndian(sw, FpXstateMagic1);
        BinaryPrimitives.WriteUInt32LittleEndian(sw[4..], (uint)(fpstate.UserSize + FpXstateMagic2Size));
        BinaryPrimitives.WriteUInt64LittleEndian(sw[8..], (ulong)fpstate.UserXFeatures);
        BinaryPrimitives.WriteUInt32LittleEndian(sw[16..], (uint)fpstate.UserSize);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[fpstate.UserSize..], FpXstateMagic2);
        var xstateBv = BinaryPrimitives.ReadUInt64LittleEndian(frame[XStateBuffer.XStateBvOffset..]);
        BinaryPrimitives.WriteUInt64LittleEndian(frame[XStateBuffer.XStateBvOffset..], xstateBv | (ulong)XFeatureMask.FpSse);
    }

    // os_xrstor(&init_fpstate, mask): XRSTORS from init_fpstate (compacted, XCOMP_BV = every kernel feature)
    // with XSAVES, else XRSTOR from its standard form; XSTATE_BV 0, so every RFBM component is initialized.
    // The forms differ for MXCSR: the standard one reloads it (0x1F80) whenever RFBM has SSE or YMM, the
    // compacted one only with SSE.
    private void OsXrstorInitFpstate(XFeatureMask mask)
    {
        var init = new XStateBuffer(XStateLayout.ExtendedRegionOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(init.Bytes, Cpu.FcwInit);
        init.Mxcsr = Cpu.MxcsrInit;
        if (KernelFormat == XSaveFormat.Compacted)
        {
            init.XCompBv = XStateBuffer.CompactedFormatBit | (ulong)FpuKernelCfg.MaxFeatures;
            Cpu.Xrstors(init, mask);
        }
        else
        {
            Cpu.Xrstor(init, mask);
        }
    }

    // RDPKRU / WRPKRU on the live registers.
    private uint ReadPkru() => BinaryPrimitives.ReadUInt32LittleEndian(Cpu.ReadRegisters(XFeature.Pkru));

    // WRPKRU writes PKRU's 32 bits; the rest of the model's 8-byte component image stays as it was.
    private void WritePkru(uint value)
    {
        var image = Cpu.ReadRegisters(XFeature.Pkru);
        BinaryPrimitives.WriteUInt32LittleEndian(image, value);
        Cpu.WriteRegisters(XFeature.Pkru, image);
    }
}
