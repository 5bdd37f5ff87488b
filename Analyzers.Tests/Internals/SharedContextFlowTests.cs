using System;
using System.IO;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

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
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(FpuGuard.Runtime.Kernel).Assembly.Location));
        var compilation = CSharpCompilation.Create("Candidates", new[] { CSharpSyntaxTree.ParseText(source) }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var tree = compilation.SyntaxTrees[0];
        var block = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();

        var shared = SharedContextFlow.For(compilation, new NoOptions());

        Assert.Equal(candidate, shared.MayChangeContext(block, compilation.GetSemanticModel(tree), CancellationToken.None));
    }

    private sealed class NoOptions : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions => Empty.Instance;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty.Instance;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty.Instance;

        private sealed class Empty : AnalyzerConfigOptions
        {
            public static readonly Empty Instance = new();

            public override bool TryGetValue(string key, out string value)
            {
                value = "";
                return false;
            }
        }
    }
}
