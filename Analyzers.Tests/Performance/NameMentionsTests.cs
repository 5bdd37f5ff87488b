using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Performance;
using Microsoft.CodeAnalysis.CSharp;

namespace FpuGuard.Analyzers.Tests.Performance;

/// <summary>The text scan that lets a code block skip its syntax walk: it must never miss a name the walk would find.</summary>
public class NameMentionsTests
{
    private static readonly NameMentions Names = new(new[] { "Free", "fpregs_lock" });

    private static bool Mentions(string code) => Names.In(CSharpSyntaxTree.ParseText(code).GetRoot());

    [Theory]
    [InlineData("class C { void M() { Free(x); } }", true)]
    [InlineData("class C { void M() { k.fpregs_lock(); } }", true)]
    [InlineData("class C { void M() { @Free(x); } }", true)]
    [InlineData("class C { void M() { /* Free */ } }", true)] // a comment only costs a walk
    [InlineData("class C { void M() { FreeList(x); Unfree(); Free_(); } }", false)]
    [InlineData("class C { void M() { Fre(x); ree(); } }", false)]
    [InlineData("class C { void M() { éFree(); Freeé(); } }", false)] // letters beyond ASCII are part of the identifier
    [InlineData("class C { void M() { \\u0046ree(x); } }", true)] // an escaped identifier is not read: it counts
    public void Whole_identifiers_are_matched(string code, bool expected) =>
        Assert.Equal(expected, Mentions(code));

    [Fact]
    public void A_name_cut_by_a_chunk_boundary_is_still_found()
    {
        // The name starts at every offset around the scan's chunk boundaries (4,096 characters).
        foreach (var offset in new[] { 4090, 4091, 4092, 4093, 4094, 4095, 4096, 4097, 8189, 8190, 8191, 8192 })
        {
            var prefix = "class C { void M() { var s = \"";
            var code = prefix + new string(' ', offset - prefix.Length - 3) + "\"; Free(s); } }";
            Assert.Equal(offset, code.IndexOf("Free", System.StringComparison.Ordinal));
            Assert.True(Mentions(code), $"name at {offset}");
            Assert.False(Mentions(code.Replace("Free(s)", "Frees(s)")), $"longer name at {offset}");
        }
    }

    [Fact]
    public void An_identifier_longer_than_a_chunk_is_read_across_it()
    {
        Assert.False(Mentions("class C { void M() { var " + new string('a', 9000) + "Free = 1; } }"));
        Assert.True(Mentions("class C { void M() { var " + new string('a', 9000) + " = 1; Free(); } }"));
    }

    [Fact]
    public void An_escape_cut_by_a_chunk_boundary_is_still_seen()
    {
        for (var offset = 4080; offset < 4100; offset++)
        {
            var prefix = "class C { void M() { var s = \"";
            var code = prefix + new string(' ', offset - prefix.Length) + "\"; \\u0046ree(s); } }";
            Assert.True(Mentions(code), $"escape at {offset}");
        }
    }

    [Theory]
    [InlineData("class C { void M() { free(x); Vfree(x); } }", false)] // no name starts with f or V
    [InlineData("class C { void M() { x.Ärger(); } }", true)]
    [InlineData("class C { void M() { x._hidden = 1; } }", true)]
    [InlineData("class C { void M() { x.Ärgerlich(); _hiddenToo(); } }", false)]
    public void Names_starting_with_any_character_are_found(string code, bool expected) =>
        Assert.Equal(expected, new NameMentions(new[] { "Free", "Ärger", "_hidden" }).In(CSharpSyntaxTree.ParseText(code).GetRoot()));

    [Fact]
    public void No_names_mention_nothing() =>
        Assert.False(new NameMentions(System.Array.Empty<string>()).In(CSharpSyntaxTree.ParseText("class C { void Free() { } }").GetRoot()));
}
