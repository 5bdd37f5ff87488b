using System.Threading.Tasks;
using FpuGuard.Analyzers.CodeFixes.Rules.StateWrittenOutsideSwapHelper;
using FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper;
using FpuGuard.Analyzers.Tests.Helpers;
using FpuGuard.Runtime;
using VerifyCS = FpuGuard.Analyzers.Tests.Helpers.CSharpCodeFixVerifier<
    FpuGuard.Analyzers.Rules.StateWrittenOutsideSwapHelper.FpuStateWrittenOutsideSwapHelperAnalyzer,
    FpuGuard.Analyzers.CodeFixes.Rules.StateWrittenOutsideSwapHelper.FpuStateWrittenOutsideSwapHelperFixer>;

namespace FpuGuard.Analyzers.Tests.Rules.StateWrittenOutsideSwapHelper;

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
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);
        var (kernel, task) = FixMeaning.RunningTask();
        var mask = task.Fpu.StateMask | XFeatureMask.XTileData;
        var buffer = new XStateBuffer(kernel.GetXStateSize(mask));
        FixMeaning.Run(fixedSource, "Driver.Install", task.Fpu, buffer, mask, buffer.Size);
        Assert.Same(buffer, task.Fpu.State);
        FixMeaning.AssertConsistent(kernel, task.Fpu);
    }

    [Theory]
    [InlineData("{|FPU0003:fpu.StateMask|} = userMask;")]
    [InlineData("{|FPU0003:fpu.StateSize|} = buffer.Size; {|FPU0003:fpu.State|} = buffer;")]
    [InlineData("{|FPU0003:fpu.State|} = buffer;")]
    [InlineData("{|FPU0003:fpu.StateMask|} = userMask; {|FPU0003:fpu.StateSize|} = 10752;")]
    public async Task A_write_of_part_of_the_triple_gets_no_swap_fix(string body)
    {
        // The call would pass the current values of the fields not written: the old buffer with a new mask is the
        // bug itself, and a new buffer with the old mask and size agrees with them only by chance.
        var source = $$"""
            using FpuGuard.Runtime;

            static class Driver
            {
                static void Install(Fpu fpu, XStateBuffer buffer, XFeatureMask userMask)
                {
                    {{body}}
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, source);

        // What the fix used to produce for the first case, run: the mask claims AMX tile data the buffer has no room for.
        var (kernel, task) = FixMeaning.RunningTask();
        FixMeaning.Run("""
            using FpuGuard.Runtime;

            public static class Driver
            {
                public static void Install(Fpu fpu, XFeatureMask userMask) => Kernel.SwapFpState(fpu, fpu.State, userMask, fpu.StateSize);
            }
            """, "Driver.Install", task.Fpu, task.Fpu.StateMask | XFeatureMask.XTileData);
        Assert.NotEqual(kernel.GetXStateSize(task.Fpu.StateMask), task.Fpu.StateSize);
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
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);

        // The original grows the mask alone; the fixed code grows the buffer with it.
        var (kernel, task) = FixMeaning.RunningTask();
        FixMeaning.Run(source.Replace("{|FPU0003:", "").Replace("|}", ""), "Regset.Grow", kernel, task.Fpu, XFeatureMask.XTileCfg);
        Assert.NotEqual(kernel.GetXStateSize(task.Fpu.StateMask), task.Fpu.StateSize);
        (kernel, task) = FixMeaning.RunningTask();
        FixMeaning.Run(fixedSource, "Regset.Grow", kernel, task.Fpu, XFeatureMask.XTileCfg);
        Assert.True(task.Fpu.StateMask.HasFlag(XFeatureMask.XTileData));
        FixMeaning.AssertConsistent(kernel, task.Fpu);
    }

    [Theory]
    [InlineData("kernel.FpregsLock(); {|FPU0003:fpu.StateMask|} |= mask; kernel.FpregsUnlock();")]
    [InlineData("using (kernel.LockFpregs()) { {|FPU0003:fpu.StateMask|} |= mask; }")]
    public async Task No_reallocation_where_an_atomic_context_may_be_held(string body)
    {
        // The reallocation may sleep: there it would trade FPU0003 for FPU0001.
        var source = $$"""
            using FpuGuard.Runtime;

            static class Regset
            {
                static void Grow(Kernel kernel, Fpu fpu, XFeatureMask mask)
                {
                    {{body}}
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, source);
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
        await FixMeaning.AssertNoFpuDiagnosticsAsync(blockFixed);
        var (kernel, task) = FixMeaning.RunningTask();
        FixMeaning.Run(blockFixed, "Regset.Grow", task.Fpu, XFeatureMask.XTileData);
        Assert.Equal(10752, task.Fpu.StateSize);
        FixMeaning.AssertConsistent(kernel, task.Fpu);
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
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource);
    }

    [Fact]
    public async Task A_property_whose_backing_field_is_marked_is_changed_with_the_helper_too()
    {
        // [field: FpuStateField] makes the property a state member: the run writes both members, and the helper
        // takes both. The fixer must count the property, or it would see one field written of one and call the
        // helper with the old buffer.
        const string source = """
            namespace Emulator.Fpu
            {
                sealed class FpuStateFieldAttribute : System.Attribute { }
                sealed class FpuStateSwapHelperAttribute : System.Attribute { }

                sealed class Context
                {
                    [field: FpuStateField] public byte[] Area { get; set; } = new byte[512];
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

                    static void Half(Context context, byte[] area)
                    {
                        {|FPU0003:context.Area|} = area;
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
                    [field: FpuStateField] public byte[] Area { get; set; } = new byte[512];
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

                    static void Half(Context context, byte[] area)
                    {
                        context.Area = area;
                    }
                }
            }
            """;
        // The half write keeps its diagnostic and gets no fix (FixAll included): expected in the fixed state.
        var test = new VerifyCS.Test { TestCode = source, FixedCode = fixedSource };
        test.FixedState.ExpectedDiagnostics.Add(VerifyCS.Diagnostic("FPU0003").WithSpan(24, 13, 24, 25).WithArguments("Context.Area", " 'Context.Swap'"));
        await test.RunAsync();
        await FixMeaning.AssertNoFpuDiagnosticsAsync(fixedSource.Replace("context.Area = area;\n", "Context.Swap(context, 7, area);\n"));
    }

    [Fact]
    public async Task No_fix_for_a_span_view_or_a_write_into_a_struct_state_field()
    {
        // Neither is an assignment of the member: the helper call would not do what the code does.
        const string source = """
            namespace K
            {
                using System;

                sealed class FpuStateFieldAttribute : Attribute { }
                sealed class FpuStateSwapHelperAttribute : Attribute { }

                [System.Runtime.CompilerServices.InlineArray(4)] struct Regs { private ulong _e0; }
                struct Header { public ulong XComp; }

                sealed class Fpu
                {
                    [FpuStateField] public Regs Regs;
                    [FpuStateField] public Header Header;

                    [FpuStateSwapHelper]
                    public static void Swap(Fpu f, Regs regs, Header header) { f.Regs = regs; f.Header = header; }
                }

                static class Driver
                {
                    static void Run(Fpu f)
                    {
                        Span<ulong> s = {|FPU0003:f.Regs|};
                        {|FPU0003:f.Header|}.XComp = 0;
                        s.Clear();
                    }
                }
            }
            """;
        await VerifyCS.VerifyCodeFixAsync(source, source);
    }
}
