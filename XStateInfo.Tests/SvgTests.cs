using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using FpuGuard.Runtime;

namespace FpuGuard.Tools.XStateInfo.Tests;

/// <summary>
/// xstate-info --svg: the picture, read back as XML — one bar per format, to one scale, every component
/// present as a band inside its bar, and each bar's bands adding up to its size.
/// </summary>
public class SvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const double Tolerance = 0.01;

    private static double Number(XElement element, string attribute) => double.Parse(element.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    private static XDocument Draw(string profile)
    {
        var path = Path.Combine(Path.GetTempPath(), $"xstate-info-{Guid.NewGuid():N}.svg");
        try
        {
            var (exit, output, error) = CommandLineTests.Run("--profile", profile, "--svg", path);
            Assert.True(exit == 0, error);
            Assert.Contains("drawn to " + path, output);
            return XDocument.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string> Profiles() => CommandLineTests.Profiles();

    [Theory]
    [MemberData(nameof(Profiles))]
    public void The_picture_shows_each_format_to_scale_with_every_component(string id)
    {
        var profile = CpuProfiles.Get(id);
        var layout = profile.Layout;
        var features = profile.EnabledXcr0 | profile.EnabledXss;
        var document = Draw(id);
        Assert.Equal(Svg + "svg", document.Root!.Name);
        var bars = document.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "bar").ToList();
        var expected = layout.SupportsXsaves || layout.SupportsXsaveC ? new[] { "standard", "compacted" } : new[] { "standard" };
        Assert.Equal(expected, bars.Select(b => (string)b.Attribute("data-format")!));

        double? pixelsPerByte = null;
        foreach (var bar in bars)
        {
            var format = (string)bar.Attribute("data-format")! == "standard" ? XSaveFormat.Standard : XSaveFormat.Compacted;
            var set = format == XSaveFormat.Standard || !layout.SupportsXsaves ? features & layout.SupportedUserFeatures : features;
            var size = layout.GetBufferSize(set, format);
            Assert.Equal(size, (int)bar.Attribute("data-size")!);

            // To scale: every bar's length is its size, at one scale for all.
            var outline = bar.Elements(Svg + "rect").Single(r => (string?)r.Attribute("class") == "outline");
            var (top, length) = (Number(outline, "y"), Number(outline, "height"));
            pixelsPerByte ??= length / size;
            Assert.Equal(pixelsPerByte.Value * size, length, Tolerance);

            var bands = bar.Elements(Svg + "rect").Where(r => (string?)r.Attribute("class") == "band").ToList();
            Assert.All(bands, band =>
            {
                var (y, h) = (Number(band, "y"), Number(band, "height"));
                Assert.True(y >= top - Tolerance && y + h <= top + length + Tolerance, $"{band.Attribute("data-name")} [{y}, {y + h}) leaves its bar [{top}, {top + length})");
                Assert.Equal(Number(outline, "x"), Number(band, "x"), Tolerance);
                Assert.Equal(top + (pixelsPerByte.Value * (int)band.Attribute("data-offset")!), y, Tolerance);
                Assert.Equal(pixelsPerByte.Value * (int)band.Attribute("data-size")!, h, Tolerance);
            });

            // The bands add up: consecutive from byte 0, and their sizes (and lengths) sum to the bar's.
            var at = 0;
            foreach (var band in bands.OrderBy(b => (int)b.Attribute("data-offset")!))
            {
                Assert.Equal(at, (int)band.Attribute("data-offset")!);
                at += (int)band.Attribute("data-size")!;
            }

            Assert.Equal(size, at);
            Assert.Equal(size, bands.Sum(b => (int)b.Attribute("data-size")!));
            Assert.Equal(length, bands.Sum(b => Number(b, "height")), 0.1);

            // Every component present, labelled with its name, offset and size; the legacy area and the header too.
            var labels = bar.Elements(Svg + "text").Where(t => (string?)t.Attribute("class") == "label").Select(t => t.Value).ToList();
            foreach (var component in layout.Components.Where(c => set.Has(c.Feature)))
            {
                var name = LayoutMap.NameOf(component.Feature);
                var offset = layout.GetOffset(component.Feature, set, format);
                var band = bands.SingleOrDefault(b => (string)b.Attribute("data-name")! == name);
                Assert.True(band is not null, $"{id} {format}: no band for {name}");
                Assert.Equal(offset, (int)band!.Attribute("data-offset")!);
                Assert.Equal(component.Size, (int)band.Attribute("data-size")!);
                Assert.Contains($"{name}: offset {offset}, {component.Size} bytes", labels);
            }

            Assert.Contains("legacy area, reserved: offset 416, 96 bytes", labels);
            Assert.Contains("XSAVE header: offset 512, 64 bytes", labels);
            Assert.Equal(bands.Count, labels.Count);
        }
    }

    [Fact]
    public void Labels_do_not_overlap()
    {
        var document = Draw("sapphire-rapids");
        foreach (var bar in document.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "bar"))
        {
            var ys = bar.Elements(Svg + "text").Where(t => (string?)t.Attribute("class") == "label").Select(t => Number(t, "y")).ToList();
            Assert.All(ys.Zip(ys.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 11, $"labels at {pair.First} and {pair.Second} overlap"));
        }
    }
}
