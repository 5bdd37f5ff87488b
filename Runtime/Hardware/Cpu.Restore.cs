using System;
using System.Numerics;

namespace FpuGuard.Runtime;

public sealed partial class Cpu
{
    /// <summary>
    /// XRSTOR: the form is chosen by XCOMP_BV bit 63. For each RFBM (XCR0 AND <paramref name="edxEax"/>) bit i,
    /// XSTATE_BV[i] = 1 loads component i from the area and 0 initializes it. #GP on a bad header or MXCSR,
    /// #NM when it would load an XFD-armed component.
    /// </summary>
    public void Xrstor(XStateBuffer area, XFeatureMask edxEax) => Restore("XRSTOR", area, edxEax, supervisor: false);

    /// <summary>XRSTORS (CPL 0): XRSTOR over XCR0 OR IA32_XSS; the area must be in the compacted form.</summary>
    public void Xrstors(XStateBuffer area, XFeatureMask edxEax)
    {
        if (!Layout.SupportsXsaves)
        {
            throw new InvalidOpcodeFault("XRSTORS", $"{Layout.Name} does not support XRSTORS (CPUID.(0xD,1):EAX[3])");
        }

        RequireCpl0("XRSTORS");
        Restore("XRSTORS", area, edxEax, supervisor: true);
    }

    private void Restore(string op, XStateBuffer area, XFeatureMask edxEax, bool supervisor)
    {
        CheckArea(op, area, XStateLayout.ExtendedRegionOffset, "read");
        var enabled = supervisor ? Xcr0 | Xss : Xcr0;
        var rfbm = enabled & edxEax;
        var xstateBv = area.XStateBv;
        var xcompBv = area.XCompBv;
        var compacted = (xcompBv & XStateBuffer.CompactedFormatBit) != 0;
        var layoutMask = (XFeatureMask)(xcompBv & ~XStateBuffer.CompactedFormatBit);
        CheckHeader(op, area, supervisor, compacted, enabled, xstateBv, layoutMask);

        var load = rfbm & xstateBv;
        var loadsMxcsr = compacted ? load.Has(XFeature.Sse) : (rfbm & MxcsrOwners) != 0;
        if (loadsMxcsr && (area.Mxcsr & ~MxcsrMask) != 0)
        {
            throw new GeneralProtectionFault(op, $"MXCSR = 0x{area.Mxcsr:X8} in the area sets reserved bits 0x{area.Mxcsr & ~MxcsrMask:X8}");
        }

        var armed = load & XfdArmed;
        if (armed != 0)
        {
            XfdErr |= armed;
            throw new DeviceNotAvailableFault(op, $"XSTATE_BV loads component(s) {armed.ToHex()} armed by IA32_XFD = {Xfd.ToHex()}", armed);
        }

        // Where each loaded component sits and how far the instruction reads: nothing is loaded until the
        // whole extent is known to lie inside the area.
        var offsets = compacted ? PlacementFor(layoutMask).Offsets : _standardOffsets;
        var extent = XStateLayout.ExtendedRegionOffset;
        for (var bits = (ulong)load; bits != 0; bits &= bits - 1)
        {
            var index = BitOperations.TrailingZeroCount(bits);
            extent = Math.Max(extent, offsets[index] + _footprints[index]);
        }

        CheckArea(op, area, extent, "read");

        for (var bits = (ulong)rfbm; bits != 0; bits &= bits - 1)
        {
            var index = BitOperations.TrailingZeroCount(bits);
            if (((ulong)load & (1UL << index)) != 0)
            {
                LoadComponent(area, (XFeature)index, offsets[index]);
            }
            else
            {
                InitComponent((XFeature)index);
            }
        }

        RestoreMxcsr(area, compacted, loadsMxcsr, rfbm);
        _modified = ~(ulong)rfbm;
        _lastRestore = new RestoreInfo(Cpl, area.Address, compacted ? xcompBv : 0, supervisor);
    }

    private void CheckHeader(string op, XStateBuffer area, bool supervisor, bool compacted, XFeatureMask enabled, XFeatureMask xstateBv, XFeatureMask layoutMask)
    {
        if (!compacted)
        {
            if (supervisor)
            {
                throw new GeneralProtectionFault(op, "XRSTORS needs the compacted form (XCOMP_BV bit 63 is clear)");
            }

            var outside = xstateBv & ~Xcr0;
            if (outside != 0)
            {
                throw new GeneralProtectionFault(op, $"XSTATE_BV = {xstateBv.ToHex()} sets bit(s) {outside.ToHex()} not in XCR0 = {Xcr0.ToHex()}");
            }

            RequireZeroHeaderBytes(op, area, 8, 24);
            return;
        }

        if (!supervisor && !Layout.SupportsXsaveC)
        {
            throw new GeneralProtectionFault(op, $"XCOMP_BV bit 63 asks for the compacted form, which {Layout.Name} does not support");
        }

        var notEnabled = layoutMask & ~enabled;
        if (notEnabled != 0)
        {
            throw new GeneralProtectionFault(op, $"XCOMP_BV = 0x{area.XCompBv:x} sets bit(s) {notEnabled.ToHex()} not in {(supervisor ? "XCR0 | IA32_XSS" : "XCR0")} = {enabled.ToHex()}");
        }

        var notLaidOut = xstateBv & ~layoutMask;
        if (notLaidOut != 0)
        {
            throw new GeneralProtectionFault(op, $"XSTATE_BV = {xstateBv.ToHex()} sets bit(s) {notLaidOut.ToHex()} not in XCOMP_BV = 0x{area.XCompBv:x}");
        }

        RequireZeroHeaderBytes(op, area, 16, 64);
    }

    private static void RequireZeroHeaderBytes(string op, XStateBuffer area, int from, int to)
    {
        var nonZero = area.Bytes.Slice(XStateLayout.LegacyRegionSize + from, to - from).IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            var i = from + nonZero;
            throw new GeneralProtectionFault(op, $"XSAVE header byte {i} is 0x{area.Bytes[XStateLayout.LegacyRegionSize + i]:X2}; bytes {from}–{to - 1} must be zero");
        }
    }

    private void LoadComponent(XStateBuffer area, XFeature feature, int offset)
    {
        var image = _registers[(int)feature]!;
        ReadOnlySpan<byte> bytes = area.Bytes;
        if (feature == XFeature.X87)
        {
            bytes.Slice(0, 24).CopyTo(image);
            bytes.Slice(32, image.Length - 24).CopyTo(image.AsSpan(24));
        }
        else
        {
            bytes.Slice(offset, image.Length).CopyTo(image);
        }

        _xInUse |= 1UL << (int)feature;
    }

    // Standard form: MXCSR is loaded whenever RFBM has SSE or AVX. Compacted form (SDM 13.8.2): loaded
    // only when RFBM[1] = XSTATE_BV[1] = 1, and initialized to 1F80H when RFBM[1] = 1 and XSTATE_BV[1] = 0.
    private void RestoreMxcsr(XStateBuffer area, bool compacted, bool loadsMxcsr, XFeatureMask rfbm)
    {
        if (loadsMxcsr)
        {
            Mxcsr = area.Mxcsr;
        }
        else if (compacted && rfbm.Has(XFeature.Sse))
        {
            Mxcsr = MxcsrInit;
        }

        // SSE state is in its init configuration only with MXCSR at its reset value.
        if (Mxcsr != MxcsrInit)
        {
            _xInUse |= 1UL << (int)XFeature.Sse;
        }
    }
}
