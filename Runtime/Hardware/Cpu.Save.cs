using System;
using System.Buffers.Binary;
using System.Numerics;

namespace FpuGuard.Runtime;

public sealed partial class Cpu
{
    // The standard form saves and loads MXCSR whenever RFBM has SSE or AVX (SDM 13.7, 13.8.1).
    private const XFeatureMask MxcsrOwners = XFeatureMask.Sse | XFeatureMask.Avx;

    /// <summary>
    /// XSAVE: saves every requested-feature-bitmap component (RFBM = XCR0 AND <paramref name="edxEax"/>) in the
    /// standard format and sets XSTATE_BV[i] = XINUSE[i] for RFBM bits; writes no other header field.
    /// </summary>
    public void Xsave(XStateBuffer area, XFeatureMask edxEax) =>
        SaveStandard("XSAVE", area, edxEax, optimized: false);

    /// <summary>
    /// XSAVEOPT: XSAVE with the init optimization (components in their init state are not written) and the
    /// modified optimization (components unmodified since an XRSTOR from this same area are not written).
    /// </summary>
    public void Xsaveopt(XStateBuffer area, XFeatureMask edxEax)
    {
        if (!Layout.SupportsXsaveOpt)
        {
            throw new InvalidOpcodeFault("XSAVEOPT", $"{Layout.Name} does not support XSAVEOPT (CPUID.(0xD,1):EAX[0])");
        }

        SaveStandard("XSAVEOPT", area, edxEax, optimized: true);
    }

    /// <summary>
    /// XSAVEC: saves RFBM AND XINUSE components in the compacted format; XSTATE_BV = RFBM AND XINUSE,
    /// XCOMP_BV = bit 63 OR RFBM.
    /// </summary>
    public void Xsavec(XStateBuffer area, XFeatureMask edxEax)
    {
        if (!Layout.SupportsXsaveC)
        {
            throw new InvalidOpcodeFault("XSAVEC", $"{Layout.Name} does not support XSAVEC (CPUID.(0xD,1):EAX[1])");
        }

        SaveCompacted("XSAVEC", area, Xcr0 & edxEax, modifiedOptimization: false);
    }

    /// <summary>
    /// XSAVES (CPL 0): XSAVEC over XCR0 OR IA32_XSS, with the modified optimization after an XRSTORS from
    /// this same area with the same XCOMP_BV.
    /// </summary>
    public void Xsaves(XStateBuffer area, XFeatureMask edxEax)
    {
        if (!Layout.SupportsXsaves)
        {
            throw new InvalidOpcodeFault("XSAVES", $"{Layout.Name} does not support XSAVES (CPUID.(0xD,1):EAX[3])");
        }

        RequireCpl0("XSAVES");
        SaveCompacted("XSAVES", area, (Xcr0 | Xss) & edxEax, modifiedOptimization: true);
    }

    private void SaveStandard(string op, XStateBuffer area, XFeatureMask edxEax, bool optimized)
    {
        var rfbm = Xcr0 & edxEax;
        CheckArea(op, area, Layout.GetBufferSize(rfbm, XSaveFormat.Standard), "write");
        var inUse = EffectiveInUse();
        var skipUnmodified = optimized && _lastRestore == new RestoreInfo(Cpl, area.Address, 0, false);
        for (var bits = (ulong)rfbm; bits != 0; bits &= bits - 1)
        {
            var index = BitOperations.TrailingZeroCount(bits);
            var bit = 1UL << index;
            var componentInUse = ((ulong)inUse & bit) != 0;
            if (optimized && (!componentInUse || (skipUnmodified && (_modified & bit) == 0)))
            {
                continue;
            }

            StoreComponent(area, (XFeature)index, _standardOffsets[index], componentInUse);
        }

        if ((rfbm & MxcsrOwners) != 0)
        {
            StoreMxcsr(area);
        }

        area.XStateBv = (area.XStateBv & ~rfbm) | (rfbm & inUse);
    }

    private void SaveCompacted(string op, XStateBuffer area, XFeatureMask rfbm, bool modifiedOptimization)
    {
        var placement = PlacementFor(rfbm);
        CheckArea(op, area, placement.Size, "write");
        var inUse = EffectiveInUse();
        var xcompBv = XStateBuffer.CompactedFormatBit | (ulong)rfbm;
        var skipUnmodified = modifiedOptimization && _lastRestore == new RestoreInfo(Cpl, area.Address, xcompBv, true);
        var saved = rfbm & inUse;

        // Every RFBM component has its room in the area; only the ones in use are written.
        for (var bits = (ulong)saved; bits != 0; bits &= bits - 1)
        {
            var index = BitOperations.TrailingZeroCount(bits);
            if (!(skipUnmodified && (_modified & (1UL << index)) == 0))
            {
                StoreComponent(area, (XFeature)index, placement.Offsets[index], inUse: true);
            }
        }

        // SDM 13.10: MXCSR goes with SSE (RFBM[1]) here; RFBM[2] does not matter as it does for XSAVE.
        if (saved.Has(XFeature.Sse))
        {
            StoreMxcsr(area);
        }

        area.XStateBv = saved;
        area.XCompBv = xcompBv;
    }

    private void StoreComponent(XStateBuffer area, XFeature feature, int offset, bool inUse)
    {
        var bytes = area.Bytes;
        if (!inUse)
        {
            // XSAVE writes the init configuration: zeros, and FCW's reset value for x87.
            if (feature == XFeature.X87)
            {
                bytes[..24].Clear();
                bytes[32..160].Clear();
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, FcwInit);
            }
            else
            {
                bytes.Slice(offset, GetRegisterFileSize(feature)).Clear();
            }

            return;
        }

        var image = _registers[(int)feature]!;
        if (feature == XFeature.X87)
        {
            image.AsSpan(0, 24).CopyTo(bytes);
            image.AsSpan(24).CopyTo(bytes.Slice(32));
        }
        else
        {
            image.CopyTo(bytes.Slice(offset));
        }
    }

    private void StoreMxcsr(XStateBuffer area)
    {
        area.Mxcsr = Mxcsr;
        BinaryPrimitives.WriteUInt32LittleEndian(area.Bytes.Slice(XStateBuffer.MxcsrMaskOffset, 4), MxcsrMask);
    }

    private void CheckArea(string op, XStateBuffer area, int extent, string access)
    {
        ArgumentNullException.ThrowIfNull(area);
        if (!area.IsAligned)
        {
            throw new GeneralProtectionFault(op, $"the XSAVE area at 0x{area.Address:X} is not 64-byte aligned");
        }

        if (area.Size < extent)
        {
            throw new PageFault(op, $"the instruction would {access} {extent} bytes but the area at 0x{area.Address:X} is {area.Size} bytes");
        }
    }

    private void RequireCpl0(string op)
    {
        if (Cpl != 0)
        {
            throw new GeneralProtectionFault(op, $"CPL is {Cpl}; {op} needs CPL 0");
        }
    }
}
