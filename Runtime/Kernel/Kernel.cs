using System;
using System.Collections.Generic;

namespace FpuGuard.Runtime;

/// <summary>
/// One kernel on one processor: the execution context (preemption, softirq and interrupt state, the FPU
/// register lock), memory, tasks and the x86 FPU code that manages their XSTATE buffers. No global state:
/// every test builds its own.
/// </summary>
public sealed partial class Kernel
{
    /// <summary>XFEATURE_MASK_USER_SUPPORTED of v6.12 (arch/x86/include/asm/fpu/xstate.h): MPX is still in it, APX is not yet.</summary>
    public const XFeatureMask UserSupportedFeatures =
        XFeatureMask.FpSse | XFeatureMask.Avx | XFeatureMask.Avx512 | XFeatureMask.Pkru | XFeatureMask.Mpx | XFeatureMask.Amx;

    /// <summary>XFEATURE_MASK_SUPERVISOR_SUPPORTED of v6.12: PASID and CET user state (not PT, not CET supervisor state).</summary>
    public const XFeatureMask SupervisorSupportedFeatures = XFeatureMask.Pasid | XFeatureMask.CetUser;

    /// <summary>XFEATURE_MASK_INDEPENDENT: supervisor features enabled in IA32_XSS but kept out of task buffers (architectural LBRs).</summary>
    public const XFeatureMask IndependentFeatures = XFeatureMask.Lbr;

    /// <summary>XFEATURE_MASK_USER_DYNAMIC: features a process must ask for and a task's buffer grows for on first use.</summary>
    public const XFeatureMask UserDynamicFeatures = XFeatureMask.XTileData;

    // xsave_cpuid_features[] of v6.12: the components with a CPUID feature flag; the others are cleared at boot.
    private const XFeatureMask CpuidBackedFeatures =
        UserSupportedFeatures | XFeatureMask.ProcessorTrace | XFeatureMask.Pasid | XFeatureMask.CetUser;

    private readonly List<KernelTask> _tasks = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<XStateBuffer, FpState> _fpstates = new();
    private int _nextPid = 1;

    /// <summary>
    /// Boots on a processor as fpu__init_system_xstate and fpu__init_cpu_xstate (arch/x86/kernel/fpu/xstate.c,
    /// v6.12) do: the features the processor enumerates (leaf 0xD sub-leaves 0 and 1), less those the kernel
    /// does not support; tile data only with XFD; supervisor features only with XSAVES. Writes IA32_XFD (every
    /// dynamic feature armed), XCR0 (the user features) and IA32_XSS (supervisor and independent features),
    /// then sizes the buffers: the kernel's from CPUID.(0xD,1).EBX with IA32_XSS briefly without the independent
    /// features (get_xsaves_size_no_independent), the user ABI's from CPUID.(0xD,0).EBX.
    /// </summary>
    /// <remarks>
    /// Only leaf 0xD is modelled: every CPUID feature flag that xsave_cpuid_features[] checks (MPX, AVX512F,
    /// OSPKE, ENQCMD, SHSTK, AMX_TILE, ARCH_LBR...) is taken as set where leaf 0xD enumerates its component.
    /// </remarks>
    public Kernel(XStateLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Cpu = new Cpu(layout);
        Memory = new KernelMemory(this);

        var maxFeatures = layout.SupportedUserFeatures | layout.SupportedSupervisorFeatures;
        var independent = maxFeatures & IndependentFeatures;
        maxFeatures &= CpuidBackedFeatures;
        if (!layout.SupportsXfd)
        {
            maxFeatures &= ~UserDynamicFeatures;
        }

        maxFeatures &= layout.SupportsXsaves ? UserSupportedFeatures | SupervisorSupportedFeatures : UserSupportedFeatures;
        var userMax = maxFeatures & UserSupportedFeatures;
        var kernelDefault = maxFeatures & ~UserDynamicFeatures;
        var userDefault = userMax & ~UserDynamicFeatures;
        InitXfd = userMax & UserDynamicFeatures;
        DynamicFeatures = InitXfd;
        KernelFormat = layout.SupportsXsaves ? XSaveFormat.Compacted : XSaveFormat.Standard;

        // fpu__init_cpu_xstate: XFD before XCR0, so no dynamic feature is ever enabled unarmed.
        if (layout.SupportsXfd)
        {
            Cpu.Wrmsr(Cpu.MsrIa32Xfd, (ulong)InitXfd);
        }

        Cpu.Xsetbv(0, userMax);
        var supervisor = maxFeatures & SupervisorSupportedFeatures;
        if (layout.SupportsXsaves)
        {
            Cpu.Wrmsr(Cpu.MsrIa32Xss, (ulong)(supervisor | independent));
        }

        // init_xstate_size.
        var userMaxSize = (int)Cpu.Cpuid(0).Ebx;
        var kernelMaxSize = userMaxSize;
        if (KernelFormat == XSaveFormat.Compacted)
        {
            Cpu.Wrmsr(Cpu.MsrIa32Xss, (ulong)supervisor);
            kernelMaxSize = (int)Cpu.Cpuid(1).Ebx;
            Cpu.Wrmsr(Cpu.MsrIa32Xss, (ulong)(supervisor | independent));
        }

        FpuKernelCfg = new FpuStateConfig(maxFeatures, kernelDefault, kernelMaxSize, GetXStateSize(kernelDefault));
        FpuUserCfg = new FpuStateConfig(userMax, userDefault, userMaxSize, Layout.GetBufferSize(userDefault, XSaveFormat.Standard));

        Idle = CreateTask("swapper/0", threadOf: null);
        Current = Idle;
        Idle.Fpu.NeedsLoad = false;
        FpregsOwner = Idle;
    }

