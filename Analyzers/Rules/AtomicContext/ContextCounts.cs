using System;
using System.Collections.Generic;
using FpuGuard.Analyzers.Contracts;

namespace FpuGuard.Analyzers.Rules.AtomicContext;

/// <summary>
/// The worlds that may hold at a program point: each is a tuple of (FPU register lock, preemption disabled,
/// interrupts disabled) nesting counts, saturating at <see cref="Max"/>, together with what is known of up to
/// <see cref="MaxAtoms"/> boolean conditions on the path there (so <c>if (flag) Lock(); ... if (flag) Unlock();</c>
/// keeps the two branches' worlds apart). Merge is union: "may be held" means held in some world. The worlds are
/// a sorted array of distinct codes, never changed once made: most states hold one world, and a state with one
/// world and no known condition is one of a fixed set of arrays, so the analysis of ordinary code allocates none.
/// </summary>
internal readonly struct ContextCounts : IEquatable<ContextCounts>
{
    public const int Kinds = 3;

    public static readonly AtomicContextKind[] AllKinds = { AtomicContextKind.FpuRegisterLock, AtomicContextKind.PreemptionDisabled, AtomicContextKind.InterruptsDisabled };
    public const int Max = 4;
    public const int MaxAtoms = 16;
    private const int Radix = Max + 1;
    private const int CountBits = 8;
    private const long CountMask = 0xFF;

    private static readonly long[][] SingleWorlds = WorldsOfOne(Radix * Radix * Radix);

    // Sorted, distinct; null when empty.
    private readonly long[]? _worlds;

    private ContextCounts(long[]? worlds) => _worlds = worlds is { Length: > 0 } ? worlds : null;

    public static ContextCounts Empty => default;

    public static ContextCounts Single(int lockCount, int preemptCount, int irqCount) =>
        new(SingleWorlds[Encode(Clamp(lockCount), Clamp(preemptCount), Clamp(irqCount))]);

    public bool IsEmpty => _worlds is null;

    private long[] Worlds => _worlds ?? Array.Empty<long>();

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

        var merged = MergeSorted(Worlds, other.Worlds);
        if (merged.Length == Worlds.Length)
        {
            return this; // The other's worlds were all here already.
        }

        var collapsed = new List<long>(merged.Length);
        foreach (var world in merged)
        {
            var index = collapsed.FindIndex(w => (w & CountMask) == (world & CountMask));
            if (index >= 0)
            {
                collapsed[index] = Join(collapsed[index], world);
            }
            else
            {
                collapsed.Add(world);
            }
        }

        return collapsed.Count == merged.Length ? new(merged) : new(Canonical(collapsed.ToArray()));
    }

    // Two worlds with equal counts: keep a condition's value only where both know the same one.
    private static long Join(long a, long b)
    {
        var joined = a & CountMask;
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

    /// <summary>
    /// Applies a call's contract to the counts of every world: each kind it enters goes up by one, each it exits
    /// down by one, each it asserts to at least one.
    /// </summary>
    public ContextCounts Apply(AtomicContextKind[] enters, AtomicContextKind[] exits, AtomicContextKind[] asserts)
    {
        var worlds = Worlds;
        var next = new long[worlds.Length];
        for (var i = 0; i < worlds.Length; i++)
        {
            var code = (int)(worlds[i] & CountMask);
            int a = code % Radix, b = code / Radix % Radix, c = code / (Radix * Radix);
            foreach (var kind in enters)
            {
                Change(kind, 1, ref a, ref b, ref c);
            }

            foreach (var kind in exits)
            {
                Change(kind, -1, ref a, ref b, ref c);
            }

            foreach (var kind in asserts)
            {
                Change(kind, 0, ref a, ref b, ref c);
            }

            next[i] = (worlds[i] & ~CountMask) | (long)Encode(Clamp(a), Clamp(b), Clamp(c));
        }

        return new(Canonical(next));
    }

    // By one up or down, or (by 0) to at least one. Counts saturate when the world is encoded.
    private static void Change(AtomicContextKind kind, int by, ref int a, ref int b, ref int c)
    {
        ref var count = ref kind == AtomicContextKind.FpuRegisterLock ? ref a : ref kind == AtomicContextKind.PreemptionDisabled ? ref b : ref c;
        count = by == 0 ? Math.Max(count, 1) : count + by;
    }

    /// <summary>Keeps the worlds where the condition can have this value, and records it there.</summary>
    public ContextCounts Assume(int atom, bool value)
    {
        var wanted = value ? 1L : 2L;
        var shift = CountBits + (2 * atom);
        var kept = new List<long>(Worlds.Length);
        foreach (var world in Worlds)
        {
            var known = (world >> shift) & 3;
            if (known == 0 || known == wanted)
            {
                kept.Add((world & ~(3L << shift)) | (wanted << shift));
            }
        }

        return new(Canonical(kept.ToArray()));
    }

    /// <summary>Forgets the condition's value in every world (it was assigned).</summary>
    public ContextCounts Forget(int atom)
    {
        var mask = ~(3L << (CountBits + (2 * atom)));
        var worlds = Worlds;
        if (Array.TrueForAll(worlds, w => (w & mask) == w))
        {
            return this; // Nothing known of it: most assignments.
        }

        var next = new long[worlds.Length];
        for (var i = 0; i < worlds.Length; i++)
        {
            next[i] = worlds[i] & mask;
        }

        return new(Canonical(next));
    }

    /// <summary>Whether some world may have the condition at this value (it is unknown there, or known to be it).</summary>
    public bool MayBe(int atom, bool value)
    {
        var wanted = value ? 1L : 2L;
        var shift = CountBits + (2 * atom);
        foreach (var world in Worlds)
        {
            var known = (world >> shift) & 3;
            if (known == 0 || known == wanted)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The largest count of the kind over all worlds (0 when none may be held).</summary>
    public int MaxOf(AtomicContextKind kind)
    {
        var max = 0;
        foreach (var world in Worlds)
        {
            max = Math.Max(max, CountOf(world, kind));
        }

        return max;
    }

    /// <summary>Whether some world has the kind at zero.</summary>
    public bool MayBeZero(AtomicContextKind kind)
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

    private static int CountOf(long world, AtomicContextKind kind)
    {
        var code = (int)(world & CountMask);
        return kind switch
        {
            AtomicContextKind.FpuRegisterLock => code % Radix,
            AtomicContextKind.PreemptionDisabled => code / Radix % Radix,
            _ => code / (Radix * Radix),
        };
    }

    // Sorted and distinct; a single world that knows no condition is the shared array for its counts.
    private static long[] Canonical(long[] worlds)
    {
        if (worlds.Length == 1)
        {
            return worlds[0] < SingleWorlds.Length ? SingleWorlds[worlds[0]] : worlds;
        }

        Array.Sort(worlds);
        var distinct = 0;
        for (var i = 0; i < worlds.Length; i++)
        {
            if (i == 0 || worlds[i] != worlds[distinct - 1])
            {
                worlds[distinct++] = worlds[i];
            }
        }

        if (distinct == worlds.Length)
        {
            return worlds;
        }

        Array.Resize(ref worlds, distinct);
        return Canonical(worlds);
    }

    private static long[] MergeSorted(long[] left, long[] right)
    {
        var merged = new long[left.Length + right.Length];
        int i = 0, j = 0, n = 0;
        while (i < left.Length || j < right.Length)
        {
            var next = j == right.Length || (i < left.Length && left[i] <= right[j]) ? left[i++] : right[j++];
            if (n == 0 || merged[n - 1] != next)
            {
                merged[n++] = next;
            }
        }

        Array.Resize(ref merged, n);
        return merged;
    }

    private static long[][] WorldsOfOne(int count)
    {
        var singles = new long[count][];
        for (var code = 0; code < count; code++)
        {
            singles[code] = new long[] { code };
        }

        return singles;
    }

    private static int Encode(int a, int b, int c) => a + (Radix * b) + (Radix * Radix * c);

    private static int Clamp(int count) => Math.Max(0, Math.Min(Max, count));

    public bool Equals(ContextCounts other) => ReferenceEquals(_worlds, other._worlds) || Worlds.AsSpan().SequenceEqual(other.Worlds);

    public override bool Equals(object? obj) => obj is ContextCounts other && Equals(other);

    public override int GetHashCode() => Worlds.Length;
}
