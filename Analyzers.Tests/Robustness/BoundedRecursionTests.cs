using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Tests.Robustness;

/// <summary>
/// Recursive and deep user code never takes the compiler down: each input is analysed on a thread with the
/// compiler server's 1 MiB stack, with no analyzer exception and the diagnostics its regions call for.
/// </summary>
public class BoundedRecursionTests
{
    private const int CompilerServerStack = 1024 * 1024;

    private static string Wrap(string body, string members = "") => $$"""
        using System;
        using FpuGuard.Runtime;

        public class Driver
        {
            public void M(Kernel k)
            {
                {{body}}
            }
        {{members}}
        }
        """;

    private static CSharpCompilation Compile(string source) => CSharpCompilation.Create("Recursion",
        new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
        Helpers.TestReferences.HostFrameworkAndRuntime(),
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    // Compiled and analysed on a small stack, as the compiler server's worker threads are; concurrent analysis off
    // so that every callback runs on that thread.
    internal static (ImmutableArray<Diagnostic> Compiler, ImmutableArray<Diagnostic> Analyzers) AnalyzeOnSmallStack(string source)
    {
        ImmutableArray<Diagnostic> compiler = default, analyzers = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var compilation = Compile(source);
                compiler = compilation.GetDiagnostics();
                var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
                    concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
                analyzers = compilation.WithAnalyzers(AnalyzerGuardTests.Analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }, CompilerServerStack);
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("the analysis threw", failure);
        }

