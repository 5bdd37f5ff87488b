using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using FpuGuard.AnalyzerBenchmarks.Corpus;
using Microsoft.CodeAnalysis;

namespace FpuGuard.AnalyzerBenchmarks;

/// <summary>What one command-line build measured.</summary>
public sealed record BuildResult(
    double WallMs,
    double? AnalyzerSeconds,
    ImmutableDictionary<string, int> DiagnosticsById,
    int Errors,
    ImmutableArray<string> Problems);

/// <summary>
/// A build as <c>dotnet build</c> runs the compiler: the SDK's <c>csc</c> through the compiler server
/// (<c>VBCSCompiler</c>, its own for this corpus, shut down on dispose), on the corpus written to disk, with the
/// set's analyzer assemblies (<c>/analyzer</c>), its options as a global analyzer config, and
/// <c>/reportanalyzer</c>. Here the analyzers get their compilation events from the compile itself: there is no
/// <see cref="Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzers"/> floor, and the extra wall time is
/// what a user's build pays for the set.
/// </summary>
public sealed class CommandLineBuild : IDisposable
{
    // "file(line,col): warning FPU0001: ...", "CSC : error CS2001: ...", "warning CS8032: ...".
    private static readonly Regex Diagnostic = new(@"^(?:.*?: )?(warning|error) ([A-Z]{2,}\d+):", RegexOptions.Compiled | RegexOptions.Multiline);
    private static readonly Regex AnalyzerTotal = new(@"Total analyzer execution time: ([\d.,]+) seconds", RegexOptions.Compiled);

    private readonly string _directory;
    private readonly string _dotnet;
    private readonly string _compiler;
    private readonly string _sources;
    private readonly string _pipe = $"fpuguard-bench-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public CommandLineBuild(GeneratedCorpus corpus, bool withRuntime, string compiler)
    {
        _compiler = compiler;
        _dotnet = DotnetHost();
        _directory = Directory.CreateTempSubdirectory("fpuguard-build-").FullName;
        var sources = new StringBuilder();
        foreach (var file in corpus.Files)
        {
            var path = Path.Combine(_directory, "src", file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Text);
            sources.AppendLine(Quote(path));
        }

        foreach (var reference in CorpusCompiler.References(withRuntime).OfType<PortableExecutableReference>())
        {
            sources.AppendLine("/reference:" + Quote(reference.FilePath!));
        }

        _sources = sources.ToString();
    }

    /// <summary>
    /// The compiler of the newest SDK installed beside the running .NET, or the one <c>FPUGUARD_CSC</c> names.
    /// Throws naming where it looked when there is none.
    /// </summary>
    public static string FindCompiler() => FindCompiler(Environment.GetEnvironmentVariable("FPUGUARD_CSC"), DotnetRoot());

    /// <summary>The compiler <paramref name="named"/> names, else the newest SDK's under <paramref name="dotnetRoot"/>.</summary>
    public static string FindCompiler(string? named, string dotnetRoot)
    {
        if (!string.IsNullOrEmpty(named))
        {
            return File.Exists(named) ? named : throw new FileNotFoundException($"FPUGUARD_CSC names {named}, which does not exist");
        }

        var sdks = Path.Combine(dotnetRoot, "sdk");
        var found = Directory.Exists(sdks)
            ? Directory.GetDirectories(sdks)
                .Select(d => (Directory: d, Version: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : null))
                .Where(s => s.Version is not null && File.Exists(Path.Combine(s.Directory, "Roslyn", "bincore", "csc.dll")))
                .OrderByDescending(s => s.Version)
                .Select(s => Path.Combine(s.Directory, "Roslyn", "bincore", "csc.dll"))
                .FirstOrDefault()
            : null;
        return found ?? throw new FileNotFoundException($"no SDK with Roslyn/bincore/csc.dll under {sdks}; set FPUGUARD_CSC to a csc.dll");
    }

