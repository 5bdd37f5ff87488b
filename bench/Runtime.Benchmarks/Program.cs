using System;
using System.Diagnostics;
using BenchmarkDotNet.Running;

namespace FpuGuard.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Runtime.Benchmarks</c> runs the BenchmarkDotNet suite (pass
/// BenchmarkDotNet options after <c>--</c>, e.g. <c>--filter *SaveRestore*</c>); <c>-- --smoke</c> runs every
/// benchmark a few times in-process and prints the table: does it run, no timing claims.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--smoke")
        {
            foreach (var row in Smoke.Run(iterations: 20))
            {
                Console.WriteLine(row);
            }

            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

/// <summary>Every benchmark, run a few times without BenchmarkDotNet: a check that each one works.</summary>
public static class Smoke
{
    public static string[] Run(int iterations)
    {
        var sizes = new BufferSizeBenchmarks();
        sizes.Setup();
        var saves = new SaveRestoreBenchmarks();
        saves.Setup();
        var switches = new ContextSwitchBenchmarks { AmxInUse = true };
        switches.Setup();
        return new[]
        {
            Time("GetBufferSize standard, all user masks", iterations, () => sizes.Standard()),
            Time("GetBufferSize compacted, all masks", iterations, () => sizes.Compacted()),
            Time("Buffer.MemoryCopy both ways", iterations, saves.MemoryCopy),
            Time("XSAVEC + XRSTORS, AMX in use", iterations, saves.SaveRestoreWithAmx),
            Time("XSAVEC + XRSTORS, AMX never used", iterations, saves.SaveRestoreWithoutAmx),
            Time("context switch pair, AMX in use", iterations, switches.SwitchPair),
        };
    }

    private static string Time(string name, int iterations, Action action)
    {
        action();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            action();
        }

        return $"| {name} | {clock.Elapsed.TotalMilliseconds * 1000 / iterations:F1} µs |";
    }
}
