using System;
using System.Text;

namespace FpuGuard.AnalyzerBenchmarks.Corpus;

/// <summary>
/// Ordinary application code of the kind every analyzer set sees: records, generic containers behind a
/// <c>lock</c>, LINQ pipelines, async methods, lambdas and local functions, try/finally, disposables (some
/// left undisposed, as real code has), switch expressions and events. Nothing FPU-related.
/// </summary>
internal sealed class OrdinaryCodeWriter
{
    private const int UnitsPerFile = 5;

    private readonly Random _random;
    private readonly int _file;
    private readonly StringBuilder _text = new();

    public OrdinaryCodeWriter(Random random, int file)
    {
        _random = random;
        _file = file;
    }

    public CorpusFile Write()
    {
        _text.Append("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Text;
            using System.Threading;
            using System.Threading.Tasks;

            """);
        _text.Append($"namespace Corpus.App{_file};\n\n");
        for (var unit = 0; unit < UnitsPerFile; unit++)
        {
            var k = $"{_file}_{unit}";
            switch (_random.Next(4))
            {
                case 0: WriteRepository(k); break;
                case 1: WriteService(k); break;
                case 2: WriteReport(k); break;
                default: WriteStateMachine(k); break;
            }
        }

        return new CorpusFile($"App/App{_file}.cs", _text.ToString(), IsFpuDomain: false);
    }

    private void WriteRepository(string k)
    {
        var threshold = _random.Next(1, 100);
        _text.Append($$"""
            public sealed record Item{{k}}(int Id, string Name, decimal Price, DateTime Created);

            public sealed class Repository{{k}}<T> where T : class
            {
                private readonly List<T> _items = new();
                private readonly object _gate = new();

                public event EventHandler<T>? Added;

                public int Count
                {
                    get
                    {
                        lock (_gate)
                        {
                            return _items.Count;
                        }
                    }
                }

                public void Add(T item)
                {
                    ArgumentNullException.ThrowIfNull(item);
                    lock (_gate)
                    {
                        _items.Add(item);
                    }

                    Added?.Invoke(this, item);
                }

                public IReadOnlyList<TResult> Query<TResult>(Func<T, bool> filter, Func<T, TResult> project)
                {
                    lock (_gate)
                    {
                        return _items.Where(filter).Select(project).ToList();
                    }
                }

                public static Dictionary<string, decimal> Totals(IEnumerable<Item{{k}}> items) =>
                    items.Where(i => i.Price > {{threshold}}m)
                        .GroupBy(i => i.Name.Length % 2 == 0 ? "even" : "odd")
                        .ToDictionary(g => g.Key, g => g.Sum(i => i.Price));
            }


            """);
    }

    private void WriteService(string k)
    {
        var delay = _random.Next(0, 3);
        var undisposed = _random.Next(3) == 0;
        _text.Append($$"""
            public sealed class Service{{k}} : IDisposable
            {
                private readonly SemaphoreSlim _throttle = new(4);
                private readonly MemoryStream _log = new();
                private int _processed;

                public async Task<int> ProcessAsync(IReadOnlyList<string> lines, CancellationToken cancellationToken)
                {
                    await _throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        var total = 0;
                        foreach (var line in lines)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            total += await ParseAsync(line).ConfigureAwait(false);
                        }

                        Interlocked.Add(ref _processed, lines.Count);
                        return total;
                    }
                    finally
                    {
                        _throttle.Release();
                    }
                }

                private static async Task<int> ParseAsync(string line)
                {
                    await Task.Delay({{delay}}).ConfigureAwait(false);
                    return int.TryParse(line, out var value) ? value : line.Length;
                }

                public string Describe()
                {
            {{(undisposed
                ? "        var writer = new StringWriter();\n        writer.Write(_processed);\n        return writer.ToString();"
                : "        using var writer = new StringWriter();\n        writer.Write(_processed);\n        return writer.ToString();")}}
                }

                public async Task WriteAsync(string text)
                {
                    var bytes = Encoding.UTF8.GetBytes(text);
                    await _log.WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
                }

                public void Dispose()
                {
                    _throttle.Dispose();
                    _log.Dispose();
                }
            }


            """);
    }

    private void WriteReport(string k)
    {
        var columns = _random.Next(2, 6);
        _text.Append($$"""
            public static class Report{{k}}
            {
                public static string Render(IEnumerable<(string Name, double Value)> rows)
                {
                    var builder = new StringBuilder();
                    var ordered = rows.OrderByDescending(r => r.Value).ThenBy(r => r.Name).Take({{columns * 10}}).ToArray();
                    double Scale(double v) => ordered.Length == 0 ? 0 : v / ordered.Max(r => r.Value);
                    for (var i = 0; i < ordered.Length; i++)
                    {
                        var (name, value) = ordered[i];
                        builder.Append($"{i,3} {name,-20} {value,10:F2} {Scale(value):P0}");
                        if (i % {{columns}} == 0)
                        {
                            builder.AppendLine();
                        }
                    }

                    return builder.ToString();
                }

                public static IEnumerable<int> Window(IReadOnlyList<int> values, int size)
                {
                    for (var i = 0; i + size <= values.Count; i++)
                    {
                        yield return values.Skip(i).Take(size).Sum();
                    }
                }

                public static T? FirstOrFallback<T>(IEnumerable<T> source, Predicate<T> match, T? fallback) where T : struct
                {
                    foreach (var item in source)
                    {
                        if (match(item))
                        {
                            return item;
                        }
                    }

                    return fallback;
                }
            }


            """);
    }

    private void WriteStateMachine(string k)
    {
        var limit = _random.Next(3, 12);
        _text.Append($$"""
            public enum Phase{{k}} { Idle, Running, Waiting, Done, Failed }

            public sealed class Machine{{k}}
            {
                private readonly Dictionary<Phase{{k}}, int> _visits = new();
                private Phase{{k}} _phase = Phase{{k}}.Idle;

                public Phase{{k}} Phase => _phase;

                public Phase{{k}} Step(int input) => _phase = (_phase, input) switch
                {
                    (Phase{{k}}.Idle, > 0) => Phase{{k}}.Running,
                    (Phase{{k}}.Running, {{limit}}) => Phase{{k}}.Waiting,
                    (Phase{{k}}.Running, < 0) => Phase{{k}}.Failed,
                    (Phase{{k}}.Waiting, _) => Phase{{k}}.Done,
                    _ => _phase,
                };

                public int Run(IEnumerable<int> inputs)
                {
                    var steps = 0;
                    try
                    {
                        foreach (var input in inputs)
                        {
                            var next = Step(input);
                            _visits[next] = _visits.TryGetValue(next, out var seen) ? seen + 1 : 1;
                            steps++;
                            if (next is Phase{{k}}.Done or Phase{{k}}.Failed)
                            {
                                break;
                            }
                        }
                    }
                    catch (InvalidOperationException exception) when (exception.Message.Length > {{limit}})
                    {
                        _phase = Phase{{k}}.Failed;
                    }
                    finally
                    {
                        _visits[_phase] = _visits.GetValueOrDefault(_phase) + 1;
                    }

                    return steps;
                }

                public Task<int> RunLaterAsync(int[] inputs) => Task.Run(() => Run(inputs));
            }


            """);
    }
}
