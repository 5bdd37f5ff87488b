using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.UnreadableContractAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules;

public class UnreadableContractTests
{
    private const string ReadableKind = "enum AtomicContextKind { FpuRegisterLock = 0, PreemptionDisabled = 1, InterruptsDisabled = 2 }";

    private static string Readable(string name) =>
        $"sealed class {name}Attribute : System.Attribute {{ public {name}Attribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind {{ get; }} }}";

    private static string Copies(string declarations) => $$"""
        namespace Emulator
        {
            {{declarations}}

            sealed class Machine
            {
                [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] public void Lock() { }
                [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)] public void Unlock() { }
            }
        }
        """;

    [Theory]
    [InlineData("sealed class {|#0:ExitsAtomicContextAttribute|} : System.Attribute { public ExitsAtomicContextAttribute(string kind) { } }", "ExitsAtomicContextAttribute", "its constructor takes 'string', not AtomicContextKind")]
    [InlineData("sealed class {|#0:ExitsAtomicContextAttribute|} : System.Attribute { public ExitsAtomicContextAttribute(long kind) { } }", "ExitsAtomicContextAttribute", "its constructor takes 'long', not AtomicContextKind")]
    [InlineData("sealed class {|#0:ExitsAtomicContextAttribute|} : System.Attribute { public AtomicContextKind Kind { get; set; } }", "ExitsAtomicContextAttribute", "a constructor takes no context kind")]
    public async Task An_attribute_declaration_of_another_shape_is_reported_where_it_is_declared(string exits, string name, string problem)
    {
        var source = Copies(ReadableKind + "\n" + Readable("EntersAtomicContext") + "\n" + exits).Replace("[ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)]", problem.Contains("string") ? "[ExitsAtomicContext(\"fpregs\")]" : problem.Contains("long") ? "[ExitsAtomicContext(0L)]" : "[ExitsAtomicContext(Kind = AtomicContextKind.FpuRegisterLock)]");
        await VerifyCS.VerifyAnalyzerAsync(source, VerifyCS.Diagnostic("FPU0006").WithLocation(0).WithArguments(name, problem));
    }

    [Theory]
    [InlineData("enum {|#0:AtomicContextKind|} : long { FpuRegisterLock = 0, PreemptionDisabled = 1, InterruptsDisabled = 2 }", "its underlying type is 'long', not 'int'")]
    [InlineData("enum {|#0:AtomicContextKind|} { PreemptionDisabled = 0, FpuRegisterLock = 1, InterruptsDisabled = 2 }", "'FpuRegisterLock' is 1, not 0")]
    [InlineData("enum {|#0:AtomicContextKind|} { FpuRegisterLock, PreemptionDisabled }", "it has no member 'InterruptsDisabled' (= 2)")]
    public async Task An_enum_of_other_values_is_reported_at_the_enum_once(string kind, string problem)
    {
        var source = Copies(kind + "\n" + Readable("EntersAtomicContext") + "\n" + Readable("ExitsAtomicContext"));
        await VerifyCS.VerifyAnalyzerAsync(source, VerifyCS.Diagnostic("FPU0006").WithLocation(0).WithArguments("AtomicContextKind", problem));
    }

    [Fact]
    public async Task A_kind_out_of_range_is_reported_where_it_is_written()
    {
        var source = Copies(ReadableKind + "\n" + Readable("EntersAtomicContext") + "\n" + Readable("ExitsAtomicContext"))
            .Replace("[EntersAtomicContext(AtomicContextKind.FpuRegisterLock)]", "[{|#0:EntersAtomicContext((AtomicContextKind)7)|}]");
        await VerifyCS.VerifyAnalyzerAsync(source, VerifyCS.Diagnostic("FPU0006").WithLocation(0)
            .WithArguments("EntersAtomicContextAttribute", "the kind 7 is none of FpuRegisterLock (0), PreemptionDisabled (1), InterruptsDisabled (2)"));
    }

