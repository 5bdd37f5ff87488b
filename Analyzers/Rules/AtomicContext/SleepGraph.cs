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
    public SleepPoint(IMethodSymbol? callee, string name, Location location, int[] delta, ImmutableArray<(int Ordinal, bool Value)> requires = default,
        ImmutableArray<(int Ordinal, bool Value)> passes = default, ImmutableArray<(int Ordinal, int From)> forwards = default)
    {
        Callee = callee;
        Name = name;
        Location = location;
        Delta = delta;
        Requires = requires.IsDefault ? ImmutableArray<(int, bool)>.Empty : requires;
        Passes = passes.IsDefault ? ImmutableArray<(int, bool)>.Empty : passes;
        Forwards = forwards.IsDefault ? ImmutableArray<(int, int)>.Empty : forwards;
    }

    public SleepPoint WithRequires(ImmutableArray<(int Ordinal, bool Value)> requires) => new(Callee, Name, Location, Delta, requires, Passes, Forwards);

    public IMethodSymbol? Callee { get; }

    public string Name { get; }

    public Location Location { get; }

    public int[] Delta { get; }

    public bool IsLeaf => Callee is null;

    /// <summary>
    /// The method's own bool parameters (by ordinal) that have one value on every path to the point, and that no code
    /// writes: a call that passes the other value does not reach the point.
    /// </summary>
    public ImmutableArray<(int Ordinal, bool Value)> Requires { get; }

    /// <summary>At a call of a method of this compilation: the bool arguments known there, by the callee's parameter ordinal.</summary>
    public ImmutableArray<(int Ordinal, bool Value)> Passes { get; }

    /// <summary>At such a call: the callee's bool parameters given one of this method's own unwritten bool parameters as is.</summary>
    public ImmutableArray<(int Ordinal, int From)> Forwards { get; }

    /// <summary>What the callee's bool parameters hold at this call, when this method was called with <paramref name="arguments"/>.</summary>
    public ImmutableArray<(int Ordinal, bool Value)> CalleeArguments(ImmutableArray<(int Ordinal, bool Value)> arguments)
    {
        var passed = Passes;
        foreach (var (ordinal, from) in Forwards)
        {
            foreach (var argument in arguments)
            {
                if (argument.Ordinal == from)
                {
                    passed = passed.Add((ordinal, argument.Value));
                }
            }
        }

        return passed;
    }

    /// <summary>Whether a call passing these bool arguments (by parameter ordinal) may reach the point.</summary>
    public bool ReachedWith(ImmutableArray<(int Ordinal, bool Value)> arguments)
    {
        foreach (var required in Requires)
        {
            foreach (var argument in arguments)
            {
                if (argument.Ordinal == required.Ordinal && argument.Value != required.Value)
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>A call in an atomic region to a method in this compilation, to be judged once every summary is known.</summary>
internal sealed class PendingCall
{
    public PendingCall(IMethodSymbol callee, Location location, int[] held, ImmutableArray<(int Ordinal, bool Value)> arguments, Func<string, IEnumerable<Location>, int[], Diagnostic> report)
    {
        Callee = callee;
        Location = location;
        Held = held;
        Arguments = arguments.IsDefault ? ImmutableArray<(int, bool)>.Empty : arguments;
        Report = report;
    }

    /// <summary>The bool arguments whose value the caller knows at the call, by the callee's parameter ordinal.</summary>
    public ImmutableArray<(int Ordinal, bool Value)> Arguments { get; }

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
            var callee = call.Callee.OriginalDefinition;
            if (!summaries.TryGetValue(callee, out var summary))
            {
                continue;
            }

            var path = Path(callee, via);
            var budget = MaxArgumentSteps;
            if (!call.Arguments.IsEmpty && Reach(callee, call.Arguments, call.Held, summaries, via, depth: 0, ref budget) is var (reached, reachedPath))
            {
                // Judged with the bool arguments this call passes, as far as they go down the call graph.
                if (reached is null)
                {
                    continue;
                }

                (summary, path) = (reached, reachedPath);
            }

            if (Violates(call.Held, summary))
            {
                var (chain, locations) = Chain(callee, path);
                yield return call.Report(chain, locations, summary);
            }
        }
    }

    private static bool Violates(int[] held, int[] summary) => Enumerable.Range(0, ContextCounts.Kinds).Any(k => held[k] > 0 && held[k] + summary[k] > 0);

    // How far, and over how many calls, the arguments of a pending call are followed down the call graph; past either
    // bound (recursion included) the summaries stand, which hold for any arguments.
    private const int MaxArgumentDepth = 4;
    private const int MaxArgumentSteps = 256;

    /// <summary>
    /// A method's summary for a call that passes <paramref name="arguments"/> (bool values by parameter ordinal) while it
    /// holds <paramref name="held"/>: the most its points that the arguments do not rule out leave held, with the path to
    /// the first of them that sleeps where a context is held (else the first); a null summary when the arguments rule out
    /// every point. Past the bounds, or with nothing known, the method's summary.
    /// </summary>
    private (int[]? Summary, List<SleepPoint> Path) Reach(IMethodSymbol method, ImmutableArray<(int Ordinal, bool Value)> arguments, int[] held,
        Dictionary<IMethodSymbol, int[]> summaries, Dictionary<IMethodSymbol, SleepPoint> via, int depth, ref int budget)
    {
        if (depth >= MaxArgumentDepth || --budget < 0 || arguments.IsEmpty || !_points.TryGetValue(method, out var points))
        {
            return (summaries.TryGetValue(method, out var summary) ? summary : null, Path(method, via));
        }

        int[]? most = null;
        List<SleepPoint>? path = null;
        var pathViolates = false;
        foreach (var point in points)
        {
            if (InOwnRegion(point) || !point.ReachedWith(arguments))
            {
                continue;
            }

            int[]? candidate;
            List<SleepPoint> below;
            if (point.IsLeaf)
            {
                (candidate, below) = (point.Delta, new List<SleepPoint>());
            }
            else
            {
                var (callee, calleePath) = Reach(point.Callee!.OriginalDefinition, point.CalleeArguments(arguments), Add(held, point.Delta), summaries, via, depth + 1, ref budget);
                (candidate, below) = (callee is null ? null : Add(point.Delta, callee), calleePath);
            }

            if (candidate is null)
            {
                continue;
            }

            most = most is null ? candidate : Enumerable.Range(0, ContextCounts.Kinds).Select(k => Math.Max(most[k], candidate[k])).ToArray();
            if (path is null || (!pathViolates && Violates(held, candidate)))
            {
                pathViolates = Violates(held, candidate);
                path = new List<SleepPoint> { point };
                path.AddRange(below);
            }
        }

        return (most, path ?? new List<SleepPoint>());
    }

    // The path the summaries took from a method to its sleep.
    private static List<SleepPoint> Path(IMethodSymbol start, Dictionary<IMethodSymbol, SleepPoint> via)
    {
        var path = new List<SleepPoint>();
        var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        for (var method = start; method is not null && seen.Add(method) && via.TryGetValue(method, out var point);)
        {
            path.Add(point);
            method = point.Callee?.OriginalDefinition;
        }

        return path;
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

    private static (string Chain, List<Location> Locations) Chain(IMethodSymbol start, List<SleepPoint> path) =>
        (string.Join(" → ", new[] { MemberNames.Of(start) }.Concat(path.Select(p => p.Name))), path.Select(p => p.Location).ToList());
}
