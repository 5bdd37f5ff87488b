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

    // ---------------------------------------------------------------- FPU0003: C# 13 and 14 forms of a state field

    // A state property whose accessor writes its own backing store (`field`): that is the property being set, and
    // the set is reported where the property is written (from outside the helper), not inside its own accessor.
    [Fact]
    public async Task The_field_keyword_in_a_state_propertys_own_accessor_is_the_property_not_a_write_of_it()
    {
        var (compiler, analyzers) = await AnalyzeAsync("""
            sealed class Sized
            {
                [FpuStateField] public int Size { get => field; set => field = value < 0 ? 0 : value; }
                [FpuStateField] public ulong Mask { get; set { field = value; field |= 1; } }
                [field: FpuStateField] public int Limit { get => field; set { field = value; field++; } }
                public int Other { get => field; set => field = value; }

                [FpuStateSwapHelper] public static void Swap(Sized s, int size, ulong mask, int limit) { s.Size = size; s.Mask = mask; s.Limit = limit; }
            }

            static class Driver
            {
                static void Run(Sized s)
                {
                    s.Size = 1;
                    s.Mask |= 2;
                    s.Limit = 3;
                    s.Other = 4;
                }
            }
            """);
        Assert.Empty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(new[] { "FPU0003@15", "FPU0003@16", "FPU0003@17" }, analyzers);
    }

    // C# 14 instance compound-assignment and increment operators: on a struct-typed state field the operator gets
    // the field itself by reference and writes it; on a class-typed one it changes the object the field refers
    // to, as a write of the buffer's contents does, and the field still holds the same reference.
    [Fact]
    public async Task Instance_compound_assignment_operators_write_a_struct_state_field_and_not_a_class_one()
    {
        var (compiler, analyzers) = await AnalyzeAsync("""
            struct Features
            {
                public ulong Bits;
                public void operator +=(ulong more) => Bits |= more;
                public void operator ++() => Bits++;
            }

            sealed class Buffer
            {
                public int Used;
                public void operator +=(int more) => Used += more;
                public void operator ++() => Used++;
            }

            sealed class Plain
            {
                public int Used;
                public static Plain operator +(Plain p, int more) => new Plain { Used = p.Used + more };
            }

            sealed class Owner
            {
                [FpuStateField] public Features Features;
                [FpuStateField] public Buffer Buffer = new();
                [FpuStateField] public Plain Plain = new();
                public Features Spare;
            }

            static class Driver
            {
                static void Run(Owner o)
                {
                    o.Features += 4;
                    o.Features++;
                    ++o.Features;
                    o.Buffer += 64;
                    o.Buffer++;
                    ++o.Buffer;
                    o.Plain += 1;
                    o.Spare += 4;
                }
            }
            """);
        Assert.Empty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(new[] { "FPU0003@33", "FPU0003@34", "FPU0003@35", "FPU0003@39" }, analyzers);
    }

    // C# 13 partial properties: the attribute on either part makes the property a state field.
    [Fact]
    public async Task A_partial_property_marked_on_either_part_is_a_state_field()
    {
        var (compiler, analyzers) = await AnalyzeAsync("""
            partial class Owner
            {
                [FpuStateField] public partial ulong Mask { get; set; }
                public partial int Size { get; set; }
                public partial int Other { get; set; }
            }

            partial class Owner
            {
                public partial ulong Mask { get => field; set => field = value; }
                [FpuStateField] public partial int Size { get => field; set => field = value; }
                public partial int Other { get => field; set => field = value; }
            }

            static class Driver
            {
                static void Run(Owner o)
                {
                    o.Mask = 1;
                    o.Size++;
                    o.Other = 2;
                    _ = o.Mask + (ulong)o.Size;
                }
            }
            """);
        Assert.Empty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(new[] { "FPU0003@19", "FPU0003@20" }, analyzers);
    }

    // An inline-array state field made a writable Span<T> is a write (as a ref to it is); C# 14's null-conditional
    // assignment into a struct or inline-array state field writes that field.
    [Fact]
    public async Task Span_views_and_null_conditional_writes_into_struct_and_inline_array_state_fields()
    {
        var (compiler, analyzers) = await AnalyzeAsync("""
            [System.Runtime.CompilerServices.InlineArray(4)] struct Regs { private ulong _e0; }
            struct Header { public ulong XComp; }

            sealed class Saved
            {
                [FpuStateField] public Regs Regs;
                [FpuStateField] public Header Header;
            }

            static class Driver
            {
                static ulong Run(Saved? s, Saved t)
                {
                    s?.Header.XComp = 1;
                    s?.Regs[0] = 2;
                    Span<ulong> view = t.Regs;
                    ReadOnlySpan<ulong> read = t.Regs;
                    var x = s?.Header.XComp ?? 0;
                    view[0] = read[0];
                    return x;
                }
            }
            """);
        Assert.Empty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Equal(new[] { "FPU0003@14", "FPU0003@15", "FPU0003@16" }, analyzers);
    }

    // Incomplete code around the newer forms: compiler errors, no analyzer exception.
    [Fact]
    public async Task Incomplete_span_views_operators_and_field_accessors_do_not_throw()
    {
        var (compiler, analyzers) = await AnalyzeAsync("""
            [System.Runtime.CompilerServices.InlineArray(4)] struct Regs { private ulong _e0; }
            struct Loop { [FpuStateField] public Loop Self; public void operator +=(int x) { } }

            sealed class Saved
            {
                [FpuStateField] public Regs Regs;
                [FpuStateField] public Missing Gone;
                [field: FpuStateField] public int Size { get => field; set => field = }
            }

            static class Driver
            {
                static void Run(Saved s, Loop l)
                {
                    Span<ulong> view = s.Regs
                    foreach (ref ulong e in ) { }
                    var t = (Span<ulong>)s.;
                    l.Self += ;
                    s.Gone += 1;
                    s.Regs[..;
                }
            }
            """);
        Assert.NotEmpty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.DoesNotContain(analyzers, a => a.StartsWith("AD", StringComparison.Ordinal));
    }
}
