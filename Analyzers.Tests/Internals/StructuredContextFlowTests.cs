using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using FpuGuard.Analyzers.Internals;
using FpuGuard.Analyzers.Tests.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Tests.Internals;

/// <summary>
/// The context analysis of a structured body on its operation tree must give exactly what the analysis of its
/// control-flow graph gives: every sleep, call, sleep point, exit without entry and context held at return.
/// Both are run on every structured method of the Runtime, the sample and the constructs below.
/// </summary>
public class StructuredContextFlowTests
{
    private const string Constructs = """
        using System;
        using System.Threading.Tasks;
        using FpuGuard.Runtime;

        public sealed class Constructs
        {
            private readonly Kernel _kernel;
            private readonly Constructs? _next;

            public Constructs(Kernel kernel) : this(kernel, null) => Pin();

            private Constructs(Kernel kernel, Constructs? next) { _kernel = kernel; _next = next; }

            [EntersAtomicContext(AtomicContextKind.PreemptionDisabled)]
            private void Pin() => _kernel.PreemptDisable();

            [ExitsAtomicContext(AtomicContextKind.PreemptionDisabled)]
            private void Unpin() => _kernel.PreemptEnable();

            [MaySleep]
            private XStateBuffer? Allocate(int size) => _kernel.Memory.Vzalloc(size);

            private XStateBuffer? Grow(int size) => size < 0 ? null : Allocate(size);

            private bool Check(int size) => size > 0;

            public void Flags(bool flag, bool other)
            {
                if (flag) _kernel.FpregsLock();
                Allocate(1);
                if (flag) _kernel.FpregsUnlock();
                if (!other) { Pin(); } else { Grow(2); }
                if (!other) Unpin();
                flag = other;
                if (flag) _kernel.FpregsUnlock();
            }

            public int Returns(bool flag, int size)
            {
                _kernel.FpregsLock();
                if (flag)
                {
                    return Grow(size)?.Size ?? 0;
                }

                _kernel.FpregsUnlock();
                if (size > 4) return 1;
                Pin();
                return 2;
            }

            public int TryFinally(bool flag, int size)
            {
                Pin();
                try
                {
                    if (flag) return Grow(size)?.Size ?? -1;
                    try
                    {
                        if (size > 1) return 3;
                        _kernel.LocalIrqDisable();
                    }
                    finally
                    {
                        Allocate(size);
                        if (flag) _kernel.LocalIrqEnable();
                    }

                    Grow(size);
                }
                finally
                {
                    Unpin();
                    Grow(size + 1);
                }

                return size;
            }

            public int Usings(int size)
            {
                using (_kernel.LockFpregs())
                {
                    if (size == 0) return Allocate(size)?.Size ?? 0;
                    Grow(size);
                }

                using var scope = _kernel.LockFpregs();
                using IDisposable other = _kernel.LockFpregs(), third = _kernel.LockFpregs();
                Grow(size);
                if (size > 3) return 1;
                return Allocate(size)!.Size;
            }

            public void Locks(object gate, int size)
            {
                lock (gate)
                {
                    Pin();
                    Grow(size);
                }

                Unpin();
                _kernel.FpregsUnlock();
            }

            public int Expressions(bool flag, int size, Constructs? maybe)
            {
                _kernel.FpregsLock();
                var a = flag ? Grow(size) : Allocate(size);
                var b = flag && Check(size) || Grow(size) is null;
                var c = maybe?.Grow(size) ?? Allocate(size + 1);
                var d = maybe?._next?.Allocate(size);
                Func<XStateBuffer?> later = () => Allocate(size);
                c ??= Grow(size);
                if (flag && Check(size)) _kernel.FpregsUnlock();
                if (Check(size) || flag) { Pin(); }
                if (flag ? Check(size) : !Check(size)) Unpin();
                return (a?.Size ?? 0) + (b ? 1 : 0) + (c?.Size ?? 0) + (d?.Size ?? 0);
            }

            public int Throws(bool flag, int size)
            {
                Pin();
                if (flag) throw new InvalidOperationException("no");
                if (size < 0)
                {
                    Unpin();
                    throw new ArgumentOutOfRangeException(nameof(size));
                }

                Grow(size);
                return size;
            }

            public void Constants(int size)
            {
                if (true) Pin();
                if (false) Grow(size);
                Unpin();
                return;
                Grow(size);
            }

            public async Task Awaits(int size)
            {
                Pin();
                await Task.Yield();
                Unpin();
                await Task.Delay(size);
            }

            [RequiresAtomicContext(AtomicContextKind.InterruptsDisabled)]
            public bool Handler(int size)
            {
                _kernel.LocalIrqEnable();
                var buffer = Grow(size);
                _kernel.LocalIrqDisable();
                return buffer is not null && Check(size);
            }

            public string Initializers(int size)
            {
                using var scope = _kernel.LockFpregs();
                var list = new System.Collections.Generic.List<int> { Check(size) ? 1 : 0, Grow(size)?.Size ?? 0 };
                var text = $"{Grow(size)?.Size} {(Check(size) ? "yes" : "no")} {list.Count}";
                var (x, y) = (Allocate(1), checked(size + 1));
                if (Grow(size) is { Size: > 0 } grown && x is not null) return text + grown.Size + y;
                return nameof(Initializers) + text;
            }

            // What the syntax walk resolves itself: explicit and conditional Dispose through an interface, a ref
            // argument to a condition's variable, initializers, an extension and a delegate, a source constructor.
            public int SyntaxWalk(bool flag, IDisposable? scope, Func<XStateBuffer?> make, int size)
            {
                var held = _kernel.LockFpregs();
                scope?.Dispose();
                if (flag) Reset(ref flag);
                if (flag) held.Dispose();
                var box = new Box { Buffer = Grow(size), Count = size } ;
                var boxes = new Boxes { Grow(size), make() };
                var other = new Constructs(_kernel);
                this.GrowBy(size);
                make();
                if (!flag) held.Dispose();
                return box.Count + boxes.Count + (other._next is null ? 0 : 1);
            }

            public int NestedInitializer(int size)
            {
                Pin();
                var outer = new Outer { Inner = { Buffer = Allocate(size) } };
                Unpin();
                return outer.Inner.Count;
            }

            private static void Reset(ref bool flag) => flag = false;

            public XStateBuffer? Public(int size) => Allocate(size);

            public void UnbalancedExit(bool flag)
            {
                if (flag) Unpin();
                _kernel.FpregsUnlock();
            }
        }

        public sealed class Box
        {
            public XStateBuffer? Buffer { get; set; }

            public int Count { get; set; }
        }

        public sealed class Outer
        {
            public Box Inner { get; } = new();
        }

        public sealed class Boxes : System.Collections.Generic.List<XStateBuffer?>
        {
            [MaySleep]
            public new void Add(XStateBuffer? buffer) => base.Add(buffer);
        }

        public static class ConstructExtensions
        {
            public static XStateBuffer? GrowBy(this Constructs constructs, int size) => constructs.Public(size);
        }
        """;

