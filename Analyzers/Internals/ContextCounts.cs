using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// The worlds that may hold at a program point: each is a tuple of (FPU register lock, preemption disabled,
/// interrupts disabled) nesting counts, saturating at <see cref="Max"/>, together with what is known of up to
/// <see cref="MaxAtoms"/> boolean conditions on the path there (so <c>if (flag) Lock(); ... if (flag) Unlock();</c>
/// keeps the two branches' worlds apart). Merge is union: "may be held" means held in some world.
/// </summary>
internal readonly struct ContextCounts : IEquatable<ContextCounts>
{
    public const int Kinds = 3;
    public const int Max = 4;
    public const int MaxAtoms = 16;
    private const int Radix = Max + 1;
    private const int CountBits = 8;

    private readonly ImmutableHashSet<long>? _worlds;

    private ContextCounts(ImmutableHashSet<long> worlds) => _worlds = worlds;

    private ImmutableHashSet<long> Worlds => _worlds ?? ImmutableHashSet<long>.Empty;

    public static ContextCounts Empty => default;

    public static ContextCounts Single(int lockCount, int preemptCount, int irqCount) =>
        new(ImmutableHashSet.Create((long)Encode(lockCount, preemptCount, irqCount)));

    public bool IsEmpty => Worlds.IsEmpty;

    /// <summary>
    /// Merge: worlds with equal counts collapse into one that knows a condition only where they agree, so a
    /// merge never holds more than one world per count tuple (a run of unrelated ifs stays linear).
    /// </summary>
    public ContextCounts Union(ContextCounts other)
    {
        // Fast paths first: most merges meet one world, or the same worlds again.
        if (other.IsEmpty || ReferenceEquals(_worlds, other._worlds))
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        var merged = Worlds.Union(other.Worlds);
        if (merged.Count == Worlds.Count)
        {
            return this; // The other's worlds were all here already.
        }

        var byCounts = new Dictionary<long, long>();
        var collapsed = false;
        foreach (var world in merged)
        {
            var counts = world & 0xFF;
            if (byCounts.TryGetValue(counts, out var existing))
            {
                byCounts[counts] = Join(existing, world);
                collapsed = true;
            }
            else
            {
                byCounts[counts] = world;
            }
        }

        return collapsed ? new(byCounts.Values.ToImmutableHashSet()) : new(merged);
    }

    // Two worlds with equal counts: keep a condition's value only where both know the same one.
    private static long Join(long a, long b)
    {
        var joined = a & 0xFF;
        for (var atom = 0; atom < MaxAtoms; atom++)
        {
            var shift = CountBits + (2 * atom);
            var left = (a >> shift) & 3;
            if (left == ((b >> shift) & 3))
            {
                joined |= left << shift;
            }
        }

        return joined;
    }

    /// <summary>Applies a change to the counts of every world.</summary>
    public ContextCounts Map(Func<int[], int[]> change) => new(Worlds.Select(world =>
    {
        var next = change(Counts(world));
        return (world & ~0xFFL) | (long)Encode(Clamp(next[0]), Clamp(next[1]), Clamp(next[2]));
    }).ToImmutableHashSet());

    /// <summary>Keeps the worlds where the condition can have this value, and records it there.</summary>
    public ContextCounts Assume(int atom, bool value)
    {
        var wanted = value ? 1L : 2L;
        var shift = CountBits + (2 * atom);
        return new(Worlds.Where(w =>
            {
                var known = (w >> shift) & 3;
                return known == 0 || known == wanted;
            })
            .Select(w => (w & ~(3L << shift)) | (wanted << shift)).ToImmutableHashSet());
    }

    /// <summary>Forgets the condition's value in every world (it was assigned).</summary>
    public ContextCounts Forget(int atom)
    {
        var shift = CountBits + (2 * atom);
        return new(Worlds.Select(w => w & ~(3L << shift)).ToImmutableHashSet());
    }

    /// <summary>The largest count of the kind over all worlds (0 when none may be held).</summary>
    public int MaxOf(int kind)
    {
        var max = 0;
        foreach (var world in Worlds)
        {
            max = Math.Max(max, CountOf(world, kind));
        }

        return max;
    }

    /// <summary>Whether some world has the kind at zero.</summary>
    public bool MayBeZero(int kind)
    {
        foreach (var world in Worlds)
        {
            if (CountOf(world, kind) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static int CountOf(long world, int kind)
    {
        var code = (int)(world & 0xFF);
        return kind switch
        {
            0 => code % Radix,
            1 => code / Radix % Radix,
            _ => code / (Radix * Radix),
        };
    }

    private static int[] Counts(long world)
    {
        var code = (int)(world & 0xFF);
        return new[] { code % Radix, code / Radix % Radix, code / (Radix * Radix) };
    }

    private static int Encode(int a, int b, int c) => a + (Radix * b) + (Radix * Radix * c);

    private static int Clamp(int count) => Math.Max(0, Math.Min(Max, count));

    public bool Equals(ContextCounts other) => Worlds.SetEquals(other.Worlds);

    public override bool Equals(object? obj) => obj is ContextCounts other && Equals(other);

    public override int GetHashCode() => Worlds.Count;
}
