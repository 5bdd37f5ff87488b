using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Where in one syntax tree a node may involve a contract role (a call, a write, an attributed local function),
/// read in one walk of the tree and never changed after: the roles of a code block are those marked inside its
/// span. Read-only, so the four analyzers asking about the same block at about the same time share it without
/// a lock (a table filled block by block had them spinning on its locks).
/// </summary>
internal sealed class TreeRoleMarks
{
    public static readonly TreeRoleMarks None = new(Array.Empty<int>(), Array.Empty<int>(), Array.Empty<ContractRole>());

    // In document order: a node's start is never before its parent's.
    private readonly int[] _starts;
    private readonly int[] _ends;
    private readonly ContractRole[] _roles;

    private TreeRoleMarks(int[] starts, int[] ends, ContractRole[] roles)
    {
        _starts = starts;
        _ends = ends;
        _roles = roles;
    }

    /// <summary>
    /// Reads the tree. A member whose text mentions no name that matters is not entered (most members of most
    /// files); a file that mentions none is not parsed into nodes at all.
    /// </summary>
    public static TreeRoleMarks Read(SyntaxTree tree, ContractIndex index)
    {
        if (!index.MayMention(tree))
        {
            return None;
        }

        var starts = new List<int>();
        var ends = new List<int>();
        var roles = new List<ContractRole>();
        foreach (var node in tree.GetRoot().DescendantNodesAndSelf(node => !IsGate(node) || index.MayMention(node)))
        {
            if (BlockSyntaxFacts.RoleOf(node, index) is var role && role != ContractRole.None)
            {
                starts.Add(node.SpanStart);
                ends.Add(node.Span.End);
                roles.Add(role);
            }
        }

        return starts.Count == 0 ? None : new TreeRoleMarks(starts.ToArray(), ends.ToArray(), roles.ToArray());
    }

    /// <summary>The roles of the nodes inside <paramref name="block"/> (itself included).</summary>
    public ContractRole Within(SyntaxNode block)
    {
        var span = block.Span;
        var roles = ContractRole.None;
        for (var i = FirstAtOrAfter(span.Start); i < _starts.Length && _starts[i] <= span.End; i++)
        {
            if (_ends[i] <= span.End)
            {
                roles |= _roles[i];
            }
        }

        return roles;
    }

    private int FirstAtOrAfter(int position)
    {
        int low = 0, high = _starts.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (_starts[middle] < position)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    // A member with code of its own: its text decides whether it is entered. Types and namespaces are always
    // entered, for their members.
    private static bool IsGate(SyntaxNode node) =>
        node is MemberDeclarationSyntax and not BaseTypeDeclarationSyntax and not BaseNamespaceDeclarationSyntax;
}
