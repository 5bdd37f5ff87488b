using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Rules.AtomicContext;

/// <summary>
/// Where a method may sleep: at a call of a sleeping API (a leaf) or of another method in this compilation,
/// with the contexts the method itself holds there relative to its entry (<see cref="Delta"/>: -1 after it
/// enabled interrupts it was entered with, +1 inside its own lock).
/// </summary>
internal sealed class SleepPoint
{
    public SleepPoint(IMethodSymbol? callee, string name, Location location, int[] delta)
    {
        Callee = callee;
        Name = name;
        Location = location;
        Delta = delta;
    }

    public IMethodSymbol? Callee { get; }

    public string Name { get; }

    public Location Location { get; }

    public int[] Delta { get; }

    public bool IsLeaf => Callee is null;
}

/// <summary>A call in an atomic region to a method in this compilation, to be judged once every summary is known.</summary>
internal sealed class PendingCall
{
    public PendingCall(IMethodSymbol callee, Location location, int[] held, Func<string, IEnumerable<Location>, int[], Diagnostic> report)
    {
        Callee = callee;
        Location = location;
        Held = held;
        Report = report;
    }

    public IMethodSymbol Callee { get; }

    public Location Location { get; }

    public int[] Held { get; }

    /// <summary>Makes the diagnostic from the chain, its calls' locations and the callee's summary.</summary>
    public Func<string, IEnumerable<Location>, int[], Diagnostic> Report { get; }
}

/// <summary>
/// Per-compilation call graph of sleep points. At compilation end each method's summary is the most context
/// any of its sleep points outside its own regions can leave held (a least fixpoint: recursion terminates,
/// deltas saturate; a sleep under a context the method entered itself is reported in the method, once), and each
/// pending call is reported when, with what the caller holds, some context is still held where the callee
/// sleeps. The message carries the chain, the additional locations its calls.
/// </summary>
internal sealed class SleepGraph
{
    private const int Saturation = ContextCounts.Max;

    // Methods are recorded by the analyzer's threads into a queue, without locks, and entered in the table
    // at compilation end, which alone reads it.
    private readonly ConcurrentQueue<(IMethodSymbol Method, ImmutableArray<SleepPoint> Points)> _recorded = new();
    private readonly Dictionary<IMethodSymbol, ImmutableArray<SleepPoint>> _points = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentQueue<PendingCall> _pending = new();

    /// <summary>Records a method as analysed, with its sleep points (none is a result too).</summary>
    public void Record(IMethodSymbol method, IEnumerable<SleepPoint> points) =>
        _recorded.Enqueue((method.OriginalDefinition, points.ToImmutableArray()));

    private void EnterRecorded()
    {
        while (_recorded.TryDequeue(out var recorded))
        {
            _points[recorded.Method] = _points.TryGetValue(recorded.Method, out var existing) ? existing.AddRange(recorded.Points) : recorded.Points;
        }
    }

    public void AddPending(PendingCall call) => _pending.Enqueue(call);

    /// <summary>
    /// The pending calls that reach a sleep. <paramref name="load"/> records the points of a method that was not
    /// analysed yet; it is asked only for methods some pending call can reach.
    /// </summary>
    /// <param name="load">Records what a method not analysed yet does, or (bodyKnown) only what runs besides its
    /// body: an instance constructor's field and property initializers and implicit base constructor call.</param>
    public IEnumerable<Diagnostic> Resolve(Action<IMethodSymbol, bool> load)
    {
        if (_pending.IsEmpty)
        {
            yield break;
        }

        EnterRecorded();
        LoadReachable(load);
        var summaries = Summaries(out var via);
        foreach (var call in _pending)
        {
            if (!summaries.TryGetValue(call.Callee.OriginalDefinition, out var summary))
            {
                continue;
            }

            var violated = Enumerable.Range(0, ContextCounts.Kinds).Any(k => call.Held[k] > 0 && call.Held[k] + summary[k] > 0);
            if (violated)
            {
                var (chain, locations) = Chain(call.Callee.OriginalDefinition, via);
                yield return call.Report(chain, locations, summary);
            }
        }
    }

