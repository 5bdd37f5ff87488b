using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Finds the swap helper(s) for a type's FPU state fields: methods marked [FpuStateSwapHelper] in the
/// namespace that declares the fields (where a codebase keeps its FPU code). One instance per compilation.
/// </summary>
internal sealed class SwapHelpers
{
    private readonly ConcurrentDictionary<INamespaceSymbol, ImmutableArray<IMethodSymbol>> _byNamespace = new(SymbolEqualityComparer.Default);

    /// <summary>The swap helpers that take the owner type (or a base of it) as a parameter.</summary>
    public ImmutableArray<IMethodSymbol> For(INamedTypeSymbol ownerType)
    {
        var scope = ownerType.ContainingNamespace;
        var helpers = _byNamespace.GetOrAdd(scope, Find);
        return helpers.Where(h => h.Parameters.Any(p => IsOwner(p.Type, ownerType))).ToImmutableArray();
    }

    private static bool IsOwner(ITypeSymbol parameterType, INamedTypeSymbol ownerType)
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

    private static ImmutableArray<IMethodSymbol> Find(INamespaceSymbol scope)
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
            if (member is IMethodSymbol method && ContractAttributes.Has(method, ContractAttributes.FpuStateSwapHelper))
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
