using System.Linq;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Tests.Performance;

/// <summary>
/// The roles a code block may involve, read once per file by name: each block gets the roles of the calls and
/// writes inside it and of none outside it, and a member that mentions no name that matters gets none.
/// </summary>
public class ContractIndexTests
{
    private const string Source = """
        using FpuGuard.Runtime;

        class Blocks
        {
            void Locks(Kernel kernel) { kernel.FpregsLock(); }
            void Frees(KernelMemory memory, XStateBuffer buffer) => memory.Vfree(buffer);
            void Writes(Fpu fpu) { fpu.StateSize++; }
            void Ordinary(int size) { var text = size.ToString(); }
            void Nested(Kernel kernel)
            {
                Local();
                void Local() => kernel.FpregsUnlock();
            }

            [FpuGuard.Runtime.MaySleep] void Attributed() { }
            void Local() { [FpuGuard.Runtime.MaySleep] void Inner() { } Inner(); }
            int Initialized { get; } = new Fpu().StateSize = 4;
        }

        class Unrelated
        {
            void Plain() { System.Console.WriteLine(1); }
        }
        """;

    [Theory]
    [InlineData("Locks", (int)(ContractRole.ChangesContext))]
    [InlineData("Frees", (int)(ContractRole.FreesMemory))]
    [InlineData("Writes", (int)(ContractRole.StateField))]
    [InlineData("Ordinary", (int)(ContractRole.None))]
    [InlineData("Nested", (int)(ContractRole.ChangesContext))]
    [InlineData("Attributed", (int)(ContractRole.None))]
    [InlineData("Local", (int)(ContractRole.ChangesContext | ContractRole.FreesMemory | ContractRole.StateField))]
    [InlineData("Plain", (int)(ContractRole.None))]
    public void Each_method_has_the_roles_of_its_own_calls_and_writes(string method, int roles)
    {
        var (index, tree) = Index(Source);
        var declarations = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().ToList();
        var declaration = declarations.Single(m => m.Identifier.ValueText == method);

        // Asked before and after every other member: each member's answer is kept for the next analyzer that asks.
        Assert.Equal((ContractRole)roles, index.RolesOf(declaration));
        foreach (var other in Enumerable.Reverse(declarations))
        {
            index.RolesOf(other);
        }

        Assert.Equal((ContractRole)roles, index.RolesOf(declaration));
    }

    [Fact]
    public void A_property_initializer_and_the_whole_file_have_the_roles_inside_them()
    {
        var (index, tree) = Index(Source);
        var property = tree.GetRoot().DescendantNodes().OfType<PropertyDeclarationSyntax>().Single();

        Assert.Equal(ContractRole.StateField, index.RolesOf(property));
        Assert.Equal(ContractRole.ChangesContext | ContractRole.FreesMemory | ContractRole.StateField, index.RolesOf(tree.GetRoot()));
    }

    [Fact]
    public void A_file_that_names_nothing_that_matters_has_no_roles()
    {
        var (index, tree) = Index("class Plain { void M(Plain p) { p.M(p); var x = 1; x++; } }");

        Assert.Equal(ContractRole.None, index.RolesOf(tree.GetRoot()));
    }

    private static (ContractIndex Index, SyntaxTree Tree) Index(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source);
        var compilation = CSharpCompilation.Create("Index", new[] { tree }, TestReferences.HostFrameworkAndRuntime(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return (ContractIndex.For(compilation), tree);
    }
}
