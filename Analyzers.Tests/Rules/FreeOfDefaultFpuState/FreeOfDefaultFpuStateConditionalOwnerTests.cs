using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

/// <summary>
/// A conditional owner whose other branch is null, read through <c>?.</c>, can only yield that owner's state (or null):
/// a guard on the owner's state covers it (ANALYZER_BUGS.md item 7).
/// </summary>
public class FreeOfDefaultFpuStateConditionalOwnerTests
{
    private static string InMethod(string body) => $$"""
        #nullable enable
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag)
            {
        {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("if (fpu.State == fpu.DefaultState) return; kernel.Memory.Vfree((flag ? null : fpu)?.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; kernel.Memory.Vfree((flag ? fpu : null)?.State);")]
    [InlineData("if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree((flag ? default(Fpu) : fpu)?.State);")]
    public async Task A_guard_covers_a_conditional_owner_whose_other_branch_is_null(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("{|FPU0002:kernel.Memory.Vfree((flag ? null : fpu)?.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; {|FPU0002:kernel.Memory.Vfree((flag ? other : fpu)?.State)|};")]
    [InlineData("if (other.State == other.DefaultState) return; {|FPU0002:kernel.Memory.Vfree((flag ? null : fpu)?.State)|};")]
    public async Task A_conditional_owner_is_reported_where_no_guard_covers_what_it_may_be(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }
}
