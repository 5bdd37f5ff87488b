using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace FpuGuard.Analyzers.Tests.Helpers;

public static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public static DiagnosticResult Diagnostic(string diagnosticId) =>
        CSharpCodeFixVerifier<TAnalyzer, TCodeFix, DefaultVerifier>.Diagnostic(new TAnalyzer().SupportedDiagnostics.First(d => d.Id == diagnosticId));

    public static async Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync(CancellationToken.None);
    }

    public static async Task VerifyCodeFixAsync(string source, string fixedSource, int codeActionIndex = 0)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource, CodeActionIndex = codeActionIndex };
        await test.RunAsync(CancellationToken.None);
    }

    /// <summary>A code-fix test compiled against net8.0 and FpuGuard.Runtime; the framework also checks FixAll.</summary>
    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.Net80;
            MarkupOptions = MarkupOptions.UseFirstDescriptor;
            TestState.AdditionalReferences.Add(TestReferences.Runtime);
            FixedState.AdditionalReferences.Add(TestReferences.Runtime);
        }
    }
}
