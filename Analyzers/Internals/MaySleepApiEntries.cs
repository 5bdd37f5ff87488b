using System.Linq;
using Microsoft.CodeAnalysis;

namespace FpuGuard.Analyzers.Internals;

/// <summary>
/// Why an entry of a may-sleep list can never match a call (FPU0005): it is no method's documentation ID, or its
/// type is referenced and has no such member. An entry whose type the compilation does not reference is fine:
/// one list serves several projects.
/// </summary>
internal static class MaySleepApiEntries
{
    private const int MaxSuggestions = 3;

    /// <summary>The problem with <paramref name="entry"/>, in the user's terms; null when it is fine.</summary>
    public static string? Problem(string entry, Compilation compilation)
    {
        if (!entry.StartsWith("M:", System.StringComparison.Ordinal))
        {
            return entry.Length > 1 && entry[1] == ':' && "NTFPE".IndexOf(entry[0]) >= 0
                ? $"only methods can sleep: the entry must start with 'M:', not '{entry.Substring(0, 2)}'"
                : "it is not a documentation ID: it must start with 'M:' (e.g. M:System.Threading.Thread.Sleep(System.Int32))";
        }

        if (DocumentationIdSyntax.Check(entry, 2) is { } syntaxError)
        {
            return "it is not a documentation ID: " + syntaxError;
        }

        if (DocumentationCommentId.GetSymbolsForDeclarationId(entry, compilation).Any(s => s is IMethodSymbol))
        {
            return null;
        }

        var name = DocumentationIdSyntax.NameOf(entry);
        var dot = name.LastIndexOf('.');
        if (dot <= 2)
        {
            return "it names no type: a method's ID is M:Namespace.Type.Method(Parameter.Types)";
        }

        var typeId = "T:" + name.Substring(2, dot - 2);
        var type = DocumentationCommentId.GetSymbolsForDeclarationId(typeId, compilation).OfType<INamedTypeSymbol>().FirstOrDefault();
        if (type is null)
        {
            return null;
        }

        // Roslyn 4.8 does not resolve every ID it writes (an explicit implementation of a generic interface's
        // method: ...ICollection{T}#Add(`0)); the list compares IDs as written, so such an entry does match.
        if (type.GetMembers().OfType<IMethodSymbol>().Any(m => m.GetDocumentationCommentId() == entry))
        {
            return null;
        }

        var memberName = name.Substring(dot + 1);
        var arity = memberName.IndexOf('`');
        var simpleName = (arity >= 0 ? memberName.Substring(0, arity) : memberName).Replace('#', '.');
        var candidates = type.GetMembers().OfType<IMethodSymbol>()
            .Where(m => m.MetadataName == simpleName || m.Name == simpleName)
            .Select(m => m.GetDocumentationCommentId())
            .Where(id => id is not null)
            .Take(MaxSuggestions + 1)
            .ToList();
        var suggestion = candidates.Count switch
        {
            0 => $"; it has no method named '{simpleName}'",
            _ => "; its methods of that name are " + string.Join(", ", candidates.Take(MaxSuggestions).Select(c => $"'{c}'")) + (candidates.Count > MaxSuggestions ? ", ..." : ""),
        };
        return $"{type.ToDisplayString()} is referenced but has no method matching it (a typo?){suggestion}";
    }

    /// <summary>
    /// The grammar of a method's documentation ID as the compiler writes it
    /// (<see cref="DocumentationCommentId.CreateDeclarationId"/>): a dotted name, the method's arity as ``n, a
    /// parenthesised list of parameter types, and ~ReturnType for conversion operators.
    /// </summary>
    private static class DocumentationIdSyntax
    {
        public static string NameOf(string id)
        {
            var end = id.IndexOfAny(new[] { '(', '~' });
            return end < 0 ? id : id.Substring(0, end);
        }

        /// <summary>The first syntax error after <paramref name="start"/>, or null.</summary>
        public static string? Check(string id, int start)
        {
            var position = start;
            if (Name(id, ref position) is { } nameError)
            {
                return nameError;
            }

            if (position < id.Length && id[position] == '(')
            {
                position++;
                while (true)
                {
                    if (Type(id, ref position) is { } parameterError)
                    {
                        return parameterError;
                    }

                    if (position < id.Length && id[position] == ',')
                    {
                        position++;
                        continue;
                    }

                    if (position < id.Length && id[position] == ')')
                    {
                        position++;
                        break;
                    }

                    return At(id, position, "',' or ')' expected");
                }
            }

            if (position < id.Length && id[position] == '~')
            {
                position++;
                if (Type(id, ref position) is { } returnError)
                {
                    return returnError;
                }
            }

            return position == id.Length ? null : At(id, position, "unexpected text");
        }

