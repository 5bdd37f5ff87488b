using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FpuGuard.Analyzers.Tests.Performance;

/// <summary>
/// The contract names of referenced assemblies, read from metadata (a file) or from symbols (a project): both
/// readings of the same code must give the same names and roles.
/// </summary>
public class ReferencedContractNamesTests
{
    private const string Library = """
        namespace Lib
        {
            public sealed class EntersAtomicContextAttribute : System.Attribute { public EntersAtomicContextAttribute(int kind) { } }
            public sealed class FreesMemoryAttribute : System.Attribute { }
            public sealed class FpuStateFieldAttribute : System.Attribute { }

            public class Api
            {
                [EntersAtomicContext(0)] public void Lock() { }
                [FreesMemory] public static void Release(object o) { }
                [FpuStateField] public object? Buffer;
                [FpuStateField] public int Size { get; set; }
                [FreesMemory, EntersAtomicContext(1)] public void Both() { }
                public void Plain() { }
            }
        }
        """;

    [Fact]
    public void The_runtimes_metadata_gives_its_contract_members()
    {
        var roles = Read(TestReferences.Runtime);

        Assert.Equal(ContractRole.ChangesContext, roles["FpregsLock"]);
        Assert.Equal(ContractRole.ChangesContext, roles["Dispose"]); // a lock scope's Dispose exits the context
        Assert.Equal(ContractRole.FreesMemory, roles["Vfree"]);
        Assert.Equal(ContractRole.StateField, roles["State"]);
        Assert.False(roles.ContainsKey("Vzalloc")); // [MaySleep] is not an index role
    }

    [Fact]
    public void Metadata_and_symbols_of_the_same_library_agree()
    {
        var library = CSharpCompilation.Create("Lib", new[] { CSharpSyntaxTree.ParseText(Library) }, TestReferences.HostFramework(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        Assert.True(library.Emit(image).Success);

        var fromMetadata = Read(MetadataReference.CreateFromImage(image.ToArray()));
        var fromSymbols = Read(library.ToMetadataReference());

        var expected = new Dictionary<string, ContractRole>
        {
            ["Lock"] = ContractRole.ChangesContext,
            ["Release"] = ContractRole.FreesMemory,
            ["Buffer"] = ContractRole.StateField,
            ["Size"] = ContractRole.StateField,
            ["Both"] = ContractRole.FreesMemory | ContractRole.ChangesContext,
        };
        Assert.Equal(expected.OrderBy(p => p.Key), fromMetadata.OrderBy(p => p.Key));
        Assert.Equal(expected.OrderBy(p => p.Key), fromSymbols.OrderBy(p => p.Key));
    }

    [Fact]
    public void A_library_applying_the_runtimes_attributes_is_read_through_its_type_references()
    {
        const string source = """
            using FpuGuard.Runtime;

            public class Driver
            {
                [FreesMemory] public void Drop(XStateBuffer buffer) { }
                [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)] public void Pin() { }
                public void Plain() { }
            }
            """;
        var library = CSharpCompilation.Create("UsesRuntime", new[] { CSharpSyntaxTree.ParseText(source) }, TestReferences.HostFrameworkAndRuntime(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Assert.True(library.Emit(image).Success);

        var roles = Read(MetadataReference.CreateFromImage(image.ToArray()));

        Assert.Equal(new[] { "Drop", "Pin" }, roles.Keys.OrderBy(k => k));
        Assert.Equal(ContractRole.FreesMemory, roles["Drop"]);
        Assert.Equal(ContractRole.ChangesContext, roles["Pin"]);
    }

    [Fact]
    public void An_unreadable_reference_gives_no_names_and_no_exception()
    {
        var broken = MetadataReference.CreateFromImage(new byte[] { 0x4D, 0x5A, 0, 1, 2, 3 }, filePath: "broken.dll");

        Assert.Empty(Read(broken));
    }

    private static Dictionary<string, ContractRole> Read(MetadataReference reference)
    {
        // Only this reference: the test host's framework list also holds the Runtime.
        var compilation = CSharpCompilation.Create("User", Array.Empty<SyntaxTree>(), new[] { reference },
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var roles = new Dictionary<string, ContractRole>();
        ReferencedContractNames.Add(compilation, roles);
        return roles;
    }
}
