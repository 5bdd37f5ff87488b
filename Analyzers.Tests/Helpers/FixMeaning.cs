using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using FpuGuard.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Tests.Helpers;

/// <summary>
/// What a fixed source means: every FpuGuard analyzer run on it (no FPU rule may report), and the code compiled
/// against FpuGuard.Runtime and run on the kernel model. The fix tests first verify that the fixer produces the
/// fixed source exactly (one by one and FixAll), then check its meaning here.
/// </summary>
internal static class FixMeaning
{
    /// <summary>Every analyzer of the FpuGuard.Analyzers assembly.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> AllAnalyzers { get; } = typeof(RuleIdentifiers).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    public static CSharpCompilation Compile(string source) =>
        CSharpCompilation.Create("FixedCode" + Guid.NewGuid().ToString("N"), new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: "Fixed.cs") },
            TestReferences.HostFrameworkAndRuntime(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>Compiles without errors, and no FPU rule (nor an analyzer failure) reports on it.</summary>
    public static async Task AssertNoFpuDiagnosticsAsync(string source)
    {
        var compilation = Compile(source);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.True(AllAnalyzers.Length >= 4, $"found only {AllAnalyzers.Length} analyzers");
        var diagnostics = await compilation.WithAnalyzers(AllAnalyzers).GetAnalyzerDiagnosticsAsync();
        Assert.Empty(diagnostics.Select(d => d.ToString()));
    }

    /// <summary>Compiles the source and calls the static method <paramref name="typeAndMethod"/> ("Type.Method") with the arguments.</summary>
    public static object? Run(string source, string typeAndMethod, params object[] arguments)
    {
        using var image = new MemoryStream();
        var emitted = Compile(source).Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var assembly = Assembly.Load(image.ToArray());
        var dot = typeAndMethod.LastIndexOf('.');
        var method = assembly.GetType(typeAndMethod[..dot], throwOnError: true)!
            .GetMethod(typeAndMethod[(dot + 1)..], BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;
        try
        {
            return method.Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>A Sapphire Rapids kernel with a current task allowed AMX, as the README sets one up.</summary>
    public static (Kernel Kernel, KernelTask Task) RunningTask()
    {
        var kernel = new Kernel(CpuProfiles.SapphireRapids.Layout);
        var task = kernel.CreateProcess("amx");
        kernel.SwitchTo(task);
        Assert.True(kernel.RequestXCompPermission(task, (ulong)XFeature.XTileData).IsSuccess);
        return (kernel, task);
    }

    /// <summary>The invariant the swap helper keeps: the size is the one the mask needs, and the buffer has room for it; no context left held.</summary>
    public static void AssertConsistent(Kernel kernel, Fpu fpu)
    {
        Assert.Equal(kernel.GetXStateSize(fpu.StateMask), fpu.StateSize);
        Assert.True(fpu.State.Size >= fpu.StateSize, $"the buffer has {fpu.State.Size} bytes, the mask {fpu.StateMask} needs {fpu.StateSize}");
        Assert.False(kernel.InAtomicContext, "an atomic context is still held");
    }
}
