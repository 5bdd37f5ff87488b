using System;
using System.Collections.Generic;
using System.Linq;

namespace FpuGuard.AnalyzerBenchmarks;

public static class Statistics
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    /// <summary>Nearest-rank percentile: the smallest value with at least <paramref name="percent"/>% of the values at or below it.</summary>
    public static double Percentile(IEnumerable<double> values, double percent)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("no values to take a percentile of", nameof(values));
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    /// <summary>
    /// The least-squares slope of log(y) over log(x): the exponent b of y ≈ a·x^b. Null when fewer than two
    /// points are usable (a non-positive value has no logarithm).
    /// </summary>
    public static double? ScalingExponent(IReadOnlyList<(double X, double Y)> points)
    {
        var logs = points.Where(p => p.X > 0 && p.Y > 0).Select(p => (X: Math.Log(p.X), Y: Math.Log(p.Y))).ToArray();
        if (logs.Length < 2 || logs.Select(p => p.X).Distinct().Count() < 2)
        {
            return null;
        }

        var meanX = logs.Average(p => p.X);
        var meanY = logs.Average(p => p.Y);
        return logs.Sum(p => (p.X - meanX) * (p.Y - meanY)) / logs.Sum(p => (p.X - meanX) * (p.X - meanX));
    }
}
