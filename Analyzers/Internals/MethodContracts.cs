using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Internals;

/// <summary>What one method's contract attributes say, read once per method per compilation.</summary>
internal sealed class MethodContract
{
    public static readonly MethodContract None = new(false, false, new int[0], new int[0], new int[0], new int[0]);

    public MethodContract(bool maySleep, bool doesNotSleep, int[] enters, int[] exits, int[] requires, int[] asserts)
    {
        MaySleep = maySleep;
        DoesNotSleep = doesNotSleep;
        Enters = enters;
        Exits = exits;
        Requires = requires;
        Asserts = asserts;
    }

    public bool MaySleep { get; }

    public bool DoesNotSleep { get; }

    public int[] Enters { get; }

    public int[] Exits { get; }

    public int[] Requires { get; }

    public int[] Asserts { get; }

    public bool ChangesContext => Enters.Length + Exits.Length + Asserts.Length > 0;
}

/// <summary>Per-compilation cache of <see cref="MethodContract"/>s.</summary>
internal sealed class MethodContracts
{
    private readonly ConcurrentDictionary<IMethodSymbol, MethodContract> _cache = new(SymbolEqualityComparer.Default);

    public MethodContract Of(IMethodSymbol method) => _cache.GetOrAdd(method.ReducedFrom ?? method.OriginalDefinition, Read);

    private static MethodContract Read(IMethodSymbol method)
    {
        var attributes = method.GetAttributes();
        if (attributes.IsEmpty)
        {
            return MethodContract.None;
        }

        bool maySleep = false, doesNotSleep = false;
        List<int> enters = new(), exits = new(), requires = new(), asserts = new();
        foreach (var attribute in attributes)
        {
            switch (attribute.AttributeClass?.Name)
            {
                case ContractAttributes.MaySleep: maySleep = true; break;
                case ContractAttributes.DoesNotSleep: doesNotSleep = true; break;
                case ContractAttributes.EntersAtomicContext: Add(enters, attribute); break;
                case ContractAttributes.ExitsAtomicContext: Add(exits, attribute); break;
                case ContractAttributes.RequiresAtomicContext: Add(requires, attribute); break;
                case ContractAttributes.AssertsAtomicContext: Add(asserts, attribute); break;
            }
        }

        return new MethodContract(maySleep, doesNotSleep, enters.ToArray(), exits.ToArray(), requires.ToArray(), asserts.ToArray());
    }

    private static void Add(List<int> kinds, AttributeData attribute)
    {
        if (attribute.ConstructorArguments.FirstOrDefault() is { Value: int kind } && kind is >= 0 and < ContextCounts.Kinds)
        {
            kinds.Add(kind);
        }
    }

    /// <summary>The user's words for a context kind.</summary>
    public static string Describe(int kind) => kind switch
    {
        0 => "the FPU registers are locked",
        1 => "preemption is disabled",
        _ => "interrupts are disabled",
    };

    public static string KindName(int kind) => kind switch
    {
        0 => "FpuRegisterLock",
        1 => "PreemptionDisabled",
        _ => "InterruptsDisabled",
    };
}
