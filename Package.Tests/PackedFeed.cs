using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace FpuGuard.Package.Tests;

/// <summary>
/// Packs FpuGuard.Analyzers and FpuGuard.Runtime once into a throw-away folder feed, and makes fresh
/// consumer projects outside the repository that reference FpuGuard.Runtime from it — as a user does.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(4);

    public PackedFeed()
    {
        Root = Path.Combine(Path.GetTempPath(), "fpuguard-package-" + Guid.NewGuid().ToString("N"));
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        var repository = Dotnet.RepositoryRoot();
        Version = XDocument.Load(Path.Combine(repository, "Directory.Build.props")).Descendants("Version").Single().Value;
        foreach (var project in new[] { "Analyzers.Package/Analyzers.Package.csproj", "Runtime/Runtime.csproj" })
        {
            var (exit, output) = Dotnet.Run(repository, Slow, "pack", project, "-c", "Release", "-o", Feed, "-p:ContinuousIntegrationBuild=true");
            if (exit != 0)
            {
                throw new InvalidOperationException($"dotnet pack {project} failed:\n{output}");
            }
        }
    }

    public string Root { get; }

    public string Feed { get; }

    public string Version { get; }

    /// <summary>A new consumer project with the sample's sources, referencing FpuGuard.Runtime from the feed.</summary>
    public string NewConsumer(string name)
    {
        var directory = NewProject(name, "FpuGuard.Runtime", "");
        foreach (var source in Directory.GetFiles(Path.Combine(Dotnet.RepositoryRoot(), "samples", "AmxDriver"), "*.cs"))
        {
            File.Copy(source, Path.Combine(directory, Path.GetFileName(source)));
        }

        return directory;
    }

    /// <summary>A new project with no sources yet, referencing <paramref name="package"/> from the feed, with extra properties.</summary>
    public string NewProject(string name, string package, string properties)
    {
        var directory = Path.Combine(Root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <RootNamespace>AmxDriver</RootNamespace>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{package}" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(directory, ".packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />");
        return directory;
    }

    public static (int ExitCode, string Output) Build(string directory, params string[] extra) =>
        Dotnet.Run(directory, Slow, new[] { "build", "--no-incremental", "-nologo" }.Concat(extra).ToArray());

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file; the folder is in the temp directory.
        }
    }
}
