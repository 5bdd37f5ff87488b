using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;

namespace FpuGuard.Runtime.Tests.Hardware;

/// <summary>The one size/offset calculator: real figures, invariants over every mask, and its errors.</summary>
public class XStateLayoutTests
{
    // A processor with APX (component 19: 128 bytes at 960, MPX's old range) next to AVX-512 and PKRU.
    private static XStateLayout ApxLayout() => XStateLayout.FromCpuidSubLeaves(
        new Dictionary<int, CpuidRegisters>
        {
            [0] = new(0x802E7, 0xA88, 0xA88, 0),
            [1] = new(0xF, 0xA88, 0, 0),
            [2] = new(0x100, 0x240, 0, 0),
            [5] = new(0x40, 0x440, 0, 0),
            [6] = new(0x200, 0x480, 0, 0),
            [7] = new(0x400, 0x680, 0, 0),
            [9] = new(0x8, 0xA80, 0, 0),
            [19] = new(0x80, 0x3C0, 0, 0),
        },
        "APX test part");

    [Fact]
    public void Standard_size_is_the_furthest_end_not_the_highest_component()
    {
        var layout = ApxLayout();
        Assert.Equal(2696, layout.GetBufferSize(layout.SupportedUserFeatures, XSaveFormat.Standard)); // PKRU ends last, not APX
        Assert.Equal(1088, layout.GetBufferSize(XFeatureMask.FpSse | XFeatureMask.Avx | XFeatureMask.Apx, XSaveFormat.Standard));
        Assert.Equal(960, layout.GetOffset(XFeature.Apx, layout.SupportedUserFeatures, XSaveFormat.Standard));
        Assert.Equal(2440, layout.GetOffset(XFeature.Apx, layout.SupportedUserFeatures, XSaveFormat.Compacted)); // after PKRU in component order
    }

    [Fact]
    public void Legacy_components_have_the_kernels_offsets_in_both_formats()
    {
        var layout = CpuProfiles.SapphireRapids.Layout;
        foreach (var format in new[] { XSaveFormat.Standard, XSaveFormat.Compacted })
        {
            Assert.Equal(0, layout.GetOffset(XFeature.X87, XFeatureMask.FpSse, format));
            Assert.Equal(160, layout.GetOffset(XFeature.Sse, XFeatureMask.FpSse, format));
            Assert.Equal(576, layout.GetBufferSize(XFeatureMask.FpSse, format));
            Assert.Equal(576, layout.GetBufferSize(XFeatureMask.None, format));
        }
    }

    [Fact]
    public void Supervisor_components_are_placed_only_in_the_compacted_format()
    {
        var layout = CpuProfiles.SapphireRapids.Layout;
        var mask = XFeatureMask.FpSse | XFeatureMask.Avx | XFeatureMask.ProcessorTrace;
        Assert.Equal(832, layout.GetOffset(XFeature.ProcessorTrace, mask, XSaveFormat.Compacted));
        Assert.Equal(960, layout.GetBufferSize(mask, XSaveFormat.Compacted));
        var error = Assert.Throws<ArgumentException>(() => layout.GetBufferSize(mask, XSaveFormat.Standard));
        Assert.Contains("compacted format", error.Message);
    }

    [Fact]
    public void Unsupported_component_is_rejected_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => CpuProfiles.Zen4.Layout.GetBufferSize(XFeatureMask.FpSse | XFeatureMask.XTileData, XSaveFormat.Compacted));
        Assert.Contains("0x40000", error.Message);
        Assert.Contains("XTileData", error.Message);
    }

    [Fact]
    public void Offset_of_a_component_outside_the_set_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => CpuProfiles.SapphireRapids.Layout.GetOffset(XFeature.XTileData, XFeatureMask.FpSse, XSaveFormat.Compacted));
        Assert.Contains("not in the set", error.Message);
    }

    [Fact]
    public void Every_compacted_layout_packs_components_in_order_without_gaps_except_alignment()
    {
        foreach (var profile in CpuProfiles.All)
        {
            var layout = profile.Layout;
            var known = layout.SupportedFeatures & ~layout.UnknownFeatures;
            var features = known.Features().Where(f => (int)f >= 2).ToArray();
            Gen.ULong.Select(bits => (XFeatureMask)bits & known).Sample(mask =>
            {
                var end = XStateLayout.ExtendedRegionOffset;
                foreach (var feature in mask.Features().Where(f => (int)f >= 2))
                {
                    var component = layout.GetComponent(feature);
                    var offset = layout.GetOffset(feature, mask, XSaveFormat.Compacted);
                    var expected = component.IsAligned64 ? (end + 63) / 64 * 64 : end;
                    Assert.Equal(expected, offset);
                    end = offset + component.Size;
                }

                Assert.Equal(end, layout.GetBufferSize(mask, XSaveFormat.Compacted));
            }, iter: 2000);
        }
    }

    [Fact]
    public void Every_standard_layout_contains_each_component_at_its_cpuid_offset()
    {
        foreach (var profile in CpuProfiles.All)
        {
            var layout = profile.Layout;
            Gen.ULong.Select(bits => (XFeatureMask)bits & layout.SupportedUserFeatures).Sample(mask =>
            {
                var size = layout.GetBufferSize(mask, XSaveFormat.Standard);
                var ends = new List<int> { XStateLayout.ExtendedRegionOffset };
                foreach (var feature in mask.Features().Where(f => (int)f >= 2))
                {
                    var component = layout.GetComponent(feature);
                    Assert.Equal(component.StandardOffset, layout.GetOffset(feature, mask, XSaveFormat.Standard));
                    ends.Add(component.StandardEnd);
                }

                Assert.Equal(ends.Max(), size);
            }, iter: 2000);
        }
    }

    [Fact]
    public void Compacted_is_never_larger_than_standard_for_user_masks()
    {
        foreach (var profile in CpuProfiles.All)
        {
            var layout = profile.Layout;
            Gen.ULong.Select(bits => (XFeatureMask)bits & layout.SupportedUserFeatures).Sample(mask =>
                Assert.True(layout.GetBufferSize(mask, XSaveFormat.Compacted) <= layout.GetBufferSize(mask, XSaveFormat.Standard)), iter: 500);
        }
    }
}
