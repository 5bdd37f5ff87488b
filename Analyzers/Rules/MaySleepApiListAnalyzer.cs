using System.Collections.Immutable;
using System.Linq;
using FpuGuard.Analyzers.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Rules;

/// <summary>
/// FPU0005: an entry of a may-sleep API list that can never match a call. Entries of FpuGuard.MaySleepApis.txt
/// are reported at their line as the file is analysed; entries of the fpuguard.may_sleep_apis option once per
/// compilation, with no location (the options API gives none). A compilation with neither registers nothing.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MaySleepApiListAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(RuleDescriptors.MaySleepApiListEntryIgnored, RuleDescriptors.MaySleepApiOptionEntryIgnored);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodePolicy.Flags);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Options.AdditionalFiles.Any(MaySleepApis.IsListFile))
            {
                start.RegisterAdditionalFileAction(file =>
                {
                    if (!MaySleepApis.IsListFile(file.AdditionalFile) || file.AdditionalFile.GetText(file.CancellationToken) is not { } text)
                    {
                        return;
                    }

                    foreach (var entry in MaySleepApis.ParseFile(text))
                    {
                        if (MaySleepApiEntries.Problem(entry.Id, file.Compilation) is { } problem)
                        {
                            var location = Location.Create(file.AdditionalFile.Path, entry.Span, entry.Lines);
                            file.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.MaySleepApiListEntryIgnored, location, entry.Id, MaySleepApis.FileName, problem));
                        }
                    }
                });
            }

            // Each file may see its own .editorconfig section: every distinct value, each entry reported once.
            var optionValues = start.Compilation.SyntaxTrees
                .Select(tree => MaySleepApis.OptionValue(start.Options.AnalyzerConfigOptionsProvider, tree))
                .Append(MaySleepApis.OptionValue(start.Options.AnalyzerConfigOptionsProvider, tree: null))
                .Where(value => value is not null)
                .Distinct()
                .ToList();
            if (optionValues.Count == 0)
            {
                return;
            }

            start.RegisterCompilationEndAction(end =>
            {
                foreach (var entry in optionValues.SelectMany(value => MaySleepApis.ParseOption(value!)).Distinct())
                {
                    if (MaySleepApiEntries.Problem(entry, end.Compilation) is { } problem)
                    {
                        end.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.MaySleepApiOptionEntryIgnored, Location.None, entry, MaySleepApis.OptionName, problem));
                    }
                }
            });
        });
    }
}
