using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FpuGuard.Package.Tests;

/// <summary>The packages as a user meets them: installed from a feed into a fresh project, built, fixed, logged.</summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageConsumptionTests
{
    private static readonly string[] Rules = { "FPU0001", "FPU0002", "FPU0003", "FPU0004" };
    private readonly PackedFeed _feed;

    public PackageConsumptionTests(PackedFeed feed) => _feed = feed;

    private static string[] Warnings(string output, string id) =>
        output.Split('\n').Where(l => l.Contains($"warning {id}:")).Select(l => l.Trim()).Distinct().ToArray();

    [Fact]
    public void The_analyzer_package_holds_only_the_analyzers()
    {
        using var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(_feed.Feed, $"FpuGuard.Analyzers.{_feed.Version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("analyzers/dotnet/cs/FpuGuard.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/FpuGuard.Analyzers.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("build/FpuGuard.Analyzers.props", entries); // makes <FpuGuardContracts> visible to the generator
        Assert.Contains("buildTransitive/FpuGuard.Analyzers.props", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
        using var nuspec = new StreamReader(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var text = nuspec.ReadToEnd();
        Assert.Contains("<developmentDependency>true</developmentDependency>", text);
        Assert.DoesNotContain("<dependency ", text);
    }

    [Fact]
    public void Building_a_consumer_of_the_runtime_package_shows_every_rule_with_its_help_link()
    {
        var (exit, output) = PackedFeed.Build(_feed.NewConsumer("Shows"));
        Assert.True(exit == 0, output);
        foreach (var id in Rules)
        {
            var warnings = Warnings(output, id);
            Assert.True(warnings.Length > 0, $"{id} missing:\n{output}");
            Assert.All(warnings, w => Assert.Contains($"docs/rules/{id}.md", w));
        }

        Assert.Equal(2, Warnings(output, "FPU0001").Length); // the lock and the #NM handler, nothing from the correct code
        Assert.Contains(Warnings(output, "FPU0001"), w => w.Contains("HandleXfdEventAsPosted → EnableFeature → Realloc → Vzalloc"));
    }

    [Fact]
    public void A_project_without_the_runtime_gets_the_contracts_embedded_and_the_warnings()
    {
        var directory = _feed.NewProject("Embedded", "FpuGuard.Analyzers", "<FpuGuardContracts>embed</FpuGuardContracts>");
        File.WriteAllText(Path.Combine(directory, "Machine.cs"), """
            using FpuGuard.Contracts.Embedded;

            namespace Emulator;

            sealed class Machine
            {
                [EntersAtomicContext(AtomicContextKind.FpuRegisterLock)] public void Lock() { }
                [ExitsAtomicContext(AtomicContextKind.FpuRegisterLock)] public void Unlock() { }
                [MaySleep] public byte[] Allocate(int size) => new byte[size];

                public byte[] Grow()
                {
                    Lock();
                    var buffer = Allocate(4096);
                    Unlock();
                    return buffer;
                }

                public void LeaveLocked() => Lock();

                static void Main() => new Machine().Grow();
            }
            """);
        var (exit, output) = PackedFeed.Build(directory);
        Assert.True(exit == 0, output); // the copies are there: no CS0246
        Assert.Contains(Warnings(output, "FPU0001"), w => w.Contains("'Allocate' may sleep"));
        Assert.Single(Warnings(output, "FPU0004"));
        Assert.Empty(Warnings(output, "FPU0006"));
        Assert.DoesNotContain("CS0436", output);
    }

    [Fact]
    public void Treat_warnings_as_errors_fails_the_build_on_them()
    {
        var (exit, output) = PackedFeed.Build(_feed.NewConsumer("Strict"), "-p:TreatWarningsAsErrors=true");
        Assert.NotEqual(0, exit);
        Assert.Contains("error FPU0002", output);
    }

    [Fact]
    public void Editorconfig_severity_and_pragma_suppression_take_effect()
    {
        var directory = _feed.NewConsumer("Configured");
        File.WriteAllText(Path.Combine(directory, ".editorconfig"), "root = true\n\n[*.cs]\ndotnet_diagnostic.FPU0002.severity = none\ndotnet_diagnostic.FPU0004.severity = error\n");
        var buffers = Path.Combine(directory, "XStateBuffers.cs");
        File.WriteAllText(buffers, File.ReadAllText(buffers).Replace(
            "        fpu.StateMask |= features;",
            "#pragma warning disable FPU0003 // a test of suppression\n        fpu.StateMask |= features;\n#pragma warning restore FPU0003"));
        var (exit, output) = PackedFeed.Build(directory);
        Assert.NotEqual(0, exit); // FPU0004 raised to an error
        Assert.Contains("error FPU0004", output);
        Assert.Empty(Warnings(output, "FPU0002"));
        Assert.Empty(Warnings(output, "FPU0003"));
        Assert.NotEmpty(Warnings(output, "FPU0001"));
    }

    [Fact]
    public void Dotnet_format_applies_the_fixes_and_the_fixed_project_builds()
    {
        var directory = _feed.NewConsumer("Formatted");
        var (formatExit, formatOutput) = Dotnet.Run(directory, TimeSpan.FromMinutes(4), "format", "analyzers", "--diagnostics", "FPU0001", "FPU0002", "FPU0003", "--severity", "warn", "-v", "diag");
        Assert.True(formatExit == 0, formatOutput);
        var buffers = File.ReadAllText(Path.Combine(directory, "XStateBuffers.cs"));
        Assert.Contains("fpu.Task.Kernel.ReallocXStateBuffer(fpu.Task, features);", buffers); // FPU0003: grow the buffer, not the mask
        Assert.Contains("kernel.FreeXStateBuffer(fpu);", buffers); // FPU0002: the helper with the check inside
        Assert.Contains("var state = kernel.Memory.Vzalloc(size);\n        kernel.FpregsLock();", buffers.Replace("\r\n", "\n")); // FPU0001: allocate, then lock

        var (exit, output) = PackedFeed.Build(directory);
        Assert.True(exit == 0, output);
        Assert.Empty(Warnings(output, "FPU0002"));
        Assert.Empty(Warnings(output, "FPU0003"));
        Assert.Single(Warnings(output, "FPU0001")); // the #NM handler: its call sits in an if condition, so no fix is offered
        Assert.NotEmpty(Warnings(output, "FPU0004"));
    }

    [Fact]
    public void The_sarif_log_carries_rule_ids_messages_locations_and_help_links()
    {
        var directory = _feed.NewConsumer("Logged");
        var log = Path.Combine(directory, "fpuguard.sarif");
        var (exit, output) = PackedFeed.Build(directory, $"-p:ErrorLog={log}%2Cversion=2.1");
        Assert.True(exit == 0, output);
        using var document = JsonDocument.Parse(File.ReadAllText(log));
        var run = document.RootElement.GetProperty("runs")[0];
        var results = run.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("ruleId").GetString()!.StartsWith("FPU", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Rules, results.Select(r => r.GetProperty("ruleId").GetString()).Distinct().OrderBy(x => x).ToArray());
        Assert.All(results, r =>
        {
            Assert.False(string.IsNullOrEmpty(r.GetProperty("message").GetProperty("text").GetString()));
            var uri = r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString();
            Assert.Matches(new Regex(@"(XStateBuffers|FirstUse)\.cs$"), uri);
        });
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray()
            .Where(r => r.GetProperty("id").GetString()!.StartsWith("FPU", StringComparison.Ordinal)).ToArray();
        Assert.All(rules, r => Assert.EndsWith($"docs/rules/{r.GetProperty("id").GetString()}.md", r.GetProperty("helpUri").GetString()));
    }
}
