using System;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// The set of (FPU register lock, preemption disabled, interrupts disabled) nesting counts that may hold at a
/// program point, each saturating at <see cref="Max"/>: 125 tuples in a 128-bit set. Merge is union, so
/// "may be held" means held on some path.
/// </summary>
internal readonly struct ContextCounts : IEquatable<ContextCounts>
{
    public const int Kinds = 3;
    public const int Max = 4;
    private const int Radix = Max + 1;

    private readonly ulong _low;
    private readonly ulong _high;

    private ContextCounts(ulong low, ulong high)
    {
        _low = low;
        _high = high;
    }

    public static ContextCounts Single(int lockCount, int preemptCount, int irqCount) => Empty.With(Encode(lockCount, preemptCount, irqCount));

    public static ContextCounts Empty => default;

    public bool IsEmpty => _low == 0 && _high == 0;

    public ContextCounts Union(ContextCounts other) => new(_low | other._low, _high | other._high);

    /// <summary>Applies a change to every tuple.</summary>
    public ContextCounts Map(Func<int[], int[]> change)
    {
        var result = Empty;
        foreach (var tuple in Tuples())
        {
            var next = change((int[])tuple.Clone());
            result = result.With(Encode(Clamp(next[0]), Clamp(next[1]), Clamp(next[2])));
        }

        return result;
    }

    /// <summary>The largest count of the kind over all tuples (0 when none may be held).</summary>
    public int MaxOf(int kind)
    {
        var max = 0;
        foreach (var tuple in Tuples())
        {
            max = Math.Max(max, tuple[kind]);
        }

        return max;
    }

    /// <summary>Whether some tuple has the kind at zero.</summary>
    public bool MayBeZero(int kind)
    {
        foreach (var tuple in Tuples())
        {
            if (tuple[kind] == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether some tuple differs from <paramref name="expected"/> for the kind.</summary>
    public bool MayDifferFrom(int kind, int expected)
    {
        foreach (var tuple in Tuples())
        {
            if (tuple[kind] != expected)
            {
                return true;
            }
        }

        return false;
    }

    private System.Collections.Generic.IEnumerable<int[]> Tuples()
    {
        for (var code = 0; code < Radix * Radix * Radix; code++)
        {
            if (Contains(code))
            {
                yield return new[] { code % Radix, code / Radix % Radix, code / (Radix * Radix) };
            }
        }
    }

    private bool Contains(int code) => code < 64 ? (_low & (1UL << code)) != 0 : (_high & (1UL << (code - 64))) != 0;

    private ContextCounts With(int code) => code < 64 ? new(_low | (1UL << code), _high) : new(_low, _high | (1UL << (code - 64)));

    private static int Encode(int a, int b, int c) => a + (Radix * b) + (Radix * Radix * c);

    private static int Clamp(int count) => Math.Max(0, Math.Min(Max, count));

    public bool Equals(ContextCounts other) => _low == other._low && _high == other._high;

    public override bool Equals(object? obj) => obj is ContextCounts other && Equals(other);

    public override int GetHashCode() => unchecked((int)(_low ^ (_low >> 32) ^ _high ^ (_high >> 32)));
}
