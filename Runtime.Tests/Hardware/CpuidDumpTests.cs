using System;

namespace FpuGuard.Runtime.Tests.Hardware;

/// <summary>Real dumps decode to the hardware's figures; broken ones are rejected naming the sub-leaf.</summary>
public class CpuidDumpTests
{
    // An old InstLatx64 dump of a Sandy Bridge Xeon: no [SL nn] tags; sub-leaf 0, 1, then component 2.
    private const string SandyBridgeUntagged = """
        CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69
        CPUID 00000001: 000206D7-03200800-1FBEE3FF-BFEBFBFF
        CPUID 0000000D: 00000007-00000340-00000340-00000000
        CPUID 0000000D: 00000001-00000000-00000000-00000000
        CPUID 0000000D: 00000100-00000240-00000000-00000000
        CPUID 80000000: 80000008-00000000-00000000-00000000
        """;

    // An old dump of a Skylake client: lines for components 2, 3, 4 only, although PT (8) is a supported
    // supervisor component: its size is not in the dump.
    private const string SkylakeClientUntagged = """
        CPUID 00000000: 00000016-756E6547-6C65746E-49656E69
        CPUID 00000001: 000506E3-00100800-7FFAFBBF-BFEBFBFF
        CPUID 00000007: 00000000-029C6FBB-00000000-00000000
        CPUID 0000000D: 0000001F-00000440-00000440-00000000
        CPUID 0000000D: 0000000F-000003C0-00000100-00000000
        CPUID 0000000D: 00000100-00000240-00000000-00000000
        CPUID 0000000D: 00000040-000003C0-00000000-00000000
        CPUID 0000000D: 00000040-00000400-00000000-00000000
        CPUID 80000001: 00000000-00000000-00000121-2C100000
        """;

    // 'cpuid -r' of an AMD EPYC 7402P (Zen 2): PKRU is 64 bytes here, where Intel reports 8.
    private const string Zen2Raw = """
        CPU 0:
           0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
           0x0000000d 0x00: eax=0x00000207 ebx=0x00000340 ecx=0x00000380 edx=0x00000000
           0x0000000d 0x01: eax=0x0000000f ebx=0x00000340 ecx=0x00000000 edx=0x00000000
           0x0000000d 0x02: eax=0x00000100 ebx=0x00000240 ecx=0x00000000 edx=0x00000000
           0x0000000d 0x09: eax=0x00000040 ebx=0x00000340 ecx=0x00000000 edx=0x00000000
        CPU 1:
           0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65
           0x0000000d 0x00: eax=0x00000007 ebx=0x00000340 ecx=0x00000340 edx=0x00000000
        """;

    private static string SapphireRapids => CpuProfiles.SapphireRapids.Dump;

