using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Tests.Contracts;

/// <summary>
/// &lt;FpuGuardContracts&gt;embed&lt;/FpuGuardContracts&gt;: the generator adds internal copies of the Runtime's
/// contract declarations to a compilation that does not reference the Runtime, and the rules read them.
/// </summary>
public class EmbeddedContractsGeneratorTests
{
    private const string Driver = """
        using FpuGuard.Contracts.Embedded;

        sealed class Machine
        {
            [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] public void Lock() { }
            [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)] public void Unlock() { }
            [MaySleep] public byte[] Allocate(int size) => new byte[size];

            public void Grow()
            {
                Lock();
                var buffer = Allocate(4096);
                Unlock();
            }
        }
        """;

    private static readonly (string, string) Embed = ("build_property.FpuGuardContracts", "embed");

    private static (Compilation Output, IReadOnlyList<SyntaxTree> Generated) Generate(string source, IEnumerable<MetadataReference> references, params (string Key, string Value)[] options)
    {
        var input = CSharpCompilation.Create("Consumer", new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var driver = CSharpGeneratorDriver.Create(new[] { new EmbeddedContractsGenerator().AsSourceGenerator() },
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest), optionsProvider: new TestAnalyzerConfigOptions(options));
        driver.RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        return (output, output.SyntaxTrees.Skip(1).ToList());
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("none", false)]
    [InlineData("embed", true)]
    [InlineData(" Embed ", true)]
    public void The_property_turns_the_copies_on(string? value, bool added)
    {
        var options = value is null ? Array.Empty<(string, string)>() : new[] { ("build_property.FpuGuardContracts", value) };
        var (output, generated) = Generate(Driver, TestReferences.SharedFramework(), options);
        Assert.Equal(added ? 1 : 0, generated.Count);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct().ToList();
        if (added)
        {
            Assert.EndsWith(EmbeddedContractsGenerator.HintName, generated[0].FilePath);
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains("CS0246", errors); // without them, the driver's attributes are unknown
        }
    }

    [Fact]
    public void Nothing_is_added_to_a_compilation_that_references_the_runtime_and_nothing_collides()
    {
        const string usesRuntime = """
            using FpuGuard.Runtime;

            static class Driver
            {
                [MaySleep] static void Sleep() { }
            }
            """;
        var (output, generated) = Generate(usesRuntime, TestReferences.HostFrameworkAndRuntime(), Embed);
        Assert.Empty(generated);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));

        // The copies themselves beside the Runtime (as a project that pasted them would have it): their namespace
        // is their own, so no CS0436 and no ambiguity for code that imports both.
        var both = CSharpCompilation.Create("Both",
            new[] { CSharpSyntaxTree.ParseText(EmbeddedContracts.Text), CSharpSyntaxTree.ParseText(usesRuntime + "\nnamespace X { using FpuGuard.Contracts.Embedded; static class Y { [FpuGuard.Contracts.Embedded.MaySleep] static void Z() { } } }") },
            TestReferences.HostFrameworkAndRuntime(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(both.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void The_copies_are_the_runtimes_declarations_made_internal()
    {
        var (output, generated) = Generate("", TestReferences.SharedFramework(), Embed);
        Assert.Single(generated);
        var runtime = typeof(FpuGuard.Runtime.Kernel).Assembly;
        var names = ContractAttributes.All.Append("AtomicContextKind").ToList();
        Assert.Equal(11, names.Count);
        foreach (var name in names)
        {
            var copy = output.GetTypeByMetadataName(EmbeddedContracts.Namespace + "." + name);
            var original = runtime.GetType("FpuGuard.Runtime." + name, throwOnError: true)!;
            Assert.NotNull(copy);
            Assert.Equal(Accessibility.Internal, copy!.DeclaredAccessibility);
            Assert.True(original.IsPublic);
            Assert.Equal(
                original.GetConstructors().Select(c => string.Join(",", c.GetParameters().Select(p => p.ParameterType.Name))).OrderBy(s => s),
                copy.InstanceConstructors.Where(c => copy.TypeKind != TypeKind.Enum).Select(c => string.Join(",", c.Parameters.Select(p => p.Type.Name))).OrderBy(s => s));
            Assert.Equal(
                original.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => m.Name).Where(n => !n.StartsWith("get_", StringComparison.Ordinal) && n is not ".ctor" and not "value__").OrderBy(s => s),
                copy.GetMembers().Where(m => m.DeclaredAccessibility == Accessibility.Public && m is not IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.Constructor })
                    .Select(m => m.Name).OrderBy(s => s));
            var usage = original.GetCustomAttribute<AttributeUsageAttribute>();
            var copyUsage = copy.GetAttributes().SingleOrDefault(a => a.AttributeClass?.Name == nameof(AttributeUsageAttribute));
            Assert.Equal(usage is null, copyUsage is null);
            if (usage is not null)
            {
                Assert.Equal((int)usage.ValidOn, (int)copyUsage!.ConstructorArguments[0].Value!);
            }
        }

        var kind = output.GetTypeByMetadataName(EmbeddedContracts.Namespace + ".AtomicContextKind")!;
        Assert.Equal(
            Enum.GetValues<FpuGuard.Runtime.AtomicContextKind>().Select(v => (v.ToString(), (int)v)),
            kind.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => (f.Name, (int)f.ConstantValue!)));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp7_3)]
    [InlineData(LanguageVersion.Latest)]
    public void The_copies_compile_at_any_language_version(LanguageVersion version)
    {
        var compilation = CSharpCompilation.Create("Old", new[] { CSharpSyntaxTree.ParseText(EmbeddedContracts.Text, new CSharpParseOptions(version)) },
            TestReferences.SharedFramework(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public async Task The_rules_read_code_that_uses_the_embedded_copies()
    {
        var (output, generated) = Generate(Driver, TestReferences.SharedFramework(), Embed);
        Assert.Single(generated);
        var diagnostics = await output.WithAnalyzers(FixMeaning.AllAnalyzers).GetAnalyzerDiagnosticsAsync();
        var sleep = Assert.Single(diagnostics);
        Assert.Equal("FPU0001", sleep.Id);
        Assert.Contains("'Allocate' may sleep", sleep.GetMessage());
    }

    [Fact]
    public void The_docs_show_exactly_the_generated_copies()
    {
        var page = File.ReadAllText(Path.Combine(AnalyzerGuardTests.RepositoryRoot(), "docs", "contracts.md")).Replace("\r\n", "\n");
        var start = page.IndexOf("```csharp\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/contracts.md has no csharp block");
        start += "```csharp\n".Length;
        var block = page[start..page.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.Equal(EmbeddedContracts.Text, block);

        var (_, generated) = Generate("", TestReferences.SharedFramework(), Embed);
        Assert.Equal("// <auto-generated/>\n" + EmbeddedContracts.Text, generated.Single().ToString());
    }

    [Fact]
    public void The_copies_come_from_the_runtimes_source_files()
    {
        // The resources are the Runtime's files as they are in the repository, not a copy kept beside them.
        foreach (var file in new[] { "AtomicContextKind.cs", "ContractAttributes.cs" })
        {
            var source = File.ReadAllText(Path.Combine(AnalyzerGuardTests.RepositoryRoot(), "Runtime", "Contracts", file)).Replace("\r\n", "\n");
            Assert.Equal(source, EmbeddedContracts.Resource(file));
        }

        Assert.Equal(2, Directory.GetFiles(Path.Combine(AnalyzerGuardTests.RepositoryRoot(), "Runtime", "Contracts"), "*.cs").Length);
    }
}
