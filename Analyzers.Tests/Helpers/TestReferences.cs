using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace FpuGuard.Analyzers.Tests.Helpers;

internal static class TestReferences
{
    /// <summary>The Runtime targets net8.0, so tests compile against net8.0 reference assemblies.</summary>
    public static ReferenceAssemblies Net80 => ReferenceAssemblies.Net.Net80;

    /// <summary>FpuGuard.Runtime, as a user's project references it.</summary>
    public static MetadataReference Runtime { get; } = MetadataReference.CreateFromFile(typeof(FpuGuard.Runtime.Kernel).Assembly.Location);
}
