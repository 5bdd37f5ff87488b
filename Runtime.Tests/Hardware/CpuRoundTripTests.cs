using System;
using System.Linq;
using CsCheck;

namespace FpuGuard.Runtime.Tests.Hardware;

/// <summary>Save then restore on another processor gives back every requested component bit-exactly.</summary>
public class CpuRoundTripTests
{
    public enum Pair { XsaveXrstor, XsaveoptXrstor, XsavecXrstor, XsavesXrstors }

    private static readonly Gen<(CpuProfile Profile, ulong Xcr0, ulong Xss, ulong InUse, ulong Rfbm, int Seed)> Scenario =
        Gen.Select(Gen.Int[0, CpuProfiles.All.Count - 1], Gen.ULong, Gen.ULong, Gen.ULong, Gen.ULong, Gen.Int)
            .Select((p, a, b, c, d, seed) => (CpuProfiles.All[p], a, b, c, d, seed));

    [Theory]
    [InlineData(Pair.XsaveXrstor)]
    [InlineData(Pair.XsaveoptXrstor)]
    [InlineData(Pair.XsavecXrstor)]
    [InlineData(Pair.XsavesXrstors)]
    public void Restore_after_save_reproduces_every_requested_component(Pair pair)
    {
        Scenario.Sample(s =>
        {
            var layout = s.Profile.Layout;
            if (!Supports(layout, pair))
            {
                return;
            }

            var xcr0 = CpuTestKit.ValidXcr0(layout, s.Xcr0);
            var xss = (XFeatureMask)s.Xss;
            var random = new Random(s.Seed);
            var source = CpuTestKit.Configured(layout, xcr0, xss);
            var accessible = xcr0 | (pair == Pair.XsavesXrstors ? source.Xss : 0);
            CpuTestKit.Fill(source, (XFeatureMask)s.InUse & accessible, random);
            var rfbm = (XFeatureMask)s.Rfbm | XFeatureMask.X87;
            var format = pair is Pair.XsavecXrstor or Pair.XsavesXrstors ? XSaveFormat.Compacted : XSaveFormat.Standard;
            var area = new XStateBuffer(layout.GetBufferSize(accessible, format));

            Save(source, pair, area, rfbm);
            var target = CpuTestKit.Configured(layout, xcr0, xss);
            CpuTestKit.Fill(target, accessible, random);
            var before = CpuTestKit.Snapshot(target);
            var mxcsrBefore = target.Mxcsr;
            Restore(target, pair, area, rfbm);

            var requested = rfbm & accessible;
            foreach (var feature in accessible.Features())
            {
                var expected = requested.Has(feature)
                    ? (source.XInUse.Has(feature) ? source.ReadRegisters(feature) : CpuTestKit.InitImage(source, feature))
                    : before[feature];
                Assert.True(expected.AsSpan().SequenceEqual(target.ReadRegisters(feature)), $"component {feature} differs after {pair} on {layout.Name}");
            }

            // MXCSR travels with RFBM[1] or RFBM[2] in the standard form, with RFBM[1] alone in the compacted one.
            var mxcsrTravels = format == XSaveFormat.Standard ? (requested & (XFeatureMask.Sse | XFeatureMask.Avx)) != 0 : requested.Has(XFeature.Sse);
            Assert.Equal(mxcsrTravels ? source.Mxcsr : mxcsrBefore, target.Mxcsr);

            Assert.Equal(source.XInUse & requested, target.XInUse & requested);
        }, iter: 300);
    }

    private static bool Supports(XStateLayout layout, Pair pair) => pair switch
    {
        Pair.XsaveoptXrstor => layout.SupportsXsaveOpt,
        Pair.XsavecXrstor => layout.SupportsXsaveC,
        Pair.XsavesXrstors => layout.SupportsXsaves,
        _ => true,
    };

    private static void Save(Cpu cpu, Pair pair, XStateBuffer area, XFeatureMask rfbm)
    {
        switch (pair)
        {
            case Pair.XsaveXrstor: cpu.Xsave(area, rfbm); break;
            case Pair.XsaveoptXrstor: cpu.Xsaveopt(area, rfbm); break;
            case Pair.XsavecXrstor: cpu.Xsavec(area, rfbm); break;
            default: cpu.Xsaves(area, rfbm); break;
        }
    }

    private static void Restore(Cpu cpu, Pair pair, XStateBuffer area, XFeatureMask rfbm)
    {
        if (pair == Pair.XsavesXrstors)
        {
            cpu.Xrstors(area, rfbm);
        }
        else
        {
            cpu.Xrstor(area, rfbm);
        }
    }

    [Fact]
    public void Round_trip_through_every_profile_with_all_components_in_use()
    {
        foreach (var profile in CpuProfiles.All)
        {
            var layout = profile.Layout;
            var cpu = CpuTestKit.Configured(layout, layout.SupportedUserFeatures, layout.SupportedSupervisorFeatures);
            var all = cpu.Xcr0 | cpu.Xss;
            CpuTestKit.Fill(cpu, all, new Random(42));
            var format = layout.SupportsXsaves ? XSaveFormat.Compacted : XSaveFormat.Standard;
            var area = new XStateBuffer(layout.GetBufferSize(all, format));
            var target = CpuTestKit.Configured(layout, layout.SupportedUserFeatures, layout.SupportedSupervisorFeatures);
            if (layout.SupportsXsaves)
            {
                cpu.Xsaves(area, all);
                target.Xrstors(area, all);
            }
            else
            {
                cpu.Xsave(area, all);
                target.Xrstor(area, all);
            }

            Assert.Equal(area.Size, layout.SupportsXsaves ? (int)cpu.Cpuid(1).Ebx : (int)cpu.Cpuid(0).Ebx);
            foreach (var feature in all.Features())
            {
                Assert.Equal(cpu.ReadRegisters(feature), target.ReadRegisters(feature));
            }
        }
    }

    [Fact]
    public void One_processor_saving_and_restoring_with_many_masks_in_turn_keeps_every_area_right()
    {
        // The compacted placement is cached per mask on the processor: cycle through more masks than it keeps,
        // and restore each area only after other masks have been used since it was saved.
        var layout = CpuProfiles.SapphireRapids.Layout;
        var cpu = CpuTestKit.Configured(layout, layout.SupportedUserFeatures, layout.SupportedSupervisorFeatures);
        var all = cpu.Xcr0 | cpu.Xss;
        var random = new Random(11);
        var masks = Enumerable.Range(0, 12).Select(_ => ((XFeatureMask)(ulong)random.NextInt64() & all) | XFeatureMask.X87 | XFeatureMask.Sse).ToArray();
        var saved = masks.Select(mask =>
        {
            CpuTestKit.Fill(cpu, all, random);
            var area = new XStateBuffer(layout.GetBufferSize(mask, XSaveFormat.Compacted));
            cpu.Xsaves(area, mask);
            return (Mask: mask, Area: area, Registers: CpuTestKit.Snapshot(cpu), Mxcsr: cpu.Mxcsr);
        }).ToArray();

        foreach (var (mask, area, registers, mxcsr) in saved.Reverse())
        {
            CpuTestKit.Fill(cpu, all, random);
            cpu.Xrstors(area, all);
            foreach (var feature in mask.Features())
            {
                Assert.True(registers[feature].AsSpan().SequenceEqual(cpu.ReadRegisters(feature)), $"component {feature} of the area saved with {mask.ToHex()}");
            }

            Assert.Equal(mxcsr, cpu.Mxcsr);
            Assert.Equal(XStateBuffer.CompactedFormatBit | (ulong)mask, area.XCompBv);
        }
    }
}
