using System;
using System.Collections.Generic;
using System.Numerics;

namespace FpuGuard.Runtime;

/// <summary>A set of state components: bit <c>i</c> is <see cref="XFeature"/> <c>i</c>.</summary>
[Flags]
public enum XFeatureMask : ulong
{
    /// <summary>No component.</summary>
    None = 0,
    /// <summary>x87.</summary>
    X87 = 1UL << XFeature.X87,
    /// <summary>SSE.</summary>
    Sse = 1UL << XFeature.Sse,
    /// <summary>AVX.</summary>
    Avx = 1UL << XFeature.Avx,
    /// <summary>MPX BNDREGS.</summary>
    BndRegs = 1UL << XFeature.BndRegs,
    /// <summary>MPX BNDCSR.</summary>
    BndCsr = 1UL << XFeature.BndCsr,
    /// <summary>AVX-512 opmask.</summary>
    Opmask = 1UL << XFeature.Opmask,
    /// <summary>AVX-512 ZMM_Hi256.</summary>
    ZmmHi256 = 1UL << XFeature.ZmmHi256,
    /// <summary>AVX-512 Hi16_ZMM.</summary>
    Hi16Zmm = 1UL << XFeature.Hi16Zmm,
    /// <summary>Processor trace.</summary>
    ProcessorTrace = 1UL << XFeature.ProcessorTrace,
    /// <summary>PKRU.</summary>
    Pkru = 1UL << XFeature.Pkru,
    /// <summary>PASID.</summary>
    Pasid = 1UL << XFeature.Pasid,
    /// <summary>CET user.</summary>
    CetUser = 1UL << XFeature.CetUser,
    /// <summary>CET supervisor.</summary>
    CetSupervisor = 1UL << XFeature.CetSupervisor,
    /// <summary>HDC.</summary>
    Hdc = 1UL << XFeature.Hdc,
    /// <summary>UINTR.</summary>
    Uintr = 1UL << XFeature.Uintr,
    /// <summary>Architectural LBRs.</summary>
    Lbr = 1UL << XFeature.Lbr,
    /// <summary>HWP.</summary>
    Hwp = 1UL << XFeature.Hwp,
    /// <summary>AMX TILECFG.</summary>
    XTileCfg = 1UL << XFeature.XTileCfg,
    /// <summary>AMX TILEDATA.</summary>
    XTileData = 1UL << XFeature.XTileData,
    /// <summary>APX.</summary>
    Apx = 1UL << XFeature.Apx,
    /// <summary>AMD LWP.</summary>
    Lwp = 1UL << XFeature.Lwp,

    /// <summary>x87 and SSE: the components every XSAVE processor has, stored in the legacy region.</summary>
    FpSse = X87 | Sse,
    /// <summary>The three AVX-512 components, which XCR0 enables only together.</summary>
    Avx512 = Opmask | ZmmHi256 | Hi16Zmm,
    /// <summary>The two MPX components, which XCR0 enables only together.</summary>
    Mpx = BndRegs | BndCsr,
    /// <summary>The two AMX components, which XCR0 enables only together.</summary>
    Amx = XTileCfg | XTileData,
}

/// <summary>Set operations on <see cref="XFeatureMask"/> in the kernel's terms.</summary>
public static class XFeatureMaskExtensions
{
    /// <summary>The mask holding one component.</summary>
    public static XFeatureMask ToMask(this XFeature feature) => (XFeatureMask)(1UL << (int)feature);

    /// <summary>Whether the mask holds the component.</summary>
    public static bool Has(this XFeatureMask mask, XFeature feature) => (mask & feature.ToMask()) != 0;

    /// <summary>Whether every component of <paramref name="subset"/> is in <paramref name="mask"/>.</summary>
    public static bool HasAll(this XFeatureMask mask, XFeatureMask subset) => (mask & subset) == subset;

    /// <summary>The components of the mask in ascending order (the compacted format's order).</summary>
    public static IEnumerable<XFeature> Features(this XFeatureMask mask)
    {
        var bits = (ulong)mask;
        while (bits != 0)
        {
            var index = BitOperations.TrailingZeroCount(bits);
            yield return (XFeature)index;
            bits &= bits - 1;
        }
    }

    /// <summary>Hex, as the kernel prints masks ("0x602e7").</summary>
    public static string ToHex(this XFeatureMask mask) => "0x" + ((ulong)mask).ToString("x");
}
