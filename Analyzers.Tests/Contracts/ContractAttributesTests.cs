using System.Collections.Generic;
using System.Linq;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FpuGuard.Analyzers.Tests.Contracts;

/// <summary>
/// Whether a compilation can carry the contract attributes at all: read from the references' metadata and this
/// compilation's declarations, without binding, and never thrown off by a reference that cannot be read.
/// </summary>
public class ContractAttributesTests
{
    private const string OwnCopy = "namespace Mine { sealed class MaySleepAttribute : System.Attribute { } }";

    [Fact]
    public void A_reference_to_the_runtime_declares_them()
    {
        var compilation = Compile("class C { }", Framework().Append(TestReferences.Runtime));

        Assert.True(ContractAttributes.AnyDeclared(compilation, ContractAttributes.FpuStateField));
        Assert.True(ContractAttributes.AnyDeclared(compilation, ContractAttributes.FreesMemory, ContractAttributes.MaySleep));
    }

    [Fact]
    public void Only_the_contract_names_can_be_asked_for()
    {
        var compilation = Compile("class C { }", Framework());

        var thrown = Assert.Throws<System.ArgumentException>(() => ContractAttributes.AnyDeclared(compilation, ContractAttributes.MaySleep, "NoSuchAttribute"));
        Assert.Contains("'NoSuchAttribute'", thrown.Message);
    }

    [Fact]
    public void What_a_shared_reference_declares_is_read_per_reference_not_per_compilation()
    {
        var framework = Framework().ToList();
        var withRuntime = Compile("class C { }", framework.Append(TestReferences.Runtime));
        var without = Compile("class D { }", framework);

        Assert.True(ContractAttributes.AnyDeclared(withRuntime, ContractAttributes.DefaultFpuState));
        Assert.False(ContractAttributes.AnyDeclared(without, ContractAttributes.DefaultFpuState));
        Assert.True(ContractAttributes.AnyDeclared(withRuntime, ContractAttributes.DefaultFpuState));
        Assert.False(ContractAttributes.AnyDeclared(without, ContractAttributes.All));
    }

    [Fact]
    public void Code_without_them_declares_none()
    {
        var compilation = Compile("class C { }", Framework());

        Assert.False(ContractAttributes.AnyDeclared(compilation, ContractAttributes.All));
    }

    [Fact]
    public void A_copy_declared_in_source_counts_and_is_named_exactly()
    {
        var compilation = Compile(OwnCopy, Framework());

        Assert.True(ContractAttributes.AnyDeclared(compilation, ContractAttributes.MaySleep));
        Assert.False(ContractAttributes.AnyDeclared(compilation, ContractAttributes.FreesMemory));
    }

    [Fact]
    public void A_copy_in_a_referenced_project_counts()
    {
        var project = Compile(OwnCopy, Framework());
        var compilation = Compile("class C { }", Framework().Append(project.ToMetadataReference()));

        Assert.True(ContractAttributes.AnyDeclared(compilation, ContractAttributes.MaySleep));
        Assert.False(ContractAttributes.AnyDeclared(compilation, ContractAttributes.FreesMemory));
    }

    [Fact]
    public void An_unreadable_reference_counts_as_maybe_instead_of_throwing()
    {
        var broken = MetadataReference.CreateFromImage(new byte[] { 0x4D, 0x5A, 0, 1, 2, 3 }, filePath: "broken.dll");
        var compilation = Compile("class C { }", Framework().Append(broken));

        Assert.True(ContractAttributes.AnyDeclared(compilation, ContractAttributes.MaySleep));
    }

    // The shared framework only: the test host's list also holds this project's dependencies, the Runtime among them.
    private static IEnumerable<MetadataReference> Framework()
    {
        var directory = System.IO.Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return System.IO.Directory.GetFiles(directory, "*.dll")
            .Where(p => !p.EndsWith("Native.dll", System.StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
    }

    private static CSharpCompilation Compile(string source, IEnumerable<MetadataReference> references) =>
        CSharpCompilation.Create("Attributes" + source.Length, new[] { CSharpSyntaxTree.ParseText(source) }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
}
