using System;

namespace FpuGuard.Runtime;

/// <summary>
/// One logical processor's XSAVE-managed state: XCR0, IA32_XSS, IA32_XFD and IA32_XFD_ERR, a register
/// file per component, init tracking (XINUSE), modified tracking, and the XSAVE family of instructions.
/// Every check happens before any state changes: a fault leaves the processor and the area as they were.
/// </summary>
public sealed partial class Cpu
{
    /// <summary>IA32_XSS.</summary>
    public const uint MsrIa32Xss = 0xDA0;

    /// <summary>IA32_XFD.</summary>
    public const uint MsrIa32Xfd = 0x1C4;

    /// <summary>IA32_XFD_ERR.</summary>
    public const uint MsrIa32XfdErr = 0x1C5;

    /// <summary>MXCSR after reset and after initialization.</summary>
    public const uint MxcsrInit = 0x1F80;

    /// <summary>The MXCSR bits software may set (the MXCSR_MASK XSAVE stores; DAZ included).</summary>
    public const uint MxcsrMask = 0xFFFF;

    /// <summary>x87 control word after initialization (FNINIT).</summary>
    public const ushort FcwInit = 0x037F;

    // x87's register image is the legacy region's bytes 0–23 and 32–159 (bytes 24–31 are MXCSR/MXCSR_MASK).
    private const int X87ImageSize = 24 + 128;

    private readonly byte[]?[] _registers = new byte[64][];
    private ulong _xInUse;
    private ulong _modified;
    private RestoreInfo? _lastRestore;

    // XRSTOR_INFO (SDM 13.6): what the modified optimization compares against.
    private readonly record struct RestoreInfo(int Cpl, ulong Address, ulong XCompBv, bool ByXrstors);

    /// <summary>A processor in its reset state (XCR0 = x87 only, every component in its init state).</summary>
    public Cpu(XStateLayout layout)
    {
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
        foreach (var component in layout.Components)
        {
            _registers[(int)component.Feature] = new byte[GetRegisterFileSize(component.Feature)];
        }

        ResetComponent(XFeature.X87);
        Mxcsr = MxcsrInit;
        CachePerComponentFacts();
    }

    /// <summary>The processor's CPUID layout.</summary>
    public XStateLayout Layout { get; }

    /// <summary>The current privilege level (0 kernel, 3 user). XSETBV, XSAVES, XRSTORS and WRMSR need 0.</summary>
    public int Cpl { get; set; }

    /// <summary>XCR0: the user components enabled (set with <see cref="Xsetbv"/>).</summary>
    public XFeatureMask Xcr0 { get; private set; } = XFeatureMask.X87;

    /// <summary>IA32_XSS: the supervisor components enabled (set with <see cref="Wrmsr"/>).</summary>
    public XFeatureMask Xss { get; private set; }

    /// <summary>IA32_XFD: the components whose use faults with #NM while enabled in XCR0.</summary>
    public XFeatureMask Xfd { get; private set; }

    /// <summary>IA32_XFD_ERR: the components whose use raised the last XFD #NM.</summary>
    public XFeatureMask XfdErr { get; private set; }

    /// <summary>XINUSE: the components not known to be in their init state.</summary>
    public XFeatureMask XInUse => (XFeatureMask)_xInUse;

    /// <summary>The components armed by XFD (XCR0 and XFD both set).</summary>
    public XFeatureMask XfdArmed => Xcr0 & Xfd;

    /// <summary>MXCSR (set with <see cref="Ldmxcsr"/>).</summary>
    public uint Mxcsr { get; private set; }

    /// <summary>Bytes in a component's register image: x87 152 (FXSAVE bytes 0–23 and 32–159), SSE 256 (XMM0–15), others the CPUID size.</summary>
    public int GetRegisterFileSize(XFeature feature) => feature switch
    {
        XFeature.X87 => X87ImageSize,
        XFeature.Sse => 256,
        _ => Layout.GetComponent(feature).Size,
    };

    /// <summary>XSETBV: writes XCR0 (<paramref name="xcr"/> = 0), with the SDM's #GP rules.</summary>
    public void Xsetbv(uint xcr, XFeatureMask value)
    {
        const string op = "XSETBV";
        if (Cpl != 0)
        {
            throw new GeneralProtectionFault(op, $"CPL is {Cpl}; XSETBV needs CPL 0");
        }

        if (xcr != 0)
        {
            throw new GeneralProtectionFault(op, $"XCR{xcr} does not exist (only XCR0 is writable)");
        }

        var reason = Xcr0Violation(value);
        if (reason is not null)
        {
            throw new GeneralProtectionFault(op, $"XCR0 = {value.ToHex()}: {reason}");
        }

        Xcr0 = value;
    }

