using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// A variable that holds a new object on every path is not null: the null way of <c>q ?? fpu.State</c> (or of
/// <c>q?.</c>) is not taken, so the state is not freed there (oracle, seed 4242: the <c>q ?? fpu.State</c> extras, e.g.
/// program 4524, where <c>if (c) throw</c> ruled out the null branch of <c>q = c ? null : new XStateBuffer(64)</c>).
/// </summary>
public class FreeOfDefaultFpuStateNewObjectTests
{
    private static string InMethod(string body) => $$"""
        #nullable enable
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, Fpu fpu, bool flag, XStateBuffer? given)
            {
        {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("if (flag) throw new InvalidOperationException(); XStateBuffer? q = flag ? null : new XStateBuffer(64); kernel.Memory.Vfree(q ?? fpu.State);")]
    [InlineData("XStateBuffer? q = new XStateBuffer(64); kernel.Memory.Vfree(q ?? fpu.State);")]
    [InlineData("XStateBuffer? q = flag ? new XStateBuffer(64) : new XStateBuffer(128); var r = q; kernel.Memory.Vfree(r ?? fpu.State);")]
    public async Task The_null_way_of_a_new_object_is_not_taken(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("XStateBuffer? q = flag ? null : new XStateBuffer(64); {|FPU0002:kernel.Memory.Vfree(q ?? fpu.State)|};")]
    [InlineData("XStateBuffer? q = new XStateBuffer(64); q = given; {|FPU0002:kernel.Memory.Vfree(q ?? fpu.State)|};")]
    [InlineData("XStateBuffer? q = new XStateBuffer(64); if (flag) q = null; {|FPU0002:kernel.Memory.Vfree(q ?? fpu.State)|};")]
    public async Task A_variable_that_may_be_null_still_takes_the_null_way(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }
}
