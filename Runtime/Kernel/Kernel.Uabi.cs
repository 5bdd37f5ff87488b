using System;
using System.Buffers.Binary;

namespace FpuGuard.Runtime;

// The user ABI image of the XSTATE (standard format, user features): copied out for ptrace
// (xstate.c __copy_xstate_to_uabi_buf), validated and copied in (validate_user_xstate_header,
// copy_uabi_to_xstate). Signal frames are written and read by the hardware instead (Kernel.Signal.cs).
public sealed partial class Kernel
{
    /// <summary>fx_sw_bytes.magic1: the frame carries extended state.</summary>
    public const uint FpXstateMagic1 = 0x46505853;

    /// <summary>The magic after the extended state in a signal frame.</summary>
    public const uint FpXstateMagic2 = 0x46505845;

    /// <summary>Size of <see cref="FpXstateMagic2"/>.</summary>
    public const int FpXstateMagic2Size = 4;

    /// <summary>Offset of fx_sw_bytes in the legacy region (bytes 464–511, which the XSAVE family never writes).</summary>
    public const int FxSwBytesOffset = 464;

    // offsetof(struct fxregs_state, xmm_space): xstate_sizes[XFEATURE_FP], the x87 part MXCSR and MXCSR_MASK included.
    private const int FpPartSize = 160;

    // XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM: the features whose presence makes the kernel check MXCSR.
    private const XFeatureMask MxcsrCheckedFeatures = XFeatureMask.X87 | XFeatureMask.Sse | XFeatureMask.Avx;

    // The features whose presence makes __copy_xstate_to_uabi_buf copy MXCSR from the buffer.
    private const XFeatureMask MxcsrCopiedFeatures = XFeatureMask.Sse | XFeatureMask.Avx;

    /// <summary>
    /// <c>mxcsr_feature_mask</c>: the MXCSR bits the processor accepts (from FXSAVE's MXCSR_MASK at boot);
    /// what init_fpstate's MXCSR_MASK holds.
    /// </summary>
    public uint MxcsrFeatureMask => Cpu.MxcsrMask;

