using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using FpuGuard.Analyzers.Rules.AtomicContext;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Contracts;

/// <summary>
/// Whether FpuGuard can read a contract declaration (FPU0006): the four context attributes must take the kind as
/// their only constructor argument, an <c>int</c> enum named <c>AtomicContextKind</c> whose members have the
/// Runtime's values. A copy of another shape is not read at all (no conclusions drawn from it), and reported.
/// </summary>
internal static class ContractShapes
{
    public const string KindEnum = "AtomicContextKind";

    /// <summary>The attributes that take a context kind.</summary>
    public static readonly string[] KindAttributes =
    {
        ContractAttributes.EntersAtomicContext, ContractAttributes.ExitsAtomicContext,
        ContractAttributes.RequiresAtomicContext, ContractAttributes.AssertsAtomicContext,
    };

    private static readonly (string Name, int Value)[] Kinds = { ("FpuRegisterLock", 0), ("PreemptionDisabled", 1), ("InterruptsDisabled", 2) };

    public static bool IsKindAttribute(string? name) => name is ContractAttributes.EntersAtomicContext or ContractAttributes.ExitsAtomicContext
        or ContractAttributes.RequiresAtomicContext or ContractAttributes.AssertsAtomicContext;

    // Each application of a context attribute is checked against its enum: the answer per enum is kept.
    private static readonly ConditionalWeakTable<INamedTypeSymbol, StrongBox<string?>> EnumProblems = new();

    /// <summary>What makes an AtomicContextKind enum unreadable; null when it reads as the Runtime's.</summary>
    public static string? EnumProblem(INamedTypeSymbol type) => EnumProblems.GetValue(type, t => new StrongBox<string?>(ReadEnum(t))).Value;

    private static string? ReadEnum(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Enum)
        {
            return $"it is a {type.TypeKind.ToString().ToLowerInvariant()}, not an enum";
        }

        if (type.EnumUnderlyingType?.SpecialType != SpecialType.System_Int32)
        {
            return $"its underlying type is '{type.EnumUnderlyingType?.ToDisplayString()}', not 'int'";
        }

        foreach (var (name, value) in Kinds)
        {
            var member = type.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault();
            if (member is null)
            {
                return $"it has no member '{name}' (= {value})";
            }

            if (!member.HasConstantValue || member.ConstantValue is not int actual || actual != value)
            {
                return $"'{name}' is {member.ConstantValue ?? "not a constant"}, not {value}";
            }
        }

        return null;
    }

    /// <summary>What makes a context attribute's declaration unreadable; null when every constructor takes just the kind.</summary>
    public static string? AttributeProblem(INamedTypeSymbol type, bool includeEnumProblem = true)
    {
        var constructors = type.InstanceConstructors.Where(c => c.DeclaredAccessibility != Accessibility.Private).ToList();
        foreach (var constructor in constructors)
        {
            if (constructor.Parameters.Length != 1)
            {
                return constructor.Parameters.IsEmpty
                    ? "a constructor takes no context kind"
                    : $"a constructor takes {constructor.Parameters.Length} arguments, not just the context kind";
            }

            var parameterType = constructor.Parameters[0].Type;
            if (parameterType.Name != KindEnum || parameterType is not INamedTypeSymbol kindType)
            {
                return $"its constructor takes '{parameterType.ToDisplayString()}', not {KindEnum}";
            }

            if (includeEnumProblem && EnumProblem(kindType) is { } problem)
            {
                return $"the {KindEnum} its constructor takes is unreadable: {problem}";
            }
        }

        return constructors.Count == 0 ? "it has no constructor taking the context kind" : null;
    }

    /// <summary>The kind an application of a context attribute names; null when it cannot be read.</summary>
    public static AtomicContextKind? KindOf(AttributeData attribute)
    {
        if (attribute.AttributeConstructor is not { Parameters.Length: 1 } constructor
            || constructor.Parameters[0].Type is not INamedTypeSymbol { Name: KindEnum } kindType
            || attribute.ConstructorArguments.Length != 1
            || attribute.ConstructorArguments[0] is not { Kind: TypedConstantKind.Enum, Value: int kind }
            || kind is < 0 or >= ContextCounts.Kinds
            || EnumProblem(kindType) is not null)
        {
            return null;
        }

        return (AtomicContextKind)kind;
    }

    /// <summary>What makes an application unreadable, in the user's words: its class, or its value.</summary>
    public static string UseProblem(AttributeData attribute)
    {
        if (attribute.AttributeClass is { } type && AttributeProblem(type) is { } problem)
        {
            return problem;
        }

        return attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is { } value
            ? $"the kind {value} is none of FpuRegisterLock (0), PreemptionDisabled (1), InterruptsDisabled (2)"
            : "it names no context kind";
    }

    /// <summary>The contract types a referenced assembly declares with these names (found by walking its namespaces).</summary>
    public static IEnumerable<INamedTypeSymbol> TypesNamed(INamespaceSymbol root, ICollection<string> names)
    {
        var pending = new Stack<INamespaceSymbol>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var space = pending.Pop();
            foreach (var name in names)
            {
                foreach (var type in space.GetTypeMembers(name))
                {
                    yield return type;
                }
            }

            foreach (var inner in space.GetNamespaceMembers())
            {
                pending.Push(inner);
            }
        }
    }
}
