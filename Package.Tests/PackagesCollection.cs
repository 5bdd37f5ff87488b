namespace FpuGuard.Package.Tests;

/// <summary>Tests that share one packed feed (packing takes a while; one is enough per run).</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "packages";
}