    /// <summary><c>fpu_kernel_cfg</c>: the kernel buffers' features and sizes (supervisor features included).</summary>
    public FpuStateConfig FpuKernelCfg { get; }

    /// <summary><c>fpu_user_cfg</c>: the user ABI's features and sizes (standard format).</summary>
    public FpuStateConfig FpuUserCfg { get; }

    /// <summary><c>init_fpstate.xfd</c>: the dynamic features armed in a task that has not grown its buffer.</summary>
    public XFeatureMask InitXfd { get; }

    /// <summary>The processor.</summary>
    public Cpu Cpu { get; }

    /// <summary>The processor's XSAVE layout.</summary>
    public XStateLayout Layout => Cpu.Layout;

    /// <summary>vzalloc/vfree and their accounting.</summary>
    public KernelMemory Memory { get; }

    /// <summary>Features whose state is allocated on first use (<c>XFEATURE_MASK_USER_DYNAMIC</c> where enabled: AMX tile data where XFD exists).</summary>
    public XFeatureMask DynamicFeatures { get; }

    /// <summary>Features every task's embedded default buffer holds (<c>fpu_kernel_cfg.default_features</c>, supervisor ones included).</summary>
    public XFeatureMask DefaultFeatures => FpuKernelCfg.DefaultFeatures;

    /// <summary>The format of kernel buffers: compacted with XSAVES, else standard.</summary>
    public XSaveFormat KernelFormat { get; }

    /// <summary>The idle task, current after boot.</summary>
    public KernelTask Idle { get; }

    /// <summary>The task running on the processor (<c>current</c>).</summary>
    public KernelTask Current { get; private set; }

    /// <summary>The task whose user registers the processor holds (<c>fpu_fpregs_owner_ctx</c>), if any.</summary>
    public KernelTask? FpregsOwner { get; private set; }

    /// <summary>Every task not yet exited.</summary>
    public IReadOnlyList<KernelTask> Tasks => _tasks;

    /// <summary>A new process (its own thread group, default permissions) that is not running yet.</summary>
    public KernelTask CreateProcess(string name) => CreateTask(name, threadOf: null);

