using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FpuGuard.Analyzers.Rules;

/// <summary>
/// FPU0006: a context attribute, or the AtomicContextKind enum it takes, of a shape FpuGuard cannot read (a
/// constructor taking a string or a long, no kind, other enum values) — or an application naming a kind out of
/// range. Without it the analysis would be off without a word (the rules draw no conclusions from such a
/// contract). A declaration in source is reported where it is declared; one in a referenced assembly at its
/// first use here (an application, or a call of a method carrying it), when the compilation is complete.
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

            var analysis = new Analysis(Referenced(start.Compilation));
            start.RegisterSymbolAction(analysis.OnType, SymbolKind.NamedType);
            start.RegisterSymbolAction(analysis.OnMethod, SymbolKind.Method);
            if (analysis.ReferencedProblems.Count > 0)
            {
                start.RegisterOperationAction(analysis.OnCall, OperationKind.Invocation, OperationKind.ObjectCreation);
                start.RegisterCompilationEndAction(analysis.OnEnd);
            }
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

        public Analysis(Dictionary<INamedTypeSymbol, string> referencedProblems) => ReferencedProblems = referencedProblems;

        public Dictionary<INamedTypeSymbol, string> ReferencedProblems { get; }

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
                if (ReferencedProblems.ContainsKey(type))
                {
                    FirstUse(type, location);
                }
                else if (ContractShapes.AttributeProblem(type) is null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.UnreadableContract, location, type.Name, ContractShapes.UseProblem(attribute)));
                }
            }
        }

        // A call of a referenced method that carries an unreadable attribute of a referenced assembly.
        public void OnCall(OperationAnalysisContext context)
        {
            var method = context.Operation switch
            {
                IInvocationOperation invocation => invocation.TargetMethod,
                IObjectCreationOperation creation => creation.Constructor,
                _ => null,
            };
            if (method is null || !method.DeclaringSyntaxReferences.IsEmpty)
            {
                return;
            }

            foreach (var attribute in method.OriginalDefinition.GetAttributes())
            {
                if (attribute.AttributeClass is { } type && ReferencedProblems.ContainsKey(type))
                {
                    FirstUse(type, context.Operation.Syntax.GetLocation());
                }
            }
        }

        public void OnEnd(CompilationAnalysisContext context)
        {
            foreach (var use in _firstUses)
            {
                context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.UnreadableContractFirstUse, use.Value, use.Key.Name, ReferencedProblems[use.Key]));
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
