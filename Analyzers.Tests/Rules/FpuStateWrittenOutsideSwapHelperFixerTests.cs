using System.Threading.Tasks;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpCodeFixVerifier<
    FpuGuard.Analyzers.Rules.FpuStateWrittenOutsideSwapHelperAnalyzer,
    FpuGuard.Analyzers.CodeFixes.Rules.FpuStateWrittenOutsideSwapHelperFixer>;

namespace FpuGuard.Analyzers.Tests.Rules;

public class FpuStateWrittenOutsideSwapHelperFixerTests
{
    [Fact]
    public async Task A_run_of_assignments_becomes_one_swap_helper_call()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Driver
            {
                static void Install(Fpu fpu, XStateBuffer buffer, XFeatureMask mask, int size)
                {
                    {|FPU0003:fpu.State|} = buffer;
                    {|FPU0003:fpu.StateMask|} = mask;
                    {|FPU0003:fpu.StateSize|} = size;
                }
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Driver
            {
                static void Install(Fpu fpu, XStateBuffer buffer, XFeatureMask mask, int size)
                {
                    Kernel.SwapFpState(fpu, buffer, mask, size);
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task Fields_not_written_keep_their_current_values()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Driver
            {
                static void Install(Fpu fpu, XStateBuffer buffer)
                {
                    {|FPU0003:fpu.StateSize|} = buffer.Size;
                    {|FPU0003:fpu.State|} = buffer;
                }
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Driver
            {
                static void Install(Fpu fpu, XStateBuffer buffer)
                {
                    Kernel.SwapFpState(fpu, buffer, fpu.StateMask, buffer.Size);
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task Growing_the_mask_becomes_a_reallocation_with_the_kernel_in_scope()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Regset
            {
                static void Grow(Kernel kernel, Fpu fpu, XFeatureMask mask)
                {
                    {|FPU0003:fpu.StateMask|} |= mask;
                    {|FPU0003:fpu.StateMask|} |= XFeatureMask.XTileData;
                }
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Regset
            {
                static void Grow(Kernel kernel, Fpu fpu, XFeatureMask mask)
                {
                    kernel.ReallocXStateBuffer(fpu.Task, mask);
                    kernel.ReallocXStateBuffer(fpu.Task, XFeatureMask.XTileData);
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task Growing_the_mask_finds_the_kernel_through_the_task()
    {
        const string source = """
            using FpuGuard.Runtime;

            static class Regset
            {
                static void Grow(Fpu fpu, XFeatureMask mask) => {|FPU0003:fpu.StateMask|} |= mask;
            }
            """;
        const string fixedSource = """
            using FpuGuard.Runtime;

            static class Regset
            {
                static void Grow(Fpu fpu, XFeatureMask mask) => {|FPU0003:fpu.StateMask|} |= mask;
            }
            """;
        // An expression body has no statement to replace: no fix rather than a rewrite of the method's shape.
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);

        const string blockSource = """
            using FpuGuard.Runtime;

            static class Regset
            {
                static void Grow(Fpu fpu, XFeatureMask mask)
                {
                    {|FPU0003:fpu.StateMask|} |= mask;
                }
            }
            """;
        const string blockFixed = """
            using FpuGuard.Runtime;

            static class Regset
            {
                static void Grow(Fpu fpu, XFeatureMask mask)
                {
                    fpu.Task.Kernel.ReallocXStateBuffer(fpu.Task, mask);
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(blockSource, blockFixed);
    }

    [Theory]
    [InlineData("{|FPU0003:fpu.StateSize|} = fpu.StateSize + 64;")]
    [InlineData("{|FPU0003:fpu.StateMask|} = mask; {|FPU0003:fpu.StateSize|} = Size(fpu.StateMask);")]
    [InlineData("{|FPU0003:fpu.StateSize|} = Size(mask); {|FPU0003:fpu.StateMask|} = Next(mask);")]
    [InlineData("{|FPU0003:fpu.StateSize|}++;")]
    [InlineData("{|FPU0003:fpu.StateSize|} += 64;")]
    [InlineData("{|FPU0003:Pick(fpu).StateSize|} = 1;")]
    public async Task No_fix_is_offered_where_one_call_could_change_the_meaning(string body)
    {
        var source = $$"""
            using FpuGuard.Runtime;

            static class Driver
            {
                static int Size(XFeatureMask mask) => 576;
                static XFeatureMask Next(XFeatureMask mask) => mask;
                static Fpu Pick(Fpu fpu) => fpu;

                static void Write(Fpu fpu, XFeatureMask mask)
                {
                    {{body}}
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task A_user_declared_swap_helper_is_used()
    {
        const string source = """
            namespace Emulator.Fpu
            {
                sealed class FpuStateFieldAttribute : System.Attribute { }
                sealed class FpuStateSwapHelperAttribute : System.Attribute { }

                sealed class Context
                {
                    [FpuStateField] public byte[] Area = new byte[512];
                    [FpuStateField] public ulong Mask = 3;

                    [FpuStateSwapHelper]
                    public static void Swap(Context context, ulong mask, byte[] area) { context.Area = area; context.Mask = mask; }
                }

                static class Loader
                {
                    static void Load(Context context, byte[] area)
                    {
                        {|FPU0003:context.Area|} = area;
                        {|FPU0003:context.Mask|} = 7;
                    }
                }
            }
            """;
        const string fixedSource = """
            namespace Emulator.Fpu
            {
                sealed class FpuStateFieldAttribute : System.Attribute { }
                sealed class FpuStateSwapHelperAttribute : System.Attribute { }

                sealed class Context
                {
                    [FpuStateField] public byte[] Area = new byte[512];
                    [FpuStateField] public ulong Mask = 3;

                    [FpuStateSwapHelper]
                    public static void Swap(Context context, ulong mask, byte[] area) { context.Area = area; context.Mask = mask; }
                }

                static class Loader
                {
                    static void Load(Context context, byte[] area)
                    {
                        Context.Swap(context, 7, area);
                    }
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }
}