    [Fact]
    public void The_syntax_the_operation_tree_and_the_control_flow_graph_give_the_same_result()
    {
        var compilation = Compile();
        var analysis = new AtomicContextFlowAnalysis(new MethodContracts(), (_, _) => false);
        var compared = 0;
        var onSyntax = 0;
        var withFindings = 0;
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var declaration in tree.GetRoot().DescendantNodes().Where(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax))
            {
                if (!StructuredCode.IsStructured(declaration)
                    || model.GetOperation(declaration) is not { Kind: OperationKind.MethodBody or OperationKind.ConstructorBody } root
                    || model.GetDeclaredSymbol(declaration) is not IMethodSymbol owner)
                {
                    continue;
                }

                var graph = root is IMethodBodyOperation method ? ControlFlowGraph.Create(method) : ControlFlowGraph.Create((IConstructorBodyOperation)root);
                var expected = Describe(analysis.Analyze(graph, owner));
                var structured = analysis.TryAnalyzeStructured(root, owner);
                Assert.True(structured is not null, $"{owner.ContainingType.Name}.{owner.Name} is structured, but its tree was not analysed");
                var actual = Describe(structured!);
                Assert.True(expected == actual, $"{owner.ContainingType.Name}.{owner.Name}:\ngraph:\n{expected}\ntree:\n{actual}");
                if (analysis.TryAnalyzeSyntax(declaration, owner, model, CancellationToken.None) is { } bySyntax)
                {
                    var fromSyntax = Describe(bySyntax);
                    Assert.True(expected == fromSyntax, $"{owner.ContainingType.Name}.{owner.Name}:\ngraph:\n{expected}\nsyntax:\n{fromSyntax}");
                    onSyntax++;
                }

                compared++;
                withFindings += expected.Contains("sleep ", StringComparison.Ordinal) || expected.Contains("exit ", StringComparison.Ordinal) || expected.Contains("held ", StringComparison.Ordinal) ? 1 : 0;
            }
        }

        // Enough methods, and enough with something to report, that a difference would show.
        Console.WriteLine($"{compared} compared ({onSyntax} on syntax too), {withFindings} with findings");
        Assert.True(compared >= 140, $"only {compared} structured methods compared");
        Assert.True(onSyntax >= compared * 9 / 10, $"only {onSyntax} of {compared} structured methods were analysed on their syntax");
        Assert.True(withFindings >= 12, $"only {withFindings} compared methods had findings");
    }

    [Fact]
    public void Tracking_sleeps_does_not_change_the_contexts_FPU0004_reports()
    {
        // FPU0004 reads the analysis FPU0001 ran (sleeps tracked, a listed API among them): its exits without
        // entry and contexts held at return must be what an analysis of contexts alone finds, on every method.
        var compilation = Compile();
        var contracts = new MethodContracts();
        var withSleeps = new AtomicContextFlowAnalysis(contracts, (method, _) => method.Name is "Sleep" or "Wait" or "Vzalloc");
        var contextsOnly = new AtomicContextFlowAnalysis(contracts, isListed: null);
        var withExits = 0;
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var declaration in tree.GetRoot().DescendantNodes().Where(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax))
            {
                if (model.GetDeclaredSymbol(declaration) is not IMethodSymbol owner)
                {
                    continue;
                }

                static string Contexts(IEnumerable<AtomicContextFlowAnalysis.Result> results) => string.Join("\n", results.SelectMany(r =>
                    r.ExitsWithoutEntry.Select(e => $"exit {e.Exit.Span} {e.Kind}").Concat(r.HeldAtReturn.Distinct().Select(k => $"held {k}"))).OrderBy(l => l, StringComparer.Ordinal));
                var expected = Contexts(BlockContextFlow.Analyze(contextsOnly, declaration, owner, model, CancellationToken.None));
                var actual = Contexts(BlockContextFlow.Analyze(withSleeps, declaration, owner, model, CancellationToken.None));
                Assert.True(expected == actual, $"{owner.ContainingType.Name}.{owner.Name}:\ncontexts only:\n{expected}\nwith sleeps:\n{actual}");
                withExits += expected.Length > 0 ? 1 : 0;
            }
        }

        Assert.True(withExits >= 5, $"only {withExits} methods exit or hold a context");
    }

    private static string Describe(AtomicContextFlowAnalysis.Result result)
    {
        static string Span(SyntaxNode syntax) => syntax.Span.ToString();
        static string Counts(int[] counts) => string.Join(",", counts);
        var lines = new List<string>();
        lines.AddRange(result.Sleeps.Select(s => $"sleep {Span(s.Syntax)} {s.Callee?.Name ?? "await"} {Counts(s.Held)} through {s.Through.Count}"));
        lines.AddRange(result.SourceCallsInContext.Select(c => $"call {Span(c.Call)} {c.Callee.Name} {Counts(c.Held)}"));
        lines.AddRange(result.Points.Select(p => $"point {p.Location.SourceSpan} {p.Name} {p.Callee?.Name} {Counts(p.Delta)}"));
        lines.AddRange(result.ExitsWithoutEntry.Select(e => $"exit {Span(e.Exit)} {e.Kind}"));
        lines.AddRange(result.HeldAtReturn.Distinct().Select(k => $"held {k}"));
        lines.Sort(StringComparer.Ordinal);
        lines.Add($"uses {result.UsesContexts}");
        return string.Join("\n", lines);
    }

    private static CSharpCompilation Compile()
    {
        var root = AnalyzerGuardTests.RepositoryRoot();
        var files = new[] { "Runtime", Path.Combine("samples", "AmxDriver") }
            .SelectMany(d => Directory.GetFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f))
            .Append(CSharpSyntaxTree.ParseText(Constructs.Replace("using FpuGuard.Runtime;", "using FpuGuard.Runtime; namespace Tests;"), options, "Constructs.cs"));
        var references = TestReferences.HostFramework(); // the Runtime is compiled from its sources here
        var compilation = CSharpCompilation.Create("Structured", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
        return compilation;
    }
}
