using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules.FreeOfDefaultFpuState;

public class FreeOfDefaultFpuStateTests
{
    private static string InMethod(string body) => $$"""
        using System;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, Fpu fpu, Fpu other, bool flag, XStateBuffer buffer)
            {
        {{body}}
            }
        }
        """;

    [Fact]
    public async Task The_seeds_free_without_the_check_is_reported()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Xstate
            {
                // free_xstate_buffer() as first posted: the caller was expected to check.
                static void FreeXstateBuffer(Kernel kernel, Fpu fpu) => {|#0:kernel.Memory.Vfree(fpu.State)|};
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source, VerifyCS.Diagnostic("FPU0002").WithLocation(0)
            .WithArguments("Vfree", "fpu.State", "; no check that it differs from 'fpu.DefaultState' guards this path"));
    }

    [Fact]
    public async Task Freeing_the_default_state_itself_is_reported()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        {|#0:kernel.Memory.Vfree(fpu.DefaultState)|};"),
            VerifyCS.Diagnostic("FPU0002").WithLocation(0).WithArguments("Vfree", "fpu.DefaultState", " — it is the default state itself"));
    }

    [Theory]
    [InlineData("if (fpu.State != fpu.DefaultState) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (!ReferenceEquals(fpu.State, fpu.DefaultState)) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (!object.ReferenceEquals(fpu.DefaultState, fpu.State)) { kernel.Memory.Vfree(fpu.State); }")]
    [InlineData("if (fpu.State == fpu.DefaultState) return; kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (ReferenceEquals(fpu.State, fpu.DefaultState)) { return; } kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State == fpu.DefaultState) { } else { kernel.Memory.Vfree(fpu.State); }")]
    [InlineData("if ((fpu.State == fpu.DefaultState) is false) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (ReferenceEquals(fpu.State, fpu.DefaultState) is not true) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (fpu.State != null && fpu.State != fpu.DefaultState) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (!(fpu.State == fpu.DefaultState || flag)) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("while (flag) { if (fpu.State == fpu.DefaultState) continue; kernel.Memory.Vfree(fpu.State); flag = false; }")]
    [InlineData("var old = Kernel.SwapFpState(fpu, buffer, XFeatureMask.FpSse, 576); kernel.Memory.Vfree(old);")]
    [InlineData("var state = fpu.State; if (state != fpu.DefaultState) kernel.Memory.Vfree(state);")]
    [InlineData("if (fpu.State != fpu.DefaultState) { var state = fpu.State; kernel.Memory.Vfree(state); }")]
    [InlineData("kernel.FreeXStateBuffer(fpu); kernel.Memory.Vfree(buffer); kernel.Memory.Vfree(null);")]
    [InlineData("var state = kernel.Memory.Vzalloc(64); var same = state; kernel.Memory.Vfree(same); buffer = state; kernel.Memory.Vfree(buffer);")]
    [InlineData("var state = fpu.State; state = kernel.Memory.Vzalloc(64); kernel.Memory.Vfree(state);")]
    [InlineData("var initial = fpu.DefaultState; initial = buffer; kernel.Memory.Vfree(initial);")]
    [InlineData("var initial = fpu.DefaultState; if (initial != fpu.DefaultState) kernel.Memory.Vfree(initial);")]
    [InlineData("if (!(fpu.State == fpu.DefaultState)) { kernel.Memory.Vfree(fpu.State!); flag = false; }")]
    [InlineData("if (fpu.DefaultState != (fpu.State)) kernel.Memory.Vfree(fpu.State);")]
    [InlineData("if (!object.Equals(fpu.State, fpu.DefaultState)) kernel.Memory.Vfree(fpu.State);")]
    public async Task Guarded_frees_are_not_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Theory]
    [InlineData("if (flag) { if (fpu.State == fpu.DefaultState) return; } {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State != fpu.DefaultState) { } {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (other.State != other.DefaultState) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State != fpu.DefaultState) { fpu = other; {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (fpu.State != fpu.DefaultState || flag) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("while (flag) { {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; if (fpu.State == fpu.DefaultState) return; }")]
    [InlineData("var state = fpu.State; {|FPU0002:kernel.Memory.Vfree(state)|};")]
    [InlineData("var state = fpu.State; Kernel.SwapFpState(fpu, new XStateBuffer(64), XFeatureMask.FpSse, 64); if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(state)|};")]
    [InlineData("if (fpu.State != fpu.DefaultState) { Action free = () => {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; free(); }")]
    [InlineData("buffer = fpu.State; {|FPU0002:kernel.Memory.Vfree(buffer)|};")]
    [InlineData("var state = fpu.State; var same = state; XStateBuffer? last; last = same; {|FPU0002:kernel.Memory.Vfree(last)|};")]
    [InlineData("XStateBuffer? state = null; if (flag) state = fpu.State; {|FPU0002:kernel.Memory.Vfree(state)|};")]
    [InlineData("var state = kernel.Memory.Vzalloc(64); if (flag) state = fpu.State; {|FPU0002:kernel.Memory.Vfree(state)|};")]
    [InlineData("var initial = fpu.DefaultState; {|FPU0002:kernel.Memory.Vfree(initial)|};")]
    [InlineData("var initial = fpu.DefaultState; var same = initial; if (flag) {|FPU0002:kernel.Memory.Vfree(same)|};")]
    [InlineData("{|FPU0002:kernel.Memory.Vfree((fpu.State!))|};")]
    [InlineData("var state = (fpu.State!); XStateBuffer? last = null; if (flag) { last = (state); } {|FPU0002:kernel.Memory.Vfree(last)|};")]
    [InlineData("if (fpu.State != fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(other.State)|};")]
    [InlineData("if (fpu.State != other.State) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State == fpu.DefaultState) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (!(fpu.State != fpu.DefaultState)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (ReferenceEquals(fpu.State, fpu.DefaultState)) {|FPU0002:kernel.Memory.Vfree(fpu.State)|};")]
    [InlineData("if (fpu.State != fpu.DefaultState) { Kernel.SwapFpState(fpu, fpu.DefaultState, XFeatureMask.FpSse, 576); {|FPU0002:kernel.Memory.Vfree(fpu.State)|}; }")]
    [InlineData("if (fpu.State != fpu.DefaultState) { kernel.Memory.Vfree(fpu.State); {|FPU0002:kernel.Memory.Vfree(other.State)|}; }")]
    public async Task Frees_the_guard_does_not_cover_are_reported(string body)
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        " + body));
    }

    [Fact]
    public async Task A_local_holding_the_default_state_is_reported_as_the_default_state()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        var initial = fpu.DefaultState; {|#0:kernel.Memory.Vfree(initial)|};"),
            VerifyCS.Diagnostic("FPU0002").WithLocation(0).WithArguments("Vfree", "initial", " — it holds 'fpu.DefaultState', the default state itself"));
    }

    [Fact]
    public async Task The_alias_message_names_the_field_it_came_from()
    {
        await VerifyCS.VerifyAnalyzerAsync(InMethod("        var state = fpu.State; {|#0:kernel.Memory.Vfree(state)|};"),
            VerifyCS.Diagnostic("FPU0002").WithLocation(0).WithArguments("Vfree", "state", "; it holds 'fpu.State', and no check that it differs from 'fpu.DefaultState' guards this path"));
    }

    [Fact]
    public async Task User_declared_contract_copies_in_another_namespace_are_recognised()
    {
        const string source = """
            namespace Teaching.Kernel
            {
                [System.AttributeUsage(System.AttributeTargets.All)] sealed class DefaultFpuStateAttribute : System.Attribute { }
                [System.AttributeUsage(System.AttributeTargets.All)] sealed class FpuStateFieldAttribute : System.Attribute { }
                [System.AttributeUsage(System.AttributeTargets.All)] sealed class FreesMemoryAttribute : System.Attribute { }

                sealed class Area { }

                sealed class TaskFpu
                {
                    [DefaultFpuState] public readonly Area Embedded = new();
                    [FpuStateField] public Area Current;
                    [FpuStateField] public int Size;
                    public TaskFpu() => Current = Embedded;
                }

                static class Allocator
                {
                    [FreesMemory] public static void Release(Area area) { }
                    public static void Forget(Area area) { }

                    static void Exit(TaskFpu fpu)
                    {
                        {|FPU0002:Release(fpu.Current)|};
                        Forget(fpu.Current);
                        if (fpu.Current != fpu.Embedded) Release(fpu.Current);
                    }
                }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Look_alike_names_without_the_attributes_are_not_reported()
    {
        const string source = """
            sealed class FreesMemoryAttribute : System.Attribute { }

            sealed class Fpu { public byte[] DefaultState = new byte[1]; public byte[] State; public Fpu() => State = DefaultState; }

            static class Memory
            {
                [FreesMemory] public static void Vfree(byte[] area) { }
                static void Exit(Fpu fpu) { Vfree(fpu.State); Vfree(fpu.DefaultState); }
            }
            """;
        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task Incomplete_code_does_not_crash_the_analyzer()
    {
        var source = InMethod("        if (fpu.State != fpu.DefaultState kernel.Memory.Vfree(fpu.DefaultState);\n        kernel.Memory.Vfree();");
        await VerifyCS.VerifyAnalyzerAsync(source,
            DiagnosticResult.CompilerError("CS1026").WithSpan(8, 43, 8, 49),
            VerifyCS.Diagnostic("FPU0002").WithSpan(8, 43, 8, 80).WithArguments("Vfree", "fpu.DefaultState", " — it is the default state itself"),
            DiagnosticResult.CompilerError("CS7036").WithSpan(9, 23, 9, 28).WithArguments("buffer", "FpuGuard.Runtime.KernelMemory.Vfree(FpuGuard.Runtime.XStateBuffer?)"));
    }
}
