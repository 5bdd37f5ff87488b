using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Rules.AtomicContext;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Contracts;

/// <summary>What one method's contract attributes say.</summary>
internal sealed class MethodContract
{
    public static readonly MethodContract None = new(false, false, Array.Empty<AtomicContextKind>(), Array.Empty<AtomicContextKind>(), Array.Empty<AtomicContextKind>(), Array.Empty<AtomicContextKind>());

    /// <summary>A method with a context attribute FpuGuard cannot read (FPU0006): no contract, and no conclusions.</summary>
    public static readonly MethodContract Unreadable = new(false, false, Array.Empty<AtomicContextKind>(), Array.Empty<AtomicContextKind>(), Array.Empty<AtomicContextKind>(), Array.Empty<AtomicContextKind>(), unreadable: true);

    public MethodContract(bool maySleep, bool doesNotSleep, AtomicContextKind[] enters, AtomicContextKind[] exits, AtomicContextKind[] requires, AtomicContextKind[] asserts, bool unreadable = false)
    {
        IsUnreadable = unreadable;
        MaySleep = maySleep;
        DoesNotSleep = doesNotSleep;
        Enters = enters;
        Exits = exits;
        Requires = requires;
        Asserts = asserts;
    }

    public bool MaySleep { get; }

    public bool DoesNotSleep { get; }

    public AtomicContextKind[] Enters { get; }

    public AtomicContextKind[] Exits { get; }

    public AtomicContextKind[] Requires { get; }

    public AtomicContextKind[] Asserts { get; }

    public bool ChangesContext => Enters.Length + Exits.Length + Asserts.Length > 0;

    /// <summary>Whether a context attribute of the method cannot be read: what the method does to contexts is unknown.</summary>
    public bool IsUnreadable { get; }
}

/// <summary>
/// Reads <see cref="MethodContract"/>s. No cache: the compiler keeps each symbol's attributes, and reading
/// them again costs less than a cache shared by the analyzers' threads, whose locks they contended for (every
/// analysed method was a new entry). A method with no contract attribute allocates nothing.
/// </summary>
internal sealed class MethodContracts
{
    private static readonly AtomicContextKind[] NoKinds = Array.Empty<AtomicContextKind>();
    private static readonly AtomicContextKind[][] OneKind = ContextCounts.AllKinds.Select(k => new[] { k }).ToArray();

    /// <summary>
    /// The method's contract: its own attributes; when it has none, those of the member it overrides (nearest
    /// first), else of the interface member it implements. A call through a base or interface member reads that
    /// member's contract, since the call binds to it.
    /// </summary>
    public MethodContract Of(IMethodSymbol method)
    {
        method = method.ReducedFrom ?? method.OriginalDefinition;
        for (var overridden = method; overridden is not null; overridden = overridden.OverriddenMethod?.OriginalDefinition)
        {
            var attributes = overridden.GetAttributes();
            if (AnyContract(attributes))
            {
                return Read(attributes);
            }
        }

        return method.IsStatic || method.MethodKind is MethodKind.LocalFunction or MethodKind.AnonymousFunction ? MethodContract.None : Implemented(method);
    }

    private static MethodContract Implemented(IMethodSymbol method)
    {
        foreach (var member in method.ExplicitInterfaceImplementations)
        {
            if (AnyContract(member.GetAttributes()))
            {
                return Read(member.OriginalDefinition.GetAttributes());
            }
        }

        if (method.DeclaredAccessibility != Accessibility.Public || method.ContainingType is not { } type)
        {
            return MethodContract.None;
        }

        foreach (var @interface in type.AllInterfaces)
        {
            foreach (var member in @interface.GetMembers(method.Name))
            {
                if (member is IMethodSymbol candidate && AnyContract(candidate.GetAttributes())
                    && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member)?.OriginalDefinition, method))
                {
                    return Read(candidate.GetAttributes());
                }
            }
        }

        return MethodContract.None;
    }

    private static MethodContract Read(ImmutableArray<AttributeData> attributes)
    {

        bool maySleep = false, doesNotSleep = false;
        AtomicContextKind[]? enters = NoKinds, exits = NoKinds, requires = NoKinds, asserts = NoKinds;
        foreach (var attribute in attributes)
        {
            switch (attribute.AttributeClass?.Name)
            {
                case ContractAttributes.MaySleep: maySleep = true; break;
                case ContractAttributes.DoesNotSleep: doesNotSleep = true; break;
                case ContractAttributes.EntersAtomicContext: enters = With(enters, attribute); break;
                case ContractAttributes.ExitsAtomicContext: exits = With(exits, attribute); break;
                case ContractAttributes.RequiresAtomicContext: requires = With(requires, attribute); break;
                case ContractAttributes.AssertsAtomicContext: asserts = With(asserts, attribute); break;
            }

            if (enters is null || exits is null || requires is null || asserts is null)
            {
                return MethodContract.Unreadable;
            }
        }

        return new MethodContract(maySleep, doesNotSleep, enters, exits, requires, asserts);
    }

    // A loop, not LINQ: Any over an ImmutableArray boxes it, once per call analysed.
    private static bool AnyContract(ImmutableArray<AttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            if (IsContract(attribute.AttributeClass?.Name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsContract(string? attributeName) => attributeName is ContractAttributes.MaySleep or ContractAttributes.DoesNotSleep
        or ContractAttributes.EntersAtomicContext or ContractAttributes.ExitsAtomicContext or ContractAttributes.RequiresAtomicContext
        or ContractAttributes.AssertsAtomicContext;

    // Null when the attribute cannot be read (FPU0006): a kind of another type, out of range, or none.
    private static AtomicContextKind[]? With(AtomicContextKind[] kinds, AttributeData attribute)
    {
        if (ContractShapes.KindOf(attribute) is not { } kind)
        {
            return null;
        }

        if (kinds.Length == 0)
        {
            return OneKind[(int)kind]; // The usual case, shared: the arrays are only read.
        }

        var with = new AtomicContextKind[kinds.Length + 1];
        kinds.CopyTo(with, 0);
        with[kinds.Length] = kind;
        return with;
    }

    /// <summary>
    /// The method a call runs, for its contract: Dispose called through IDisposable (a using scope's lowering, or a
    /// scope kept in a local or field typed IDisposable) runs the implementation of the receiver's type, which carries
    /// the contract (a scope's [ExitsAtomicContext]). <paramref name="receiverType"/> is the type of the value the
    /// receiver holds, as far as the caller has followed it.
    /// </summary>
    public static IMethodSymbol Called(IMethodSymbol method, ITypeSymbol? receiverType) =>
        method.Name == "Dispose" && method.ContainingType.SpecialType == SpecialType.System_IDisposable
            && receiverType is INamedTypeSymbol { TypeKind: not TypeKind.Interface } named
            && named.FindImplementationForInterfaceMember(method) is IMethodSymbol implementation
            ? implementation
            : method;

    /// <summary>The user's words for a context kind.</summary>
    public static string Describe(AtomicContextKind kind) => kind switch
    {
        AtomicContextKind.FpuRegisterLock => "the FPU registers are locked",
        AtomicContextKind.PreemptionDisabled => "preemption is disabled",
        _ => "interrupts are disabled",
    };

    public static string KindName(AtomicContextKind kind) => kind.ToString();
}
