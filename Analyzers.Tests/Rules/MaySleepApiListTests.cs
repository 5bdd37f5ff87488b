using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using VerifyList = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.MaySleepApiListAnalyzer>;
using VerifySleep = FpuGuard.Analyzers.Tests.Helpers.CSharpAnalyzerVerifier<FpuGuard.Analyzers.Rules.AtomicContext.AtomicContextAnalyzer>;

namespace FpuGuard.Analyzers.Tests.Rules;

/// <summary>
/// The may-sleep API lists: FpuGuard.MaySleepApis.txt (one documentation ID a line, '//' comments) and the
/// fpuguard.may_sleep_apis option (whitespace-separated); every entry is effective, and FPU0005 reports the
/// entries that can never match.
/// </summary>
public class MaySleepApiListTests
{
    private const string Locked = "the FPU registers are locked";
    private const string InFile = "it is listed in FpuGuard.MaySleepApis.txt";
    private const string InOption = "it is listed in fpuguard.may_sleep_apis";

    private const string ThreeSleepsUnderTheLock = """
        using System.Threading;
        using System.Threading.Tasks;
        using FpuGuard.Runtime;

        static class Driver
        {
            static void Run(Kernel kernel, object gate, Task task)
            {
                using (kernel.LockFpregs())
                {
                    {|#0:Thread.Sleep(1)|};
                    {|#1:Monitor.Wait(gate, 10)|};
                    {|#2:task.Wait()|};
                    Monitor.Wait(gate);
                    Thread.Yield();
                }
            }
        }
        """;

    private const string ListFile = """
        // Third-party APIs that sleep.
        M:System.Threading.Thread.Sleep(System.Int32)   // Thread.Sleep(int), not Sleep(TimeSpan)

          M:System.Threading.Monitor.Wait(System.Object,System.Int32)
        M:System.Threading.Tasks.Task.Wait
        // M:System.Threading.Monitor.Wait(System.Object)  -- commented out: not listed
        M:Vendor.Library.Wait(System.Int32)
        """;

