using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using FpuGuard.Runtime;

namespace FpuGuard.Benchmarks;

/// <summary>The one size calculator over every mask of the Sapphire Rapids profile.</summary>
[MemoryDiagnoser]
public class BufferSizeBenchmarks
{
    private XStateLayout _layout = null!;
    private XFeatureMask[] _userMasks = null!;
    private XFeatureMask[] _allMasks = null!;

    [GlobalSetup]
    public void Setup()
    {
        _layout = CpuProfiles.SapphireRapids.Layout;
        _userMasks = Subsets(_layout.SupportedUserFeatures);
        _allMasks = Subsets(_layout.SupportedFeatures);
    }

    /// <summary>Every subset of a mask (the user set has 9 components: 512 masks; with supervisor ones, 32,768).</summary>
    public static XFeatureMask[] Subsets(XFeatureMask set)
    {
        var bits = set.Features().ToArray();
        return Enumerable.Range(0, 1 << bits.Length)
            .Select(selector => bits.Where((_, i) => (selector & (1 << i)) != 0).Aggregate(XFeatureMask.None, (m, f) => m | f.ToMask()))
            .ToArray();
    }

    [Benchmark(Description = "GetBufferSize standard, all 512 user masks")]
    public int Standard()
    {
        var sum = 0;
        foreach (var mask in _userMasks)
        {
            sum += _layout.GetBufferSize(mask, XSaveFormat.Standard);
        }

        return sum;
    }

    [Benchmark(Description = "GetBufferSize compacted, all 32,768 masks")]
    public int Compacted()
    {
        var sum = 0;
        foreach (var mask in _allMasks)
        {
            sum += _layout.GetBufferSize(mask, XSaveFormat.Compacted);
        }

        return sum;
    }
}

/// <summary>
/// XSAVEC + XRSTORS of the full AMX state (about 11 KB) against copying the same bytes both ways with
/// Buffer.MemoryCopy (the floor); and the same save/restore for a task whose tile data is in its init state.
/// </summary>
[MemoryDiagnoser]
public class SaveRestoreBenchmarks
{
    private Cpu _withAmx = null!;
    private Cpu _withoutAmx = null!;
    private XStateBuffer _area = null!;
    private byte[] _registers = null!;
    private byte[] _copy = null!;

    public static Cpu NewCpu(bool tileDataInUse)
    {
        var layout = CpuProfiles.SapphireRapids.Layout;
        var cpu = new Cpu(layout);
        cpu.Xsetbv(0, layout.SupportedUserFeatures);
        var random = new Random(1);
        foreach (var feature in layout.SupportedUserFeatures.Features().Where(f => tileDataInUse || f != XFeature.XTileData))
        {
            var bytes = new byte[cpu.GetRegisterFileSize(feature)];
            random.NextBytes(bytes);
            cpu.WriteRegisters(feature, bytes);
        }

        return cpu;
    }

    [GlobalSetup]
    public void Setup()
    {
        _withAmx = NewCpu(tileDataInUse: true);
        _withoutAmx = NewCpu(tileDataInUse: false);
        var size = _withAmx.Layout.GetBufferSize(_withAmx.Xcr0, XSaveFormat.Compacted);
        _area = new XStateBuffer(size);
        _registers = new byte[size];
        _copy = new byte[size];
        new Random(2).NextBytes(_registers);
    }

    [Benchmark(Baseline = true, Description = "Buffer.MemoryCopy both ways (10,752 bytes)")]
    public unsafe void MemoryCopy()
    {
        fixed (byte* registers = _registers)
        fixed (byte* copy = _copy)
        {
            Buffer.MemoryCopy(registers, copy, _copy.Length, _registers.Length);
            Buffer.MemoryCopy(copy, registers, _registers.Length, _copy.Length);
        }
    }

    [Benchmark(Description = "XSAVEC + XRSTORS, AMX in use")]
    public void SaveRestoreWithAmx()
    {
        _withAmx.Xsavec(_area, _withAmx.Xcr0);
        _withAmx.Xrstors(_area, _withAmx.Xcr0);
    }

    [Benchmark(Description = "XSAVEC + XRSTORS, AMX never used")]
    public void SaveRestoreWithoutAmx()
    {
        _withoutAmx.Xsavec(_area, _withoutAmx.Xcr0);
        _withoutAmx.Xrstors(_area, _withoutAmx.Xcr0);
    }
}

/// <summary>Context switches between two tasks that run in user mode in turn, with and without AMX in use.</summary>
public class ContextSwitchBenchmarks
{
    private Kernel _kernel = null!;
    private KernelTask _first = null!;
    private KernelTask _second = null!;

    [Params(false, true)]
    public bool AmxInUse { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        _first = _kernel.CreateProcess("first");
        _second = _kernel.CreateProcess("second");
        foreach (var task in new[] { _first, _second })
        {
            _kernel.SwitchTo(task);
            _kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData);
            _kernel.UserWriteRegisters(XFeature.Avx, new byte[256]);
            if (AmxInUse)
            {
                _kernel.UserWriteRegisters(XFeature.XTileData, Enumerable.Repeat((byte)1, 8192).ToArray());
            }
        }
    }

    [Benchmark(Description = "switch to the other task and return to user, twice")]
    public void SwitchPair()
    {
        _kernel.SwitchTo(_first);
        _kernel.UserReadRegisters(XFeature.Avx, out _);
        _kernel.SwitchTo(_second);
        _kernel.UserReadRegisters(XFeature.Avx, out _);
    }
}