    // A task whose fpu is as fpstate_reset leaves it, its embedded buffer in the init state.
    private KernelTask CreateTask(string name, KernelTask? threadOf)
    {
        var defaultState = new FpState(new XStateBuffer(FpuKernelCfg.DefaultSize), isValloc: false);
        FpstateReset(defaultState);
        FpstateInitUser(defaultState.Regs, defaultState.XFeatures);
        _fpstates.Add(defaultState.Regs, defaultState);
        var task = new KernelTask(this, _nextPid++, name, threadOf, defaultState.Regs, defaultState.XFeatures);
        FpuPermReset(task.Fpu.Perm);
        Memory.RegisterEmbedded(defaultState.Regs, task);
        _tasks.Add(task);
        return task;
    }

    /// <summary>The figures of a buffer the kernel made (the embedded one, or one <see cref="FpstateRealloc"/> installed).</summary>
    /// <exception cref="ArgumentException">The buffer was not made by this kernel as a task's fpstate (a raw <see cref="KernelMemory.Vzalloc"/> one, say).</exception>
    public FpState GetFpState(XStateBuffer regs)
    {
        ArgumentNullException.ThrowIfNull(regs);
        return _fpstates.TryGetValue(regs, out var fpstate)
            ? fpstate
            : throw new ArgumentException($"The {regs.Size}-byte buffer at 0x{regs.Address:X} is no fpstate of this kernel: it was not installed by fpstate_realloc.", nameof(regs));
    }

    // __fpstate_reset: the default figures, as for init_fpstate.
    private void FpstateReset(FpState fpstate)
    {
        fpstate.Size = FpuKernelCfg.DefaultSize;
        fpstate.UserSize = FpuUserCfg.DefaultSize;
        fpstate.XFeatures = FpuKernelCfg.DefaultFeatures;
        fpstate.UserXFeatures = FpuUserCfg.DefaultFeatures;
        fpstate.Xfd = InitXfd;
    }

    // The permission part of fpstate_reset.
    private void FpuPermReset(FpuStatePerm perm)
    {
        perm.StatePerm = FpuKernelCfg.DefaultFeatures;
        perm.StateSize = FpuKernelCfg.DefaultSize;
        perm.UserStateSize = FpuUserCfg.DefaultSize;
    }

    /// <summary>The size of a kernel buffer for these features: the layout's one calculator, in the kernel's format.</summary>
    public int GetXStateSize(XFeatureMask features) => Layout.GetBufferSize(features, KernelFormat);

    /// <summary>The size of a user-ABI (standard format) image of these user features.</summary>
    public int GetUabiSize(XFeatureMask features) => Layout.GetBufferSize(features & Cpu.Xcr0, XSaveFormat.Standard);

    // fpstate_init_user: an empty buffer in its init state, in the kernel's format.
    private void FpstateInitUser(XStateBuffer state, XFeatureMask features)
    {
        state.Bytes[0] = Cpu.FcwInit & 0xFF;
        state.Bytes[1] = Cpu.FcwInit >> 8;
        state.Mxcsr = Cpu.MxcsrInit;
        state.XStateBv = XFeatureMask.None;
        XstateInitXcompBv(state, features);
    }

    // xstate_init_xcomp_bv: the header's format word, and nothing else.
    private void XstateInitXcompBv(XStateBuffer state, XFeatureMask features) =>
        state.XCompBv = KernelFormat == XSaveFormat.Compacted ? XStateBuffer.CompactedFormatBit | (ulong)features : 0;

    private void CheckOwnTask(KernelTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!ReferenceEquals(task.Kernel, this))
        {
            throw new ArgumentException($"Task {task} belongs to another kernel.", nameof(task));
        }

        if (task.HasExited)
        {
            throw new ArgumentException($"Task {task} has exited.", nameof(task));
        }
    }

    // The group leader's permission (xstate_get_group_perm).
    private static FpuStatePerm GroupPerm(KernelTask task) => task.Group.Leader.Fpu.Perm;

    private void CheckCurrent(KernelTask task, string what)
    {
        CheckOwnTask(task);
        if (!ReferenceEquals(task, Current))
        {
            throw new InvalidOperationException($"{what} works on the current task only; {task} is not running (current is {Current}).");
        }
    }
}
