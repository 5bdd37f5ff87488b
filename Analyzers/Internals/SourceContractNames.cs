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
    private static readonly ConditionalWeakTable<SyntaxTree, Names> ByTree = new();

    /// <summary>Adds the tree's member names with their roles, and the names its using aliases give contract attributes.</summary>
    public static void Add(SyntaxTree tree, Dictionary<string, ContractRole> roles, HashSet<string> attributeAliases)
    {
        var names = ByTree.GetValue(tree, Read);
        foreach (var pair in names.Roles)
        {
            ContractIndex.Add(roles, pair.Key, pair.Value);
        }

        attributeAliases.UnionWith(names.Aliases.Keys);
    }

    private static Names Read(SyntaxTree tree)
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

        return new Names(roles, aliases);
    }

    private static bool IsContainer(SyntaxNode node) =>
        node is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax;

    // Every alias of a contract attribute, with the role it gives (None for an attribute with no index role).
    private static Dictionary<string, ContractRole> Aliases(SyntaxNode root)
    {
        var aliases = new Dictionary<string, ContractRole>();
        foreach (var directive in Usings(root))
        {
            if (directive.Alias is { } alias && directive.Name is { } target && RightmostName(target) is { } name && ContractAttributes.IsContractAttributeName(name))
            {
                aliases[alias.Name.Identifier.ValueText] = ContractIndex.RoleOf(name);
            }
        }

        return aliases;
    }

    // Using directives stand in compilation units and namespaces only: types are not walked for them.
    private static IEnumerable<UsingDirectiveSyntax> Usings(SyntaxNode root)
    {
        var scopes = new Stack<SyntaxNode>();
        scopes.Push(root);
        while (scopes.Count > 0)
        {
            var (usings, members) = scopes.Pop() switch
            {
                CompilationUnitSyntax unit => (unit.Usings, unit.Members),
                BaseNamespaceDeclarationSyntax scope => (scope.Usings, scope.Members),
                _ => (default(SyntaxList<UsingDirectiveSyntax>), default(SyntaxList<MemberDeclarationSyntax>)),
            };
            foreach (var directive in usings)
            {
                yield return directive;
            }

            foreach (var member in members)
            {
                if (member is BaseNamespaceDeclarationSyntax nested)
                {
                    scopes.Push(nested);
                }
            }
        }
    }

    private sealed class Names
    {
        public Names(Dictionary<string, ContractRole> roles, Dictionary<string, ContractRole> aliases)
        {
            Roles = roles;
            Aliases = aliases;
        }

        public Dictionary<string, ContractRole> Roles { get; }

        public Dictionary<string, ContractRole> Aliases { get; }
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
