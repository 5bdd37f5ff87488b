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
    public void The_analyzer_package_holds_the_analyzers_and_the_rule_pages()
    {
        using var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(_feed.Feed, $"FpuGuard.Analyzers.{_feed.Version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("analyzers/dotnet/cs/FpuGuard.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/FpuGuard.Analyzers.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("build/FpuGuard.Analyzers.props", entries); // makes <FpuGuardContracts> visible to the generator
        Assert.Contains("buildTransitive/FpuGuard.Analyzers.props", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));

        // Every rule page, as in the repository, for a user on an offline feed.
        var pages = Directory.GetFiles(Path.Combine(Dotnet.RepositoryRoot(), "docs", "rules"), "*.md");
        Assert.True(pages.Length >= Rules.Length + 1, "the repository's rule pages are missing");
        foreach (var page in pages)
        {
            var entry = package.GetEntry("docs/rules/" + Path.GetFileName(page));
            Assert.True(entry is not null, $"docs/rules/{Path.GetFileName(page)} is not in the package");
            using var reader = new StreamReader(entry!.Open());
            Assert.Equal(File.ReadAllText(page), reader.ReadToEnd());
        }
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
    public void The_sample_says_what_each_line_of_its_output_shows()
    {
        var directory = _feed.NewConsumer("Runs");
        var (buildExit, buildOutput) = PackedFeed.Build(directory);
        Assert.True(buildExit == 0, buildOutput);
        var (exit, output) = Dotnet.Run(directory, TimeSpan.FromMinutes(2), "run", "--no-build");
        Assert.True(exit == 0, output);
        var lines = output.Replace("\r\n", "\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var steps = lines.Where(l => l.StartsWith("  ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(7, steps.Length);
        Assert.All(steps, l => Assert.Matches(new Regex(@"^  [^:]+: +\S.*  \(.{20,}\)$"), l)); // a value, then what it means

        int Bytes(string label) => int.Parse(Regex.Match(steps.Single(l => l.StartsWith("  " + label, StringComparison.Ordinal)), @": +(\d+) bytes").Groups[1].Value);
        Assert.Contains(steps, l => l.StartsWith("  tile write, no permission:     SIGILL", StringComparison.Ordinal));
        Assert.Contains(steps, l => l.StartsWith("  tile write, with permission:   no signal", StringComparison.Ordinal));
        Assert.True(Bytes("FPU buffer now:") > Bytes("FPU buffer at start:"), output);
        Assert.True(Bytes("ptrace NT_X86_XSTATE image:") > 0, output);
        Assert.Contains(steps, l => Regex.IsMatch(l, @"live allocations: +1 before freeing the task's buffer, 0 after"));
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
    public void Editorconfig_severity_pragma_suppression_and_may_sleep_lists_take_effect()
    {
        var directory = _feed.NewConsumer("Configured");
        File.WriteAllText(Path.Combine(directory, ".editorconfig"), """
            root = true

            [*.cs]
            dotnet_diagnostic.FPU0002.severity = none
            dotnet_diagnostic.FPU0004.severity = error
            fpuguard.may_sleep_apis = M:System.Threading.Thread.Sleep(System.Int32)  M:System.Threading.Monitor.Wait(System.Object,System.Int32) M:System.Threading.Thread.Slep(System.Int32)
            """);
        File.WriteAllText(Path.Combine(directory, "FpuGuard.MaySleepApis.txt"), """
            // Vendor APIs that sleep.
            M:System.Threading.Tasks.Task.Wait   // waits for the pool
            M:System.Threading.Monitor.Wait(System.Object,System.Int64)
            """);
        var project = Directory.GetFiles(directory, "*.csproj").Single();
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", """
              <ItemGroup>
                <AdditionalFiles Include="FpuGuard.MaySleepApis.txt" />
              </ItemGroup>
            </Project>
            """));
        var buffers = Path.Combine(directory, "XStateBuffers.cs");
        File.WriteAllText(buffers, File.ReadAllText(buffers)
            .Replace(
                "        fpu.StateMask |= features;",
                "#pragma warning disable FPU0003 // a test of suppression\n        fpu.StateMask |= features;\n#pragma warning restore FPU0003")
            .Replace( // in the review's Realloc, under the lock: three listed APIs
                "        kernel.FpregsLock();\n        var old = Kernel.SwapFpState(fpu, state, stateMask, size);",
                "        kernel.FpregsLock();\n        System.Threading.Thread.Sleep(0);\n        System.Threading.Monitor.Wait(fpu, 1);\n        System.Threading.Tasks.Task.CompletedTask.Wait();\n        var old = Kernel.SwapFpState(fpu, state, stateMask, size);"));
        Assert.Contains("Thread.Sleep(0)", File.ReadAllText(buffers));
        var (exit, output) = PackedFeed.Build(directory);
        Assert.NotEqual(0, exit); // FPU0004 raised to an error
        Assert.Contains("error FPU0004", output);
        Assert.Empty(Warnings(output, "FPU0002"));
        Assert.Empty(Warnings(output, "FPU0003"));

        // Every entry of the whitespace-separated option and of the file is effective, two-parameter methods included.
        var sleeps = Warnings(output, "FPU0001");
        Assert.Contains(sleeps, w => w.Contains("'Sleep' may sleep (it is listed in fpuguard.may_sleep_apis)"));
        Assert.Contains(sleeps, w => w.Contains("'Wait' may sleep (it is listed in fpuguard.may_sleep_apis)"));
        Assert.Contains(sleeps, w => w.Contains("'Wait' may sleep (it is listed in FpuGuard.MaySleepApis.txt)"));

        // The entries that can never match: the file's at its line, the option's with no location.
        var ignored = Warnings(output, "FPU0005");
        Assert.Contains(ignored, w => w.Contains("FpuGuard.MaySleepApis.txt(3,1)") && w.Contains("'M:System.Threading.Monitor.Wait(System.Object,System.Int64)' in FpuGuard.MaySleepApis.txt is ignored"));
        Assert.Contains(ignored, w => w.StartsWith("CSC : warning FPU0005: 'M:System.Threading.Thread.Slep(System.Int32)' in fpuguard.may_sleep_apis is ignored", StringComparison.Ordinal));
        Assert.Equal(2, ignored.Select(w => w.Split('[')[0]).Distinct().Count());
        Assert.All(ignored, w => Assert.Contains("docs/rules/FPU0005.md", w));
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

    // Recursive local functions and code deeper than a walk can follow on the compiler server's 1 MiB stacks: the
    // build completes, with the warnings the regions call for and no analyzer exception (AD0001) or crash.
    [Fact]
    public void Recursive_and_deep_code_builds_with_the_packaged_analyzers()
    {
        var directory = _feed.NewConsumer("Recursive");
        var sum = string.Concat(Enumerable.Repeat(" + k.FpregsLockDepth", 10000));
        File.WriteAllText(Path.Combine(directory, "Recursion.cs"), $$"""
            using System;
            using FpuGuard.Runtime;

            public static class Recursion
            {
                public static void SelfRecursive(Kernel k) { void F() => F(); F(); k.FpregsLock(); k.FpregsUnlock(); }

                public static void MutuallyRecursive(Kernel k) { void A() => B(); void B() => A(); k.FpregsLock(); k.FpregsUnlock(); A(); }

                public static void RecursiveSleeper(Kernel k)
                {
                    void F(int n) { if (n > 0) F(n - 1); else k.Memory.Vzalloc(64); }
                    k.FpregsLock();
                    F(3);
                    k.FpregsUnlock();
                }

                public static void ThroughALambda(Kernel k)
                {
                    void F(int n) { Action g = () => F(n - 1); if (n > 0) g(); }
                    k.FpregsLock();
                    F(2);
                    k.FpregsUnlock();
                }

                public static int Deep(Kernel k) => 1{{sum}};
            }
            """);
        var (exit, output) = PackedFeed.Build(directory);
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("AD0001", output);
        Assert.DoesNotContain("Stack overflow", output);
        Assert.Contains(Warnings(output, "FPU0001"), w => w.Contains("Recursion.cs(14,"));
        Assert.DoesNotContain(Warnings(output, "FPU0001"), w => w.Contains("Recursion.cs(6,") || w.Contains("Recursion.cs(8,") || w.Contains("Recursion.cs(22,"));
    }
}
