using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Rules.AtomicContext;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Performance;

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
    /// the call's symbol decides (<see cref="BlockContextFlow.MayChangeContext"/>).
    /// </summary>
    ExplicitDispose = 8,
}

/// <summary>
/// Per compilation, which member names carry which contract roles: in a referenced assembly (read from its
/// metadata, <see cref="ReferencedContractNames"/>), or in this compilation (read from the attribute syntax on member
/// declarations, without binding anything). It lets an analyzer decide from syntax alone that a method cannot
/// involve a rule (no call or write of any member with that name), and skip it before any operation callback
/// or control-flow graph: in a build, most methods are ordinary code. A name match is only a candidate; the
/// analysis proper still binds and checks the symbol.
/// </summary>
internal sealed class ContractIndex
{
    private static readonly ConditionalWeakTable<Compilation, ContractIndex> ByCompilation = new();

    private readonly Compilation _compilation;
    private readonly Lazy<(Dictionary<string, ContractRole> Roles, NameMentions? Mentions)> _byName;
    // Per file, its members listed by the first analyzer that asks (a walk of its types, no member is entered).
    // Two that ask at once may both list them, rather than one waiting for the other.
    private readonly ConcurrentDictionary<SyntaxTree, TreeRoleMarks> _byTree = new();
    private readonly Func<SyntaxTree, TreeRoleMarks> _readTree;

    private ContractIndex(Compilation compilation)
    {
        _compilation = compilation;
        _byName = new Lazy<(Dictionary<string, ContractRole>, NameMentions?)>(Read);
        _readTree = tree => TreeRoleMarks.Read(tree, this);
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
    public ContractRole RolesOf(SyntaxNode codeBlock) => MarksOf(codeBlock.SyntaxTree).Within(codeBlock);

    /// <summary>The tree's members with their roles, and a slot each for what one analyzer hands another.</summary>
    public TreeRoleMarks MarksOf(SyntaxTree tree) => _byTree.GetOrAdd(tree, _readTree);

    private (Dictionary<string, ContractRole>, NameMentions?) Read()
    {
        var roles = new Dictionary<string, ContractRole>(StringComparer.Ordinal);
        ReferencedContractNames.Add(_compilation, roles);
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

    internal static void Add(Dictionary<string, ContractRole> roles, string name, ContractRole role) =>
        roles[name] = (roles.TryGetValue(name, out var existing) ? existing : ContractRole.None) | role;

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