    [Fact]
    public async Task Every_entry_of_the_list_file_is_a_sleeping_call()
    {
        var test = new VerifySleep.Test { TestCode = ThreeSleepsUnderTheLock };
        test.TestState.AdditionalFiles.Add(("/0/FpuGuard.MaySleepApis.txt", ListFile));
        test.ExpectedDiagnostics.Add(VerifySleep.Diagnostic("FPU0001").WithLocation(0).WithArguments("Sleep", InFile, Locked));
        test.ExpectedDiagnostics.Add(VerifySleep.Diagnostic("FPU0001").WithLocation(1).WithArguments("Wait", InFile, Locked));
        test.ExpectedDiagnostics.Add(VerifySleep.Diagnostic("FPU0001").WithLocation(2).WithArguments("Wait", InFile, Locked));
        await test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_file_of_another_name_is_not_a_list()
    {
        var test = new VerifySleep.Test { TestCode = ThreeSleepsUnderTheLock.Replace("{|#0:", "").Replace("{|#1:", "").Replace("{|#2:", "").Replace("|}", "") };
        test.TestState.AdditionalFiles.Add(("/0/BannedSymbols.txt", ListFile));
        await test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Every_entry_of_the_option_separated_by_whitespace_is_a_sleeping_call()
    {
        var test = new VerifySleep.Test { TestCode = ThreeSleepsUnderTheLock };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", """
            root = true

            [*.cs]
            fpuguard.may_sleep_apis = M:System.Threading.Thread.Sleep(System.Int32)  M:System.Threading.Monitor.Wait(System.Object,System.Int32)	M:System.Threading.Tasks.Task.Wait
            """));
        test.ExpectedDiagnostics.Add(VerifySleep.Diagnostic("FPU0001").WithLocation(0).WithArguments("Sleep", InOption, Locked));
        test.ExpectedDiagnostics.Add(VerifySleep.Diagnostic("FPU0001").WithLocation(1).WithArguments("Wait", InOption, Locked));
        test.ExpectedDiagnostics.Add(VerifySleep.Diagnostic("FPU0001").WithLocation(2).WithArguments("Wait", InOption, Locked));
        await test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Entries_that_can_never_match_are_reported_at_their_line()
    {
        var test = new VerifyList.Test { TestCode = "class C { }" };
        test.TestState.AdditionalFiles.Add(("/0/FpuGuard.MaySleepApis.txt", """
            // Good, or for another project: silent.
            M:System.Threading.Thread.Sleep(System.Int32)
            M:System.Threading.Monitor.Wait(System.Object,System.Int32) // two parameters
            M:Vendor.Library.Wait(System.Int32)

            {|#0:M:System.Threading.Thread.Slep(System.Int32)|}   // a typo
            {|#1:M:System.Threading.Monitor.Wait(System.Object,System.Int64)|}
            {|#2:M:System.Threading.Thread.Sleep(System.Int32|}
            {|#3:System.Threading.Thread.Sleep|}
            {|#4:T:System.Threading.Thread|}
            """));
        test.ExpectedDiagnostics.Add(VerifyList.Diagnostic("FPU0005").WithLocation(0).WithArguments(
            "M:System.Threading.Thread.Slep(System.Int32)", "FpuGuard.MaySleepApis.txt",
            "System.Threading.Thread is referenced but has no method matching it (a typo?); it has no method named 'Slep'"));
        test.ExpectedDiagnostics.Add(VerifyList.Diagnostic("FPU0005").WithLocation(1).WithArguments(
            "M:System.Threading.Monitor.Wait(System.Object,System.Int64)", "FpuGuard.MaySleepApis.txt",
            "System.Threading.Monitor is referenced but has no method matching it (a typo?); its methods of that name are "
            + "'M:System.Threading.Monitor.Wait(System.Object)', 'M:System.Threading.Monitor.Wait(System.Object,System.Int32)', 'M:System.Threading.Monitor.Wait(System.Object,System.Int32,System.Boolean)', ..."));
        test.ExpectedDiagnostics.Add(VerifyList.Diagnostic("FPU0005").WithLocation(2).WithArguments(
            "M:System.Threading.Thread.Sleep(System.Int32", "FpuGuard.MaySleepApis.txt", "it is not a documentation ID: ',' or ')' expected at its end"));
        test.ExpectedDiagnostics.Add(VerifyList.Diagnostic("FPU0005").WithLocation(3).WithArguments(
            "System.Threading.Thread.Sleep", "FpuGuard.MaySleepApis.txt", "it is not a documentation ID: it must start with 'M:' (e.g. M:System.Threading.Thread.Sleep(System.Int32))"));
        test.ExpectedDiagnostics.Add(VerifyList.Diagnostic("FPU0005").WithLocation(4).WithArguments(
            "T:System.Threading.Thread", "FpuGuard.MaySleepApis.txt", "only methods can sleep: the entry must start with 'M:', not 'T:'"));
        await test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Entries_of_the_option_that_can_never_match_are_reported_without_a_location()
    {
        var test = new VerifyList.Test { TestCode = "class C { }" };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", """
            root = true

            [*.cs]
            fpuguard.may_sleep_apis = M:System.Threading.Thread.Sleep(System.Int32) M:System.Threading.Thread.Slep(System.Int32) M:Vendor.Library.Wait M:Broken(
            """));
        test.ExpectedDiagnostics.Add(VerifyList.Diagnostic("FPU0005").WithArguments(
            "M:System.Threading.Thread.Slep(System.Int32)", "fpuguard.may_sleep_apis",
            "System.Threading.Thread is referenced but has no method matching it (a typo?); it has no method named 'Slep'"));
        test.ExpectedDiagnostics.Add(VerifyList.Diagnostic("FPU0005").WithArguments(
            "M:Broken(", "fpuguard.may_sleep_apis", "it is not a documentation ID: a parameter type expected at its end"));
        await test.RunAsync(CancellationToken.None);
    }

    /// <summary>The example of docs/rules/FPU0005.md: the list with contract attributes declared in the user's own code.</summary>
    [Fact]
    public async Task The_list_works_with_self_declared_attribute_copies()
    {
        var test = new VerifySleep.Test
        {
            TestCode = """
                namespace MyKernel.Contracts
                {
                    [System.AttributeUsage(System.AttributeTargets.Method)] sealed class EntersAtomicContextAttribute : System.Attribute { public EntersAtomicContextAttribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind { get; } }
                    [System.AttributeUsage(System.AttributeTargets.Method)] sealed class ExitsAtomicContextAttribute : System.Attribute { public ExitsAtomicContextAttribute(AtomicContextKind kind) => Kind = kind; public AtomicContextKind Kind { get; } }
                    enum AtomicContextKind { FpuRegisterLock = 0, PreemptionDisabled = 1, InterruptsDisabled = 2 }
                }

                class Cpu
                {
                    [MyKernel.Contracts.EntersAtomicContext(MyKernel.Contracts.AtomicContextKind.PreemptionDisabled)] public void PreemptDisable() { }
                    [MyKernel.Contracts.ExitsAtomicContext(MyKernel.Contracts.AtomicContextKind.PreemptionDisabled)] public void PreemptEnable() { }

                    public void Run(object gate)
                    {
                        PreemptDisable();
                        {|#0:System.Threading.Monitor.Wait(gate, 10)|};   // FPU0001: listed in FpuGuard.MaySleepApis.txt
                        PreemptEnable();
                    }
                }
                """,
        };
        test.TestState.AdditionalReferences.Clear();
        test.TestState.AdditionalFiles.Add(("/0/FpuGuard.MaySleepApis.txt", "M:System.Threading.Monitor.Wait(System.Object,System.Int32)\n"));
        test.ExpectedDiagnostics.Add(VerifySleep.Diagnostic("FPU0001").WithLocation(0).WithArguments("Wait", InFile, "preemption is disabled"));
        await test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task No_list_no_analysis()
    {
        await VerifyList.VerifyAnalyzerAsync("class C { void M() { System.Threading.Thread.Sleep(1); } }");
    }

    /// <summary>The grammar accepts every ID the compiler writes: all methods of the framework's public types.</summary>
    [Fact]
    public void Every_framework_method_id_is_accepted()
    {
        var compilation = CSharpCompilation.Create("Ids", references: Helpers.TestReferences.HostFrameworkAndRuntime());
        var ids = compilation.References
            .Select(compilation.GetAssemblyOrModuleSymbol)
            .OfType<IAssemblySymbol>()
            .Where(a => a.Name is "System.Private.CoreLib" or "System.Collections" or "System.Linq" or "FpuGuard.Runtime")
            .SelectMany(a => Types(a.GlobalNamespace))
            .Where(t => t.CanBeReferencedByName && IsPublic(t))
            .SelectMany(t => t.GetMembers().OfType<IMethodSymbol>())
            .Select(m => m.GetDocumentationCommentId())
            .OfType<string>()
            .ToList();
        Assert.True(ids.Count > 10_000, $"only {ids.Count} methods");
        Assert.Contains("M:System.Threading.Monitor.Wait(System.Object,System.Int32)", ids);
        Assert.Contains(ids, id => id.Contains("``") && id.Contains('{') && id.Contains("[]"));
        Assert.Contains(ids, id => id.Contains('@') && id.Contains('*'));
        Assert.Contains(ids, id => id.Contains('~'));
        Assert.Contains(ids, id => id.Contains("#ICollection{T}#Add(`0)"));
        var rejected = ids.Where(id => MaySleepApiEntries.Problem(id, compilation) is not null).Take(5).ToList();
        Assert.True(rejected.Count == 0, "rejected: " + string.Join("; ", rejected.Select(id => id + " -> " + MaySleepApiEntries.Problem(id, compilation))));
    }

    [Theory]
    [InlineData("M:System.Threading.Thread.Sleep(System.Int32", "',' or ')' expected at its end")]
    [InlineData("M:System.Threading.Thread.Sleep(System.Int32))", "unexpected text at ')' (character 46)")]
    [InlineData("M:System.Threading.Thread..Sleep", "a name expected at '.Sleep' (character 27)")]
    [InlineData("M:System.Threading.Thread.Sleep(System.Int32) x", "unexpected text at ' x' (character 46)")]
    [InlineData("M:System.Collections.Generic.List`1.Add(`)", "a type parameter's number expected after '`' at ')' (character 42)")]
    [InlineData("M:N.C.M(System.Collections.Generic.List{System.Int32)", "',' or '}' expected at ')' (character 53)")]
    [InlineData("M:N.C.M(System.Int32[0:,)", "']' expected at ')' (character 25)")]
    [InlineData("M:N.C.System#IDisposable{T#Dispose", "'}' expected at its end")]
    public void Malformed_ids_name_the_problem_and_where(string id, string problem)
    {
        var compilation = CSharpCompilation.Create("Ids", references: Helpers.TestReferences.HostFramework());
        Assert.Equal("it is not a documentation ID: " + problem, MaySleepApiEntries.Problem(id, compilation));
    }

    private static bool IsPublic(INamedTypeSymbol type) =>
        type.DeclaredAccessibility == Accessibility.Public && (type.ContainingType is null || IsPublic(type.ContainingType));

    private static System.Collections.Generic.IEnumerable<INamedTypeSymbol> Types(INamespaceOrTypeSymbol container) =>
        container.GetMembers().SelectMany(member => member switch
        {
            INamespaceSymbol ns => Types(ns),
            INamedTypeSymbol type => Types(type).Prepend(type),
            _ => Enumerable.Empty<INamedTypeSymbol>(),
        });
}
