using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;

namespace FpuGuard.Package.Tests;

/// <summary>
/// A minimal LSP client over stdio (Content-Length framing): sends requests and notifications, answers the
/// server's own requests (configuration, capability registration, progress), and waits, always bounded.
/// </summary>
internal sealed class LspClient : IDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly BlockingCollection<JsonObject> _responses = new();
    private readonly StringBuilder _log = new();
    private readonly Func<string, JsonNode?, JsonNode?> _answer;
    private readonly Thread _reader;
    private int _nextId;

    public LspClient(string executable, string workingDirectory, Func<string, JsonNode?, JsonNode?> answer)
    {
        _answer = answer;
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException("csharp-ls did not start");
        _process.ErrorDataReceived += (_, e) => Log("stderr: " + e.Data);
        _process.BeginErrorReadLine();
        _input = _process.StandardInput.BaseStream;
        _reader = new Thread(ReadLoop) { IsBackground = true };
        _reader.Start();
    }

    public string Transcript
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public JsonNode? Request(string method, JsonNode? parameters, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextId);
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_responses.TryTake(out var response, TimeSpan.FromMilliseconds(200)))
            {
                if (response["id"]?.GetValue<int>() != id)
                {
                    continue; // A late answer to an earlier, timed-out request.
                }

                if (response["error"] is { } error)
                {
                    throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
                }

                return response["result"];
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"csharp-ls exited ({_process.ExitCode}) during {method}:\n{Transcript}");
            }
        }

        throw new TimeoutException($"{method} got no answer in {timeout}:\n{Transcript}");
    }

    public void Notify(string method, JsonNode? parameters) =>
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    private void Send(JsonObject message)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        lock (_input)
        {
            _input.Write(header);
            _input.Write(body);
            _input.Flush();
        }

        Log("-> " + Shorten(message.ToJsonString()));
    }

    private void ReadLoop()
    {
        var output = _process.StandardOutput.BaseStream;
        try
        {
            while (ReadMessage(output) is { } message)
            {
                Log("<- " + Shorten(message.ToJsonString()));
                var method = message["method"]?.GetValue<string>();
                if (method is null)
                {
                    _responses.Add(message);
                }
                else if (message["id"] is { } id)
                {
                    Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = _answer(method, message["params"]) });
                }
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Log("reader stopped: " + error.Message);
        }
    }

    private static JsonObject? ReadMessage(Stream stream)
    {
        var length = -1;
        var line = new StringBuilder();
        while (true)
        {
            var next = stream.ReadByte();
            if (next < 0)
            {
                return null;
            }

            if (next == '\n')
            {
                var text = line.ToString().TrimEnd('\r');
                line.Clear();
                if (text.Length == 0)
                {
                    break;
                }

                if (text.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(text["Content-Length:".Length..].Trim());
                }
            }
            else
            {
                line.Append((char)next);
            }
        }

        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            var count = stream.Read(body, read, length - read);
            if (count == 0)
            {
                return null;
            }

            read += count;
        }

        return JsonNode.Parse(body)?.AsObject();
    }

    private void Log(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static string Shorten(string text) => text.Length > 400 ? text[..400] + "…" : text;

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Request("shutdown", null, TimeSpan.FromSeconds(10));
                Notify("exit", null);
                _process.WaitForExit(5000);
            }
        }
        catch (Exception error) when (error is TimeoutException or InvalidOperationException or IOException)
        {
            Log("shutdown: " + error.Message);
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
