using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Tests.Internals;

/// <summary>
/// Which blocks the context rules bind at all (ordinary Dispose calls must not make a block a candidate), and
/// what one rule hands the other of a block.
/// </summary>
public class SharedContextFlowTests
{
    [Theory]
    [InlineData("void M(Stream stream) { stream.Dispose(); }", false)]
    [InlineData("void M(Stream stream, Timer? timer) { stream.Dispose(); timer?.Dispose(); }", false)]
    [InlineData("void M() { var list = new System.Collections.Generic.List<int> { 1 }; new MemoryStream().Dispose(); }", false)]
    [InlineData("void M(int size) { var text = size.ToString(); }", false)]
    [InlineData("void M(FpregsLockScope scope) { scope.Dispose(); }", true)]
    [InlineData("void M(FpregsLockScope? scope) { scope?.Dispose(); }", true)]
    [InlineData("void M(Stream stream, FpregsLockScope scope) { stream.Dispose(); scope.Dispose(); }", true)]
    [InlineData("void M(IDisposable scope) { scope.Dispose(); }", true)] // the analysis resolves it from the receiver
    [InlineData("void M(Kernel kernel, Stream stream) { kernel.FpregsLock(); stream.Dispose(); }", true)]
    [InlineData("void M(Kernel kernel) { kernel.PreemptDisable(); }", true)]
    public void Only_blocks_that_may_change_a_context_are_candidates(string method, bool candidate)
    {
        var (shared, model, block, _) = Block(method);

        Assert.Equal(candidate, shared.MayChangeContext(block, model, CancellationToken.None));
    }

    [Theory]
    [InlineData("void M(Kernel kernel) { kernel.PreemptDisable(); }")] // a member: handed over in its slot
    [InlineData("Kernel K = null!; int P { get { K.PreemptDisable(); return 0; } }")] // an accessor: in a table
    public void A_block_is_worked_out_once_for_both_rules_and_then_handed_over(string member)
    {
        var (shared, model, block, owner) = Block(member);

        var first = shared.Of(block, owner, model, mayChangeContext: true, analyseAnyway: false, CancellationToken.None);
        var second = shared.Of(block, owner, model, mayChangeContext: true, analyseAnyway: false, CancellationToken.None);
        var third = shared.Of(block, owner, model, mayChangeContext: true, analyseAnyway: false, CancellationToken.None);

        Assert.True(first.ChangesContext);
        Assert.Single(first.Results!.SelectMany(r => r.HeldAtReturn));
        Assert.Same(first, second); // the second rule takes what the first left
        Assert.NotSame(second, third); // and takes it away: a later compilation event works it out again
        Assert.Equal(first.Results!.Count, third.Results!.Count);
    }

    [Fact]
    public void A_block_that_changes_no_context_is_analysed_only_for_the_rule_that_needs_it()
    {
        var (shared, model, block, owner) = Block("void M(Kernel kernel) { var depth = kernel.PreemptDisableDepth; }");

        var unneeded = shared.Of(block, owner, model, mayChangeContext: true, analyseAnyway: false, CancellationToken.None);
        var needed = shared.Of(block, owner, model, mayChangeContext: true, analyseAnyway: true, CancellationToken.None);

        Assert.False(unneeded.ChangesContext);
        Assert.Null(unneeded.Results);
        Assert.False(needed.ChangesContext);
        Assert.NotNull(needed.Results);
    }

    [Fact]
    public void A_block_the_rule_found_no_candidate_is_not_checked_again()
    {
        var (shared, model, block, owner) = Block("void M(Kernel kernel) { kernel.PreemptDisable(); }");

        var flow = shared.Of(block, owner, model, mayChangeContext: false, analyseAnyway: true, CancellationToken.None);

        Assert.False(flow.ChangesContext);
        Assert.NotNull(flow.Results);
    }

    private static (SharedContextFlow Shared, SemanticModel Model, SyntaxNode Block, IMethodSymbol Owner) Block(string method)
    {
        var source = $$"""
            using System;
            using System.IO;
            using System.Threading;
            using FpuGuard.Runtime;

            class C
            {
                {{method}}
            }
            """;
        var compilation = CSharpCompilation.Create("Blocks", new[] { CSharpSyntaxTree.ParseText(source) }, TestReferences.HostFrameworkAndRuntime(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var tree = compilation.SyntaxTrees[0];
        var model = compilation.GetSemanticModel(tree);
        var block = tree.GetRoot().DescendantNodes().Where(n => n is MethodDeclarationSyntax or AccessorDeclarationSyntax).Single();
        return (SharedContextFlow.For(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new TestAnalyzerConfigOptions()), CancellationToken.None), model, block, (IMethodSymbol)model.GetDeclaredSymbol(block)!);
    }
}
