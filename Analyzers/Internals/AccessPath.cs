using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// An expression the flow analysis can name: a local, parameter, <c>this</c> or a value the control-flow graph
/// captured (the result of <c>c ? a : b</c>, <c>a ?? b</c>, <c>a?.b</c>, a switch's input), followed by field or
/// property accesses (<c>task.Fpu.State</c>). Anything else (a call, an indexer) has no path. A tuple element is
/// named by its position, whatever name the tuple type gives it, so <c>t.Item1</c> and <c>t.state</c> agree.
/// </summary>
internal sealed class AccessPath : IEquatable<AccessPath>
{
    private AccessPath(CaptureId? capture, ImmutableArray<ISymbol> parts)
    {
        Capture = capture;
        Parts = parts;
    }

    /// <summary>The root when it is a captured value; then <see cref="Parts"/> holds only the members after it.</summary>
    public CaptureId? Capture { get; }

    public ImmutableArray<ISymbol> Parts { get; }

    /// <summary>The root symbol; null for a captured root.</summary>
    public ISymbol? Root => Capture is null ? Parts[0] : null;

    /// <summary>The last member, or the root symbol; null for a bare captured value.</summary>
    public ISymbol? Last => Parts.IsEmpty ? null : Parts[Parts.Length - 1];

    /// <summary>How many steps the path has, its root included.</summary>
    public int Length => Parts.Length + (Capture is null ? 0 : 1);

    /// <summary>A local, parameter or captured value alone: what a write to it replaces entirely.</summary>
    public bool IsVariable => Length == 1 && Root is not (IFieldSymbol or IPropertySymbol or ITypeSymbol);

    /// <summary>Rooted at a local, parameter or captured value (not <c>this</c> or a static member).</summary>
    public bool IsRootedAtVariable => Capture is not null || Root is ILocalSymbol or IParameterSymbol;

    public static AccessPath ForSymbol(ISymbol root) => new(null, ImmutableArray.Create(root));

    public static AccessPath ForCapture(CaptureId capture) => new(capture, ImmutableArray<ISymbol>.Empty);

    public static AccessPath? Of(IOperation? operation)
    {
        AnalysisBounds.EnsureStack();
        operation = Strip(operation);
        switch (operation)
        {
            case ILocalReferenceOperation local:
                return ForSymbol(local.Local);
            case IParameterReferenceOperation parameter:
                return ForSymbol(parameter.Parameter);
            case IFlowCaptureReferenceOperation capture:
                return ForCapture(capture.Id);
            case IInstanceReferenceOperation instance when instance.Type is not null:
                return ForSymbol(instance.Type);
            case IFieldReferenceOperation { Field.IsStatic: true } field:
                return ForSymbol(field.Field);
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

    /// <summary>The member as a path names it: a tuple element by its position in the underlying ValueTuple.</summary>
    public static ISymbol Member(ISymbol member) =>
        member is IFieldSymbol { ContainingType.IsTupleType: true } element ? (element.CorrespondingTupleField ?? element).OriginalDefinition : member;

    public AccessPath Append(ISymbol member) => new(Capture, Parts.Add(Member(member)));

    /// <summary>This path with <paramref name="prefix"/> (which it starts with) replaced by <paramref name="replacement"/>.</summary>
    public AccessPath Rebase(AccessPath prefix, AccessPath replacement) =>
        new(replacement.Capture, replacement.Parts.AddRange(Parts.RemoveRange(0, prefix.Parts.Length)));

    public AccessPath Owner => new(Capture, Parts.RemoveAt(Parts.Length - 1));

    public bool StartsWith(AccessPath prefix)
    {
        if (!Nullable.Equals(prefix.Capture, Capture) || prefix.Parts.Length > Parts.Length)
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
        var hash = Parts.Length + (Capture?.GetHashCode() ?? 0);
        foreach (var part in Parts)
        {
            hash = unchecked((hash * 31) + SymbolEqualityComparer.Default.GetHashCode(part));
        }

        return hash;
    }
}
