using System;
using System.IO;
using System.Linq;
using FpuGuard.Runtime;

namespace FpuGuard.Tools.XStateInfo;

/// <summary>Prints a processor's XSAVE layout the way the kernel's boot log and CPUID describe it.</summary>
public static class Program
{
    private const string Usage = """
        usage: xstate-info [--profile ID | --dump FILE | --list]
          (no option)    the processor this runs on
          --profile ID   a built-in profile (see --list)
          --dump FILE    an InstLatx64 or 'cpuid -r' text dump; '-' reads standard input
          --list         the built-in profiles
        """;

    public static int Main(string[] args)
    {
        try
        {
            switch (args)
            {
                case []:
                    Print(XStateLayout.FromHostCpu(), enabled: null);
                    return 0;
                case ["--list"]:
                    foreach (var profile in CpuProfiles.All)
                    {
                        Console.WriteLine($"{profile.Id,-16} {profile.Name}");
                    }

                    return 0;
                case ["--profile", var id]:
                    var chosen = CpuProfiles.Get(id);
                    Print(chosen.Layout, chosen.EnabledXcr0 | chosen.EnabledXss);
                    return 0;
                case ["--dump", var path]:
                    var text = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
                    Print(XStateLayout.FromCpuidDump(text, path == "-" ? "standard input" : Path.GetFileName(path)), enabled: null);
                    return 0;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception error) when (error is CpuidDataException or PlatformNotSupportedException or ArgumentException or IOException)
        {
            Console.Error.WriteLine($"xstate-info: {error.Message}");
            return 1;
        }
    }

    private static void Print(XStateLayout layout, XFeatureMask? enabled)
    {
        // Sizes and offsets are computed for what the data describes; an unknown component is listed, not guessed.
        var features = (enabled ?? layout.SupportedFeatures) & ~layout.UnknownFeatures;
        var compacted = layout.SupportsXsaveC || layout.SupportsXsaves;
        Console.WriteLine($"XSAVE layout of {layout.Name}");
        Console.WriteLine($"  user components (XCR0):        {layout.SupportedUserFeatures.ToHex()}");
        Console.WriteLine($"  supervisor components (XSS):   {layout.SupportedSupervisorFeatures.ToHex()}");
        Console.WriteLine($"  XFD-capable components:        {layout.XfdCapableFeatures.ToHex()}");
        Console.WriteLine($"  instructions:                  XSAVE{Flag(layout.SupportsXsaveOpt, " XSAVEOPT")}{Flag(layout.SupportsXsaveC, " XSAVEC")}{Flag(layout.SupportsXgetbv1, " XGETBV1")}{Flag(layout.SupportsXsaves, " XSAVES")}{Flag(layout.SupportsXfd, " XFD")}");
        if (layout.UnknownFeatures != 0)
        {
            var missing = string.Join(", ", layout.UnknownFeatures.Features().Select(f => $"{(int)f} ({f}): sub-leaf 0x{(int)f:X2} missing"));
            Console.WriteLine($"  unknown components:            {layout.UnknownFeatures.ToHex()}: {missing}; sizes below leave them out");
        }

        Console.WriteLine($"  CPUID totals:                  all user {layout.ReportedMaxStandardSize} (0,ECX), enabled standard {layout.ReportedEnabledStandardSize} (0,EBX), enabled compacted {layout.ReportedEnabledCompactedSize} (1,EBX)");
        Console.WriteLine();
        Console.WriteLine($"  {"#",2}  {"component",-16} {"size",6} {"standard",9} {"compacted",10}  flags");
        foreach (var component in layout.Components.Where(c => features.Has(c.Feature)))
        {
            var standard = component.IsSupervisor ? "-" : layout.GetOffset(component.Feature, features & layout.SupportedUserFeatures, XSaveFormat.Standard).ToString();
            var packed = compacted ? layout.GetOffset(component.Feature, features, XSaveFormat.Compacted).ToString() : "-";
            var flags = string.Join(",", new[] { component.IsSupervisor ? "supervisor" : null, component.IsAligned64 ? "aligned" : null, component.IsXfdCapable ? "xfd" : null }.Where(f => f is not null));
            Console.WriteLine($"  {(int)component.Feature,2}  {component.Feature,-16} {component.Size,6} {standard,9} {packed,10}  {flags}");
        }

        Console.WriteLine();
        var userFeatures = features & layout.SupportedUserFeatures;
        var format = layout.SupportsXsaves ? XSaveFormat.Compacted : XSaveFormat.Standard;
        var kernelFeatures = format == XSaveFormat.Compacted ? features : userFeatures;
        Console.WriteLine($"  kernel buffer ({(format == XSaveFormat.Compacted ? "XSAVES, compacted" : "XSAVE, standard")} format) for {kernelFeatures.ToHex()}: {layout.GetBufferSize(kernelFeatures, format)} bytes");
        Console.WriteLine($"  user ABI (standard format) buffer for {userFeatures.ToHex()}: {layout.GetBufferSize(userFeatures, XSaveFormat.Standard)} bytes");
    }

    private static string Flag(bool present, string name) => present ? name : "";
}
