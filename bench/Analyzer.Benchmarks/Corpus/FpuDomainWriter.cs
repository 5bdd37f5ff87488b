using System;
using System.Collections.Generic;
using System.Text;

namespace FpuGuard.AnalyzerBenchmarks.Corpus;

/// <summary>
/// FPU-domain code against FpuGuard.Runtime: lock/unlock and using-scoped regions, user-annotated contracts
/// (its own preemption guard and sleeping allocator), allocation call chains 1–6 deep, the corrected realloc,
/// checked frees, and, now and then, one of the review's bugs. Each seeded bug is counted under the rule ID
/// FpuGuard must report for it, so a run can check the analyzers found exactly what was planted.
/// </summary>
internal sealed class FpuDomainWriter
{
    private const int DriversPerFile = 2;
    private const double ViolationRate = 0.15;

    private readonly Random _random;
    private readonly int _file;
    private readonly Dictionary<string, int> _seeded;
    private readonly StringBuilder _text = new();

    public FpuDomainWriter(Random random, int file, Dictionary<string, int> seeded)
    {
        _random = random;
        _file = file;
        _seeded = seeded;
    }

    public CorpusFile Write()
    {
        _text.Append("""
            using System;
            using System.Linq;
            using FpuGuard.Runtime;

            """);
        _text.Append($"namespace Corpus.Fpu{_file};\n\n");
        for (var driver = 0; driver < DriversPerFile; driver++)
        {
            WriteDriver($"{_file}_{driver}", depth: _random.Next(1, 7));
        }

        return new CorpusFile($"Fpu/Fpu{_file}.cs", _text.ToString(), IsFpuDomain: true);
    }

    private void WriteDriver(string k, int depth)
    {
        _text.Append($$"""
            public sealed class Driver{{k}}
            {
                private readonly Kernel _kernel;

                public Driver{{k}}(Kernel kernel) => _kernel = kernel;

                [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)]
                private void Pin() => _kernel.PreemptDisable();

                [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)]
                private void Unpin() => _kernel.PreemptEnable();

                [MaySleep]
                private XStateBuffer? Allocate(int size) => _kernel.Memory.Vzalloc(size);


            """);
        WriteChain(k, depth);
        WriteCorrectPaths(k);
        Maybe("FPU0001", $$"""
                public void ReallocUnderLock(KernelTask task, XFeatureMask mask)
                {
                    var size = _kernel.GetXStateSize(task.Fpu.StateMask | mask);
                    _kernel.FpregsLock();
                    var state = _kernel.Memory.Vzalloc(size);
                    _kernel.FpregsUnlock();
                    _kernel.Memory.Vfree(state);
                }


            """);
        Maybe("FPU0001", $$"""
                public int GrowUnderScopedLock(int size)
                {
                    using (_kernel.LockFpregs())
                    {
                        var buffer = Grow{{k}}_1(size);
                        return buffer?.Size ?? 0;
                    }
                }


            """);
        Maybe("FPU0001", """
                public int AllocatePinned(int size)
                {
                    Pin();
                    var buffer = Allocate(size);
                    Unpin();
                    return buffer?.Size ?? -1;
                }


            """);
        Maybe("FPU0001", $$"""
                [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
                public bool HandleXfdEventAsPosted(int size) => Grow{{k}}_1(size) is not null;


            """);
        Maybe("FPU0002", """
                public void FreeUnchecked(Fpu fpu)
                {
                    _kernel.Memory.Vfree(fpu.State);
                }


            """);
        Maybe("FPU0003", """
                public void AcceptFeatures(Fpu fpu, XFeatureMask features)
                {
                    fpu.StateMask |= features;
                }


            """);
        _text.Append("}\n\n");
    }

    private void WriteChain(string k, int depth)
    {
        for (var level = 1; level < depth; level++)
        {
            var step = _random.Next(1, 8) * 64;
            _text.Append($$"""
                    private XStateBuffer? Grow{{k}}_{{level}}(int size) => size < 0 ? null : Grow{{k}}_{{level + 1}}(size + {{step}});


                """);
        }

        _text.Append($$"""
                private XStateBuffer? Grow{{k}}_{{depth}}(int size)
                {
                    if (size <= 0)
                    {
                        return null;
                    }

                    return _kernel.Memory.Vzalloc(size);
                }


            """);
    }

    private void WriteCorrectPaths(string k)
    {
        _text.Append($$"""
                public KernelResult Realloc(KernelTask task, XFeatureMask mask)
                {
                    var fpu = task.Fpu;
                    var stateMask = fpu.StateMask | mask;
                    var size = _kernel.GetXStateSize(stateMask);
                    var state = Grow{{k}}_1(size);
                    if (state is null)
                    {
                        return KernelResult.Fail(Errno.ENOMEM, "no memory");
                    }

                    _kernel.FpregsLock();
                    var old = Kernel.SwapFpState(fpu, state, stateMask, size);
                    _kernel.FpregsUnlock();
                    _kernel.Memory.Vfree(old);
                    return KernelResult.Ok;
                }

                public int SizeUnderLock(Fpu fpu)
                {
                    using (_kernel.LockFpregs())
                    {
                        return fpu.State.Size + fpu.StateSize;
                    }
                }

                public int PinnedSum(int[] values)
                {
                    Pin();
                    try
                    {
                        return values.Where(v => v > 0).Sum();
                    }
                    finally
                    {
                        Unpin();
                    }
                }

                public void Free(Fpu fpu)
                {
                    if (!ReferenceEquals(fpu.State, fpu.DefaultState))
                    {
                        _kernel.Memory.Vfree(fpu.State);
                    }
                }

                [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
                public bool HandleXfdEvent(int size)
                {
                    _kernel.LocalIrqEnable();
                    var buffer = Grow{{k}}_1(size);
                    _kernel.LocalIrqDisable();
                    return buffer is not null;
                }


            """);
    }

    private void Maybe(string ruleId, string code)
    {
        if (_random.NextDouble() >= ViolationRate)
        {
            return;
        }

        _text.Append(code);
        _seeded[ruleId] = _seeded.TryGetValue(ruleId, out var count) ? count + 1 : 1;
    }
}
