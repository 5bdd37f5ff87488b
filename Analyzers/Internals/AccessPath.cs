using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// An expression the flow analysis can name: a local, parameter or <c>this</c>, followed by field or
/// property accesses (<c>task.Fpu.State</c>). Anything else (a call, an indexer) has no path.
/// </summary>
internal sealed class AccessPath : IEquatable<AccessPath>
{
    private AccessPath(ImmutableArray<ISymbol> parts) => Parts = parts;

    public ImmutableArray<ISymbol> Parts { get; }

    public ISymbol Root => Parts[0];

    public ISymbol Last => Parts[Parts.Length - 1];

    public static AccessPath ForSymbol(ISymbol root) => new(ImmutableArray.Create(root));

    public static AccessPath? Of(IOperation? operation)
    {
        AnalysisBounds.EnsureStack();
        operation = Strip(operation);
        switch (operation)
        {
            case ILocalReferenceOperation local:
                return new AccessPath(ImmutableArray.Create<ISymbol>(local.Local));
            case IParameterReferenceOperation parameter:
                return new AccessPath(ImmutableArray.Create<ISymbol>(parameter.Parameter));
            case IInstanceReferenceOperation instance when instance.Type is not null:
                return new AccessPath(ImmutableArray.Create<ISymbol>(instance.Type));
            case IFieldReferenceOperation { Field.IsStatic: true } field:
                return new AccessPath(ImmutableArray.Create<ISymbol>(field.Field));
            case IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol { Parameters.IsEmpty: true } } member:
                return Of(member.Instance)?.Append(member.Member);
            default:
                return null;
        }
    }

    /// <summary>Drops implicit conversions (to object for ReferenceEquals, nullable, ...).</summary>
    public static IOperation? Strip(IOperation? operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    public AccessPath Append(ISymbol member) => new(Parts.Add(member));

    public AccessPath Owner => new(Parts.RemoveAt(Parts.Length - 1));

    public bool StartsWith(AccessPath prefix)
    {
        if (prefix.Parts.Length > Parts.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Parts.Length; i++)
        {
            if (!SymbolEqualityComparer.Default.Equals(Parts[i], prefix.Parts[i]))
            {
                return false;
            }
        }

        return true;
    }

    public bool Equals(AccessPath? other) => other is not null && other.Parts.Length == Parts.Length && StartsWith(other);

    public override bool Equals(object? obj) => Equals(obj as AccessPath);

    public override int GetHashCode()
    {
        var hash = Parts.Length;
        foreach (var part in Parts)
        {
            hash = unchecked((hash * 31) + SymbolEqualityComparer.Default.GetHashCode(part));
        }

        return hash;
    }
}