        // Namespace.Type`1.Member``2: identifiers (with # for .ctor and explicit implementations) separated by dots.
        private static string? Name(string id, ref int position)
        {
            while (true)
            {
                var begin = position;
                // An explicit implementation's name holds its interface's name, type arguments in braces included:
                // System#Collections#Generic#ICollection{T}#Add. A compiler-generated name keeps its '$' ({Clone}$ of a record).
                while (position < id.Length && (char.IsLetterOrDigit(id[position]) || id[position] is '_' or '#' or '{' or '$'))
                {
                    if (id[position] == '{' && !SkipBraces(id, ref position))
                    {
                        return At(id, position, "'}' expected");
                    }

                    position++;
                }

                if (position == begin)
                {
                    return At(id, position, "a name expected");
                }

                if (position < id.Length && id[position] == '`')
                {
                    position++;
                    if (position < id.Length && id[position] == '`')
                    {
                        position++;
                    }

                    if (!Digits(id, ref position))
                    {
                        return At(id, position, "an arity (digits) expected after '`'");
                    }
                }

                if (position < id.Length && id[position] == '.')
                {
                    position++;
                    continue;
                }

                return null;
            }
        }

        // A parameter type: a type parameter (`n, ``n) or a dotted name with {type,...} arguments, then
        // arrays ([], [0:,0:]), pointers (*) and by-reference (@); empty for a function pointer, as Roslyn 4.8
        // writes one (M:...Initialize(,,,System.Int32)).
        private static string? Type(string id, ref int position)
        {
            if (position < id.Length && id[position] is ',' or ')')
            {
                return null;
            }

            if (position < id.Length && id[position] == '`')
            {
                position++;
                if (position < id.Length && id[position] == '`')
                {
                    position++;
                }

                if (!Digits(id, ref position))
                {
                    return At(id, position, "a type parameter's number expected after '`'");
                }
            }
            else
            {
                while (true)
                {
                    var begin = position;
                    while (position < id.Length && (char.IsLetterOrDigit(id[position]) || id[position] == '_'))
                    {
                        position++;
                    }

                    if (position == begin)
                    {
                        return At(id, position, "a parameter type expected");
                    }

                    if (position < id.Length && id[position] == '{')
                    {
                        position++;
                        while (true)
                        {
                            if (Type(id, ref position) is { } argumentError)
                            {
                                return argumentError;
                            }

                            if (position < id.Length && id[position] == ',')
                            {
                                position++;
                                continue;
                            }

                            if (position < id.Length && id[position] == '}')
                            {
                                position++;
                                break;
                            }

                            return At(id, position, "',' or '}' expected");
                        }
                    }

                    if (position < id.Length && id[position] == '.')
                    {
                        position++;
                        continue;
                    }

                    break;
                }
            }

            while (position < id.Length)
            {
                switch (id[position])
                {
                    case '*' or '@':
                        position++;
                        continue;
                    case '[':
                        position++;
                        while (position < id.Length && (char.IsDigit(id[position]) || id[position] is ':' or ','))
                        {
                            position++;
                        }

                        if (position == id.Length || id[position] != ']')
                        {
                            return At(id, position, "']' expected");
                        }

                        position++;
                        continue;
                }

                break;
            }

            return null;
        }

        // From a '{' to its matching '}' (left at it), over the characters of type names and arguments.
        private static bool SkipBraces(string id, ref int position)
        {
            var depth = 0;
            for (; position < id.Length; position++)
            {
                switch (id[position])
                {
                    case '{':
                        depth++;
                        break;
                    case '}':
                        if (--depth == 0)
                        {
                            return true;
                        }

                        break;
                    case '(' or ')' or '~' or '.':
                        return false;
                }
            }

            return false;
        }

        private static bool Digits(string id, ref int position)
        {
            var begin = position;
            while (position < id.Length && char.IsDigit(id[position]))
            {
                position++;
            }

            return position > begin;
        }

        private static string At(string id, int position, string what) =>
            position < id.Length ? $"{what} at '{id.Substring(position)}' (character {position + 1})" : $"{what} at its end";
    }
}
