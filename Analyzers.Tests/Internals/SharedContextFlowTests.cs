using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Tests.Internals;

/// <summary>Which blocks the context rules bind at all: ordinary Dispose calls must not make a block a candidate.</summary>
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
        var references = TestReferences.HostFrameworkAndRuntime();
        var compilation = CSharpCompilation.Create("Candidates", new[] { CSharpSyntaxTree.ParseText(source) }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var tree = compilation.SyntaxTrees[0];
        var block = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();

        var shared = SharedContextFlow.For(compilation, new TestAnalyzerConfigOptions());

        Assert.Equal(candidate, shared.MayChangeContext(block, compilation.GetSemanticModel(tree), CancellationToken.None));
    }
}