    [Fact]
    public async Task The_documented_copies_and_the_runtimes_own_are_read()
    {
        await VerifyCS.VerifyAnalyzerAsync(EmbeddedContracts.Text + """

            namespace Emulator
            {
                using FpuGuard.Contracts.Embedded;

                sealed class Machine
                {
                    [EntersAtomicContext(AtomicContextKind.InterruptsDisabled)] public void Lock() { }
                    [FpuGuard.Runtime.ExitsAtomicContext(FpuGuard.Runtime.AtomicContextKind.InterruptsDisabled)] public void Unlock() { }
                }
            }
            """);
    }

    [Theory]
    [InlineData("""
        static class A { static void Run() { Vendor.Locks.Lock(); {|#0:Vendor.Locks.Unlock()|}; } }
        static class B { static void Run() { Vendor.Locks.Lock(); Vendor.Locks.Unlock(); } }
        """)]
    [InlineData("""
        static class A { [{|#0:Vendor.ExitsAtomicContext("mine")|}] static void Release() { } }
        static class B { static void Run() { Vendor.Locks.Lock(); Vendor.Locks.Unlock(); } }
        """)]
    public async Task A_referenced_declaration_is_reported_once_at_its_first_use(string code)
    {
        var library = CSharpCompilation.Create("VendorContracts", new[] { CSharpSyntaxTree.ParseText("""
            namespace Vendor
            {
                public enum AtomicContextKind { FpuRegisterLock = 0, PreemptionDisabled = 1, InterruptsDisabled = 2 }
                public sealed class EntersAtomicContextAttribute : System.Attribute { public EntersAtomicContextAttribute(AtomicContextKind kind) { } }
                public sealed class ExitsAtomicContextAttribute : System.Attribute { public ExitsAtomicContextAttribute(string kind) { } }
                public static class Locks
                {
                    [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] public static void Lock() { }
                    [ExitsAtomicContext("fpregs")] public static void Unlock() { }
                }
            }
            """) }, await TestReferences.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Assert.True(library.Emit(image).Success);
        var test = new VerifyCS.Test
        {
            TestCode = code,
        };
        test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromImage(image.ToArray()));
        test.ExpectedDiagnostics.Add(new DiagnosticResult(RuleDescriptors.UnreadableContractFirstUse).WithLocation(0)
            .WithArguments("ExitsAtomicContextAttribute", "its constructor takes 'string', not AtomicContextKind"));
        await test.RunAsync();
    }

    [Theory]
    [InlineData("sealed class ExitsAtomicContextAttribute : System.Attribute { public ExitsAtomicContextAttribute(string kind) { } }", "[ExitsAtomicContext(\"fpregs\")]", "[EntersAtomicContext(AtomicContextKind.FpuRegisterLock)]")]
    [InlineData("sealed class ExitsAtomicContextAttribute : System.Attribute { public ExitsAtomicContextAttribute(AtomicContextKind kind) { } }", "[ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)]", "[EntersAtomicContext((AtomicContextKind)7)]")]
    public async Task No_conclusions_are_drawn_from_an_unreadable_contract(string exitsDeclaration, string exits, string enters)
    {
        // Before FPU0006 these gave a false FPU0004: the lock looked never released, or released without being taken.
        var source = $$"""
            namespace Emulator
            {
                {{ReadableKind}}
                {{Readable("EntersAtomicContext")}}
                {{exitsDeclaration}}
                sealed class MaySleepAttribute : System.Attribute { }

                sealed class Machine
                {
                    {{enters}} public void Lock() { }
                    {{exits}} public void Unlock() { }
                    [MaySleep] public void Allocate() { }

                    public void Run()
                    {
                        Lock();
                        Unlock();
                        Allocate();
                    }
                }
            }
            """;
        var compilation = CSharpCompilation.Create("Emulator", new[] { CSharpSyntaxTree.ParseText(source) }, TestReferences.SharedFramework(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostics = await compilation.WithAnalyzers(FixMeaning.AllAnalyzers).GetAnalyzerDiagnosticsAsync();
        Assert.Equal(new[] { "FPU0006" }, diagnostics.Select(d => d.Id).ToArray());
    }
}
