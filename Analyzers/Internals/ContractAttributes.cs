using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// The contract vocabulary, recognised by simple type name in any namespace (as the compiler recognises the
/// nullable attributes), so code that cannot reference FpuGuard.Runtime can declare its own copies.
/// </summary>
internal static class ContractAttributes
{
    public const string MaySleep = "MaySleepAttribute";
    public const string EntersAtomicContext = "EntersAtomicContextAttribute";
    public const string ExitsAtomicContext = "ExitsAtomicContextAttribute";
    public const string RequiresAtomicContext = "RequiresAtomicContextAttribute";
    public const string FpuStateField = "FpuStateFieldAttribute";
    public const string FpuStateSwapHelper = "FpuStateSwapHelperAttribute";
    public const string DefaultFpuState = "DefaultFpuStateAttribute";
    public const string FreesMemory = "FreesMemoryAttribute";
    public const string DoesNotSleep = "DoesNotSleepAttribute";
    public const string AssertsAtomicContext = "AssertsAtomicContextAttribute";

    /// <summary>Every name above.</summary>
    public static readonly string[] All =
    {
        MaySleep, EntersAtomicContext, ExitsAtomicContext, RequiresAtomicContext, FpuStateField,
        FpuStateSwapHelper, DefaultFpuState, FreesMemory, DoesNotSleep, AssertsAtomicContext,
    };

    /// <summary>The names an attribute list can write for them: with and without the Attribute suffix.</summary>
    public static IEnumerable<string> WrittenNames => All.SelectMany(n => new[] { n, n.Substring(0, n.Length - "Attribute".Length) });

    /// <summary>Whether an attribute written with this name (suffix or not) is one of them.</summary>
    public static bool IsContractAttributeName(string name) => WrittenNames.Contains(name);

    /// <summary>Whether the symbol carries the attribute.</summary>
    public static bool Has(ISymbol symbol, string attributeName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.Name == attributeName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether any assembly of the compilation (its own or a referenced one) declares a type with one of these
    /// names. Reads only the assemblies' type-name sets: cheap enough to decide, per compilation, to register nothing.
    /// </summary>
    public static bool AnyDeclared(Compilation compilation, params string[] attributeNames)
    {
        if (Declares(compilation.Assembly, attributeNames))
        {
            return true;
        }

        foreach (var reference in compilation.References)
        {
            if (compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol assembly && Declares(assembly, attributeNames))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Declares(IAssemblySymbol assembly, IEnumerable<string> names)
    {
        var typeNames = assembly.TypeNames;
        return names.Any(typeNames.Contains);
    }
}
