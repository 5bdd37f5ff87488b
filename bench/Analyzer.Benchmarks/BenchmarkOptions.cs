using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>What to run. <see cref="Parse"/> reads the command line and names any argument it cannot use.</summary>
public sealed record BenchmarkOptions
{
    public IReadOnlyList<int> Sizes { get; init; } = new[] { 25_000, 50_000, 100_000, 200_000 };

    public int Repetitions { get; init; } = 3;

    // Large enough that the runtime has moved the compiler's and the analyzers' hot code up its tiers before the first
    // measured size: after a 10k-line warm-up, the first size's runs were still slower per line than the next.
    public int WarmupLines { get; init; } = 25_000;

    public double FpuShare { get; init; } = 0.2;

    public int Seed { get; init; } = 20261125;

    public int IdeDocuments { get; init; } = 20;

    public int IdePasses { get; init; } = 3;

    /// <summary>Set names to run (FpuGuard is always run); empty runs every peer.</summary>
    public IReadOnlyList<string> Peers { get; init; } = Array.Empty<string>();

    /// <summary>Whether to run the command-line builds (the SDK's csc through its compiler server).</summary>
    public bool Builds { get; init; } = true;

    /// <summary>Whether to run the in-process measurements (<c>CompilationWithAnalyzers</c> and the IDE); <c>--builds only</c> turns them off.</summary>
    public bool InProcess { get; init; } = true;

    public bool Smoke { get; init; }

    /// <summary>The folder of another build's FpuGuard.Analyzers.dll: run only the side-by-side comparison with it.</summary>
    public string? CompareWith { get; init; }

    public static BenchmarkOptions SmokeOptions { get; } = new()
    {
        Sizes = new[] { 2_000, 4_000 },
        Repetitions = 1,
        WarmupLines = 0,
        IdeDocuments = 4,
        IdePasses = 1,
        Smoke = true,
    };

    public const string Usage = """
        usage: Analyzer.Benchmarks [--smoke] [--sizes 25000,50000,...] [--reps N] [--warmup-lines N]
                                   [--fpu-share F] [--seed S] [--ide-docs N] [--ide-passes N] [--peers none|name,...]
                                   [--builds yes|no|only] [--compare FOLDER-OF-ANOTHER-FPUGUARD.ANALYZERS.DLL]
        """;

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = args.Contains("--smoke") ? SmokeOptions : new BenchmarkOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--smoke")
            {
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value\n{Usage}");
            }

            var value = args[++i];
            options = name switch
            {
                "--sizes" => options with { Sizes = value.Split(',').Select(v => Positive(name, v)).ToArray() },
                "--reps" => options with { Repetitions = Positive(name, value) },
                "--warmup-lines" => options with { WarmupLines = NonNegative(name, value) },
                "--fpu-share" => options with { FpuShare = Fraction(name, value) },
                "--seed" => options with { Seed = Integer(name, value) },
                "--ide-docs" => options with { IdeDocuments = NonNegative(name, value) },
                "--ide-passes" => options with { IdePasses = Positive(name, value) },
                "--builds" => value switch
                {
                    "yes" => options with { Builds = true, InProcess = true },
                    "no" => options with { Builds = false, InProcess = true },
                    "only" => options with { Builds = true, InProcess = false },
                    _ => throw new ArgumentException($"{name}: '{value}' is not yes, no or only"),
                },
                "--compare" => Directory.Exists(value)
                    ? options with { CompareWith = value }
                    : throw new ArgumentException($"{name}: the folder '{value}' does not exist"),
                "--peers" => options with { Peers = value == "none" ? new[] { "none" } : value.Split(',') },
                _ => throw new ArgumentException($"unknown option {name}\n{Usage}"),
            };
        }

        return options;
    }

    private static int Integer(string name, string value) =>
        int.TryParse(value, out var result) ? result : throw new ArgumentException($"{name}: '{value}' is not an integer");

    private static int Positive(string name, string value) =>
        Integer(name, value) is > 0 and var result ? result : throw new ArgumentException($"{name}: '{value}' must be positive");

    private static int NonNegative(string name, string value) =>
        Integer(name, value) is >= 0 and var result ? result : throw new ArgumentException($"{name}: '{value}' must not be negative");

    private static double Fraction(string name, string value) =>
        double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var result) && result is >= 0 and <= 1
            ? result
            : throw new ArgumentException($"{name}: '{value}' must be a fraction between 0 and 1");
}
