using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FpuGuard.Analyzers.Performance;

/// <summary>
/// Whether a stretch of source text mentions, as a whole identifier, one of a set of names: a scan of the
/// characters, without syntax nodes. A code block that mentions no contract name, contract attribute or alias of
/// one cannot involve a rule, and its syntax need not be walked (most of a build's code). Names in comments and
/// strings count too: they only cost a walk. Text with a Unicode escape (an identifier may be spelled with one)
/// always counts as a mention.
/// </summary>
internal sealed class NameMentions
{
    private const int ChunkLength = 4096;

    // Names by a hash of their characters, compared in full on a hit: looking up a span allocates nothing.
    private readonly Dictionary<int, List<string>> _byHash = new();
    private readonly int _longest;

    // Which ASCII characters some name starts with (bit c of the pair), and whether one starts beyond ASCII: most
    // identifiers in code (keywords, locals) start with a character no name does, and are skipped unhashed.
    private ulong _startsLow, _startsHigh;
    private bool _startsBeyondAscii;

    [ThreadStatic]
    private static char[]? _buffer;

    public NameMentions(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            if (name.Length == 0)
            {
                continue;
            }

            var hash = Hash(name.ToCharArray(), 0, name.Length);
            if (!_byHash.TryGetValue(hash, out var bucket))
            {
                _byHash[hash] = bucket = new List<string>();
            }

            if (!bucket.Contains(name))
            {
                bucket.Add(name);
                _longest = Math.Max(_longest, name.Length);
                MarkStart(name[0]);
            }
        }
    }

    public bool IsEmpty => _byHash.Count == 0;

    /// <summary>Whether the node's text mentions one of the names.</summary>
    public bool In(SyntaxNode node) => In(node.SyntaxTree.GetText(), node.Span);

    private bool In(SourceText text, TextSpan span)
    {
        if (IsEmpty)
        {
            return false;
        }

        var buffer = _buffer ??= new char[ChunkLength];

        // Chunks overlap by an identifier that straddles their boundary: it is scanned again in the next chunk.
        var start = span.Start;
        while (start < span.End)
        {
            var length = Math.Min(buffer.Length, span.End - start);
            text.CopyTo(start, buffer, 0, length);
            var last = length == span.End - start ? length : LastBoundary(buffer, length);
            if (Scan(buffer, last))
            {
                return true;
            }

            start += last;
        }

        return false;
    }

    private bool Scan(char[] chars, int length)
    {
        var i = 0;
        while (i < length)
        {
            var c = chars[i];
            if (c == '\\' && i + 1 < length && (chars[i + 1] == 'u' || chars[i + 1] == 'U'))
            {
                return true;
            }

            if (!IsIdentifierStart(c))
            {
                i++;
                continue;
            }

            var begin = i;
            var candidate = MayStart(c);
            while (i < length && IsIdentifierPart(chars[i]))
            {
                i++;
            }

            if (candidate && i - begin <= _longest && _byHash.TryGetValue(Hash(chars, begin, i - begin), out var bucket) && Matches(bucket, chars, begin, i - begin))
            {
                return true;
            }
        }

        return false;
    }

    // Where the chunk's last whole token ends: an identifier (or an escape's backslash) cut by the chunk's end is
    // left for the next chunk. An identifier as long as the chunk is longer than any name: it cannot match.
    private static int LastBoundary(char[] chars, int length)
    {
        var end = length;
        while (end > 1 && IsIdentifierPart(chars[end - 1]))
        {
            end--;
        }

        if (end > 1 && chars[end - 1] == '\\')
        {
            end--;
        }

        return end > 1 ? end : length;
    }

    private void MarkStart(char c)
    {
        if (c >= 128)
        {
            _startsBeyondAscii = true;
        }
        else if (c < 64)
        {
            _startsLow |= 1UL << c;
        }
        else
        {
            _startsHigh |= 1UL << (c - 64);
        }
    }

    private bool MayStart(char c) =>
        c >= 128 ? _startsBeyondAscii : c < 64 ? (_startsLow & (1UL << c)) != 0 : (_startsHigh & (1UL << (c - 64))) != 0;

    private static bool Matches(List<string> bucket, char[] chars, int start, int length)
    {
        foreach (var name in bucket)
        {
            if (name.Length == length && SameChars(name, chars, start))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameChars(string name, char[] chars, int start)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != chars[start + i])
            {
                return false;
            }
        }

        return true;
    }

    private static int Hash(char[] chars, int start, int length)
    {
        unchecked
        {
            var hash = (int)2166136261;
            for (var i = start; i < start + length; i++)
            {
                hash = (hash ^ chars[i]) * 16777619;
            }

            return hash;
        }
    }

    private static bool IsIdentifierStart(char c) =>
        c < 128 ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' : IsIdentifierPart(c);

    // The C# identifier-part characters: letters, digits, connecting, combining and formatting characters.
    private static bool IsIdentifierPart(char c)
    {
        if (c < 128)
        {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }

        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.ConnectorPunctuation:
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.Format:
            case UnicodeCategory.Surrogate:
                return true;
            default:
                return false;
        }
    }
}