        return (compiler, analyzers);
    }

    private static string[] Analyze(string source)
    {
        var (compiler, analyzers) = AnalyzeOnSmallStack(source);
        Assert.Empty(compiler.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.DoesNotContain(analyzers, d => d.Id == "AD0001");
        return analyzers.Select(d => $"{d.Id}@{d.Location.GetLineSpan().StartLinePosition.Line}").OrderBy(s => s, StringComparer.Ordinal).ToArray();
    }

    // Deep code is analysed to the end, or, where the stack runs short, cut short with the conservative answer and
    // FPU0007 saying so at the method: never an exception.
    private static void AssertFoundOrCutShort(string source, string expected)
    {
        var diagnostics = Analyze(source);
        if (diagnostics.Any(d => d.StartsWith("FPU0007@", StringComparison.Ordinal)))
        {
            Assert.Equal(new[] { $"FPU0007@{LineOf(source, "public void M")}" }, diagnostics.Where(d => d.StartsWith("FPU0007@", StringComparison.Ordinal)));
        }
        else
        {
            Assert.Equal(new[] { expected }, diagnostics);
        }
    }

    private static int LineOf(string source, string marker) =>
        source.Substring(0, source.IndexOf(marker, StringComparison.Ordinal)).Count(c => c == '\n');

    [Fact]
    public void A_self_recursive_local_function_beside_a_region_is_analysed()
    {
        var source = Wrap("void F() => F(); F(); k.FpregsLock(); k.FpregsUnlock();");
        Assert.Empty(Analyze(source));
    }

    [Fact]
    public void Mutually_recursive_local_functions_beside_a_region_are_analysed()
    {
        var source = Wrap("void A() => B(); void B() => A(); k.FpregsLock(); k.FpregsUnlock(); A();");
        Assert.Empty(Analyze(source));
    }

    [Fact]
    public void A_recursive_local_function_that_sleeps_called_in_a_region_is_reported_there()
    {
        var source = Wrap("""
            void F(int n) { if (n > 0) F(n - 1); else k.Memory.Vzalloc(64); }
            void A(int n) { if (n > 0) B(n - 1); }
            void B(int n) { if (n > 0) A(n - 1); else k.Memory.Vzalloc(64); }
            k.FpregsLock();
            F(3); // in F
            A(3); // in A
            k.FpregsUnlock();
            F(1);
            A(1);
            """);
        Assert.Equal(new[] { $"FPU0001@{LineOf(source, "F(3);")}", $"FPU0001@{LineOf(source, "A(3);")}" }, Analyze(source));
    }

    [Fact]
    public void Recursive_local_functions_in_a_region_that_do_not_sleep_are_not_reported()
    {
        var source = Wrap("""
            int F(int n) => n <= 0 ? 0 : F(n - 1) + 1;
            int A(int n) => n <= 0 ? 0 : B(n - 1);
            int B(int n) => n <= 0 ? 1 : A(n - 1);
            k.FpregsLock();
            var x = F(3) + A(3);
            k.FpregsUnlock();
            """);
        Assert.Empty(Analyze(source));
    }

    [Fact]
    public void A_local_function_that_recurses_through_a_lambda_is_analysed()
    {
        var source = Wrap("""
            void F(int n) { Action g = () => F(n - 1); if (n > 0) g(); else k.Memory.Vzalloc(64); }
            k.FpregsLock();
            F(2);
            k.FpregsUnlock();
            """);
        Assert.Equal(new[] { $"FPU0001@{LineOf(source, "F(2);")}" }, Analyze(source));
    }

    [Fact]
    public void Recursion_through_a_getter_is_analysed()
    {
        var source = Wrap("""
            k.FpregsLock();
            var d = Depth;
            k.FpregsUnlock();
            """, """
                private Kernel _k = null!;
                private int _n;
                public int Depth => _n-- > 0 ? Depth + 1 : Grow();
                public int Loop { get => Loop; }
                private int Grow() { _k.Memory.Vzalloc(64); return 0; }
                public void N(Kernel k) { k.FpregsLock(); var l = Loop; k.FpregsUnlock(); }
            """);
        var diagnostics = Analyze(source);
        Assert.DoesNotContain(diagnostics, d => d.StartsWith("AD", StringComparison.Ordinal));
    }

    [Fact]
    public void Recursive_methods_reached_from_a_region_are_reported_once_through_the_call_graph()
    {
        var source = Wrap("""
            k.FpregsLock();
            Even(4);
            k.FpregsUnlock();
            """, """
                private Kernel _k = null!;
                private void Even(int n) { if (n > 0) Odd(n - 1); else _k.Memory.Vzalloc(64); }
                private void Odd(int n) { if (n > 0) Even(n - 1); }
                private void Self(int n) { Self(n); }
                public void N(Kernel k) { k.FpregsLock(); Self(1); k.FpregsUnlock(); }
            """);
        Assert.Equal(new[] { $"FPU0001@{LineOf(source, "Even(4);")}" }, Analyze(source));
    }

    [Theory]
    [InlineData(3000)]
    [InlineData(10000)]
    public void A_long_left_nested_sum_is_analysed(int terms)
    {
        var sum = new StringBuilder("var x = 1");
        for (var i = 0; i < terms; i++)
        {
            sum.Append(" + k.FpregsLockDepth");
        }

        var source = Wrap($"k.FpregsLock(); {sum}; k.Memory.Vzalloc(64); k.FpregsUnlock();");
        AssertFoundOrCutShort(source, $"FPU0001@{LineOf(source, "k.Memory.Vzalloc")}");
    }

    // Depths well under where the compiler itself gives up (CS8078) on a 1 MiB stack, which moves with how far the
    // JIT has optimised the compiler's own frames.
    [Theory]
    [InlineData(1000)]
    public void A_deep_else_if_chain_is_analysed(int depth)
    {
        var chain = new StringBuilder("k.FpregsLock(); int v = k.FpregsLockDepth; ");
        for (var i = 0; i < depth; i++)
        {
            chain.Append($"if (v == {i}) v++; else ");
        }

        chain.Append("k.Memory.Vzalloc(64); k.FpregsUnlock();");
        var source = Wrap(chain.ToString());
        AssertFoundOrCutShort(source, $"FPU0001@{LineOf(source, "k.Memory.Vzalloc")}");
    }

    [Theory]
    [InlineData("try {", "} finally { v++; }", 300)]
    [InlineData("try {", "} finally { v++; }", 400)]
    [InlineData("using (new System.IO.MemoryStream()) {", "}", 300)]
    public void Deeply_nested_blocks_are_analysed(string open, string close, int depth)
    {
        var body = new StringBuilder("int v = 0; ");
        for (var i = 0; i < depth; i++)
        {
            body.Append(open);
        }

        body.Append("k.PreemptDisable(); k.Memory.Vzalloc(64); k.PreemptEnable();");
        for (var i = 0; i < depth; i++)
        {
            body.Append(close);
        }

        var source = Wrap(body.ToString());
        AssertFoundOrCutShort(source, $"FPU0001@{LineOf(source, "k.Memory.Vzalloc")}");
    }

    // Eight local functions that all call each other: more ways through them than the budget of analyses allows.
    // The call in the region is taken to sleep, and FPU0007 says the method was cut short.
    [Fact]
    public void Local_functions_past_the_budget_are_taken_to_sleep_and_said_so()
    {
        var functions = new StringBuilder();
        for (var i = 0; i < 8; i++)
        {
            var calls = string.Concat(Enumerable.Range(0, 8).Where(j => j != i).Select(j => $"L{j}(n - 1); "));
            functions.Append($"void L{i}(int n) {{ if (n > 0) {{ {calls}}} }}\n");
        }

        var source = Wrap(functions + "k.FpregsLock();\nL0(3);\nk.FpregsUnlock();");
        Assert.Equal(new[] { $"FPU0001@{LineOf(source, "L0(3);")}", $"FPU0007@{LineOf(source, "public void M")}" }, Analyze(source));
    }

    // A method too deep to analyse is taken to sleep: a region that calls it is reported, through the call graph.
    [Fact]
    public void A_deep_expression_is_analysed_to_its_end_on_a_small_stack()
    {
        // The flow engine walks operation trees on an explicit stack: 10,000 operands deep is analysed, not cut
        // short, so a method that does not sleep is not taken to sleep.
        var sum = new StringBuilder("_n = 1");
        for (var i = 0; i < 10000; i++)
        {
            sum.Append(" + _n");
        }

        var source = Wrap("k.FpregsLock();\nDeep();\nk.FpregsUnlock();", $$"""
                private int _n;
                private void Deep() { {{sum}}; }
            """);
        var (_, analyzers) = AnalyzeOnSmallStack(source);
        Assert.DoesNotContain(analyzers, d => d.Id is "AD0001" or RuleIdentifiers.AnalysisCutShort or RuleIdentifiers.MaySleepInAtomicContext);
    }
}
