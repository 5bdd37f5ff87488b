using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
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
    /// Whether any assembly of the compilation (a referenced one or its own) declares a type with one of these
    /// names: cheap enough to decide, per compilation, to register nothing. The references' type names are read
    /// from their metadata, and this compilation's from its declarations only when no reference has them: asking
    /// for the compilation's assembly symbol binds every reference, work the compile does anyway on its own
    /// thread, and the first analyzer to ask at compilation start waited for all of it.
    /// </summary>
    public static bool AnyDeclared(Compilation compilation, params string[] attributeNames)
    {
        foreach (var reference in compilation.References)
        {
            if (MayDeclare(reference, attributeNames))
            {
                return true;
            }
        }

        return attributeNames.Any(name => compilation.ContainsSymbolsWithName(name, SymbolFilter.Type));
    }

    // True when the reference's metadata cannot be read: the compile reports that, and the rules' own checks
    // decide then.
    private static bool MayDeclare(MetadataReference reference, string[] names)
    {
        switch (reference)
        {
            case CompilationReference project:
                return names.Any(name => project.Compilation.ContainsSymbolsWithName(name, SymbolFilter.Type));
            case PortableExecutableReference file:
                try
                {
                    return file.GetMetadata() switch
                    {
                        AssemblyMetadata assembly => assembly.GetModules().Any(module => Declares(module.GetMetadataReader(), names)),
                        ModuleMetadata module => Declares(module.GetMetadataReader(), names),
                        _ => true,
                    };
                }
                catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or NotSupportedException)
                {
                    return true;
                }

            default:
                return true;
        }
    }

    private static bool Declares(MetadataReader reader, string[] names)
    {
        foreach (var handle in reader.TypeDefinitions)
        {
            var name = reader.GetTypeDefinition(handle).Name;
            foreach (var wanted in names)
            {
                if (reader.StringComparer.Equals(name, wanted))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
