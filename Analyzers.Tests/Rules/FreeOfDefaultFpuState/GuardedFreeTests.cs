using System.Linq;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// The guard idiom FPU0002 accepts on syntax, before any operation tree: only the shapes the flow analysis
/// surely proves (FreeOfDefaultFpuStateTests checks the rule gives the same answers either way).
/// </summary>
public class GuardedFreeTests
{
    [Theory]
    [InlineData("if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(fpu.State);", true)]
    [InlineData("if (fpu.DefaultState != fpu.State) { kernel.Memory.Vfree(fpu.State); flag = false; }", true)]
    [InlineData("if (!ReferenceEquals(fpu.State, fpu.DefaultState)) { kernel.Memory.Vfree(fpu.State!); }", true)]
    [InlineData("if (!(fpu.State == fpu.DefaultState)) kernel.Memory.Vfree((fpu.State));", true)]
    [InlineData("if (!object.Equals(fpu.DefaultState, fpu.State)) kernel.Memory.Vfree(fpu.State);", true)]
    [InlineData("var state = fpu.State; if (state != fpu.DefaultState) kernel.Memory.Vfree(state);", true)]
    [InlineData("if (fpu.State == fpu.DefaultState) kernel.Memory.Vfree(fpu.State);", false)]
    [InlineData("if (fpu.State != fpu.DefaultState) { flag = false; kernel.Memory.Vfree(fpu.State); }", false)]
    [InlineData("if (fpu.State != fpu.DefaultState) { } else kernel.Memory.Vfree(fpu.State);", false)]
    [InlineData("if (fpu.State != other.State) kernel.Memory.Vfree(fpu.State);", false)]
    [InlineData("if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(other.State);", false)]
    [InlineData("if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(fpu.DefaultState);", false)]
    [InlineData("if (fpu.State != fpu.DefaultState && flag) kernel.Memory.Vfree(fpu.State);", false)]
    [InlineData("if (fpu.State is not null) kernel.Memory.Vfree(fpu.State);", false)]
    [InlineData("if (fpu.State != fpu.DefaultState) Memory(kernel).Vfree(fpu.State);", false)]
    [InlineData("if (fpu.State != fpu.DefaultState) { L: kernel.Memory.Vfree(fpu.State); }", false)]
    public void Only_a_free_first_under_its_own_check_is_proven_safe(string body, bool safe)
    {
        var source = $$"""
            using FpuGuard.Runtime;

            static class Driver
            {
                static KernelMemory Memory(Kernel kernel) => kernel.Memory;

                static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag)
                {
                    {{body}}
                }
            }
            """;
        var tree = CSharpSyntaxTree.ParseText(source);
        var compilation = CSharpCompilation.Create("Guarded", new[] { tree }, TestReferences.HostFrameworkAndRuntime(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.DoesNotContain(compilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        var model = compilation.GetSemanticModel(tree);
        var free = tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Single(i => model.GetSymbolInfo(i).Symbol is IMethodSymbol { Name: "Vfree" });

        Assert.Equal(safe, GuardedFree.IsProvenSafe(free, (IMethodSymbol)model.GetSymbolInfo(free).Symbol!, model, default));
    }
}
