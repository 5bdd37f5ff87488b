using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Names of members this compilation's source declares with a contract attribute, read from syntax: the
/// declarations only, never a method body. An attribute counts by its written name, or through a using alias
/// to one, so the index stays a superset of what binding would find.
/// </summary>
internal static class SourceContractNames
{
    // A tree's names depend on its text only: an IDE keeps them across the compilations an edit elsewhere makes.
    private static readonly ConditionalWeakTable<SyntaxTree, Dictionary<string, ContractRole>> ByTree = new();

    public static void Add(SyntaxTree tree, Dictionary<string, ContractRole> roles)
    {
        foreach (var pair in ByTree.GetValue(tree, Read))
        {
            ContractIndex.Add(roles, pair.Key, pair.Value);
        }
    }

    private static Dictionary<string, ContractRole> Read(SyntaxTree tree)
    {
        var roles = new Dictionary<string, ContractRole>();
        var root = tree.GetRoot();
        var aliases = Aliases(root);
        foreach (var node in root.DescendantNodes(descendIntoChildren: IsContainer))
        {
            if (node is not MemberDeclarationSyntax { AttributeLists.Count: > 0 } member)
            {
                continue;
            }

            var role = ContractRole.None;
            foreach (var attribute in member.AttributeLists.SelectMany(l => l.Attributes))
            {
                var name = RightmostName(attribute.Name);
                role |= ContractIndex.RoleOf(name) | (name is not null && aliases.TryGetValue(name, out var aliased) ? aliased : ContractRole.None);
            }

            if (role == ContractRole.None)
            {
                continue;
            }

            foreach (var name in DeclaredNames(member))
            {
                ContractIndex.Add(roles, name, role);
            }
        }

        return roles;
    }

    private static bool IsContainer(SyntaxNode node) =>
        node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax;

    private static Dictionary<string, ContractRole> Aliases(SyntaxNode root)
    {
        var aliases = new Dictionary<string, ContractRole>();
        foreach (var directive in root.DescendantNodes(IsContainer).OfType<UsingDirectiveSyntax>())
        {
            if (directive.Alias is { } alias && directive.Name is { } target && ContractIndex.RoleOf(RightmostName(target)) is var role && role != ContractRole.None)
            {
                aliases[alias.Name.Identifier.ValueText] = role;
            }
        }

        return aliases;
    }

    private static string? RightmostName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => null,
    };

    private static IEnumerable<string> DeclaredNames(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax method => new[] { method.Identifier.ValueText },
        PropertyDeclarationSyntax property => new[] { property.Identifier.ValueText },
        BaseFieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.ValueText),
        _ => Enumerable.Empty<string>(),
    };
}
