using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Contracts;

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
    /// names (each one of <see cref="All"/>): cheap enough to decide, per compilation, to register nothing. The
    /// references' type names are read from their metadata, once per reference for every analyzer and compilation
    /// that use it, and this compilation's from its declarations only when no reference has them: asking for the
    /// compilation's assembly symbol binds every reference, work the compile does anyway on its own thread, and
    /// the first analyzer to ask at compilation start waited for all of it.
    /// </summary>
    public static bool AnyDeclared(Compilation compilation, params string[] attributeNames)
    {
        var wanted = MaskOf(attributeNames);
        foreach (var reference in compilation.References)
        {
            if ((DeclaredBy(reference) & wanted) != 0)
            {
                return true;
            }
        }

        return attributeNames.Any(name => compilation.ContainsSymbolsWithName(name, SymbolFilter.Type));
    }

    /// <summary>Whether the reference declares a type with one of these names (every one when its metadata cannot be read).</summary>
    public static bool DeclaredBy(MetadataReference reference, params string[] attributeNames) => (DeclaredBy(reference) & MaskOf(attributeNames)) != 0;

    // A reference's metadata is shared by the compilations that use it (an IDE's, a build's projects).
    private static readonly ConditionalWeakTable<MetadataId, StrongBox<int>> DeclaredByMetadata = new();

    private const int Unreadable = -1;

    private static int MaskOf(string[] names)
    {
        var mask = 0;
        foreach (var name in names)
        {
            var index = Array.IndexOf(All, name);
            if (index < 0)
            {
                throw new ArgumentException($"'{name}' is not a contract attribute's name", nameof(names));
            }

            mask |= 1 << index;
        }

        return mask;
    }

    // Which contract names the reference declares as types, a bit each (by their index in All). Every bit when
    // its metadata cannot be read: the compile reports that, and the rules' own checks decide then.
    private static int DeclaredBy(MetadataReference reference)
    {
        switch (reference)
        {
            case CompilationReference project:
                return MaskOf(All.Where(name => project.Compilation.ContainsSymbolsWithName(name, SymbolFilter.Type)).ToArray());
            case PortableExecutableReference file:
                try
                {
                    return DeclaredByMetadata.GetValue(file.GetMetadataId(), _ => new StrongBox<int>(Declared(file))).Value;
                }
                catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or NotSupportedException)
                {
                    return Unreadable;
                }

            default:
                return Unreadable;
        }
    }

    private static int Declared(PortableExecutableReference file) => file.GetMetadata() switch
    {
        AssemblyMetadata assembly => assembly.GetModules().Aggregate(0, (mask, module) => mask | Declared(module.GetMetadataReader())),
        ModuleMetadata module => Declared(module.GetMetadataReader()),
        _ => Unreadable,
    };

    /// <summary>Which contract names the module declares as types, a bit each (by their index in <see cref="All"/>).</summary>
    internal static int Declared(MetadataReader reader)
    {
        var mask = 0;
        foreach (var handle in reader.TypeDefinitions)
        {
            var name = reader.GetTypeDefinition(handle).Name;
            for (var i = 0; i < All.Length; i++)
            {
                if (reader.StringComparer.Equals(name, All[i]))
                {
                    mask |= 1 << i;
                }
            }
        }

        return mask;
    }
}
