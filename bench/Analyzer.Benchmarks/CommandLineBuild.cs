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
/// A build as <c>dotnet build</c> runs the compiler: the SDK's <c>csc</c>, in its own process, on the corpus
/// written to disk, with the set's analyzer assemblies (<c>/analyzer</c>), its options as a global
/// analyzer config, and <c>/reportanalyzer</c>. Here the analyzers get their compilation events from the
/// compile itself: there is no <see cref="Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzers"/>
/// floor, and the extra wall time is what a user's build pays for the set.
/// </summary>
public sealed class CommandLineBuild : IDisposable
{
    private static readonly Regex Diagnostic = new(@"^.*\(\d+,\d+\): (warning|error) ([A-Z]+\d+):", RegexOptions.Compiled | RegexOptions.Multiline);
    private static readonly Regex AnalyzerTotal = new(@"Total analyzer execution time: ([\d.,]+) seconds", RegexOptions.Compiled);

    private readonly string _directory;
    private readonly string _dotnet;
    private readonly string _compiler;
    private readonly string _sources;

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
    public static string FindCompiler()
    {
        if (Environment.GetEnvironmentVariable("FPUGUARD_CSC") is { Length: > 0 } named)
        {
            return File.Exists(named) ? named : throw new FileNotFoundException($"FPUGUARD_CSC names {named}, which does not exist");
        }

        var sdks = Path.Combine(DotnetRoot(), "sdk");
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
            .AppendLine("/nologo /noconfig /nostdlib+ /target:library /nullable:enable /langversion:latest /debug- /deterministic+ /warn:4")
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
            problems.Add($"csc exited with {process.ExitCode}: {output.Trim().Split('\n').FirstOrDefault()}");
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
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is not worth failing the run for.
        }
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
