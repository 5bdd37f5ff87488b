using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Internals;

/// <summary>What a member carrying contract attributes can do to the code that uses it.</summary>
[Flags]
internal enum ContractRole
{
    None = 0,

    /// <summary>[EntersAtomicContext], [ExitsAtomicContext] or [AssertsAtomicContext].</summary>
    ChangesContext = 1,

    /// <summary>[FreesMemory].</summary>
    FreesMemory = 2,

    /// <summary>[FpuStateField].</summary>
    StateField = 4,

    /// <summary>
    /// Only in a block's roles: an explicit call of a Dispose named like a context-changing one, and no other
    /// context-changing name. A scope's Dispose has the contract; ordinary code disposes things everywhere, so
    /// the call's symbol decides (<see cref="SharedContextFlow.MayChangeContext"/>).
    /// </summary>
    ExplicitDispose = 8,
}

/// <summary>
/// Per compilation, which member names carry which contract roles: in a referenced assembly that can see the
/// attributes (read from its symbols), or in this compilation (read from the attribute syntax on member
/// declarations, without binding anything). It lets an analyzer decide from syntax alone that a method cannot
/// involve a rule (no call or write of any member with that name), and skip it before any operation callback
/// or control-flow graph: in a build, most methods are ordinary code. A name match is only a candidate; the
/// analysis proper still binds and checks the symbol.
/// </summary>
internal sealed class ContractIndex
{
    private static readonly ConditionalWeakTable<Compilation, ContractIndex> ByCompilation = new();

    // A referenced assembly's symbols are shared by the compilations that reference it: read each once.
    private static readonly ConditionalWeakTable<IAssemblySymbol, Dictionary<string, ContractRole>> ByAssembly = new();

    private readonly Compilation _compilation;
    private readonly Lazy<(Dictionary<string, ContractRole> Roles, NameMentions? Mentions)> _byName;
    // Per file, its members listed once by the first analyzer that asks (a walk of its types, no member is entered).
    private readonly ConcurrentDictionary<SyntaxTree, Lazy<TreeRoleMarks>> _byTree = new();
    private readonly Func<SyntaxTree, Lazy<TreeRoleMarks>> _readTree;

    private ContractIndex(Compilation compilation)
    {
        _compilation = compilation;
        _byName = new Lazy<(Dictionary<string, ContractRole>, NameMentions?)>(Read);
        _readTree = tree => new Lazy<TreeRoleMarks>(() => TreeRoleMarks.Read(tree, this));
    }

    /// <summary>The index of <paramref name="compilation"/>, shared by every FpuGuard analyzer.</summary>
    public static ContractIndex For(Compilation compilation) => ByCompilation.GetValue(compilation, c => new ContractIndex(c));

    /// <summary>The roles some member named <paramref name="name"/> carries, in source or in a reference.</summary>
    public ContractRole RolesOf(string name) => _byName.Value.Roles.TryGetValue(name, out var roles) ? roles : ContractRole.None;

    /// <summary>
    /// Whether the block's text may mention a name that matters: a member with a role, a contract attribute or an
    /// alias of one. When it does not, its syntax need not be walked. Always true when a collection initializer
    /// could call a role-carrying Add without writing its name.
    /// </summary>
    public bool MayMention(SyntaxNode block) => _byName.Value.Mentions?.In(block) ?? true;

    /// <summary>
    /// Whether the code block calls, or writes, a member named like one with <paramref name="role"/>. Each member's
    /// syntax is walked once, by whichever analyzer asks first; the others read the answer.
    /// </summary>
    public bool MayInvolve(SyntaxNode codeBlock, ContractRole role) => (RolesOf(codeBlock) & role) != 0;

    /// <summary>The roles the code block's calls and writes may involve, by name (see <see cref="MayInvolve"/>).</summary>
    public ContractRole RolesOf(SyntaxNode codeBlock) => _byTree.GetOrAdd(codeBlock.SyntaxTree, _readTree).Value.Within(codeBlock);

    private (Dictionary<string, ContractRole>, NameMentions?) Read()
    {
        var roles = ReadReferencedAssemblies();
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tree in _compilation.SyntaxTrees)
        {
            SourceContractNames.Add(tree, roles, aliases);
        }

        var mentions = (roles.TryGetValue("Add", out var add) ? add : ContractRole.None) != ContractRole.None
            ? null
            : new NameMentions(roles.Keys.Concat(ContractAttributes.WrittenNames).Concat(aliases));
        return (roles, mentions);
    }

    // Only an assembly that declares the attributes, or references one that does, can carry them.
    private Dictionary<string, ContractRole> ReadReferencedAssemblies()
    {
        var roles = new Dictionary<string, ContractRole>(StringComparer.Ordinal);
        var assemblies = _compilation.References
            .Select(_compilation.GetAssemblyOrModuleSymbol)
            .OfType<IAssemblySymbol>()
            .ToList();
        var declaring = new HashSet<IAssemblySymbol>(
            assemblies.Where(a => ContractAttributes.All.Any(a.TypeNames.Contains)),
            SymbolEqualityComparer.Default);
        if (declaring.Count == 0)
        {
            return roles;
        }

        foreach (var assembly in assemblies)
        {
            if (declaring.Contains(assembly) || assembly.Modules.Any(m => m.ReferencedAssemblySymbols.Any(declaring.Contains)))
            {
                foreach (var pair in ByAssembly.GetValue(assembly, ReadAssembly))
                {
                    Add(roles, pair.Key, pair.Value);
                }
            }
        }

        return roles;
    }

    internal static void Add(Dictionary<string, ContractRole> roles, string name, ContractRole role) =>
        roles[name] = (roles.TryGetValue(name, out var existing) ? existing : ContractRole.None) | role;

    private static Dictionary<string, ContractRole> ReadAssembly(IAssemblySymbol assembly)
    {
        var roles = new Dictionary<string, ContractRole>(StringComparer.Ordinal);
        AddMembers(assembly.GlobalNamespace, roles);
        return roles;
    }

    private static void AddMembers(INamespaceOrTypeSymbol container, Dictionary<string, ContractRole> roles)
    {
        foreach (var member in container.GetMembers())
        {
            if (member is INamespaceOrTypeSymbol nested)
            {
                AddMembers(nested, roles);
            }
            else if (Roles(member) is var found && found != ContractRole.None)
            {
                Add(roles, member.Name, found);
            }
        }
    }

    private static ContractRole Roles(ISymbol symbol)
    {
        var roles = ContractRole.None;
        foreach (var attribute in symbol.GetAttributes())
        {
            roles |= RoleOf(attribute.AttributeClass?.Name);
        }

        return roles;
    }

    /// <summary>The role an attribute of this type name gives (with or without the Attribute suffix).</summary>
    internal static ContractRole RoleOf(string? attributeName) => attributeName switch
    {
        ContractAttributes.EntersAtomicContext or ContractAttributes.ExitsAtomicContext or ContractAttributes.AssertsAtomicContext => ContractRole.ChangesContext,
        "EntersAtomicContext" or "ExitsAtomicContext" or "AssertsAtomicContext" => ContractRole.ChangesContext,
        ContractAttributes.FreesMemory or "FreesMemory" => ContractRole.FreesMemory,
        ContractAttributes.FpuStateField or "FpuStateField" => ContractRole.StateField,
        _ => ContractRole.None,
    };
}
