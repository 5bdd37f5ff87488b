using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace FpuGuard.Analyzers.Contracts;

/// <summary>
/// FpuGuard's contract declarations as a project that cannot reference FpuGuard.Runtime gets them: the Runtime's
/// own Contracts/*.cs (embedded in this assembly as resources when it is built, the one source there is), with
/// every type made <c>internal</c> and moved to <see cref="Namespace"/>, so that they never collide with the
/// Runtime's public ones (CS0436) nor with another assembly's copies.
/// </summary>
internal static class EmbeddedContracts
{
    /// <summary>The namespace of the copies.</summary>
    public const string Namespace = "FpuGuard.Contracts.Embedded";

    /// <summary>The MSBuild property that asks for the copies, and its value.</summary>
    public const string Property = "FpuGuardContracts";

    public const string EmbedValue = "embed";

    /// <summary>The Runtime's namespace in the source files.</summary>
    private const string SourceNamespace = "FpuGuard.Runtime";

    // In the order a reader wants them: the enum the attributes take, then the attributes.
    private static readonly string[] Files = { "AtomicContextKind.cs", "ContractAttributes.cs" };

    private static readonly Lazy<string> Copies = new(Build);

    /// <summary>The copies, as one C# file (C# 7.3): what the generator adds and the docs show for pasting.</summary>
    public static string Text => Copies.Value;

    /// <summary>The Runtime's source file as embedded in this assembly.</summary>
    public static string Resource(string fileName)
    {
        using var stream = typeof(EmbeddedContracts).Assembly.GetManifestResourceStream("FpuGuard.Contracts." + fileName)
            ?? throw new InvalidOperationException($"FpuGuard.Analyzers was built without the Runtime's Contracts/{fileName} as a resource");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }

    private static string Build()
    {
        var text = new StringBuilder()
            .Append("// FpuGuard's contract declarations: internal copies of FpuGuard.Runtime's, in a namespace of their own.\n")
            .Append("using System;\n\n")
            .Append("namespace ").Append(Namespace).Append('\n').Append("{\n");
        for (var i = 0; i < Files.Length; i++)
        {
            if (i > 0)
            {
                text.Append('\n');
            }

            text.Append(Internal(NamespaceBody(Files[i], Resource(Files[i]))));
        }

        return text.Append("}\n").ToString();
    }

    // The lines inside the file's one namespace block.
    private static string NamespaceBody(string fileName, string source)
    {
        var header = "namespace " + SourceNamespace + "\n{\n";
        var start = source.IndexOf(header, StringComparison.Ordinal);
        var end = source.LastIndexOf("\n}", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"Contracts/{fileName}: expected one block 'namespace {SourceNamespace} {{ ... }}'");
        }

        var usings = source.Substring(0, start).Split('\n').Where(l => l.StartsWith("using ", StringComparison.Ordinal) && l.Trim() != "using System;").ToList();
        if (usings.Count > 0)
        {
            throw new InvalidOperationException($"Contracts/{fileName}: '{usings[0]}' — the copies import only System");
        }

        return source.Substring(start + header.Length, end + 1 - start - header.Length);
    }

    // Every type declared at the namespace level becomes internal; members keep their accessibility.
    private static string Internal(string body) =>
        Regex.Replace(body, @"^    public (sealed class|enum|static class|class|struct) ", "    internal $1 ", RegexOptions.Multiline);
}
