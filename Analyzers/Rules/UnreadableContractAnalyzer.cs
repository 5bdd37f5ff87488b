using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Contracts;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Rules;

/// <summary>
/// FPU0006: a context attribute, or the AtomicContextKind enum it takes, of a shape FpuGuard cannot read (a
/// constructor taking a string or a long, no kind, other enum values) — or an application naming a kind out of
/// range. Without it the analysis would be off without a word (the rules draw no conclusions from such a
/// contract). A declaration in source is reported where it is declared; one in a referenced assembly at its
/// first use here (an application, or a call of a method carrying it), when the compilation is complete.
/// Registers nothing for a compilation that declares no context attribute.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnreadableContractAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleDescriptors.UnreadableContract, RuleDescriptors.UnreadableContractFirstUse);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodePolicy.Flags);
        context.RegisterCompilationStartAction(start =>
        {
            if (!ContractAttributes.AnyDeclared(start.Compilation, ContractShapes.KindAttributes))
            {
                return;
            }

            // A referenced declaration is looked at when the compilation is complete: asking for a reference's
            // symbols at its start would bind every reference first (the compile does that on its own thread).
            var analysis = new Analysis();
            start.RegisterSymbolAction(analysis.OnType, SymbolKind.NamedType);
            start.RegisterSymbolAction(analysis.OnMethod, SymbolKind.Method);
            start.RegisterCompilationEndAction(analysis.OnEnd);
        });
    }

    // The referenced assemblies' unreadable context attributes, with what is wrong with each.
    private static Dictionary<INamedTypeSymbol, string> Referenced(Compilation compilation)
    {
        var problems = new Dictionary<INamedTypeSymbol, string>(SymbolEqualityComparer.Default);
        foreach (var reference in compilation.References)
        {
            if (!ContractAttributes.DeclaredBy(reference, ContractShapes.KindAttributes) || compilation.GetAssemblyOrModuleSymbol(reference) is not IAssemblySymbol assembly)
            {
                continue;
            }

            foreach (var type in ContractShapes.TypesNamed(assembly.GlobalNamespace, ContractShapes.KindAttributes))
            {
                if (ContractShapes.AttributeProblem(type) is { } problem)
                {
                    problems[type] = problem;
                }
            }
        }

        return problems;
    }

    private sealed class Analysis
    {
        private readonly ConcurrentDictionary<INamedTypeSymbol, byte> _reportedEnums = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<INamedTypeSymbol, Location> _firstUses = new(SymbolEqualityComparer.Default);

        public void OnType(SymbolAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (!ContractShapes.IsKindAttribute(type.Name))
            {
                return;
            }

            if (ContractShapes.AttributeProblem(type, includeEnumProblem: false) is { } problem)
            {
                context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.UnreadableContract, type.Locations[0], type.Name, problem));
                return;
            }

            foreach (var kind in type.InstanceConstructors.Where(c => c.Parameters.Length == 1).Select(c => c.Parameters[0].Type).OfType<INamedTypeSymbol>().Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default))
            {
                if (ContractShapes.EnumProblem(kind) is not { } enumProblem)
                {
                    continue;
                }

                if (kind.Locations.FirstOrDefault(l => l.IsInSource) is { } declared)
                {
                    if (_reportedEnums.TryAdd(kind, 0))
                    {
                        context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.UnreadableContract, declared, kind.Name, enumProblem));
                    }
                }
                else
                {
                    context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.UnreadableContract, type.Locations[0], type.Name,
                        $"the {ContractShapes.KindEnum} its constructor takes is unreadable: {enumProblem}"));
                }
            }
        }

        // Applications in source: a kind out of range is reported where it is written; an unreadable class, where it is declared.
        public void OnMethod(SymbolAnalysisContext context)
        {
            foreach (var attribute in context.Symbol.GetAttributes())
            {
                if (attribute.AttributeClass is not { TypeKind: not TypeKind.Error } type || !ContractShapes.IsKindAttribute(type.Name)
                    || ContractShapes.KindOf(attribute) is not null || attribute.ApplicationSyntaxReference is not { } application)
                {
                    continue;
                }

                var location = Location.Create(application.SyntaxTree, application.Span);
                if (!type.Locations.Any(l => l.IsInSource) && ContractShapes.AttributeProblem(type) is not null)
                {
                    FirstUse(type, location);
                }
                else if (ContractShapes.AttributeProblem(type) is null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.UnreadableContract, location, type.Name, ContractShapes.UseProblem(attribute)));
                }
            }
        }

        public void OnEnd(CompilationAnalysisContext context)
        {
            var problems = Referenced(context.Compilation);
            if (problems.Count == 0)
            {
                return;
            }

            // Rare (a referenced assembly declares copies FpuGuard cannot read): the first call of a method that
            // carries one, in file order, found by walking the source, beside the applications seen already.
            foreach (var tree in context.Compilation.SyntaxTrees.OrderBy(t => t.FilePath, System.StringComparer.Ordinal))
            {
#pragma warning disable RS1030 // Only when a referenced contract cannot be read; the driver's shared model is returned when it has one.
                var model = context.Compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                foreach (var call in tree.GetRoot(context.CancellationToken).DescendantNodes().Where(n => n is InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax))
                {
                    if (model.GetSymbolInfo(call, context.CancellationToken).Symbol is IMethodSymbol { DeclaringSyntaxReferences.IsEmpty: true } method)
                    {
                        foreach (var attribute in method.OriginalDefinition.GetAttributes())
                        {
                            if (attribute.AttributeClass is { } type && problems.ContainsKey(type))
                            {
                                FirstUse(type, call.GetLocation());
                            }
                        }
                    }
                }
            }

            foreach (var use in _firstUses)
            {
                if (problems.TryGetValue(use.Key, out var problem))
                {
                    context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.UnreadableContractFirstUse, use.Value, use.Key.Name, problem));
                }
            }
        }

        private void FirstUse(INamedTypeSymbol type, Location location) =>
            _firstUses.AddOrUpdate(type, location, (_, known) => Earlier(location, known) ? location : known);

        private static bool Earlier(Location a, Location b)
        {
            var byPath = string.CompareOrdinal(a.SourceTree?.FilePath, b.SourceTree?.FilePath);
            return byPath != 0 ? byPath < 0 : a.SourceSpan.Start < b.SourceSpan.Start;
        }
    }
}