    /// <summary>Builds the corpus with the set's analyzers (none for the plain compile).</summary>
    public BuildResult Build(AnalyzerSet? set)
    {
        var response = new StringBuilder()
            .AppendLine("/nologo /nostdlib+ /target:library /nullable:enable /langversion:latest /debug- /deterministic+ /warn:4")
            .AppendLine("/out:" + Quote(Path.Combine(_directory, "Corpus.dll")))
            .Append(_sources);
        if (set is not null)
        {
            response.AppendLine("/reportanalyzer");
            foreach (var path in set.Paths)
            {
                response.AppendLine("/analyzer:" + Quote(path));
            }

            var config = Path.Combine(_directory, "set.globalconfig");
            File.WriteAllText(config, GlobalConfig(set));
            response.AppendLine("/analyzerconfig:" + Quote(config));
        }

        var responseFile = Path.Combine(_directory, "build.rsp");
        File.WriteAllText(responseFile, response.ToString());
        var start = new ProcessStartInfo(_dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(_compiler);
        start.ArgumentList.Add("/shared:" + _pipe); // these two are read from the command line only, never from a response file
        start.ArgumentList.Add("/noconfig");
        start.ArgumentList.Add("@" + responseFile);

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_dotnet}");
        var errorOutput = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        clock.Stop();
        output += errorOutput.GetAwaiter().GetResult();

        var byId = Diagnostic.Matches(output).GroupBy(m => m.Groups[2].Value).ToImmutableDictionary(g => g.Key, g => g.Count());
        var errors = Diagnostic.Matches(output).Count(m => m.Groups[1].Value == "error");
        var problems = new List<string>();
        if (process.ExitCode != 0 && errors == 0)
        {
            var lines = output.Trim().Split('\n');
            problems.Add($"csc exited with {process.ExitCode}: {(lines.FirstOrDefault(l => l.Contains("error", StringComparison.Ordinal)) ?? lines.FirstOrDefault())?.Trim()}");
        }

        // CS8032: an analyzer could not be created; CS9057: it needs a newer compiler than this one.
        foreach (var id in new[] { "CS8032", "CS9057", "AD0001" }.Where(byId.ContainsKey))
        {
            problems.Add($"{set?.Name}: csc reported {id} ({Regex.Match(output, $@"warning {id}: (.*)").Groups[1].Value.Trim()})");
        }

        var total = AnalyzerTotal.Match(output);
        double? analyzerSeconds = total.Success && double.TryParse(total.Groups[1].Value.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
        if (set is not null && analyzerSeconds is null)
        {
            problems.Add($"{set.Name}: csc printed no analyzer execution time");
        }

        return new BuildResult(clock.Elapsed.TotalMilliseconds, analyzerSeconds, byId, errors, problems.ToImmutableArray());
    }

    public void Dispose()
    {
        ShutDownServer();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is not worth failing the run for.
        }
    }

    private void ShutDownServer()
    {
        var server = Path.Combine(Path.GetDirectoryName(_compiler)!, "VBCSCompiler.dll");
        if (!File.Exists(server))
        {
            return;
        }

        var start = new ProcessStartInfo(_dotnet) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(server);
        start.ArgumentList.Add("-shutdown");
        start.ArgumentList.Add("-pipename:" + _pipe);
        using var process = Process.Start(start);
        process?.StandardOutput.ReadToEnd();
        process?.WaitForExit();
    }

    /// <summary>The set's options as a global analyzer config, the way a project's .globalconfig gives them.</summary>
    public static string GlobalConfig(AnalyzerSet set)
    {
        var config = new StringBuilder("is_global = true\n");
        if (set.OnlyItsOptions)
        {
            config.Append("dotnet_analyzer_diagnostic.severity = none\n");
        }

        foreach (var (id, severity) in set.Options.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            config.Append($"dotnet_diagnostic.{id}.severity = {Severity(severity)}\n");
        }

        return config.ToString();
    }

    private static string Severity(ReportDiagnostic severity) => severity switch
    {
        ReportDiagnostic.Error => "error",
        ReportDiagnostic.Warn => "warning",
        ReportDiagnostic.Info => "suggestion",
        ReportDiagnostic.Hidden => "silent",
        ReportDiagnostic.Suppress => "none",
        _ => "default",
    };

    private static string Quote(string path) => "\"" + path + "\"";

    // The shared runtime lives at <root>/shared/Microsoft.NETCore.App/<version>/.
    private static string DotnetRoot() =>
        Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && Directory.Exists(Path.Combine(root, "sdk"))
            ? root
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    private static string DotnetHost()
    {
        var host = Path.Combine(DotnetRoot(), OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : throw new FileNotFoundException($"no dotnet host at {host}");
    }
}
