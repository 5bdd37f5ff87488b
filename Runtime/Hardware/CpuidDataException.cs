using System;

namespace FpuGuard.Runtime;

/// <summary>
/// CPUID leaf 0xD data that cannot describe a real save area: missing, truncated, zero or
/// contradictory sub-leaves, or text that is not a CPUID dump. The message names the sub-leaf
/// (and the dump line, where there is one) so the data can be fixed; no layout is built from it.
/// </summary>
public sealed class CpuidDataException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public CpuidDataException(string message, int? subLeaf = null, int? lineNumber = null)
        : base(Compose(message, subLeaf, lineNumber))
    {
        SubLeaf = subLeaf;
        LineNumber = lineNumber;
    }

    /// <summary>The leaf 0xD sub-leaf at fault, when one is.</summary>
    public int? SubLeaf { get; }

    /// <summary>The 1-based line of the dump at fault, when one is.</summary>
    public int? LineNumber { get; }

    private static string Compose(string message, int? subLeaf, int? lineNumber)
    {
        var where = subLeaf is int s ? $"CPUID leaf 0xD sub-leaf 0x{s:X2}" : "CPUID leaf 0xD";
        if (lineNumber is int line)
        {
            where += $" (line {line})";
        }

        return $"{where}: {message}";
    }
}
