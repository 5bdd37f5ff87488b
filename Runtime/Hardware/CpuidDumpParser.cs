using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace FpuGuard.Runtime;

/// <summary>
/// Reads CPUID leaf 0xD out of a text dump of the first logical CPU. Two formats:
/// InstLatx64's <c>CPUID 0000000D: 000602E7-00002B00-00002B00-00000000 [SL 00]</c> (older dumps omit the
/// <c>[SL nn]</c> tag and list sub-leaf 0, 1, then one line per supported component in ascending order)
/// and the Linux <c>cpuid -r</c> tool's <c>0x0000000d 0x01: eax=0x... ebx=0x... ecx=0x... edx=0x...</c>.
/// </summary>
internal static class CpuidDumpParser
{
    private const string Hex8 = "([0-9A-Fa-f]{8})";

    private static readonly Regex InstLatLine = new(
        @"^\s*CPUID\s+([0-9A-Fa-f]{8})\s*:\s*" + Hex8 + "-" + Hex8 + "-" + Hex8 + "-" + Hex8 + @"(?:\s*\[SL\s*([0-9A-Fa-f]{1,2})\])?",
        RegexOptions.CultureInvariant);

    private static readonly Regex RawLine = new(
        @"^\s*0x([0-9A-Fa-f]{8})\s+0x([0-9A-Fa-f]{1,8})\s*:\s*eax=0x([0-9A-Fa-f]{1,8})\s+ebx=0x([0-9A-Fa-f]{1,8})\s+ecx=0x([0-9A-Fa-f]{1,8})\s+edx=0x([0-9A-Fa-f]{1,8})",
        RegexOptions.CultureInvariant);

    private static readonly Regex LeafXsaveMention = new(@"^\s*(CPUID\s+0000000D\b|0x0000000d\s)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly Regex CpuBlockHeader = new(@"^\s*CPU\s*#?\s*\d+\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private readonly record struct Entry(int? SubLeaf, CpuidRegisters Registers, int Line);

    public static Dictionary<int, CpuidRegisters> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = ReadFirstBlock(text);
        if (entries.Count == 0)
        {
            throw new CpuidDataException("the text holds no leaf 0xD lines; expected an InstLatx64 dump (\"CPUID 0000000D: ...\") or 'cpuid -r' output (\"0x0000000d 0x00: eax=...\")");
        }

        var tagged = entries.FindAll(e => e.SubLeaf is not null);
        if (tagged.Count != 0 && tagged.Count != entries.Count)
        {
            var untagged = entries.Find(e => e.SubLeaf is null);
            throw new CpuidDataException("the dump mixes lines with and without an [SL nn] tag, so the sub-leaf of an untagged line is unknown", lineNumber: untagged.Line);
        }

        return tagged.Count != 0 ? Collect(entries) : AssignImplicitSubLeaves(entries);
    }

    private static List<Entry> ReadFirstBlock(string text)
    {
        var entries = new List<Entry>();
        var lines = text.Split('\n');
        var seenAnyLeaf = false;
        var seenLeafZero = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var lineNumber = i + 1;
            if (CpuBlockHeader.IsMatch(line) && !line.TrimStart().StartsWith("CPUID", StringComparison.OrdinalIgnoreCase))
            {
                if (seenAnyLeaf)
                {
                    break; // The next logical CPU's block: the first CPU's is the one we describe.
                }

                continue;
            }

            if (TryReadLine(line, out var leaf, out var subLeaf, out var registers))
            {
                if (leaf == 0 && seenLeafZero)
                {
                    break; // Leaf 0 again without a header: a second CPU's block begins.
                }

                seenLeafZero |= leaf == 0;
                seenAnyLeaf = true;
                if (leaf == 0xD)
                {
                    entries.Add(new Entry(subLeaf, registers, lineNumber));
                }

                continue;
            }

            if (LeafXsaveMention.IsMatch(line))
            {
                throw new CpuidDataException($"unrecognised line format: \"{line.Trim()}\"", lineNumber: lineNumber);
            }
        }

