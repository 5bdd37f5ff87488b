using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Performance;

/// <summary>
/// Names of members this compilation's source declares with a contract attribute, read from syntax: the
/// declarations only, never a method body (<see cref="TreeDeclarations"/>). An attribute counts by its written
/// name, or through a using alias to one, so the index stays a superset of what binding would find.
/// </summary>
internal static class SourceContractNames
{
    /// <summary>Adds the tree's member names with their roles, and the names its using aliases give contract attributes.</summary>
    public static void Add(SyntaxTree tree, Dictionary<string, ContractRole> roles, HashSet<string> attributeAliases)
    {
        var declarations = TreeDeclarations.Of(tree);
        foreach (var pair in declarations.Roles)
        {
            ContractIndex.Add(roles, pair.Key, pair.Value);
        }

        attributeAliases.UnionWith(declarations.Aliases.Keys);
    }

    /// <summary>The name an attribute or using target ends with.</summary>
    public static string? RightmostName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => null,
    };
}
