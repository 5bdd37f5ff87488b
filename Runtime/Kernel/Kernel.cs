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
    private readonly List<KernelTask> _tasks = new();
    private int _nextPid = 1;

    /// <summary>Boots on a processor: enables every user component the kernel supports in XCR0 (all but MPX and LWP, which Linux dropped or never used), and arms XFD for the dynamic ones.</summary>
    public Kernel(XStateLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Cpu = new Cpu(layout);
        Memory = new KernelMemory(this);
        Cpu.Xsetbv(0, layout.SupportedUserFeatures & ~(XFeatureMask.Mpx | XFeatureMask.Lwp));
        DynamicFeatures = layout.SupportsXfd ? layout.XfdCapableFeatures & Cpu.Xcr0 : XFeatureMask.None;
        KernelFormat = layout.SupportsXsaves ? XSaveFormat.Compacted : XSaveFormat.Standard;
        DefaultFeatures = Cpu.Xcr0 & ~DynamicFeatures;
        Idle = CreateTask("swapper/0", new ThreadGroup(this));
        Current = Idle;
        Idle.Fpu.NeedsLoad = false;
        FpregsOwner = Idle;
        if (layout.SupportsXfd)
        {
            Cpu.Wrmsr(Cpu.MsrIa32Xfd, (ulong)Idle.Fpu.Xfd);
        }
    }

    /// <summary>The processor.</summary>
    public Cpu Cpu { get; }

    /// <summary>The processor's XSAVE layout.</summary>
    public XStateLayout Layout => Cpu.Layout;

    /// <summary>vzalloc/vfree and their accounting.</summary>
    public KernelMemory Memory { get; }

    /// <summary>Features whose state is allocated on first use (<c>XFEATURE_MASK_USER_DYNAMIC</c>: AMX tile data where XFD exists).</summary>
    public XFeatureMask DynamicFeatures { get; }

    /// <summary>Features every task's embedded default buffer holds.</summary>
    public XFeatureMask DefaultFeatures { get; }

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
    public KernelTask CreateProcess(string name) => CreateTask(name, new ThreadGroup(this));

    private KernelTask CreateTask(string name, ThreadGroup group)
    {
        var defaultState = new XStateBuffer(GetXStateSize(DefaultFeatures));
        FpstateInitUser(defaultState, DefaultFeatures);
        var task = new KernelTask(this, _nextPid++, name, group, defaultState, DefaultFeatures);
        Memory.RegisterEmbedded(defaultState, task);
        _tasks.Add(task);
        return task;
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
        state.XCompBv = KernelFormat == XSaveFormat.Compacted ? XStateBuffer.CompactedFormatBit | (ulong)features : 0;
    }

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
}
