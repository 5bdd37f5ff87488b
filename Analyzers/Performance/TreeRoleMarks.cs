using System.Threading;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Performance;

/// <summary>
/// The roles the members of one syntax tree may involve, each read when an analyzer first asks about it and kept
/// for the others: a slot per member, written once without a lock (two analyzers that ask at the same moment
/// may both read it, and write the same answer). A table filled block by block had the analyzers spinning on its
/// locks, and reading the whole file at once walked members the compile had not yet bound, so their syntax was
/// built for us. A member whose text mentions no name that matters is not walked at all.
/// </summary>
internal sealed class TreeRoleMarks
{
    private const int Unknown = -1;

    private readonly ContractIndex _index;

    // The members with code of their own, in document order (they do not nest): shared by every compilation of the tree.
    private readonly int[] _starts;
    private readonly int[] _ends;
    private readonly int[] _roles;

    private TreeRoleMarks(ContractIndex index, int[] starts, int[] ends)
    {
        _index = index;
        _starts = starts;
        _ends = ends;
        _roles = new int[starts.Length];
        for (var i = 0; i < _roles.Length; i++)
        {
            _roles[i] = Unknown;
        }
    }

    /// <summary>The tree's members, as <see cref="TreeDeclarations"/> lists them.</summary>
    public static TreeRoleMarks Read(SyntaxTree tree, ContractIndex index)
    {
        var declarations = TreeDeclarations.Of(tree);
        return new TreeRoleMarks(index, declarations.MemberStarts, declarations.MemberEnds);
    }

    /// <summary>
    /// The roles of the calls and writes in <paramref name="block"/>: those of the member that holds it (a
    /// superset for an accessor), or, for a type or file (a primary constructor, top-level statements), those of
    /// its own code and of every member in it.
    /// </summary>
    public ContractRole Within(SyntaxNode block)
    {
        for (var node = block; node is not null; node = node.Parent)
        {
            if (IsMember(node))
            {
                return OfMember(node);
            }
        }

        var roles = ContractRole.None;
        foreach (var node in block.DescendantNodesAndSelf(node => !IsMember(node)))
        {
            roles |= IsMember(node) ? OfMember(node) : BlockSyntaxFacts.RoleOf(node, _index);
        }

        return roles;
    }

    private ContractRole OfMember(SyntaxNode member)
    {
        var slot = SlotOf(member);
        if (slot >= 0 && Volatile.Read(ref _roles[slot]) is var known && known != Unknown)
        {
            return (ContractRole)known;
        }

        var roles = Walk(member);
        if (slot >= 0)
        {
            Volatile.Write(ref _roles[slot], (int)roles);
        }

        return roles;
    }

    private ContractRole Walk(SyntaxNode member)
    {
        if (!_index.MayMention(member))
        {
            return ContractRole.None; // most members: their text names nothing that matters.
        }

        var roles = ContractRole.None;
        foreach (var node in member.DescendantNodesAndSelf())
        {
            roles |= BlockSyntaxFacts.RoleOf(node, _index);
        }

        return roles;
    }

    // -1 for a member this tree's list does not have at that span (it cannot be, but then it is read uncached).
    private int SlotOf(SyntaxNode member)
    {
        int low = 0, high = _starts.Length - 1, start = member.SpanStart;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (_starts[middle] < start)
            {
                low = middle + 1;
            }
            else if (_starts[middle] > start)
            {
                high = middle - 1;
            }
            else
            {
                return _ends[middle] == member.Span.End ? middle : -1;
            }
        }

        return -1;
    }

    private static bool IsMember(SyntaxNode node) => TreeDeclarations.IsMember(node);
}
