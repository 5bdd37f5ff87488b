using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace FpuGuard.Analyzers.Tests.Helpers;

public static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    // A rule may report through more than one descriptor (FPU0001: live and compilation end); expect the first.
    public static DiagnosticResult Diagnostic(string diagnosticId) =>
        CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(new TAnalyzer().SupportedDiagnostics.First(d => d.Id == diagnosticId));

    public static async Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync(CancellationToken.None);
    }

    /// <summary>An analyzer test compiled against net8.0 and FpuGuard.Runtime, as a user's project is.</summary>
    public sealed class Test : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.Net80;
            MarkupOptions = MarkupOptions.UseFirstDescriptor;
            TestState.AdditionalReferences.Add(TestReferences.Runtime);
        }
    }
}
