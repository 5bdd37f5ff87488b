using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;

namespace FpuGuard.Analyzers.Tests;

/// <summary>Rule IDs are unique, well formed, and their help links follow one pattern.</summary>
public class RuleIdentifiersTests
{
    private static string[] Identifiers() =>
        typeof(RuleIdentifiers).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();

    [Fact]
    public void Identifiers_are_unique_and_numbered_fpu_nnnn()
    {
        var ids = Identifiers();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches(new Regex("^FPU[0-9]{4}$"), id));
    }

    [Fact]
    public void Help_uri_names_the_rule_page()
    {
        Assert.All(Identifiers(), id => Assert.EndsWith("/docs/rules/" + id + ".md", RuleIdentifiers.GetHelpUri(id)));
    }
}