    /// <summary>
    /// The methods that run where a context is held: a pending call's callee, and every method it calls, through the
    /// call graph, at a point where, with what its caller holds and its own delta, a context is still held. Call
    /// <see cref="Resolve"/> first. Each method's held counts only grow, saturating, so the walk ends.
    /// </summary>
    public IEnumerable<IMethodSymbol> CalledInRegions()
    {
        var most = new Dictionary<IMethodSymbol, int[]>(SymbolEqualityComparer.Default);
        var work = new Stack<(IMethodSymbol Method, int[] Held)>(_pending.Select(p => (p.Callee.OriginalDefinition, p.Held)));
        while (work.Count > 0)
        {
            var (method, held) = work.Pop();
            if (most.TryGetValue(method, out var current))
            {
                if (!Enumerable.Range(0, ContextCounts.Kinds).Any(k => held[k] > current[k]))
                {
                    continue;
                }

                held = Enumerable.Range(0, ContextCounts.Kinds).Select(k => Math.Max(held[k], current[k])).ToArray();
            }

            most[method] = held;
            if (_points.TryGetValue(method, out var points))
            {
                foreach (var point in points)
                {
                    if (point.Callee is { } callee && Add(held, point.Delta) is var there && there.Any(h => h > 0))
                    {
                        work.Push((callee.OriginalDefinition, there));
                    }
                }
            }
        }

        return most.Keys;
    }

    private void LoadReachable(Action<IMethodSymbol, bool> load)
    {
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var work = new Stack<IMethodSymbol>(_pending.Select(p => p.Callee.OriginalDefinition));
        while (work.Count > 0)
        {
            var method = work.Pop();
            if (!seen.Add(method))
            {
                continue;
            }

            var known = _points.ContainsKey(method);
            if (!known || method.MethodKind == MethodKind.Constructor)
            {
                load(method, known);
                EnterRecorded();
            }

            if (_points.TryGetValue(method, out var points))
            {
                foreach (var point in points)
                {
                    if (point.Callee is { } callee)
                    {
                        work.Push(callee.OriginalDefinition);
                    }
                }
            }
        }
    }

    private Dictionary<IMethodSymbol, int[]> Summaries(out Dictionary<IMethodSymbol, SleepPoint> via)
    {
        var summaries = new Dictionary<IMethodSymbol, int[]>(SymbolEqualityComparer.Default);
        via = new Dictionary<IMethodSymbol, SleepPoint>(SymbolEqualityComparer.Default);
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var entry in _points)
            {
                foreach (var point in entry.Value)
                {
                    if (InOwnRegion(point))
                    {
                        continue; // Reported in the method, by its own analysis; not at each call of it.
                    }

                    int[]? candidate = point.IsLeaf ? point.Delta
                        : summaries.TryGetValue(point.Callee!.OriginalDefinition, out var callee) ? Add(point.Delta, callee) : null;
                    if (candidate is null)
                    {
                        continue;
                    }

                    if (!summaries.TryGetValue(entry.Key, out var current))
                    {
                        summaries[entry.Key] = candidate;
                        via[entry.Key] = point;
                        changed = true;
                    }
                    else if (Enumerable.Range(0, ContextCounts.Kinds).Any(k => candidate[k] > current[k]))
                    {
                        summaries[entry.Key] = Enumerable.Range(0, ContextCounts.Kinds).Select(k => Math.Max(current[k], candidate[k])).ToArray();
                        changed = true;
                    }
                }
            }
        }

        return summaries;
    }

    private static bool InOwnRegion(SleepPoint point)
    {
        foreach (var delta in point.Delta)
        {
            if (delta > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static int[] Add(int[] a, int[] b) =>
        Enumerable.Range(0, ContextCounts.Kinds).Select(k => Math.Max(-Saturation, Math.Min(Saturation, a[k] + b[k]))).ToArray();

    private static (string Chain, List<Location> Locations) Chain(IMethodSymbol start, Dictionary<IMethodSymbol, SleepPoint> via)
    {
        var names = new List<string> { MemberNames.Of(start) };
        var locations = new List<Location>();
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        for (var method = start; method is not null && seen.Add(method) && via.TryGetValue(method, out var point);)
        {
            names.Add(point.Name);
            locations.Add(point.Location);
            method = point.Callee?.OriginalDefinition;
        }

        return (string.Join(" → ", names), locations);
    }
}
