using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Contracts;

/// <summary>
/// Methods of a namespace (where a codebase keeps its FPU code) that carry a contract attribute: the swap
/// helper, may-sleep reallocations. One instance per compilation; each namespace is scanned once.
/// </summary>
internal sealed class ContractMethods
{
    private readonly ConcurrentDictionary<INamespaceSymbol, ImmutableArray<IMethodSymbol>> _methods = new(SymbolEqualityComparer.Default);

    /// <summary>Methods in <paramref name="type"/>'s namespace (types nested included) carrying the attribute.</summary>
    public ImmutableArray<IMethodSymbol> Near(INamedTypeSymbol type, string attributeName) =>
        _methods.GetOrAdd(type.ContainingNamespace, Collect)
            .Where(m => ContractAttributes.Has(m, attributeName))
            .ToImmutableArray();

    /// <summary>The [FpuStateSwapHelper] methods that take the owner type (or a base of it).</summary>
    public ImmutableArray<IMethodSymbol> SwapHelpersFor(INamedTypeSymbol ownerType) =>
        Near(ownerType, ContractAttributes.FpuStateSwapHelper)
            .Where(h => h.Parameters.Any(p => IsOwner(p.Type, ownerType)))
            .ToImmutableArray();

    /// <summary>Whether a parameter of <paramref name="parameterType"/> accepts an <paramref name="ownerType"/>.</summary>
    public static bool IsOwner(ITypeSymbol parameterType, INamedTypeSymbol ownerType)
    {
        for (ITypeSymbol? type = ownerType; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(parameterType.OriginalDefinition, type.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    private static ImmutableArray<IMethodSymbol> Collect(INamespaceSymbol scope)
    {
        var builder = ImmutableArray.CreateBuilder<IMethodSymbol>();
        foreach (var type in scope.GetTypeMembers())
        {
            Collect(type, builder);
        }

        return builder.ToImmutable();
    }

    private static void Collect(INamedTypeSymbol type, ImmutableArray<IMethodSymbol>.Builder builder)
    {
        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && !method.GetAttributes().IsEmpty)
            {
                builder.Add(method);
            }
        }

        foreach (var nested in type.GetTypeMembers())
        {
            Collect(nested, builder);
        }
    }
}
