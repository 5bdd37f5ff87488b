using System;
using System.Buffers.Binary;

namespace FpuGuard.Runtime;

// The user ABI image of the XSTATE (standard format, user features, fx_sw_bytes in the legacy region's
// software-reserved bytes): copy out (copy_xstate_to_uabi_buf), validate (validate_user_xstate_header),
// copy in (copy_uabi_to_xstate).
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

    private const XFeatureMask MxcsrOwners = XFeatureMask.Sse | XFeatureMask.Avx;

    private byte[] CopyXStateToUabi(Fpu fpu, XFeatureMask features, int size, bool withMagic2)
    {
        var image = new byte[size + (withMagic2 ? FpXstateMagic2Size : 0)];
        var state = fpu.State;
        var present = state.XStateBv & fpu.StateMask & features & Cpu.Xcr0;
        var bytes = state.Bytes;
        if (present.Has(XFeature.X87))
        {
            bytes[..24].CopyTo(image);
            bytes[32..160].CopyTo(image.AsSpan(32));
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(image, Cpu.FcwInit);
        }

        // A compacted buffer's MXCSR is meaningful only with SSE present (XRSTORS initializes it otherwise).
        var mxcsr = KernelFormat == XSaveFormat.Compacted && !present.Has(XFeature.Sse) ? Cpu.MxcsrInit : state.Mxcsr;
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(XStateBuffer.MxcsrOffset), mxcsr);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(XStateBuffer.MxcsrMaskOffset), Cpu.MxcsrMask);
        if (present.Has(XFeature.Sse))
        {
            bytes[160..416].CopyTo(image.AsSpan(160));
        }

        foreach (var feature in (present & ~XFeatureMask.FpSse).Features())
        {
            var component = Layout.GetComponent(feature);
            bytes.Slice(Layout.GetOffset(feature, fpu.StateMask, KernelFormat), component.Size).CopyTo(image.AsSpan(component.StandardOffset));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(XStateBuffer.XStateBvOffset), (ulong)present);
        var sw = image.AsSpan(FxSwBytesOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(sw, FpXstateMagic1);
        BinaryPrimitives.WriteUInt32LittleEndian(sw[4..], (uint)(size + FpXstateMagic2Size));
        BinaryPrimitives.WriteUInt64LittleEndian(sw[8..], (ulong)(features & Cpu.Xcr0));
        BinaryPrimitives.WriteUInt32LittleEndian(sw[16..], (uint)size);
        if (withMagic2)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(size), FpXstateMagic2);
        }

        return image;
    }

    // validate_user_xstate_header plus the MXCSR check: nothing is copied unless all of it holds.
    private KernelResult ValidateUabiImage(ReadOnlySpan<byte> image, int xstateSize, XFeatureMask permitted, KernelTask task)
    {
        var header = image.Slice(XStateLayout.LegacyRegionSize, XStateLayout.HeaderSize);
        var xstateBv = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(header);
        var xcompBv = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        if (xcompBv != 0)
        {
            return KernelResult.Fail(Errno.EINVAL, $"XCOMP_BV is 0x{xcompBv:x}; the user ABI is the standard format, where it must be 0");
        }

        for (var i = 16; i < XStateLayout.HeaderSize; i++)
        {
            if (header[i] != 0)
            {
                return KernelResult.Fail(Errno.EINVAL, $"XSAVE header byte {i} is 0x{header[i]:X2}; bytes 16-63 are reserved and must be zero");
            }
        }

        var notPermitted = xstateBv & ~(permitted & Cpu.Xcr0);
        if (notPermitted != 0)
        {
            return KernelResult.Fail(Errno.EINVAL, $"XSTATE_BV {xstateBv.ToHex()} has features {notPermitted.ToHex()} not permitted for {task} ({permitted.ToHex()})");
        }

        var end = GetUabiSize(xstateBv);
        if (end > xstateSize)
        {
            return KernelResult.Fail(Errno.EINVAL, $"XSTATE_BV {xstateBv.ToHex()} needs {end} bytes but the image has {xstateSize}");
        }

        var mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(image[XStateBuffer.MxcsrOffset..]);
        if ((xstateBv & MxcsrOwners) != 0 && (mxcsr & ~Cpu.MxcsrMask) != 0)
        {
            return KernelResult.Fail(Errno.EINVAL, $"MXCSR 0x{mxcsr:X8} sets reserved bits 0x{mxcsr & ~Cpu.MxcsrMask:X8}");
        }

        return KernelResult.Ok;
    }

    // Copies a validated image into the task's buffer; features the buffer has no room for are dropped
    // (hdr.xfeatures &= state_mask); supervisor state is kept.
    private void CopyUabiToXState(Fpu fpu, ReadOnlySpan<byte> image)
    {
        var state = fpu.State;
        var bytes = state.Bytes;
        var present = (XFeatureMask)BinaryPrimitives.ReadUInt64LittleEndian(image[XStateBuffer.XStateBvOffset..]) & fpu.StateMask;
        if (present.Has(XFeature.X87))
        {
            image[..24].CopyTo(bytes);
            image[32..160].CopyTo(bytes[32..]);
        }

        if (present.Has(XFeature.Sse))
        {
            image.Slice(160, 256).CopyTo(bytes[160..]);
        }

        if ((present & MxcsrOwners) != 0)
        {
            state.Mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(image[XStateBuffer.MxcsrOffset..]);
            if (KernelFormat == XSaveFormat.Compacted && !present.Has(XFeature.Sse))
            {
                // XRSTORS takes MXCSR only with SSE: carry it with initialized XMM registers.
                bytes[160..416].Clear();
                present |= XFeatureMask.Sse;
            }
        }

        foreach (var feature in (present & ~XFeatureMask.FpSse).Features())
        {
            var component = Layout.GetComponent(feature);
            image.Slice(component.StandardOffset, component.Size).CopyTo(bytes.Slice(Layout.GetOffset(feature, fpu.StateMask, KernelFormat), component.Size));
        }

        state.XStateBv = (state.XStateBv & Cpu.Xss) | present;
    }
}
