using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FpuGuard.Analyzers.Tests.Helpers;

/// <summary>The same analyzer options for every file, as a global .editorconfig section gives them.</summary>
internal sealed class TestAnalyzerConfigOptions : AnalyzerConfigOptionsProvider
{
    public TestAnalyzerConfigOptions(params (string Key, string Value)[] options) =>
        GlobalOptions = new Options(options.ToDictionary(o => o.Key, o => o.Value));

    public override AnalyzerConfigOptions GlobalOptions { get; }

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

    private sealed class Options : AnalyzerConfigOptions
    {
        private readonly Dictionary<string, string> _values;

        public Options(Dictionary<string, string> values) => _values = values;

        public override bool TryGetValue(string key, out string value)
        {
            var found = _values.TryGetValue(key, out var text);
            value = text ?? "";
            return found;
        }
    }
}