    // __copy_xstate_to_uabi_buf(XSTATE_COPY_XSAVE): header = the buffer's XSTATE_BV & user_xfeatures; each part
    // from the buffer when its feature is in the header, else from init_fpstate; MXCSR and MXCSR_MASK travel
    // with SSE or YMM; bytes 464-511 are xstate_fx_sw_bytes (XCR0's user features at 464, zeros after); PKRU is
    // the task's value. The model keeps a task's PKRU in its buffer (no separate thread.pkru): the component
    // when present, else its init value 0.
    private byte[] CopyXStateToUabiBuf(KernelTask task)
    {
        var fpu = task.Fpu;
        var fpstate = fpu.FpState;
        var image = new byte[FpuUserCfg.MaxSize];
        var state = fpu.State;
        var bytes = state.Bytes;
        var header = state.XStateBv & fpstate.UserXFeatures;
        if (header.Has(XFeature.X87))
        {
            bytes[..XStateBuffer.MxcsrOffset].CopyTo(image);
            bytes[32..FpPartSize].CopyTo(image.AsSpan(32));
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(image, Cpu.FcwInit);
        }

        if ((header & MxcsrCopiedFeatures) != 0)
        {
            bytes.Slice(XStateBuffer.MxcsrOffset, 8).CopyTo(image.AsSpan(XStateBuffer.MxcsrOffset));
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(XStateBuffer.MxcsrOffset), Cpu.MxcsrInit);
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(XStateBuffer.MxcsrMaskOffset), MxcsrFeatureMask);
        }

        if (header.Has(XFeature.Sse))
        {
            bytes.Slice(FpPartSize, 256).CopyTo(image.AsSpan(FpPartSize));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(FxSwBytesOffset), (ulong)FpuUserCfg.MaxFeatures);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(XStateBuffer.XStateBvOffset), (ulong)header);
        foreach (var feature in (fpstate.UserXFeatures & ~XFeatureMask.FpSse).Features())
        {
            var component = Layout.GetComponent(feature);
            if (feature == XFeature.Pkru || header.Has(feature))
            {
                var source = header.Has(feature) ? bytes.Slice(Layout.GetOffset(feature, fpu.StateMask, KernelFormat), component.Size) : new byte[component.Size];
                source.CopyTo(image.AsSpan(component.StandardOffset));
            }
        }

        return image;
    }

    // validate_user_xstate_header, in the kernel's order: features outside the buffer's user_xfeatures, then
    // XCOMP_BV, then the reserved header bytes.
    private static KernelResult ValidateUserXStateHeader(ReadOnlySpan<byte> header, FpState fpstate, KernelTask task)
    {
        var xfeatures = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(header);
        var outside = xfeatures & ~fpstate.UserXFeatures;
        if (outside != 0)
        {
            return KernelResult.Fail(Errno.EINVAL, $"XSTATE_BV {xfeatures.ToHex()} has features {outside.ToHex()} outside the user_xfeatures {fpstate.UserXFeatures.ToHex()} of {task}'s buffer");
        }

        var xcompBv = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        if (xcompBv != 0)
        {
            return KernelResult.Fail(Errno.EINVAL, $"XCOMP_BV is 0x{xcompBv:x}; the user ABI is the standard format, where it must be 0");
        }

        var nonZero = header[16..XStateLayout.HeaderSize].IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            var i = 16 + nonZero;
            return KernelResult.Fail(Errno.EINVAL, $"XSAVE header byte {i} is 0x{header[i]:X2}; bytes 16-63 are reserved and must be zero");
        }

        return KernelResult.Ok;
    }

    // copy_uabi_to_xstate: the header is validated against the buffer's user_xfeatures, MXCSR against
    // mxcsr_feature_mask when FP, SSE or YMM is in the header (without FP, MXCSR and MXCSR_MASK are taken
    // alone); then each feature in the header is copied — FP as bytes 0-159, MXCSR and its mask included —
    // and XSTATE_BV becomes the buffer's supervisor bits | the header's. Nothing is copied unless all checks pass.
    private KernelResult CopyUabiToXState(KernelTask task, ReadOnlySpan<byte> image)
    {
        var fpu = task.Fpu;
        var fpstate = fpu.FpState;
        var headerBytes = image.Slice(XStateBuffer.XStateBvOffset, XStateLayout.HeaderSize);
        var validation = ValidateUserXStateHeader(headerBytes, fpstate, task);
        if (!validation.IsSuccess)
        {
            return validation;
        }

        var header = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(headerBytes);
        var state = fpu.State;
        var bytes = state.Bytes;
        if ((header & MxcsrCheckedFeatures) != 0)
        {
            var mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(image[XStateBuffer.MxcsrOffset..]);
            if ((mxcsr & ~MxcsrFeatureMask) != 0)
            {
                return KernelResult.Fail(Errno.EINVAL, $"MXCSR 0x{mxcsr:X8} sets bits 0x{mxcsr & ~MxcsrFeatureMask:X8} outside mxcsr_feature_mask 0x{MxcsrFeatureMask:X8}");
            }

            if (!header.Has(XFeature.X87))
            {
                image.Slice(XStateBuffer.MxcsrOffset, 8).CopyTo(bytes[XStateBuffer.MxcsrOffset..]);
            }
        }

        if (header.Has(XFeature.X87))
        {
            image[..FpPartSize].CopyTo(bytes);
        }

        if (header.Has(XFeature.Sse))
        {
            image.Slice(FpPartSize, 256).CopyTo(bytes[FpPartSize..]);
        }

        foreach (var feature in (header & ~XFeatureMask.FpSse).Features())
        {
            var component = Layout.GetComponent(feature);
            image.Slice(component.StandardOffset, component.Size).CopyTo(bytes.Slice(Layout.GetOffset(feature, fpu.StateMask, KernelFormat), component.Size));
        }

        state.XStateBv = (state.XStateBv & Cpu.Xss) | header;
        return KernelResult.Ok;
    }
}