    private string? Xcr0Violation(XFeatureMask value)
    {
        var unsupported = value & ~Layout.SupportedUserFeatures;
        if (unsupported != 0)
        {
            return $"bit(s) {unsupported.ToHex()} are not supported user components (CPUID.(0xD,0) EDX:EAX = {Layout.SupportedUserFeatures.ToHex()})";
        }

        if (!value.Has(XFeature.X87))
        {
            return "bit 0 (x87) must be set";
        }

        if (value.Has(XFeature.Avx) && !value.Has(XFeature.Sse))
        {
            return "AVX (bit 2) needs SSE (bit 1)";
        }

        if ((value & XFeatureMask.Avx512) != 0 && !value.HasAll(XFeatureMask.Avx512))
        {
            return "the AVX-512 bits 7:5 must be all set or all clear";
        }

        if ((value & XFeatureMask.Avx512) != 0 && !value.HasAll(XFeatureMask.Sse | XFeatureMask.Avx))
        {
            return "AVX-512 (bits 7:5) needs SSE and AVX (bits 2:1)";
        }

        if ((value & XFeatureMask.Mpx) != 0 && !value.HasAll(XFeatureMask.Mpx))
        {
            return "the MPX bits 4:3 must be both set or both clear";
        }

        if ((value & XFeatureMask.Amx) != 0 && !value.HasAll(XFeatureMask.Amx))
        {
            return "the AMX bits 18:17 must be both set or both clear";
        }

        return null;
    }

    /// <summary>XGETBV: XCR0 (<paramref name="xcr"/> = 0) or, with XGETBV1, XCR0 AND XINUSE (<paramref name="xcr"/> = 1).</summary>
    public ulong Xgetbv(uint xcr) => xcr switch
    {
        0 => (ulong)Xcr0,
        1 when Layout.SupportsXgetbv1 => (ulong)(Xcr0 & EffectiveInUse()),
        _ => throw new GeneralProtectionFault("XGETBV", $"XCR{xcr} cannot be read on {Layout.Name}"),
    };

    /// <summary>WRMSR to IA32_XSS, IA32_XFD or IA32_XFD_ERR.</summary>
    public void Wrmsr(uint msr, ulong value)
    {
        const string op = "WRMSR";
        if (Cpl != 0)
        {
            throw new GeneralProtectionFault(op, $"CPL is {Cpl}; WRMSR needs CPL 0");
        }

        var mask = (XFeatureMask)value;
        switch (msr)
        {
            case MsrIa32Xss when Layout.SupportsXsaves:
                RequireWithin(op, "IA32_XSS", mask, Layout.SupportedSupervisorFeatures);
                Xss = mask;
                break;
            case MsrIa32Xfd when Layout.SupportsXfd:
                RequireWithin(op, "IA32_XFD", mask, Layout.XfdCapableFeatures);
                Xfd = mask;
                break;
            case MsrIa32XfdErr when Layout.SupportsXfd:
                RequireWithin(op, "IA32_XFD_ERR", mask, Layout.XfdCapableFeatures);
                XfdErr = mask;
                break;
            default:
                throw new GeneralProtectionFault(op, $"MSR 0x{msr:X} is not implemented on {Layout.Name}");
        }
    }

    /// <summary>RDMSR of IA32_XSS, IA32_XFD or IA32_XFD_ERR.</summary>
    public ulong Rdmsr(uint msr)
    {
        if (Cpl != 0)
        {
            throw new GeneralProtectionFault("RDMSR", $"CPL is {Cpl}; RDMSR needs CPL 0");
        }

        return msr switch
        {
            MsrIa32Xss when Layout.SupportsXsaves => (ulong)Xss,
            MsrIa32Xfd when Layout.SupportsXfd => (ulong)Xfd,
            MsrIa32XfdErr when Layout.SupportsXfd => (ulong)XfdErr,
            _ => throw new GeneralProtectionFault("RDMSR", $"MSR 0x{msr:X} is not implemented on {Layout.Name}"),
        };
    }

    private static void RequireWithin(string op, string register, XFeatureMask value, XFeatureMask allowed)
    {
        var bad = value & ~allowed;
        if (bad != 0)
        {
            throw new GeneralProtectionFault(op, $"{register} = {value.ToHex()} sets reserved bit(s) {bad.ToHex()} (allowed: {allowed.ToHex()})");
        }
    }

