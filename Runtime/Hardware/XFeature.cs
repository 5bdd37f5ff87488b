namespace FpuGuard.Runtime;

/// <summary>
/// An XSAVE state component, numbered as the Intel SDM (Vol. 1, 13.1) and the kernel's
/// <c>enum xfeature</c> number them. Bit <c>i</c> of XCR0, IA32_XSS, XSTATE_BV and XCOMP_BV is component <c>i</c>.
/// </summary>
public enum XFeature
{
    /// <summary>x87 FPU state (legacy region bytes 0–159, less MXCSR).</summary>
    X87 = 0,
    /// <summary>SSE state: XMM0–15 (legacy region bytes 160–415) and MXCSR.</summary>
    Sse = 1,
    /// <summary>AVX: the upper halves of YMM0–15 (YMM_Hi128).</summary>
    Avx = 2,
    /// <summary>MPX bound registers BND0–3.</summary>
    BndRegs = 3,
    /// <summary>MPX BNDCFGU and BNDSTATUS.</summary>
    BndCsr = 4,
    /// <summary>AVX-512 opmask registers k0–7.</summary>
    Opmask = 5,
    /// <summary>AVX-512: the upper halves of ZMM0–15.</summary>
    ZmmHi256 = 6,
    /// <summary>AVX-512: ZMM16–31.</summary>
    Hi16Zmm = 7,
    /// <summary>Processor trace (supervisor).</summary>
    ProcessorTrace = 8,
    /// <summary>Protection-key rights register.</summary>
    Pkru = 9,
    /// <summary>PASID (supervisor).</summary>
    Pasid = 10,
    /// <summary>CET user state (supervisor).</summary>
    CetUser = 11,
    /// <summary>CET supervisor state (supervisor).</summary>
    CetSupervisor = 12,
    /// <summary>Hardware duty cycling (supervisor).</summary>
    Hdc = 13,
    /// <summary>User interrupts (supervisor).</summary>
    Uintr = 14,
    /// <summary>Architectural LBRs (supervisor).</summary>
    Lbr = 15,
    /// <summary>Hardware P-states (supervisor).</summary>
    Hwp = 16,
    /// <summary>AMX tile configuration (TILECFG).</summary>
    XTileCfg = 17,
    /// <summary>AMX tile data (TMM0–7): the large, dynamically enabled, XFD-capable component.</summary>
    XTileData = 18,
    /// <summary>APX extended general-purpose registers (reuses MPX's old standard-format range).</summary>
    Apx = 19,
    /// <summary>AMD lightweight profiling (family 15h).</summary>
    Lwp = 62,
}
