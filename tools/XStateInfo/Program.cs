using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using FpuGuard.Runtime;

namespace FpuGuard.Tools.XStateInfo;

/// <summary>Prints a processor's XSAVE layout the way the kernel's boot log and CPUID describe it, or draws it.</summary>
public static class Program
{
    public const string Usage = """
        usage: xstate-info [--profile ID | --dump FILE] [--svg FILE]
               xstate-info --list | --help
          (no option)    the processor this runs on
          --profile ID   a built-in profile (see --list; case and hyphens do not matter: sapphire-rapids, SapphireRapids)
          --dump FILE    an InstLatx64 or 'cpuid -r' text dump; '-' reads standard input
          --svg FILE     also draw the layout (standard and compacted format, to scale) as an SVG picture
          --list         the built-in profiles
          --help         this text
        """;

    public static int Main(string[] args) => Run(args, Console.In, Console.Out, Console.Error);

    /// <summary>The tool, with its streams passed in: 0 done, 1 bad input (named on <paramref name="error"/>), 2 bad usage.</summary>
    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        string? profileId = null, dumpPath = null, svgPath = null;
        var list = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h" or "-?":
                    output.WriteLine(Usage);
                    return 0;
                case "--list":
                    list = true;
                    break;
                case "--profile" or "--dump" or "--svg" when i + 1 < args.Length:
                    var value = args[++i];
                    _ = args[i - 1] switch
                    {
                        "--profile" => profileId = value,
                        "--dump" => dumpPath = value,
                        _ => svgPath = value,
                    };
                    break;
                case "--profile" or "--dump" or "--svg":
                    return BadUsage(error, $"{args[i]} needs a value");
                default:
                    return BadUsage(error, $"unknown argument '{args[i]}'");
            }
        }

        if (profileId is not null && dumpPath is not null)
        {
            return BadUsage(error, "--profile and --dump are alternatives");
        }

        try
        {
            if (list)
            {
                foreach (var profile in CpuProfiles.All)
                {
                    output.WriteLine($"{profile.Id,-16} {profile.Name}");
                }

                return 0;
            }

            var (layout, enabled) = profileId is not null ? FromProfile(FindProfile(profileId))
                : dumpPath is not null ? (XStateLayout.FromCpuidDump(dumpPath == "-" ? input.ReadToEnd() : File.ReadAllText(dumpPath), dumpPath == "-" ? "standard input" : Path.GetFileName(dumpPath)), (XFeatureMask?)null)
                : (XStateLayout.FromHostCpu(), null);
            Print(layout, enabled, output);
            if (svgPath is not null)
            {
                LayoutSvg.Draw(layout.Name, Maps(layout, (enabled ?? layout.SupportedFeatures) & ~layout.UnknownFeatures)).Save(svgPath);
                output.WriteLine();
                output.WriteLine($"  drawn to {svgPath}");
            }

            return 0;
        }
        catch (Exception problem) when (problem is CpuidDataException or PlatformNotSupportedException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"xstate-info: {problem.Message}");
            return 1;
        }
    }

    /// <summary>
    /// A built-in profile by its ID or its name in <see cref="CpuProfiles"/>, ignoring case, hyphens and
    /// underscores: sapphire-rapids, SapphireRapids and SAPPHIRE_RAPIDS are one profile.
    /// </summary>
    /// <exception cref="ArgumentException">No profile has that name; the message lists them.</exception>
    public static CpuProfile FindProfile(string name)
    {
        var wanted = Normalize(name);
        var byPropertyName = typeof(CpuProfiles).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(CpuProfile))
            .Select(p => (Name: p.Name, Profile: (CpuProfile)p.GetValue(null)!));
        return CpuProfiles.All.FirstOrDefault(p => Normalize(p.Id) == wanted)
            ?? byPropertyName.FirstOrDefault(p => Normalize(p.Name) == wanted).Profile
            ?? throw new ArgumentException($"no CPU profile '{name}'; known: {string.Join(", ", CpuProfiles.All.Select(p => p.Id))}", nameof(name));
    }

    /// <summary>The formats this CPU saves <paramref name="features"/> in: standard (user components) and, with XSAVEC/XSAVES, compacted.</summary>
    public static IReadOnlyList<LayoutMap> Maps(XStateLayout layout, XFeatureMask features)
    {
        var maps = new List<LayoutMap> { LayoutMap.Of(layout, features & layout.SupportedUserFeatures, XSaveFormat.Standard) };
        if (layout.SupportsXsaves || layout.SupportsXsaveC)
        {
            maps.Add(LayoutMap.Of(layout, layout.SupportsXsaves ? features : features & layout.SupportedUserFeatures, XSaveFormat.Compacted));
        }

        return maps;
    }

    private static string Normalize(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static (XStateLayout, XFeatureMask?) FromProfile(CpuProfile profile) => (profile.Layout, profile.EnabledXcr0 | profile.EnabledXss);

    private static int BadUsage(TextWriter error, string problem)
    {
        error.WriteLine($"xstate-info: {problem}");
        error.WriteLine(Usage);
        return 2;
    }

    private static void Print(XStateLayout layout, XFeatureMask? enabled, TextWriter output)
    {
        // Sizes and offsets are computed for what the data describes; an unknown component is listed, not guessed.
        var features = (enabled ?? layout.SupportedFeatures) & ~layout.UnknownFeatures;
        output.WriteLine($"XSAVE layout of {layout.Name}");
        output.WriteLine($"  user components (XCR0):        {layout.SupportedUserFeatures.ToHex()}");
        output.WriteLine($"  supervisor components (XSS):   {layout.SupportedSupervisorFeatures.ToHex()}");
        output.WriteLine($"  XFD-capable components:        {layout.XfdCapableFeatures.ToHex()}");
        output.WriteLine($"  instructions:                  XSAVE{Flag(layout.SupportsXsaveOpt, " XSAVEOPT")}{Flag(layout.SupportsXsaveC, " XSAVEC")}{Flag(layout.SupportsXgetbv1, " XGETBV1")}{Flag(layout.SupportsXsaves, " XSAVES")}{Flag(layout.SupportsXfd, " XFD")}");
        if (layout.UnknownFeatures != 0)
        {
            var missing = string.Join(", ", layout.UnknownFeatures.Features().Select(f => $"{(int)f} ({f}): sub-leaf 0x{(int)f:X2} missing"));
            output.WriteLine($"  unknown components:            {layout.UnknownFeatures.ToHex()}: {missing}; sizes below leave them out");
        }

        output.WriteLine($"  CPUID totals:                  all user {layout.ReportedMaxStandardSize} (0,ECX), enabled standard {layout.ReportedEnabledStandardSize} (0,EBX), enabled compacted {layout.ReportedEnabledCompactedSize} (1,EBX)");
        foreach (var map in Maps(layout, features))
        {
            output.WriteLine();
            output.WriteLine($"  {(map.Format == XSaveFormat.Standard ? "standard format (XSAVE, user ABI)" : "compacted format (XSAVES/XSAVEC)")} for {map.Features.ToHex()}: {map.Size} bytes");
            output.WriteLine($"  {"offset",7} {"size",6} {"end",6}  {"#",2}  region");
            foreach (var region in map.Regions)
            {
                var number = region.Component is { } c ? ((int)c.Feature).ToString() : "";
                output.WriteLine($"  {region.Offset,7} {region.Size,6} {region.End,6}  {number,2}  {region.Name}{Flags(region.Component)}");
            }
        }

        output.WriteLine();
        var userFeatures = features & layout.SupportedUserFeatures;
        var format = layout.SupportsXsaves ? XSaveFormat.Compacted : XSaveFormat.Standard;
        var kernelFeatures = format == XSaveFormat.Compacted ? features : userFeatures;
        output.WriteLine($"  kernel buffer ({(format == XSaveFormat.Compacted ? "XSAVES, compacted" : "XSAVE, standard")} format) for {kernelFeatures.ToHex()}: {layout.GetBufferSize(kernelFeatures, format)} bytes");
        output.WriteLine($"  user ABI (standard format) buffer for {userFeatures.ToHex()}: {layout.GetBufferSize(userFeatures, XSaveFormat.Standard)} bytes");
    }

    private static string Flags(XStateComponent? component)
    {
        if (component is not { } c)
        {
            return "";
        }

        var flags = new[] { c.IsSupervisor ? "supervisor" : null, c.IsAligned64 ? "aligned" : null, c.IsXfdCapable ? "xfd" : null }.Where(f => f is not null).ToList();
        return flags.Count > 0 ? $"  [{string.Join(",", flags)}]" : "";
    }

    private static string Flag(bool present, string name) => present ? name : "";
}
