using System;
using System.Collections.Immutable;
using System.Composition;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using System.Xml.Linq;
using FpuGuard.Analyzers.CodeFixes.Rules.FreeOfDefaultFpuState;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Tests;

/// <summary>Guards every rule must pass: no crash on any input, the Runtime clean under its own rules, docs and release tracking complete.</summary>
public class AnalyzerGuardTests
{
    internal static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = Helpers.FixMeaning.AllAnalyzers;

    private static readonly Type[] Fixers = typeof(CodeFixes.Rules.FreeOfDefaultFpuState.FreeOfDefaultFpuStateFixer).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
        .ToArray();

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "analyzers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("analyzers.sln not found above " + AppContext.BaseDirectory);
    }

    private static CSharpCompilation Compile(params string[] sources)
    {
        var references = Helpers.TestReferences.HostFrameworkAndRuntime();
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        return CSharpCompilation.Create("Guard", sources.Select(s => CSharpSyntaxTree.ParseText(s, options)), references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Compilation compilation)
    {
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
        return await compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync();
    }

    [Fact]
    public void Every_rule_has_an_analyzer()
    {
        var reported = Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().OrderBy(id => id).ToArray();
        var identifiers = typeof(RuleIdentifiers).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).OrderBy(id => id).ToArray();
        Assert.Contains(RuleIdentifiers.UnreadableContract, identifiers);
        Assert.Equal(identifiers, reported);
    }

    [Theory]
    [InlineData("")]
    [InlineData("class C { void M() { int x = ; } ")]
    [InlineData("using FpuGuard.Runtime; class C { void M(Fpu fpu, Kernel k) { k.Memory.Vfree(fpu. ; fpu.StateMask |= ; if (fpu.State != ) } }")]
    [InlineData("using FpuGuard.Runtime; class C { void M(Fpu fpu) => (fpu.State, fpu.) = (null, ")]
    public async Task Analyzers_run_clean_on_empty_and_broken_code(string source)
    {
        var diagnostics = await AnalyzeAsync(Compile(source));
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }

    [Fact]
    public async Task The_runtime_builds_clean_under_its_own_rules_and_the_rules_do_look_at_it()
    {
        var root = Path.Combine(RepositoryRoot(), "Runtime");
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToArray();
        Assert.NotEmpty(files);
        var sources = files.Select(File.ReadAllText).ToArray();
        var compilation = Compile(sources).WithAssemblyName("FpuGuard.Runtime.Copy");
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(await AnalyzeAsync(compilation));

        // The same code with the review's two bugs put back: both rules fire.
        var kernelXState = Array.FindIndex(files, f => f.EndsWith("Kernel.XState.cs", StringComparison.Ordinal));
        sources[kernelXState] = sources[kernelXState]
            .Replace("if (!ReferenceEquals(fpu.State, fpu.DefaultState))", "if (fpu.State is not null)")
            .Replace("var stateMask = fpu.StateMask | mask;", "var stateMask = fpu.StateMask |= mask;");
        var traps = Array.FindIndex(files, f => f.EndsWith("Kernel.Traps.cs", StringComparison.Ordinal));
        Assert.Contains("LocalIrqEnable();\n        var result = XfdEnableFeature(xfdErr);", sources[traps].Replace("\r\n", "\n"));
        sources[traps] = sources[traps].Replace("\r\n", "\n").Replace("LocalIrqEnable();\n        var result = XfdEnableFeature(xfdErr);", "var result = XfdEnableFeature(xfdErr);");
        var mutated = await AnalyzeAsync(Compile(sources).WithAssemblyName("FpuGuard.Runtime.Copy"));
        Assert.Contains(mutated, d => d.Id == RuleIdentifiers.FreeOfDefaultFpuState);
        Assert.Contains(mutated, d => d.Id == RuleIdentifiers.FpuStateWrittenOutsideSwapHelper);
        Assert.Contains(mutated, d => d.Id == RuleIdentifiers.MaySleepInAtomicContext && d.GetMessage().Contains("XfdEnableFeature"));
        Assert.Contains(mutated, d => d.Id == RuleIdentifiers.AtomicContextImbalance && d.GetMessage().Contains("HandleXfdEvent"));
    }

    private const string OneViolationOfEachRule = """
        using FpuGuard.Runtime;

        {0}
        public class Driver
        {{
            private readonly Kernel _kernel;

            public Driver(Kernel kernel) => _kernel = kernel;

            public void AllocateUnderLock() {{ _kernel.FpregsLock(); _kernel.Memory.Vzalloc(64); _kernel.FpregsUnlock(); }}

            public void GrowUnderLock() {{ _kernel.FpregsLock(); Grow(64); _kernel.FpregsUnlock(); }}

            public void FreeUnchecked(Fpu fpu) => _kernel.Memory.Vfree(fpu.State);

            public void Accept(Fpu fpu, XFeatureMask features) {{ fpu.StateMask |= features; }}

            public void Unbalanced() {{ _kernel.PreemptDisable(); }}

            private XStateBuffer? Grow(int size) => _kernel.Memory.Vzalloc(size);
        }}
        """;

    // Generated code is not analysed, and nothing is reported in it: by its file name, its header comment, or a
    // [GeneratedCode] attribute on its type. The same code in an ordinary file gets every rule's diagnostic (FPU0001
    // twice: the allocation in the region, and the one a call from it reaches).
    [Theory]
    [InlineData("Driver.cs", "", "", true)]
    [InlineData("Driver.g.cs", "", "", false)]
    [InlineData("Driver.designer.cs", "", "", false)]
    [InlineData("Driver.cs", "// <auto-generated/>\n", "", false)]
    [InlineData("Driver.cs", "", "[System.CodeDom.Compiler.GeneratedCode(\"tool\", \"1.0\")]", false)]
    public async Task Generated_code_is_neither_analysed_nor_reported(string path, string header, string attribute, bool reported)
    {
        var source = header + string.Format(System.Globalization.CultureInfo.InvariantCulture, OneViolationOfEachRule, attribute);
        var compilation = Compile(source);
        compilation = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], compilation.SyntaxTrees[0].WithFilePath(path));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var ids = (await AnalyzeAsync(compilation)).Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray();

        Assert.Equal(reported ? new[] { "FPU0001", "FPU0001", "FPU0002", "FPU0003", "FPU0004" } : Array.Empty<string>(), ids);
    }

    // generated_code = true in .editorconfig reaches the compiler as the tree's options and the analyzers' options.
    [Fact]
    public async Task Code_marked_generated_in_editorconfig_is_neither_analysed_nor_reported()
    {
        var compilation = Compile(string.Format(System.Globalization.CultureInfo.InvariantCulture, OneViolationOfEachRule, ""));
        Assert.NotEmpty(await AnalyzeAsync(compilation));

        var marked = compilation.WithOptions(compilation.Options.WithSyntaxTreeOptionsProvider(new MarkedGenerated()));
        var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new Helpers.TestAnalyzerConfigOptions(("generated_code", "true"))),
            onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);

        Assert.Empty(await marked.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync());
    }

    private sealed class MarkedGenerated : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree tree, System.Threading.CancellationToken cancellationToken) => GeneratedKind.MarkedGenerated;

        public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, System.Threading.CancellationToken cancellationToken, out ReportDiagnostic severity)
        {
            severity = ReportDiagnostic.Default;
            return false;
        }

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, System.Threading.CancellationToken cancellationToken, out ReportDiagnostic severity)
        {
            severity = ReportDiagnostic.Default;
            return false;
        }
    }

    // The project's home as Directory.Build.props sets it, once, for the packages and the help links.
    private static (string Url, string Branch) ProjectHome()
    {
        var properties = XDocument.Load(Path.Combine(RepositoryRoot(), "Directory.Build.props")).Descendants();
        return (properties.Single(e => e.Name.LocalName == "RepositoryUrl").Value.TrimEnd('/'), properties.Single(e => e.Name.LocalName == "RepositoryBranch").Value);
    }

    [Fact]
    public void Every_help_link_points_at_an_existing_rule_page()
    {
        var (url, branch) = ProjectHome();
        var prefix = $"{url}/blob/{branch}/";
        foreach (var descriptor in Analyzers.SelectMany(a => a.SupportedDiagnostics))
        {
            Assert.Equal(RuleIdentifiers.GetHelpUri(descriptor.Id), descriptor.HelpLinkUri);
            Assert.StartsWith(prefix, descriptor.HelpLinkUri);

            // The page the link names, in this repository: docs/rules/ID.md, which is also packed with the analyzers.
            var relative = descriptor.HelpLinkUri!.Substring(prefix.Length);
            Assert.Equal($"docs/rules/{descriptor.Id}.md", relative);
            var page = Path.Combine(RepositoryRoot(), relative);
            Assert.True(File.Exists(page), $"{descriptor.Id}: {page} is missing");
            Assert.StartsWith("# " + descriptor.Id + ":", File.ReadAllText(page));
        }
    }

    [Fact]
    public void Every_link_to_a_rule_page_in_the_docs_uses_the_project_home()
    {
        var (url, _) = ProjectHome();
        var root = RepositoryRoot();
        var documents = new[] { "README.md", Path.Combine("Analyzers.Package", "README.md"), Path.Combine("Analyzers", "AnalyzerReleases.Unshipped.md"), Path.Combine("Analyzers", "AnalyzerReleases.Shipped.md") }
            .Select(d => Path.Combine(root, d))
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories));
        var links = documents.SelectMany(d => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(d), @"https?://[^\s)>\]]*docs/rules[^\s)>\]]*").Select(m => (Document: d, Link: m.Value))).ToList();
        Assert.NotEmpty(links);
        Assert.All(links, l => Assert.True(l.Link.StartsWith(url + "/", StringComparison.Ordinal), $"{l.Document}: {l.Link} is not under {url}"));
        Assert.All(links.Where(l => l.Link.EndsWith(".md", StringComparison.Ordinal)), l => Assert.True(File.Exists(Path.Combine(root, l.Link.Substring(l.Link.IndexOf("docs/rules/", StringComparison.Ordinal)))), $"{l.Document}: {l.Link} names no page"));
    }

    [Fact]
    public void Every_rule_is_in_the_release_tracking_files()
    {
        var tracked = File.ReadAllText(Path.Combine(RepositoryRoot(), "Analyzers", "AnalyzerReleases.Unshipped.md"))
            + File.ReadAllText(Path.Combine(RepositoryRoot(), "Analyzers", "AnalyzerReleases.Shipped.md"));
        foreach (var descriptor in Analyzers.SelectMany(a => a.SupportedDiagnostics))
        {
            Assert.Contains($"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity}", tracked);
        }
    }

    [Fact]
    public void Every_fixer_is_exported_shared_and_fixes_all()
    {
        Assert.NotEmpty(Fixers);
        foreach (var type in Fixers)
        {
            var export = type.GetCustomAttribute<ExportCodeFixProviderAttribute>();
            Assert.NotNull(export);
            Assert.Equal(type.Name, export!.Name);
            Assert.Contains(LanguageNames.CSharp, export.Languages);
            Assert.NotNull(type.GetCustomAttribute<SharedAttribute>());
            var fixer = (CodeFixProvider)Activator.CreateInstance(type)!;
            Assert.NotNull(fixer.GetFixAllProvider());
            Assert.All(fixer.FixableDiagnosticIds, id => Assert.Contains(Analyzers.SelectMany(a => a.SupportedDiagnostics), d => d.Id == id));
        }
    }
}
