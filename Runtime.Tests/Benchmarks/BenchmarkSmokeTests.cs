using System.Linq;
using FpuGuard.Benchmarks;

namespace FpuGuard.Runtime.Tests.Benchmarks;

/// <summary>The runtime benchmarks in smoke mode: each runs and prints its row. Timings are not asserted (docs/performance.md).</summary>
public class BenchmarkSmokeTests
{
    [Fact]
    public void Every_runtime_benchmark_runs_and_prints_a_row()
    {
        var rows = Smoke.Run(iterations: 2);
        Assert.Equal(6, rows.Length);
        Assert.All(rows, row => Assert.Matches(@"^\| .+ \| [0-9.]+ µs \|$", row));
    }

    [Fact]
    public void The_size_benchmark_covers_every_mask_of_the_profile()
    {
        var layout = CpuProfiles.SapphireRapids.Layout;
        var masks = BufferSizeBenchmarks.Subsets(layout.SupportedFeatures);
        Assert.Equal(1 << 15, masks.Length);
        Assert.Equal(masks.Length, masks.Distinct().Count());
        Assert.All(masks, m => Assert.Equal(XFeatureMask.None, m & ~layout.SupportedFeatures));
    }

    [Fact]
    public void The_save_restore_benchmarks_really_round_trip()
    {
        foreach (var tileData in new[] { true, false })
        {
            var cpu = SaveRestoreBenchmarks.NewCpu(tileData);
            var before = cpu.Xcr0.Features().ToDictionary(f => f, cpu.ReadRegisters);
            var area = new XStateBuffer(cpu.Layout.GetBufferSize(cpu.Xcr0, XSaveFormat.Compacted));
            cpu.Xsavec(area, cpu.Xcr0);
            cpu.Xrstors(area, cpu.Xcr0);
            Assert.All(before, pair => Assert.Equal(pair.Value, cpu.ReadRegisters(pair.Key)));
            Assert.Equal(tileData, cpu.XInUse.Has(XFeature.XTileData));
        }
    }
}
