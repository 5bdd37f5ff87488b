using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace FpuGuard.Analyzers.Tests.Helpers;

internal static class TestReferences
{
    /// <summary>The Runtime targets net8.0, so tests compile against net8.0 reference assemblies.</summary>
    public static ReferenceAssemblies Net80 => ReferenceAssemblies.Net.Net80;

    /// <summary>FpuGuard.Runtime, as a user's project references it.</summary>
    public static MetadataReference Runtime { get; } = MetadataReference.CreateFromFile(typeof(FpuGuard.Runtime.Kernel).Assembly.Location);

    /// <summary>The test host's own framework assemblies: for compilations a test builds itself.</summary>
    public static IEnumerable<MetadataReference> HostFramework() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));

    /// <summary>The shared framework's assemblies alone (the host's list also holds the tests' own, FpuGuard.Runtime among them).</summary>
    public static IEnumerable<MetadataReference> SharedFramework()
    {
        var directory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return HostFramework().OfType<PortableExecutableReference>()
            .Where(r => string.Equals(Path.GetDirectoryName(r.FilePath), directory, StringComparison.Ordinal));
    }

    /// <summary>The test host's framework assemblies and FpuGuard.Runtime.</summary>
    public static IEnumerable<MetadataReference> HostFrameworkAndRuntime() => HostFramework().Append(Runtime);
}
