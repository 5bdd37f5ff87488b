using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>A set of analyzers a user runs together, and the diagnostic options it is run with.</summary>
public sealed record AnalyzerSet(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers, ImmutableDictionary<string, ReportDiagnostic> Options)
{
    /// <summary>The analyzer assemblies, for a command-line build (<c>csc /analyzer:</c>); empty when the set has none on disk.</summary>
    public ImmutableArray<string> Paths { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>Whether only the diagnostics in <see cref="Options"/> are on (a build turns every other one off).</summary>
    public bool OnlyItsOptions { get; init; }

    public override string ToString() => Name;
}

/// <summary>
/// FpuGuard and the peers a user of this kind of rule already runs, loaded from their NuGet package folders
/// the way the compiler loads analyzers: every <c>[DiagnosticAnalyzer]</c> type for C# in the package's DLLs.
/// </summary>
public static class AnalyzerSets
{
    public const string FpuGuard = "FpuGuard";
    public const string VsThreading = "VS Threading 18.12.1";
    public const string IDisposable = "IDisposableAnalyzers 4.0.8";
    public const string NetAnalyzers = "NetAnalyzers 11.0.100 + CA2000";
    public const string Ca2000Alone = "CA2000 alone";

    private static readonly PackageLoader Loader = new();

    /// <summary>Every set, FpuGuard first. Throws naming the folder when a peer package was not restored.</summary>
    public static IReadOnlyList<AnalyzerSet> All()
    {
        var ca2000 = ImmutableDictionary<string, ReportDiagnostic>.Empty.Add("CA2000", ReportDiagnostic.Warn);
        var (net, netPaths) = Load("microsoft.codeanalysis.netanalyzers", "11.0.100", "analyzers/dotnet/cs");
        var (threading, threadingPaths) = Load("microsoft.visualstudio.threading.analyzers", "18.12.1", "analyzers/cs");
        var (disposable, disposablePaths) = Load("idisposableanalyzers", "4.0.8", "analyzers/dotnet/cs");
        return new[]
        {
            FpuGuardSet(),
            new AnalyzerSet(VsThreading, threading, ImmutableDictionary<string, ReportDiagnostic>.Empty) { Paths = threadingPaths },
            new AnalyzerSet(IDisposable, disposable, ImmutableDictionary<string, ReportDiagnostic>.Empty) { Paths = disposablePaths },
            new AnalyzerSet(NetAnalyzers, net, ca2000) { Paths = netPaths },
            new AnalyzerSet(Ca2000Alone, net.Where(a => a.SupportedDiagnostics.Any(d => d.Id == "CA2000")).ToImmutableArray(), ca2000) { Paths = netPaths, OnlyItsOptions = true },
        };
    }

    /// <summary>FpuGuard's analyzers, from the assembly this benchmark was built with.</summary>
    public static AnalyzerSet FpuGuardSet()
    {
        var assembly = typeof(FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer).Assembly;
        return new AnalyzerSet(FpuGuard, AnalyzersIn(assembly), ImmutableDictionary<string, ReportDiagnostic>.Empty) { Paths = ImmutableArray.Create(assembly.Location) };
    }

    /// <summary>
    /// Another build of FpuGuard's analyzers, from the folder of its FpuGuard.Analyzers.dll, in a load context of its
    /// own (this build's assembly has the same name); Roslyn comes from the default context, as in a compiler.
    /// </summary>
    public static AnalyzerSet FpuGuardFrom(string directory)
    {
        var path = Path.Combine(Path.GetFullPath(directory), "FpuGuard.Analyzers.dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no FpuGuard.Analyzers.dll in {directory} (build it, e.g. `dotnet build Analyzers -c Release` in a worktree of the commit to compare with)", path);
        }

        var assembly = new AssemblyLoadContext($"FpuGuard from {path}").LoadFromAssemblyPath(path);
        return new AnalyzerSet($"FpuGuard ({directory})", AnalyzersIn(assembly), ImmutableDictionary<string, ReportDiagnostic>.Empty) { Paths = ImmutableArray.Create(path) };
    }

    private static ImmutableArray<DiagnosticAnalyzer> AnalyzersIn(Assembly assembly) => assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes<DiagnosticAnalyzerAttribute>().Any())
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    private static (ImmutableArray<DiagnosticAnalyzer> Analyzers, ImmutableArray<string> Paths) Load(string package, string version, string folder)
    {
        var directory = Path.Combine(PackageRoot(), package, version, folder);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"peer analyzer package {package} {version} is not restored: {directory} does not exist (run `dotnet restore bench/Analyzer.Benchmarks`)");
        }

        // Code-fix assemblies hold no analyzers and need Workspaces, which a compiler host does not load.
        var paths = Directory.GetFiles(directory, "*.dll").Where(p => !p.EndsWith(".CodeFixes.dll", StringComparison.Ordinal)).OrderBy(p => p, StringComparer.Ordinal).ToArray();
        Loader.AddDirectory(directory);
        var analyzers = paths
            .SelectMany(p => new AnalyzerFileReference(p, Loader).GetAnalyzers(LanguageNames.CSharp))
            .ToImmutableArray();
        if (analyzers.IsEmpty)
        {
            throw new InvalidOperationException($"no C# analyzer found in {directory}");
        }

        return (analyzers, paths.ToImmutableArray());
    }

    // The folder restore downloaded the packages into (recorded at build time), else NuGet's default.
    private static string PackageRoot() =>
        typeof(AnalyzerSets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value is { Length: > 0 } root
            ? root
            : Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Loads analyzer DLLs into the default context and resolves their dependencies from the same folders.</summary>
    private sealed class PackageLoader : IAnalyzerAssemblyLoader
    {
        private readonly List<string> _directories = new();

        public PackageLoader() => AssemblyLoadContext.Default.Resolving += Resolve;

        public void AddDirectory(string directory)
        {
            lock (_directories)
            {
                _directories.Add(directory);
            }
        }

        public void AddDependencyLocation(string fullPath) => AddDirectory(Path.GetDirectoryName(fullPath)!);

        public Assembly LoadFromPath(string fullPath)
        {
            var name = AssemblyName.GetAssemblyName(fullPath);
            return AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name) && a.GetName().Version == name.Version)
                ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
        }

        private Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
        {
            string[] directories;
            lock (_directories)
            {
                directories = _directories.ToArray();
            }

            var path = directories.Select(d => Path.Combine(d, name.Name + ".dll")).FirstOrDefault(File.Exists);
            return path is null ? null : context.LoadFromAssemblyPath(path);
        }
    }
}
