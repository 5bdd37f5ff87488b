using System;

namespace FpuGuard.Runtime;

/// <summary>An exception the modelled processor raises; nothing was changed when it is thrown.</summary>
public abstract class CpuFault : Exception
{
    /// <summary>Creates the fault.</summary>
    protected CpuFault(string mnemonic, string reason)
        : base($"{mnemonic}: {reason}")
    {
        Mnemonic = mnemonic;
        Reason = reason;
    }

    /// <summary>The vector, as the SDM writes it ("#GP").</summary>
    public abstract string Vector { get; }

    /// <summary>The instruction that faulted.</summary>
    public string Mnemonic { get; }

    /// <summary>Why, in the SDM's terms.</summary>
    public string Reason { get; }
}

/// <summary>#GP(0).</summary>
public sealed class GeneralProtectionFault(string mnemonic, string reason) : CpuFault(mnemonic, "#GP(0): " + reason)
{
    /// <inheritdoc />
    public override string Vector => "#GP";
}

/// <summary>#NM: here, an instruction touched a component armed by IA32_XFD; <see cref="XfdErr"/> is what IA32_XFD_ERR was set to.</summary>
public sealed class DeviceNotAvailableFault(string mnemonic, string reason, XFeatureMask xfdErr) : CpuFault(mnemonic, "#NM: " + reason)
{
    /// <inheritdoc />
    public override string Vector => "#NM";

    /// <summary>The components whose use raised the fault (IA32_XFD_ERR).</summary>
    public XFeatureMask XfdErr { get; } = xfdErr;
}

/// <summary>#UD: the processor does not have the instruction, or the state it needs is not enabled in XCR0.</summary>
public sealed class InvalidOpcodeFault(string mnemonic, string reason) : CpuFault(mnemonic, "#UD: " + reason)
{
    /// <inheritdoc />
    public override string Vector => "#UD";
}

/// <summary>#PF: the instruction would access memory past the end of the XSAVE area. Nothing was written.</summary>
public sealed class PageFault(string mnemonic, string reason) : CpuFault(mnemonic, "#PF: " + reason)
{
    /// <inheritdoc />
    public override string Vector => "#PF";
}
