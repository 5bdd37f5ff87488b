using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using FpuGuard.AnalyzerBenchmarks.Corpus;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>What one timed run measured.</summary>
public sealed record RunResult(
    double WallMs,
    double CpuMs,
    double AnalyzerMs,
    long PeakHeapBytes,
    long AllocatedBytes,
    ImmutableDictionary<string, double> AnalyzerMsByAnalyzer,
    ImmutableDictionary<string, int> DiagnosticsById,
    int CompilerErrors,
    ImmutableArray<string> AnalyzerExceptions);

/// <summary>
/// Compiles a corpus the way a build does, from text: parse, bind, emit. With an analyzer set, the analyzers
/// run first through <see cref="CompilationWithAnalyzers"/> (execution-time telemetry on), then the emit.
/// Every run starts from the text, so no semantic cache carries over between runs.
/// </summary>
public sealed class CorpusCompiler
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private readonly GeneratedCorpus _corpus;
    private readonly ImmutableArray<MetadataReference> _references;

    /// <param name="withRuntime">Reference FpuGuard.Runtime (a corpus with FPU code needs it; one without may have it).</param>
    public CorpusCompiler(GeneratedCorpus corpus, bool withRuntime)
    {
        if (corpus.UsesRuntime && !withRuntime)
        {
            throw new ArgumentException("the corpus has FPU-domain code: it does not compile without FpuGuard.Runtime", nameof(withRuntime));
        }

        _corpus = corpus;
        _references = References(withRuntime);
    }

    /// <summary>The framework's assemblies, and FpuGuard.Runtime when the corpus uses it.</summary>
    public static ImmutableArray<MetadataReference> References(bool withRuntime)
    {
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = Directory.GetFiles(framework, "*.dll")
            .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll" or "Microsoft.CSharp.dll"))
            .Where(p => !p.EndsWith(".Native.dll", StringComparison.Ordinal))
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();
        if (withRuntime)
        {
            paths.Add(typeof(FpuGuard.Runtime.Kernel).Assembly.Location);
        }

        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    /// <summary>Parses every file of the corpus (in parallel, as the compiler does).</summary>
    public ImmutableArray<SyntaxTree> Parse() =>
        _corpus.Files.AsParallel().AsOrdered()
            .Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, f.Path))
            .ToImmutableArray();

    public CSharpCompilation CreateCompilation(ImmutableArray<SyntaxTree> trees, ImmutableDictionary<string, ReportDiagnostic>? options = null) =>
        CSharpCompilation.Create(
            "Corpus",
            trees,
            _references,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                concurrentBuild: true,
                specificDiagnosticOptions: options ?? ImmutableDictionary<string, ReportDiagnostic>.Empty));

    /// <summary>Parse, bind and emit, with no analyzers.</summary>
    public RunResult Compile() => Measure(null);

    /// <summary>Parse, run the analyzer set, then bind and emit.</summary>
    public RunResult CompileWith(AnalyzerSet set) => Measure(set);

    /// <summary>
    /// Runs the set on the compilation through <see cref="CompilationWithAnalyzers"/> with execution-time
    /// telemetry: its own milliseconds by analyzer type, its diagnostics by ID, and what any analyzer threw.
    /// </summary>
    public static (ImmutableDictionary<string, double> MsByAnalyzer, ImmutableDictionary<string, int> DiagnosticsById, ImmutableArray<string> Exceptions) RunAnalyzers(
        Compilation compilation, AnalyzerSet set, bool concurrent)
    {
        var exceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, analyzer, _) => exceptions.Enqueue($"{analyzer.GetType().Name}: {exception.GetType().Name}: {exception.Message}"),
            concurrentAnalysis: concurrent,
            logAnalyzerExecutionTime: true,
            reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(set.Analyzers, options);
        var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
        var byId = diagnostics.GroupBy(d => d.Id).ToImmutableDictionary(g => g.Key, g => g.Count());
        var byAnalyzer = set.Analyzers
            .GroupBy(a => a.GetType().Name)
            .ToImmutableDictionary(g => g.Key, g => g.Sum(a => withAnalyzers.GetAnalyzerTelemetryInfoAsync(a, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds));
        return (byAnalyzer, byId, exceptions.ToImmutableArray());
    }

    private RunResult Measure(AnalyzerSet? set)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var sampler = new HeapSampler();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();

        var compilation = CreateCompilation(Parse(), set?.Options);
        var byAnalyzer = ImmutableDictionary<string, double>.Empty;
        var byId = ImmutableDictionary<string, int>.Empty;
        var exceptions = ImmutableArray<string>.Empty;
        if (set is not null)
        {
            (byAnalyzer, byId, exceptions) = RunAnalyzers(compilation, set, concurrent: true);
        }

        using var image = new MemoryStream();
        var emit = compilation.Emit(image);
        clock.Stop();

        return new RunResult(
            clock.Elapsed.TotalMilliseconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds,
            byAnalyzer.Values.Sum(),
            sampler.Peak,
            GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
            byAnalyzer,
            byId,
            emit.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error),
            exceptions);
    }
}
