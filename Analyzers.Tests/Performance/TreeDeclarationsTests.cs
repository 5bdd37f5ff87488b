using System.Collections.Generic;
using System.Linq;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Tests.Performance;

/// <summary>
/// What one walk of a file's namespaces and types reads: every member with code of its own, in document order
/// (whatever holds it), and the names declared with a contract attribute, directly or through an alias.
/// </summary>
public class TreeDeclarationsTests
{
    private const string Source = """
        using Sleeps = FpuGuard.Runtime.MaySleepAttribute;
        using Frees = FpuGuard.Runtime.FreesMemoryAttribute;

        System.Console.WriteLine(1);

        namespace Outer
        {
            using Enters = FpuGuard.Runtime.EntersAtomicContextAttribute;

            delegate void Callback();

            enum Mode { Off = 0, On = Off + 1 }

            record Point(int X, int Y)
            {
                [Enters(0)] public void Lock() { }
                public int Length => X + Y;
            }

            class Container
            {
                [FpuGuard.Runtime.FpuStateField] private int _size, _mask;
                [Frees] public void Release() { }
                [Sleeps] Container() { }
                struct Nested { void Inner() { } event System.Action? Changed; }
                interface IShape { void Draw(); }
                ~Container() { }
                public int this[int i] => i;
                public static Container operator +(Container a, Container b) => a;
                [System.Obsolete] void Plain() { }
                int
            }
        }

        namespace FileLike.Inner
        {
            class Last { void Final() { } }
        }
        """;

    [Fact]
    public void Every_member_with_code_is_listed_in_document_order_as_a_full_walk_finds_it()
    {
        var tree = CSharpSyntaxTree.ParseText(Source);
        var expected = tree.GetRoot().DescendantNodes().Where(TreeDeclarations.IsMember).Select(m => (m.SpanStart, m.Span.End)).ToList();

        var declarations = TreeDeclarations.Of(tree);

        Assert.Equal(expected, declarations.MemberStarts.Zip(declarations.MemberEnds, (start, end) => (start, end)).ToList());
        Assert.True(expected.Count >= 18, $"only {expected.Count} members in the sample");
    }

    [Fact]
    public void Names_declared_with_a_contract_attribute_get_its_role_through_an_alias_too()
    {
        var declarations = TreeDeclarations.Of(CSharpSyntaxTree.ParseText(Source));

        var expected = new Dictionary<string, ContractRole>
        {
            ["Lock"] = ContractRole.ChangesContext,
            ["_size"] = ContractRole.StateField,
            ["_mask"] = ContractRole.StateField,
            ["Release"] = ContractRole.FreesMemory,
        };
        Assert.Equal(expected.OrderBy(p => p.Key), declarations.Roles.OrderBy(p => p.Key));
        Assert.Equal(new[] { "Enters", "Frees", "Sleeps" }, declarations.Aliases.Keys.OrderBy(k => k));
    }

    [Fact]
    public void A_file_is_read_once_for_every_compilation_that_holds_it()
    {
        var tree = CSharpSyntaxTree.ParseText(Source);

        Assert.Same(TreeDeclarations.Of(tree), TreeDeclarations.Of(tree));
    }
}