        return entries;
    }

    private static bool TryReadLine(string line, out uint leaf, out int? subLeaf, out CpuidRegisters registers)
    {
        var match = InstLatLine.Match(line);
        if (match.Success)
        {
            leaf = ParseHex(match.Groups[1].Value);
            subLeaf = match.Groups[6].Success ? (int)ParseHex(match.Groups[6].Value) : null;
            registers = new CpuidRegisters(ParseHex(match.Groups[2].Value), ParseHex(match.Groups[3].Value), ParseHex(match.Groups[4].Value), ParseHex(match.Groups[5].Value));
            return true;
        }

        match = RawLine.Match(line);
        if (match.Success)
        {
            leaf = ParseHex(match.Groups[1].Value);
            var sub = ParseHex(match.Groups[2].Value);
            subLeaf = sub <= 63 ? (int)sub : -1;
            registers = new CpuidRegisters(ParseHex(match.Groups[3].Value), ParseHex(match.Groups[4].Value), ParseHex(match.Groups[5].Value), ParseHex(match.Groups[6].Value));
            return true;
        }

        leaf = 0;
        subLeaf = null;
        registers = default;
        return false;
    }

    private static uint ParseHex(string digits) => uint.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static Dictionary<int, CpuidRegisters> Collect(List<Entry> entries)
    {
        var result = new Dictionary<int, CpuidRegisters>();
        foreach (var entry in entries)
        {
            var subLeaf = entry.SubLeaf!.Value;
            if (subLeaf is < 0 or > 63)
            {
                throw new CpuidDataException("sub-leaf out of range: leaf 0xD has sub-leaves 0x00 to 0x3F", lineNumber: entry.Line);
            }

            if (result.TryGetValue(subLeaf, out var earlier) && earlier != entry.Registers)
            {
                throw new CpuidDataException($"listed twice with different values ({earlier} and {entry.Registers})", subLeaf, entry.Line);
            }

            result[subLeaf] = entry.Registers;
        }

        return result;
    }

    // Old InstLatx64 dumps print sub-leaf 0, sub-leaf 1, then one line per supported component >= 2.
    private static Dictionary<int, CpuidRegisters> AssignImplicitSubLeaves(List<Entry> entries)
    {
        var result = new Dictionary<int, CpuidRegisters> { [0] = entries[0].Registers };
        if (entries.Count < 2)
        {
            return result; // The layout decoder reports the missing sub-leaf 1.
        }

        result[1] = entries[1].Registers;
        var sl0 = entries[0].Registers;
        var sl1 = entries[1].Registers;
        var user = ((ulong)sl0.Edx << 32 | sl0.Eax) & ~0x3UL;
        var supervisor = (ulong)sl1.Edx << 32 | sl1.Ecx;
        var extra = entries.Count - 2;

        // Some dump tools print only the user components' sub-leaves; then the supervisor ones are missing
        // and the layout decoder names them, rather than this parser guessing which line is which.
        var components = Bits(user | supervisor);
        if (extra != components.Count)
        {
            components = Bits(user);
        }

        if (extra != components.Count)
        {
            throw new CpuidDataException(
                $"the dump's {extra} untagged component line(s) match neither the {Bits(user | supervisor).Count} supported component(s) >= 2 (mask 0x{user | supervisor:x}) nor the {components.Count} user ones; without [SL nn] tags the sub-leaf of each line cannot be told",
                lineNumber: entries[Math.Min(entries.Count - 1, 2)].Line);
        }

        for (var i = 0; i < components.Count; i++)
        {
            result[components[i]] = entries[i + 2].Registers;
        }

        return result;
    }

    private static List<int> Bits(ulong mask)
    {
        var bits = new List<int>();
        for (var bit = 2; bit < 64; bit++)
        {
            if ((mask & (1UL << bit)) != 0)
            {
                bits.Add(bit);
            }
        }

        return bits;
    }
}
