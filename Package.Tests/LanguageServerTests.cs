using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;

namespace FpuGuard.Package.Tests;

/// <summary>
/// The rules in a real editor back end: csharp-ls 0.28.0 (a Roslyn language server) over LSP stdio, on a
/// consumer of the packages. Diagnostics arrive for an open file and clear when the bug is edited away.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class LanguageServerTests
{
    private const string ToolVersion = "0.28.0";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(90);
    private readonly PackedFeed _feed;

    public LanguageServerTests(PackedFeed feed) => _feed = feed;

    private static string InstallServer()
    {
        var toolPath = Path.Combine(Path.GetTempPath(), "fpuguard-tools", "csharp-ls-" + ToolVersion);
        var executable = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "csharp-ls.exe" : "csharp-ls");
        if (!File.Exists(executable))
        {
            var (exit, output) = Dotnet.Run(Path.GetTempPath(), TimeSpan.FromMinutes(4), "tool", "install", "csharp-ls", "--version", ToolVersion, "--tool-path", toolPath);
            Assert.True(exit == 0, "installing csharp-ls failed:\n" + output);
        }

        return executable;
    }

    private static string[] FpuCodes(JsonNode? report) =>
        (report?["items"]?.AsArray() ?? new JsonArray())
            .Select(d => d?["code"]?.ToString() ?? "")
            .Where(c => c.StartsWith("FPU", StringComparison.Ordinal))
            .ToArray();

    private static string[] PullUntil(LspClient client, string uri, Func<string[], bool> done)
    {
        var deadline = DateTime.UtcNow + Step;
        var codes = Array.Empty<string>();
        while (DateTime.UtcNow < deadline)
        {
            var parameters = new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = uri } };
            codes = FpuCodes(client.Request("textDocument/diagnostic", parameters, Step));
            if (done(codes))
            {
                return codes;
            }

            Thread.Sleep(1000);
        }

        throw new TimeoutException($"diagnostics never reached the expected state; last: [{string.Join(", ", codes)}]\n{client.Transcript}");
    }

    [Fact]
    public void Diagnostics_arrive_in_the_editor_and_clear_when_the_bug_is_edited_away()
    {
        var server = InstallServer();
        var directory = _feed.NewConsumer("Editor");
        var (buildExit, buildOutput) = PackedFeed.Build(directory); // restore and build before the server loads it
        Assert.True(buildExit == 0, buildOutput);

        var file = Path.Combine(directory, "XStateBuffers.cs");
        var uri = new Uri(file).AbsoluteUri;
        var text = File.ReadAllText(file);
        using var client = new LspClient(server, directory, (method, parameters) => method switch
        {
            "workspace/configuration" => new JsonArray((parameters?["items"]?.AsArray() ?? new JsonArray())
                .Select(_ => (JsonNode)new JsonObject { ["analyzersEnabled"] = true }).ToArray()),
            _ => null, // client/registerCapability, window/workDoneProgress/create, ...
        });

        var rootUri = new Uri(directory + Path.DirectorySeparatorChar).AbsoluteUri;
        client.Request("initialize", new JsonObject
        {
            ["processId"] = Environment.ProcessId,
            ["rootUri"] = rootUri,
            ["workspaceFolders"] = new JsonArray(new JsonObject { ["uri"] = rootUri, ["name"] = "Editor" }),
            ["capabilities"] = new JsonObject
            {
                ["workspace"] = new JsonObject { ["configuration"] = true, ["didChangeConfiguration"] = new JsonObject { ["dynamicRegistration"] = true } },
                ["textDocument"] = new JsonObject
                {
                    ["synchronization"] = new JsonObject { ["didSave"] = true },
                    ["publishDiagnostics"] = new JsonObject(),
                    ["diagnostic"] = new JsonObject { ["dynamicRegistration"] = true },
                },
                ["window"] = new JsonObject { ["workDoneProgress"] = true },
            },
        }, Step);
        client.Notify("initialized", new JsonObject());
        client.Notify("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "csharp", ["version"] = 1, ["text"] = text },
        });

        var before = PullUntil(client, uri, codes => codes.Contains("FPU0002") && codes.Contains("FPU0003") && codes.Contains("FPU0001"));
        Assert.Contains("FPU0004", before);

        var edited = text.Replace("        kernel.Memory.Vfree(fpu.State);\n    }\n\n    // The check inside", "        kernel.FreeXStateBuffer(fpu);\n    }\n\n    // The check inside");
        Assert.NotEqual(text, edited);
        client.Notify("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = 2 },
            ["contentChanges"] = new JsonArray(new JsonObject { ["text"] = edited }),
        });

        var after = PullUntil(client, uri, codes => !codes.Contains("FPU0002"));
        Assert.Contains("FPU0003", after); // the other bugs are still reported
    }
}
