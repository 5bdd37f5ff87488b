using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using FpuGuard.Runtime;

namespace FpuGuard.Tools.XStateInfo.Tests;

/// <summary>xstate-info's command line: help, profile names, errors, and tables whose offsets add up.</summary>
public class CommandLineTests
{
    internal static (int Exit, string Output, string Error) RunWithInput(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = Program.Run(args, new StringReader(input), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    internal static (int Exit, string Output, string Error) Run(params string[] args) => RunWithInput("", args);

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--profile", "zen4", "--help")]
    public void Help_prints_the_usage_to_standard_output_and_succeeds(params string[] args)
    {
        var (exit, output, error) = Run(args);
        Assert.Equal(0, exit);
        Assert.StartsWith("usage: xstate-info", output.TrimStart());
        Assert.Contains("--svg FILE", output);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("unknown argument '--frobnicate'", "--frobnicate")]
    [InlineData("--profile needs a value", "--profile")]
    [InlineData("--profile and --dump are alternatives", "--profile", "zen4", "--dump", "x.txt")]
    public void Bad_usage_names_the_problem_and_prints_the_usage_to_standard_error(string problem, params string[] args)
    {
        var (exit, output, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("xstate-info: " + problem, error);
        Assert.Contains("usage: xstate-info", error);
    }

    [Theory]
    [InlineData("sapphire-rapids")]
    [InlineData("SapphireRapids")]
    [InlineData("SAPPHIRE_RAPIDS")]
    [InlineData("sapphirerapids")]
    public void Profile_names_ignore_case_and_hyphens(string name)
    {
        Assert.Same(CpuProfiles.SapphireRapids, Program.FindProfile(name));
        var (exit, output, _) = Run("--profile", name);
        Assert.Equal(0, exit);
        Assert.StartsWith("XSAVE layout of " + CpuProfiles.SapphireRapids.Layout.Name, output);
    }

    [Fact]
    public void Every_profile_is_found_by_its_id_and_by_its_name_in_CpuProfiles()
    {
        foreach (var property in typeof(CpuProfiles).GetProperties().Where(p => p.PropertyType == typeof(CpuProfile)))
        {
            var profile = (CpuProfile)property.GetValue(null)!;
            Assert.Same(profile, Program.FindProfile(property.Name));
            Assert.Same(profile, Program.FindProfile(profile.Id));
        }
    }

    [Fact]
    public void An_unknown_profile_is_an_error_that_lists_the_known_ones()
    {
        var (exit, output, error) = Run("--profile", "pentium-mmx");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("no CPU profile 'pentium-mmx'", error);
        Assert.All(CpuProfiles.All, p => Assert.Contains(p.Id, error));
    }

    public static TheoryData<string> Profiles()
    {
        var data = new TheoryData<string>();
        foreach (var profile in CpuProfiles.All)
        {
            data.Add(profile.Id);
        }

        return data;
    }

    /// <summary>
    /// Each printed table starts at 0 with the legacy area, holds the header and every component of the set, and
    /// each row starts where the one before ends, up to the size its heading gives, which is the Runtime's size.
    /// </summary>
    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_offset_in_the_tables_adds_up(string id)
    {
        var profile = CpuProfiles.Get(id);
        var layout = profile.Layout;
        var (exit, output, _) = Run("--profile", id);
        Assert.Equal(0, exit);
        var tables = Regex.Matches(output, @"^  (standard|compacted) format .*? for (0x[0-9a-f]+): (\d+) bytes\n  +offset +size +end +# +region\n((?:  +\d+ +\d+ +\d+ .*\n)+)", RegexOptions.Multiline);
        Assert.Equal(layout.SupportsXsaves || layout.SupportsXsaveC ? 2 : 1, tables.Count);
        foreach (Match table in tables)
        {
            var format = table.Groups[1].Value == "standard" ? XSaveFormat.Standard : XSaveFormat.Compacted;
            var features = (XFeatureMask)Convert.ToUInt64(table.Groups[2].Value, 16);
            var size = int.Parse(table.Groups[3].Value);
            Assert.Equal(layout.GetBufferSize(features, format), size);
            var rows = table.Groups[4].Value.TrimEnd('\n').Split('\n')
                .Select(line => Regex.Match(line, @"^ +(\d+) +(\d+) +(\d+) +(\d*) +(.*)$"))
                .Select(m => (Offset: int.Parse(m.Groups[1].Value), Size: int.Parse(m.Groups[2].Value), End: int.Parse(m.Groups[3].Value), Number: m.Groups[4].Value, Name: m.Groups[5].Value))
                .ToList();
            var at = 0;
            foreach (var row in rows)
            {
                Assert.True(row.Offset == at, $"{id} {format}: '{row.Name}' at {row.Offset}, the row before ends at {at}");
                Assert.Equal(row.Offset + row.Size, row.End);
                at = row.End;
            }

            Assert.Equal(size, at);
            Assert.Contains(rows, r => r.Name == "legacy area, reserved" && r.Offset == 416 && r.Size == 96);
            Assert.Contains(rows, r => r.Name == "XSAVE header" && r.Offset == 512 && r.Size == 64);
            foreach (var component in layout.Components.Where(c => features.Has(c.Feature)))
            {
                var row = rows.Single(r => r.Number == ((int)component.Feature).ToString());
                Assert.Equal(layout.GetOffset(component.Feature, features, format), row.Offset);
                Assert.Equal(component.Size, row.Size);
            }

            Assert.All(rows.Where(r => r.Number == ""), r => Assert.True(r.Name.StartsWith("padding", StringComparison.Ordinal) || r.Name is "legacy area, reserved" or "XSAVE header", r.Name));
        }
    }

    [Fact]
    public void A_dump_on_standard_input_is_read()
    {
        var (exit, output, error) = RunWithInput(CpuProfiles.Zen4.Dump, "--dump", "-");
        Assert.True(exit == 0, error);
        Assert.StartsWith("XSAVE layout of standard input", output);
        Assert.Contains($"user components (XCR0):        {CpuProfiles.Zen4.Layout.SupportedUserFeatures.ToHex()}", output);
        Assert.Contains("XSAVE header", output);
    }
}
