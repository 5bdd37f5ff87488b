using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Tests.Latest;

/// <summary>
/// C# 13 and 14 forms, compiled by the SDK's own Roslyn with the analyzers FpuGuard ships (built against 4.8):
/// what they report, and that nothing throws.
/// </summary>
public class LatestLanguageTests
{
    private const string Contracts = """
        using System;

        [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)] sealed class FpuStateFieldAttribute : Attribute { }
        [AttributeUsage(AttributeTargets.Method)] sealed class FpuStateSwapHelperAttribute : Attribute { }
        [AttributeUsage(AttributeTargets.Method)] sealed class MaySleepAttribute : Attribute { }
        [AttributeUsage(AttributeTargets.Method)] sealed class EntersAtomicContextAttribute : Attribute { public EntersAtomicContextAttribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind { get; } }
        [AttributeUsage(AttributeTargets.Method)] sealed class ExitsAtomicContextAttribute : Attribute { public ExitsAtomicContextAttribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind { get; } }
        enum AtomicContextKind { FpuRegisterLock = 0, PreemptionDisabled = 1, InterruptsDisabled = 2 }

        sealed class Fpu
        {
            [FpuStateField] public ulong Mask;
            [FpuStateField] public int Size;
            public int Other;
        }

        sealed class Kernel
        {
            [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] public void Lock() { }
            [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)] public void Unlock() { }
            [MaySleep] public byte[] Allocate(int size) => new byte[size];
        }

        """;

    private static async Task<(ImmutableArray<Diagnostic> Compiler, string[] Analyzers)> AnalyzeAsync(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(Contracts + source, new CSharpParseOptions(LanguageVersion.Preview));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Latest", new[] { tree }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var analyzers = typeof(RuleIdentifiers).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
        var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        var lines = Contracts.Count(c => c == '\n');
        return (compilation.GetDiagnostics(), diagnostics.Select(d => $"{d.Id}@{d.Location.GetLineSpan().StartLinePosition.Line - lines + 1}").OrderBy(s => s, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task A_null_conditional_assignment_of_a_state_field_is_a_write()
    {
        var (compiler, analyzers) = await AnalyzeAsync("""
            static class Driver
            {
                static void Accept(Fpu? fpu, ulong features)
                {
                    fpu?.Mask = features;
                    fpu?.Mask |= features;
                    fpu?.Other = 1;
                    var size = fpu?.Size;
                }
            }
            """);
        Assert.Empty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(new[] { "FPU0003@5", "FPU0003@6" }, analyzers);
    }

    [Fact]
    public async Task The_field_keyword_and_extension_blocks_are_analysed_and_reported()
    {
        var (compiler, analyzers) = await AnalyzeAsync("""
            static class Extensions
            {
                extension(Fpu fpu)
                {
                    public void Grow(ulong features) => fpu.Mask |= features;
                    public byte[] Sized(Kernel kernel)
                    {
                        kernel.Lock();
                        var buffer = kernel.Allocate(fpu.Size);
                        kernel.Unlock();
                        return buffer;
                    }
                }
            }

            sealed class Counter
            {
                public int Count { get => field; set => field = value < 0 ? 0 : value; }
            }
            """);
        Assert.Empty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(new[] { "FPU0001@9", "FPU0003@5" }, analyzers);
    }

    // Forms newer than the analyzers' Roslyn, around a region: no analyzer exception, the region's sleep reported.
    [Fact]
    public async Task Newer_forms_beside_a_region_do_not_break_the_analysis()
    {
        var (compiler, analyzers) = await AnalyzeAsync("""
            static class Newer
            {
                static int Sum(params ReadOnlySpan<int> values) { var s = 0; foreach (var v in values) s += v; return s; }

                static void Run(Kernel kernel, Fpu fpu)
                {
                    System.Collections.Generic.List<int> list = [1, 2, .. new[] { 3 }];
                    var escape = "\e";
                    kernel.Lock();
                    var total = Sum(1, 2, 3) + list.Count + escape.Length;
                    kernel.Allocate(total);
                    kernel.Unlock();
                    Func<int, int> twice = static x => x * 2;
                }
            }
            """);
        Assert.Empty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.DoesNotContain(analyzers, a => a.StartsWith("AD", StringComparison.Ordinal));
        Assert.Equal(new[] { "FPU0001@11" }, analyzers);
    }
}
