using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Rules.AtomicContext;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Tests.Rules.AtomicContext;

/// <summary>
/// Which blocks the atomic-context analyzer binds at all (ordinary Dispose calls must not make a block a
/// candidate), and which it analyses.
/// </summary>
public class BlockContextFlowTests
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
        var (flows, model, block, _) = Block(method);

        Assert.Equal(candidate, flows.MayChangeContext(block, model, CancellationToken.None));
    }

    [Theory]
    [InlineData("void M(Kernel kernel) { kernel.PreemptDisable(); }")]
    [InlineData("Kernel K = null!; int P { get { K.PreemptDisable(); return 0; } }")]
    public void A_block_that_changes_a_context_is_analysed(string member)
    {
        var (flows, model, block, owner) = Block(member);

        var flow = flows.Of(block, owner, model, mayChangeContext: true, analyseAnyway: false, CancellationToken.None);

        Assert.True(flow.ChangesContext);
        Assert.Single(flow.Results!.SelectMany(r => r.HeldAtReturn));
    }

    [Fact]
    public void A_block_that_changes_no_context_is_analysed_only_for_the_rule_that_needs_it()
    {
        var (flows, model, block, owner) = Block("void M(Kernel kernel) { var depth = kernel.PreemptDisableDepth; }");

        var unneeded = flows.Of(block, owner, model, mayChangeContext: true, analyseAnyway: false, CancellationToken.None);
        var needed = flows.Of(block, owner, model, mayChangeContext: true, analyseAnyway: true, CancellationToken.None);

        Assert.False(unneeded.ChangesContext);
        Assert.Null(unneeded.Results);
        Assert.False(needed.ChangesContext);
        Assert.NotNull(needed.Results);
    }

    [Fact]
    public void A_block_the_rule_found_no_candidate_is_not_checked_again()
    {
        var (flows, model, block, owner) = Block("void M(Kernel kernel) { kernel.PreemptDisable(); }");

        var flow = flows.Of(block, owner, model, mayChangeContext: false, analyseAnyway: true, CancellationToken.None);

        Assert.False(flow.ChangesContext);
        Assert.NotNull(flow.Results);
    }

    private static (BlockContextFlow Flows, SemanticModel Model, SyntaxNode Block, IMethodSymbol Owner) Block(string method)
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
        return (new BlockContextFlow(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new TestAnalyzerConfigOptions()), CancellationToken.None), model, block, (IMethodSymbol)model.GetDeclaredSymbol(block)!);
    }
}
