using System.Linq;

namespace FpuGuard.Runtime.Tests.Hardware;

/// <summary>The built-in profiles decode to the sizes and offsets the real processors report.</summary>
public class CpuProfileTests
{
    public static TheoryData<string> ProfileIds() => new(CpuProfiles.All.Select(p => p.Id));

    [Theory]
    [MemberData(nameof(ProfileIds))]
    public void Standard_size_of_all_supported_user_components_equals_cpuid_ecx(string id)
    {
        var layout = CpuProfiles.Get(id).Layout;
        Assert.Equal((int)layout.GetCpuidSubLeaf(0).Ecx, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard));
    }

    [Theory]
    [MemberData(nameof(ProfileIds))]
    public void Standard_size_of_the_enabled_xcr0_equals_cpuid_subleaf0_ebx(string id)
    {
        var profile = CpuProfiles.Get(id);
        Assert.Equal((int)profile.Layout.GetCpuidSubLeaf(0).Ebx, profile.Layout.GetBufferSize(profile.EnabledXcr0, XSaveFormat.Standard));
    }

    [Theory]
    [MemberData(nameof(ProfileIds))]
    public void Compacted_size_of_the_enabled_xcr0_and_xss_equals_cpuid_subleaf1_ebx(string id)
    {
        var profile = CpuProfiles.Get(id);
        var layout = profile.Layout;
        var reported = (int)layout.GetCpuidSubLeaf(1).Ebx;
        if (!layout.SupportsXsaveC && !layout.SupportsXsaves)
        {
            Assert.Equal(0, reported); // Pre-XSAVEC parts do not enumerate the compacted size.
            return;
        }

        Assert.Equal(reported, layout.GetBufferSize(profile.EnabledXcr0 | profile.EnabledXss, XSaveFormat.Compacted));
    }

    [Theory]
    [MemberData(nameof(ProfileIds))]
    public void A_cpu_configured_as_the_dump_was_taken_answers_cpuid_as_the_dump_does(string id)
    {
        var profile = CpuProfiles.Get(id);
        var cpu = new Cpu(profile.Layout);
        cpu.Xsetbv(0, profile.EnabledXcr0);
        if (profile.Layout.SupportsXsaves)
        {
            cpu.Wrmsr(Cpu.MsrIa32Xss, (ulong)profile.EnabledXss);
        }

        Assert.Equal(profile.Layout.GetCpuidSubLeaf(0), cpu.Cpuid(0));
        Assert.Equal(profile.Layout.GetCpuidSubLeaf(1), cpu.Cpuid(1));
    }

    [Fact]
    public void Sapphire_rapids_amx_components_match_the_cpuid_figures()
    {
        var layout = CpuProfiles.SapphireRapids.Layout;
        Assert.Equal((XFeatureMask)0x602E7, layout.SupportedUserFeatures);
        Assert.Equal((XFeatureMask)0xDD00, layout.SupportedSupervisorFeatures);
        Assert.Equal(new XStateComponent(XFeature.XTileCfg, 64, 2752, false, true, false), layout.GetComponent(XFeature.XTileCfg));
        Assert.Equal(new XStateComponent(XFeature.XTileData, 8192, 2816, false, true, true), layout.GetComponent(XFeature.XTileData));
        Assert.Equal(XFeatureMask.XTileData, layout.XfdCapableFeatures);
        Assert.Equal(11008, layout.ReportedMaxStandardSize);
        Assert.True(layout.SupportsXfd && layout.SupportsXsaves);
    }

    [Fact]
    public void Sapphire_rapids_compacted_layout_matches_the_kernel_boot_log()
    {
        // "x86/fpu: Enabled xstate features 0x602e7, context size is 10752 bytes, using 'compacted' format."
        var layout = CpuProfiles.SapphireRapids.Layout;
        var enabled = (XFeatureMask)0x602E7;
        Assert.Equal(10752, layout.GetBufferSize(enabled, XSaveFormat.Compacted));
        var expected = new[] { (XFeature.Avx, 576), (XFeature.Opmask, 832), (XFeature.ZmmHi256, 896), (XFeature.Hi16Zmm, 1408), (XFeature.Pkru, 2432), (XFeature.XTileCfg, 2496), (XFeature.XTileData, 2560) };
        foreach (var (feature, offset) in expected)
        {
            Assert.Equal(offset, layout.GetOffset(feature, enabled, XSaveFormat.Compacted));
        }
    }

    [Fact]
    public void Sapphire_rapids_size_without_the_dynamic_tile_data_is_the_default_buffer_size()
    {
        var layout = CpuProfiles.SapphireRapids.Layout;
        var withoutTileData = (XFeatureMask)0x602E7 & ~XFeatureMask.XTileData;
        Assert.Equal(2560, layout.GetBufferSize(withoutTileData, XSaveFormat.Compacted)); // TILECFG ends at 2496 + 64
        Assert.Equal(2816, layout.GetBufferSize(withoutTileData, XSaveFormat.Standard));
    }

    [Fact]
    public void Skylake_server_sizes_match_the_cascade_lake_figures()
    {
        var layout = CpuProfiles.SkylakeServer.Layout;
        Assert.Equal(2696, layout.GetBufferSize((XFeatureMask)0x2FF, XSaveFormat.Standard));
        Assert.Equal(2568, layout.GetBufferSize((XFeatureMask)0x2FF, XSaveFormat.Compacted));
        Assert.Equal(960, layout.GetOffset(XFeature.BndRegs, (XFeatureMask)0x2FF, XSaveFormat.Standard));
        Assert.Equal(XFeatureMask.ProcessorTrace, layout.SupportedSupervisorFeatures);
    }

    [Fact]
    public void Zen4_with_cet_enabled_matches_the_kernel_boot_log()
    {
        // "x86/fpu: Enabled xstate features 0x1ae7, context size is 2480 bytes, using 'compacted' format."
        var layout = CpuProfiles.Zen4.Layout;
        Assert.Equal(2440, layout.ReportedMaxStandardSize);
        Assert.Equal((XFeatureMask)0x1800, layout.SupportedSupervisorFeatures);
        Assert.Equal(2480, layout.GetBufferSize((XFeatureMask)0x1AE7, XSaveFormat.Compacted));
        Assert.Equal(2440, layout.GetOffset(XFeature.CetUser, (XFeatureMask)0x1AE7, XSaveFormat.Compacted));
    }

    [Fact]
    public void Bulldozer_lwp_is_component_62_above_the_32_bit_eax()
    {
        var layout = CpuProfiles.Bulldozer.Layout;
        Assert.Equal((XFeatureMask)0x4000000000000007, layout.SupportedUserFeatures);
        Assert.Equal(new XStateComponent(XFeature.Lwp, 128, 832, false, false, false), layout.GetComponent(XFeature.Lwp));
        Assert.Equal(960, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard));
        Assert.False(layout.SupportsXsaveOpt || layout.SupportsXsaveC || layout.SupportsXsaves);
    }

    [Fact]
    public void Haswell_has_avx_at_576_and_no_compacted_instructions()
    {
        var layout = CpuProfiles.HaswellClient.Layout;
        Assert.Equal(832, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard));
        Assert.Equal(576, layout.GetOffset(XFeature.Avx, layout.SupportedUserFeatures, XSaveFormat.Standard));
        Assert.True(layout.SupportsXsaveOpt);
        Assert.False(layout.SupportsXsaveC);
    }

    [Fact]
    public void Unknown_profile_id_lists_the_known_ones()
    {
        var error = Assert.Throws<System.ArgumentException>(() => CpuProfiles.Get("pentium"));
        Assert.Contains("sapphire-rapids", error.Message);
    }
}
