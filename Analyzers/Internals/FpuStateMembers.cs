using System.Collections.Concurrent;
using FpuGuard.Analyzers.Contracts;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Internals;

/// <summary>Per-compilation cache: which members are FPU state buffers that can hold the default state.</summary>
internal sealed class FpuStateMembers
{
    private readonly ConcurrentDictionary<INamedTypeSymbol, ISymbol?> _defaultMember = new(SymbolEqualityComparer.Default);

    /// <summary>The [DefaultFpuState] member of the type, if it has one.</summary>
    public ISymbol? DefaultMemberOf(INamedTypeSymbol type) => _defaultMember.GetOrAdd(type.OriginalDefinition, t =>
    {
        foreach (var member in t.GetMembers())
        {
            if (member is IFieldSymbol or IPropertySymbol && ContractAttributes.Has(member, ContractAttributes.DefaultFpuState))
            {
                return member;
            }
        }

        return null;
    });

    public static bool IsDefaultMember(ISymbol member) =>
        member is IFieldSymbol or IPropertySymbol && ContractAttributes.Has(member.OriginalDefinition, ContractAttributes.DefaultFpuState);

    /// <summary>
    /// Whether the member is an [FpuStateField] of the same type as its type's [DefaultFpuState] member, so
    /// it may point at the default state (the buffer field, not the mask or the size).
    /// </summary>
    public bool CanHoldDefault(ISymbol member)
    {
        if (member is not (IFieldSymbol or IPropertySymbol) || member.ContainingType is null
            || !ContractAttributes.Has(member.OriginalDefinition, ContractAttributes.FpuStateField))
        {
            return false;
        }

        var defaultMember = DefaultMemberOf(member.ContainingType);
        return defaultMember is not null && SymbolEqualityComparer.Default.Equals(TypeOf(defaultMember), TypeOf(member.OriginalDefinition));
    }

    private static ITypeSymbol? TypeOf(ISymbol member) => member switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => null,
    };
}