    /// <summary>CPUID leaf 0xD as this processor answers now: sub-leaf 0 EBX and sub-leaf 1 EBX follow XCR0 and IA32_XSS.</summary>
    public CpuidRegisters Cpuid(int subLeaf)
    {
        var registers = Layout.GetCpuidSubLeaf(subLeaf);
        return subLeaf switch
        {
            0 => registers with { Ebx = (uint)Layout.GetBufferSize(Xcr0, XSaveFormat.Standard) },
            1 when Layout.SupportsXsaveC || Layout.SupportsXsaves => registers with { Ebx = (uint)Layout.GetBufferSize(Xcr0 | Xss, XSaveFormat.Compacted) },
            _ => registers,
        };
    }

    /// <summary>
    /// An instruction reads a component's registers (e.g. VMOVDQU, TILESTORED). #UD when the component is
    /// not enabled; #NM (setting IA32_XFD_ERR) when XFD arms it.
    /// </summary>
    public byte[] ReadRegisters(XFeature feature)
    {
        CheckUsable("register read", feature);
        return (byte[])_registers[(int)feature]!.Clone();
    }

    /// <summary>
    /// An instruction writes a component's registers (e.g. VMOVDQU, TILELOADD): the component is then in use
    /// and modified. #UD when not enabled; #NM (setting IA32_XFD_ERR) when XFD arms it.
    /// </summary>
    public void WriteRegisters(XFeature feature, ReadOnlySpan<byte> value)
    {
        CheckUsable("register write", feature);
        var file = _registers[(int)feature]!;
        if (value.Length != file.Length)
        {
            throw new ArgumentException($"Component {(int)feature} ({feature}) has a {file.Length}-byte register image; got {value.Length} bytes.", nameof(value));
        }

        value.CopyTo(file);
        MarkWritten(feature);
    }

    /// <summary>LDMXCSR: #GP on reserved bits.</summary>
    public void Ldmxcsr(uint value)
    {
        CheckUsable("LDMXCSR", XFeature.Sse);
        if ((value & ~MxcsrMask) != 0)
        {
            throw new GeneralProtectionFault("LDMXCSR", $"MXCSR = 0x{value:X8} sets reserved bits 0x{value & ~MxcsrMask:X8}");
        }

        Mxcsr = value;
        MarkWritten(XFeature.Sse);
    }

    private void CheckUsable(string op, XFeature feature)
    {
        if (!Layout.Supports(feature))
        {
            throw new InvalidOpcodeFault(op, $"{Layout.Name} has no component {(int)feature} ({feature})");
        }

        if (Layout.UnknownFeatures.Has(feature))
        {
            Layout.GetComponent(feature); // throws CpuidDataException naming the missing sub-leaf
        }

        var bit = feature.ToMask();
        if (Layout.SupportedSupervisorFeatures.Has(feature))
        {
            if (Cpl != 0)
            {
                throw new GeneralProtectionFault(op, $"supervisor component {feature} is accessible only at CPL 0");
            }

            return;
        }

        if (feature != XFeature.X87 && !Xcr0.Has(feature))
        {
            throw new InvalidOpcodeFault(op, $"component {(int)feature} ({feature}) is not enabled in XCR0 = {Xcr0.ToHex()}");
        }

        if ((XfdArmed & bit) != 0)
        {
            XfdErr |= bit;
            throw new DeviceNotAvailableFault(op, $"component {(int)feature} ({feature}) is armed by IA32_XFD = {Xfd.ToHex()}", bit);
        }
    }

    private void MarkWritten(XFeature feature)
    {
        var bit = 1UL << (int)feature;
        _xInUse |= bit;
        _modified |= bit;
    }

    // Only initialization clears an XINUSE bit, so a component not in use already holds its init values:
    // like the hardware's init optimization, initializing it again costs nothing.
    private void InitComponent(XFeature feature)
    {
        if ((_xInUse & (1UL << (int)feature)) != 0)
        {
            ResetComponent(feature);
        }
    }

    private void ResetComponent(XFeature feature)
    {
        var file = _registers[(int)feature]!;
        Array.Clear(file);
        if (feature == XFeature.X87)
        {
            file[0] = FcwInit & 0xFF;
            file[1] = FcwInit >> 8;
        }

        _xInUse &= ~(1UL << (int)feature);
    }

    // XSAVE-family instructions treat XFD-armed components as if XINUSE were 0 (SDM 13.14).
    private XFeatureMask EffectiveInUse() => XInUse & ~XfdArmed;
}