    [Fact]
    public void Untagged_instlatx64_dump_assigns_lines_to_the_supported_components_in_order()
    {
        var layout = XStateLayout.FromCpuidDump(SandyBridgeUntagged);
        Assert.Equal((XFeatureMask)0x7, layout.SupportedUserFeatures);
        Assert.Equal(832, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard));
        Assert.Equal(new XStateComponent(XFeature.Avx, 256, 576, false, false, false), layout.GetComponent(XFeature.Avx));
    }

    [Fact]
    public void Untagged_dump_without_the_supervisor_subleaf_builds_the_layout_with_pt_unknown()
    {
        var layout = XStateLayout.FromCpuidDump(SkylakeClientUntagged);
        Assert.Equal((XFeatureMask)0x1F, layout.SupportedUserFeatures);
        Assert.Equal(XFeatureMask.ProcessorTrace, layout.SupportedSupervisorFeatures);
        Assert.Equal(XFeatureMask.ProcessorTrace, layout.UnknownFeatures);
        Assert.DoesNotContain(layout.Components, c => c.Feature == XFeature.ProcessorTrace);
        Assert.Equal(1088, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard));
        Assert.Equal(960, layout.GetBufferSize((XFeatureMask)0x1F, XSaveFormat.Compacted)); // kernel log: 0x1f, 960 bytes compacted
        Assert.Equal(896, layout.GetOffset(XFeature.BndCsr, (XFeatureMask)0x11F, XSaveFormat.Compacted)); // PT packs after it
        Assert.Equal(new XStateComponent(XFeature.BndCsr, 64, 1024, false, false, false), layout.GetComponent(XFeature.BndCsr));
    }

    [Fact]
    public void Only_a_query_that_needs_the_unknown_component_throws_naming_its_subleaf()
    {
        var layout = XStateLayout.FromCpuidDump(SkylakeClientUntagged);
        foreach (var query in new Action[]
        {
            () => layout.GetComponent(XFeature.ProcessorTrace),
            () => layout.GetBufferSize((XFeatureMask)0x11F, XSaveFormat.Compacted),
            () => layout.GetOffset(XFeature.ProcessorTrace, (XFeatureMask)0x11F, XSaveFormat.Compacted),
        })
        {
            var error = Assert.Throws<CpuidDataException>(query);
            Assert.Equal(8, error.SubLeaf);
            Assert.Contains("sub-leaf 0x08", error.Message);
            Assert.Contains("unknown", error.Message);
        }

        // The processor can run on it; XSAVES of PT is what needs the size.
        var cpu = new Cpu(layout);
        cpu.Xsetbv(0, (XFeatureMask)0x1F);
        cpu.Wrmsr(Cpu.MsrIa32Xss, (ulong)XFeatureMask.ProcessorTrace);
        Assert.Equal(8, Assert.Throws<CpuidDataException>(() => cpu.Xsaves(new XStateBuffer(4096), (XFeatureMask)0x11F)).SubLeaf);
    }

    // EXEgesis' test dump of a Core i5-7600K (Kaby Lake, the Coffee Lake generation's leaf 0xD), with the
    // InstLatx64 [SL nn] tags added: sub-leaf 1 ECX names PT (bit 8), and no sub-leaf 8 follows.
    internal const string KabyLakeTagged = """
        CPUID 00000000: 00000016-756E6547-6C65746E-49656E69
        CPUID 00000001: 000906E9-00100800-7FFAFBBF-BFEBFBFF
        CPUID 0000000D: 0000001F-00000440-00000440-00000000 [SL 00]
        CPUID 0000000D: 0000000F-000003C0-00000100-00000000 [SL 01]
        CPUID 0000000D: 00000100-00000240-00000000-00000000 [SL 02]
        CPUID 0000000D: 00000040-000003C0-00000000-00000000 [SL 03]
        CPUID 0000000D: 00000040-00000400-00000000-00000000 [SL 04]
        """;

    [Fact]
    public void Tagged_client_dump_without_subleaf_8_builds_with_pt_unknown()
    {
        var layout = XStateLayout.FromCpuidDump(KabyLakeTagged);
        Assert.Equal(XFeatureMask.ProcessorTrace, layout.UnknownFeatures);
        Assert.Equal(960, layout.GetBufferSize((XFeatureMask)0x1F, XSaveFormat.Compacted));
        Assert.Contains("unknown: 0x100", layout.ToString());
    }

    [Fact]
    public void Contradictions_in_a_dump_with_an_unknown_component_are_still_rejected_whole()
    {
        var zeroPt = KabyLakeTagged + "\nCPUID 0000000D: 00000000-00000000-00000000-00000000 [SL 08]\n";
        Assert.Equal(8, Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(zeroPt)).SubLeaf);

        var overlapping = KabyLakeTagged.Replace("00000040-00000400-00000000-00000000 [SL 04]", "00000040-000003E0-00000000-00000000 [SL 04]");
        Assert.Contains("overlaps", Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(overlapping)).Message);

        var tooSmallTotal = KabyLakeTagged.Replace("0000001F-00000440-00000440-00000000 [SL 00]", "0000001F-00000440-00000400-00000000 [SL 00]");
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(tooSmallTotal));
        Assert.Equal(0, error.SubLeaf);
        Assert.Contains("1088", error.Message);

        var userMissing = KabyLakeTagged.Replace("CPUID 0000000D: 00000040-00000400-00000000-00000000 [SL 04]", "");
        Assert.Equal(4, Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(userMissing)).SubLeaf);
    }

    [Fact]
    public void Skylake_client_dump_with_the_pt_subleaf_gives_the_kernels_sizes()
    {
        var complete = SkylakeClientUntagged.Replace("CPUID 0000000D: 00000040-00000400-00000000-00000000\n", "CPUID 0000000D: 00000040-00000400-00000000-00000000\nCPUID 0000000D: 00000080-00000000-00000001-00000000\n");
        var layout = XStateLayout.FromCpuidDump(complete);
        Assert.Equal(1088, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard));
        Assert.Equal(960, layout.GetBufferSize((XFeatureMask)0x1F, XSaveFormat.Compacted)); // kernel log: 0x1f, 960 bytes compacted
        Assert.Equal(new XStateComponent(XFeature.BndCsr, 64, 1024, false, false, false), layout.GetComponent(XFeature.BndCsr));
    }

    [Fact]
    public void Raw_cpuid_tool_output_uses_the_first_cpu_block()
    {
        var layout = XStateLayout.FromCpuidDump(Zen2Raw);
        Assert.Equal((XFeatureMask)0x207, layout.SupportedUserFeatures);
        Assert.Equal(896, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard));
        Assert.Equal(64, layout.GetComponent(XFeature.Pkru).Size);
        Assert.Equal(832, layout.ReportedEnabledStandardSize);
    }

    [Fact]
    public void Second_block_without_a_header_is_ignored_at_the_repeated_leaf_0()
    {
        var twoBlocks = SandyBridgeUntagged + "\n" + "CPUID 00000000: 00000016-756E6547-6C65746E-49656E69\nCPUID 0000000D: 00000007-00000340-00000340-00000000\n";
        Assert.Equal((XFeatureMask)0x7, XStateLayout.FromCpuidDump(twoBlocks).SupportedUserFeatures);
    }

    [Fact]
    public void Tagged_dump_accepts_lowercase_hex_and_crlf()
    {
        var dump = "CPUID 0000000d: 00000007-00000340-00000340-00000000 [SL 00]\r\nCPUID 0000000d: 00000001-00000000-00000000-00000000 [SL 01]\r\nCPUID 0000000d: 00000100-00000240-00000000-00000000 [SL 02]\r\n";
        Assert.Equal(832, XStateLayout.FromCpuidDump(dump).ReportedMaxStandardSize);
    }

    [Fact]
    public void Missing_subleaf_of_a_supported_feature_is_rejected_naming_it()
    {
        var truncated = SapphireRapids.Replace("0x0000000d 0x12: eax=0x00002000 ebx=0x00000b00 ecx=0x00000006 edx=0x00000000", "");
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(truncated));
        Assert.Equal(0x12, error.SubLeaf);
        Assert.Contains("sub-leaf 0x12", error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void All_zero_subleaf_of_a_supported_feature_is_rejected_naming_it()
    {
        var zeroed = SapphireRapids.Replace("0x0000000d 0x09: eax=0x00000008 ebx=0x00000a80", "0x0000000d 0x09: eax=0x00000000 ebx=0x00000000");
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(zeroed));
        Assert.Equal(9, error.SubLeaf);
        Assert.Contains("all zero", error.Message);
    }

    [Fact]
    public void Overlapping_components_are_rejected_naming_both()
    {
        // Tile configuration moved onto PKRU's bytes.
        var overlapping = SapphireRapids.Replace("eax=0x00000040 ebx=0x00000ac0", "eax=0x00000040 ebx=0x00000a80");
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(overlapping));
        Assert.Contains("overlaps component 9", error.Message);
        Assert.True(error.SubLeaf is 9 or 0x11);
    }

    [Fact]
    public void Ecx_total_that_the_components_do_not_reach_is_rejected()
    {
        var wrongTotal = SapphireRapids.Replace("0x0000000d 0x00: eax=0x000602e7 ebx=0x00002b00 ecx=0x00002b00", "0x0000000d 0x00: eax=0x000602e7 ebx=0x00002b00 ecx=0x00002c00");
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(wrongTotal));
        Assert.Equal(0, error.SubLeaf);
        Assert.Contains("11008", error.Message);
    }

    [Fact]
    public void Enabled_size_that_no_xcr0_yields_is_rejected()
    {
        var wrong = SapphireRapids.Replace("eax=0x000602e7 ebx=0x00002b00", "eax=0x000602e7 ebx=0x00002b04");
        Assert.Equal(0, Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(wrong)).SubLeaf);
    }

    [Fact]
    public void Truncated_dump_without_subleaf_1_is_rejected()
    {
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump("CPUID 0000000D: 00000007-00000340-00000340-00000000 [SL 00]"));
        Assert.Equal(1, error.SubLeaf);
    }

    [Fact]
    public void Untagged_lines_that_do_not_match_the_supported_components_are_rejected()
    {
        var missingLine = SkylakeClientUntagged.Replace("CPUID 0000000D: 00000040-00000400-00000000-00000000\n", "");
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(missingLine));
        Assert.Contains("2 untagged component line(s) match neither", error.Message);
        Assert.NotNull(error.LineNumber);
    }

    [Fact]
    public void Text_without_leaf_d_is_rejected()
    {
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump("CPUID 00000000: 0000000B-756E6547-6C65746E-49656E69\n"));
        Assert.Contains("no leaf 0xD lines", error.Message);
    }

    [Fact]
    public void Unrecognised_leaf_d_line_is_rejected_with_its_line_number()
    {
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump("CPUID 0000000D: 00000007 00000340\n"));
        Assert.Equal(1, error.LineNumber);
        Assert.Contains("unrecognised line format", error.Message);
    }

    [Fact]
    public void Conflicting_duplicate_subleaf_is_rejected()
    {
        var dump = CpuProfiles.HaswellClient.Dump + "\nCPUID 0000000D: 00000100-00000280-00000000-00000000 [SL 02]";
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(dump));
        Assert.Equal(2, error.SubLeaf);
    }

    [Fact]
    public void Mixed_tagged_and_untagged_lines_are_rejected()
    {
        var dump = CpuProfiles.HaswellClient.Dump + "\nCPUID 0000000D: 00000100-00000240-00000000-00000000";
        Assert.Contains("mixes", Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(dump)).Message);
    }

    [Fact]
    public void Supervisor_flag_that_contradicts_subleaf_1_is_rejected()
    {
        var wrong = SapphireRapids.Replace("0x0000000d 0x08: eax=0x00000080 ebx=0x00000000 ecx=0x00000001", "0x0000000d 0x08: eax=0x00000080 ebx=0x00000000 ecx=0x00000000");
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(wrong));
        Assert.Equal(8, error.SubLeaf);
        Assert.Contains("ECX bit 0", error.Message);
    }

    [Fact]
    public void Xfd_capable_component_on_a_cpu_without_xfd_is_rejected()
    {
        var wrong = SapphireRapids.Replace("0x0000000d 0x01: eax=0x0000001f", "0x0000000d 0x01: eax=0x0000000f");
        Assert.Equal(0x12, Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(wrong)).SubLeaf);
    }

    [Fact]
    public void Missing_x87_or_sse_is_rejected()
    {
        var error = Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump("CPUID 0000000D: 00000005-00000240-00000240-00000000 [SL 00]\nCPUID 0000000D: 00000000-00000000-00000000-00000000 [SL 01]"));
        Assert.Equal(0, error.SubLeaf);
    }

    [Fact]
    public void User_component_offset_inside_the_legacy_region_is_rejected()
    {
        var dump = "CPUID 0000000D: 00000007-00000340-00000340-00000000 [SL 00]\nCPUID 0000000D: 00000000-00000000-00000000-00000000 [SL 01]\nCPUID 0000000D: 00000100-00000200-00000000-00000000 [SL 02]";
        Assert.Equal(2, Assert.Throws<CpuidDataException>(() => XStateLayout.FromCpuidDump(dump)).SubLeaf);
    }
}
