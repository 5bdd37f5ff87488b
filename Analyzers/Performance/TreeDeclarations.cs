using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using FpuGuard.Analyzers.Contracts;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Performance;

/// <summary>
/// What one syntax tree declares, read from its namespaces and types in one walk, never a member's body: the
/// members with code of their own (their spans, for <see cref="TreeRoleMarks"/>), the names it declares with a
/// contract attribute and the aliases its using directives give contract attributes (for
/// <see cref="SourceContractNames"/>). It depends on the tree's text only: an IDE keeps it across the compilations an
/// edit elsewhere makes.
/// </summary>
internal sealed class TreeDeclarations
{
    private static readonly ConditionalWeakTable<SyntaxTree, TreeDeclarations> ByTree = new();
    private static readonly ConditionalWeakTable<SyntaxTree, TreeDeclarations>.CreateValueCallback ReadTree = Read;

    private TreeDeclarations(int[] memberStarts, int[] memberEnds, Dictionary<string, ContractRole> roles, Dictionary<string, ContractRole> aliases)
    {
        MemberStarts = memberStarts;
        MemberEnds = memberEnds;
        Roles = roles;
        Aliases = aliases;
    }

    /// <summary>Where each member with code of its own starts, in document order (members do not nest).</summary>
    public int[] MemberStarts { get; }

    /// <summary>Where each of those members ends.</summary>
    public int[] MemberEnds { get; }

    /// <summary>The names of members declared with a contract attribute, with the roles it gives.</summary>
    public Dictionary<string, ContractRole> Roles { get; }

    /// <summary>Every alias of a contract attribute, with the role it gives (None for an attribute with no index role).</summary>
    public Dictionary<string, ContractRole> Aliases { get; }

    public static TreeDeclarations Of(SyntaxTree tree) => ByTree.GetValue(tree, ReadTree);

    /// <summary>A member with code of its own: namespaces and types are containers of members.</summary>
    public static bool IsMember(SyntaxNode node) =>
        node is MemberDeclarationSyntax and not BaseTypeDeclarationSyntax and not BaseNamespaceDeclarationSyntax;

    private static TreeDeclarations Read(SyntaxTree tree)
    {
        var aliases = new Dictionary<string, ContractRole>();
        var reader = new Reader(aliases);
        if (tree.GetRoot() is CompilationUnitSyntax root)
        {
            AddAliases(root.Usings, aliases);
            reader.Walk(root.Members);
        }

        return new TreeDeclarations(reader.Starts.ToArray(), reader.Ends.ToArray(), reader.Roles, aliases);
    }

    private static void AddAliases(SyntaxList<UsingDirectiveSyntax> usings, Dictionary<string, ContractRole> aliases)
    {
        foreach (var directive in usings)
        {
            if (directive.Alias is { } alias && directive.Name is { } target && SourceContractNames.RightmostName(target) is { } name && ContractAttributes.IsContractAttributeName(name))
            {
                aliases[alias.Name.Identifier.ValueText] = ContractIndex.RoleOf(name);
            }
        }
    }

    // The walk in document order: a namespace's usings count for the whole file, as an alias only adds candidates.
    private sealed class Reader
    {
        private readonly Dictionary<string, ContractRole> _aliases;

        public Reader(Dictionary<string, ContractRole> aliases) => _aliases = aliases;

        public List<int> Starts { get; } = new(64);

        public List<int> Ends { get; } = new(64);

        public Dictionary<string, ContractRole> Roles { get; } = new();

        // An explicit stack of where each enclosing namespace or type was left, not recursion: they nest as deep as
        // the parser allows.
        public void Walk(SyntaxList<MemberDeclarationSyntax> top)
        {
            var enclosing = new Stack<SyntaxList<MemberDeclarationSyntax>.Enumerator>();
            var members = top.GetEnumerator();
            while (true)
            {
                if (!members.MoveNext())
                {
                    if (enclosing.Count == 0)
                    {
                        return;
                    }

                    members = enclosing.Pop();
                    continue;
                }

                switch (members.Current)
                {
                    case BaseNamespaceDeclarationSyntax scope:
                        AddAliases(scope.Usings, _aliases);
                        enclosing.Push(members);
                        members = scope.Members.GetEnumerator();
                        break;
                    case TypeDeclarationSyntax type:
                        AddParameterContractNames(type);
                        enclosing.Push(members);
                        members = type.Members.GetEnumerator();
                        break;
                    case EnumDeclarationSyntax enumeration:
                        foreach (var value in enumeration.Members)
                        {
                            Add(value);
                        }

                        break;
                    case var member:
                        Add(member);
                        break;
                }
            }
        }

        private void Add(MemberDeclarationSyntax member)
        {
            Starts.Add(member.SpanStart);
            Ends.Add(member.Span.End);
            if (member.AttributeLists.Count > 0 || member is BasePropertyDeclarationSyntax { AccessorList: { } accessors } && accessors.Accessors.Any(a => a.AttributeLists.Count > 0))
            {
                AddContractNames(member);
            }
        }

        // A positional record's parameter becomes a property: [property: FpuStateField] ulong Mask declares one.
        private void AddParameterContractNames(TypeDeclarationSyntax type)
        {
            if (type.ParameterList is not { } parameters)
            {
                return;
            }

            foreach (var parameter in parameters.Parameters)
            {
                if (parameter.AttributeLists.Count > 0 && RoleOf(parameter.AttributeLists) is var role and not ContractRole.None)
                {
                    ContractIndex.Add(Roles, parameter.Identifier.ValueText, role);
                }
            }
        }

        private void AddContractNames(MemberDeclarationSyntax member)
        {
            var role = RoleOf(member.AttributeLists);
            if (member is BasePropertyDeclarationSyntax { AccessorList: { } accessors })
            {
                foreach (var accessor in accessors.Accessors)
                {
                    role |= RoleOf(accessor.AttributeLists);
                }
            }

            if (role == ContractRole.None)
            {
                return;
            }

            foreach (var name in DeclaredNames(member))
            {
                ContractIndex.Add(Roles, name, role);
            }
        }

        private ContractRole RoleOf(SyntaxList<AttributeListSyntax> lists)
        {
            var role = ContractRole.None;
            foreach (var list in lists)
            {
                foreach (var attribute in list.Attributes)
                {
                    var name = SourceContractNames.RightmostName(attribute.Name);
                    role |= ContractIndex.RoleOf(name) | (name is not null && _aliases.TryGetValue(name, out var aliased) ? aliased : ContractRole.None);
                }
            }

            return role;
        }
    }

    private static IEnumerable<string> DeclaredNames(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax method => new[] { method.Identifier.ValueText },
        PropertyDeclarationSyntax property => new[] { property.Identifier.ValueText },
        EventDeclarationSyntax @event => new[] { @event.Identifier.ValueText },
        ConstructorDeclarationSyntax constructor => new[] { constructor.Identifier.ValueText },
        BaseFieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.ValueText),
        _ => Enumerable.Empty<string>(),
    };
}
