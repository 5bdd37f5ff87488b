using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Runtime.CompilerServices;
using FpuGuard.Analyzers.Contracts;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Performance;

/// <summary>
/// Names of members that referenced assemblies declare with a contract attribute, read from their metadata's
/// custom-attribute table: no symbol is made, so reading them does not bind the compilation's references (the
/// compile does that on its own thread, and an analyzer that asked first waited for all of it). A project
/// reference has no metadata: its symbols are read. Every member counts, whatever its accessibility: the names
/// are only candidates.
/// </summary>
internal static class ReferencedContractNames
{
    // A reference's metadata is shared by the compilations that use it: read each once.
    private static readonly ConditionalWeakTable<MetadataId, Dictionary<string, ContractRole>> ByMetadata = new();
    private static readonly ConditionalWeakTable<IAssemblySymbol, Dictionary<string, ContractRole>> ByAssembly = new();

    public static void Add(Compilation compilation, Dictionary<string, ContractRole> roles)
    {
        foreach (var reference in compilation.References)
        {
            foreach (var pair in Read(compilation, reference))
            {
                ContractIndex.Add(roles, pair.Key, pair.Value);
            }
        }
    }

    private static Dictionary<string, ContractRole> Read(Compilation compilation, MetadataReference reference)
    {
        switch (reference)
        {
            case PortableExecutableReference file:
                try
                {
                    return ByMetadata.GetValue(file.GetMetadataId(), _ => ReadMetadata(file));
                }
                catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or NotSupportedException)
                {
                    return new Dictionary<string, ContractRole>(); // The compile reports it; nothing of it can be called.
                }

            default:
                return compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol assembly
                    ? ByAssembly.GetValue(assembly, ReadSymbols)
                    : new Dictionary<string, ContractRole>();
        }
    }

    private static Dictionary<string, ContractRole> ReadMetadata(PortableExecutableReference file)
    {
        var roles = new Dictionary<string, ContractRole>(StringComparer.Ordinal);
        var modules = file.GetMetadata() switch
        {
            AssemblyMetadata assembly => assembly.GetModules().AsEnumerable(),
            ModuleMetadata module => new[] { module },
            _ => Enumerable.Empty<ModuleMetadata>(),
        };
        foreach (var module in modules)
        {
            var reader = module.GetMetadataReader();
            if (NamesAContractType(reader))
            {
                AddAttributedMembers(reader, roles);
            }
        }

        return roles;
    }

    // Only a module that declares a contract attribute, or refers to one, can apply it.
    private static bool NamesAContractType(MetadataReader reader) =>
        ContractAttributes.Declared(reader) != 0
        || reader.TypeReferences.Any(h => IsContractName(reader, reader.GetTypeReference(h).Name));

    private static bool IsContractName(MetadataReader reader, StringHandle name)
    {
        foreach (var contract in ContractAttributes.All)
        {
            if (reader.StringComparer.Equals(name, contract))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddAttributedMembers(MetadataReader reader, Dictionary<string, ContractRole> roles)
    {
        foreach (var handle in reader.CustomAttributes)
        {
            var attribute = reader.GetCustomAttribute(handle);
            var role = ContractIndex.RoleOf(AttributeTypeName(reader, attribute.Constructor));
            if (role != ContractRole.None && MemberName(reader, attribute.Parent) is { } name)
            {
                ContractIndex.Add(roles, name, role);
            }
        }
    }

    private static string? AttributeTypeName(MetadataReader reader, EntityHandle constructor)
    {
        switch (constructor.Kind)
        {
            case HandleKind.MethodDefinition:
                var declaring = reader.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType();
                return reader.GetString(reader.GetTypeDefinition(declaring).Name);
            case HandleKind.MemberReference:
                var parent = reader.GetMemberReference((MemberReferenceHandle)constructor).Parent;
                return parent.Kind switch
                {
                    HandleKind.TypeReference => reader.GetString(reader.GetTypeReference((TypeReferenceHandle)parent).Name),
                    HandleKind.TypeDefinition => reader.GetString(reader.GetTypeDefinition((TypeDefinitionHandle)parent).Name),
                    _ => null,
                };
            default:
                return null;
        }
    }

    // The members a contract attribute can stand on; types, parameters and the assembly are not indexed.
    private static string? MemberName(MetadataReader reader, EntityHandle parent) => parent.Kind switch
    {
        HandleKind.MethodDefinition => reader.GetString(reader.GetMethodDefinition((MethodDefinitionHandle)parent).Name),
        HandleKind.FieldDefinition => reader.GetString(reader.GetFieldDefinition((FieldDefinitionHandle)parent).Name),
        HandleKind.PropertyDefinition => reader.GetString(reader.GetPropertyDefinition((PropertyDefinitionHandle)parent).Name),
        HandleKind.EventDefinition => reader.GetString(reader.GetEventDefinition((EventDefinitionHandle)parent).Name),
        _ => null,
    };

    private static Dictionary<string, ContractRole> ReadSymbols(IAssemblySymbol assembly)
    {
        var roles = new Dictionary<string, ContractRole>(StringComparer.Ordinal);
        if (ContractAttributes.All.Any(assembly.TypeNames.Contains)
            || assembly.Modules.Any(m => m.ReferencedAssemblySymbols.Any(r => ContractAttributes.All.Any(r.TypeNames.Contains))))
        {
            AddMembers(assembly.GlobalNamespace, roles);
        }

        return roles;
    }

    private static void AddMembers(INamespaceOrTypeSymbol container, Dictionary<string, ContractRole> roles)
    {
        foreach (var member in container.GetMembers())
        {
            if (member is INamespaceOrTypeSymbol nested)
            {
                AddMembers(nested, roles);
                continue;
            }

            var role = ContractRole.None;
            foreach (var attribute in member.GetAttributes())
            {
                role |= ContractIndex.RoleOf(attribute.AttributeClass?.Name);
            }

            if (role != ContractRole.None)
            {
                ContractIndex.Add(roles, member.Name, role);
            }
        }
    }
}
