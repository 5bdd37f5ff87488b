using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using FpuGuard.Runtime;

namespace FpuGuard.Tools.XStateInfo;

/// <summary>
/// Draws XSAVE areas as an SVG picture: one vertical bar per format, side by side and to the same scale, so
/// that a bar's length is its area's size; a band per region (legacy area, header, components, padding),
/// each labelled with its name, offset and size.
/// </summary>
public static class LayoutSvg
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const double BarTop = 70;
    private const double TallestBar = 900;
    private const double BarWidth = 110;
    private const double ColumnWidth = 480;
    private const double LabelGap = 14;
    private const double Margin = 30;

    public static XDocument Draw(string title, IReadOnlyList<LayoutMap> maps)
    {
        if (maps.Count == 0)
        {
            throw new ArgumentException("Nothing to draw: no format.", nameof(maps));
        }

        var scale = TallestBar / maps.Max(m => m.Size);
        var columns = new List<XElement>();
        var bottom = BarTop + TallestBar;
        for (var i = 0; i < maps.Count; i++)
        {
            var (column, columnBottom) = Bar(maps[i], Margin + (i * ColumnWidth), scale);
            columns.Add(column);
            bottom = Math.Max(bottom, columnBottom);
        }

        var width = Margin + (maps.Count * ColumnWidth);
        var height = bottom + Margin;
        return new XDocument(new XElement(Svg + "svg",
            new XAttribute("width", Number(width)),
            new XAttribute("height", Number(height)),
            new XAttribute("viewBox", $"0 0 {Number(width)} {Number(height)}"),
            new XAttribute("font-family", "sans-serif"),
            new XAttribute("font-size", "11"),
            new XAttribute("data-bytes-per-pixel", Number(1 / scale)),
            new XElement(Svg + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")),
            new XElement(Svg + "text", new XAttribute("x", Number(Margin)), new XAttribute("y", "24"), new XAttribute("font-size", "15"), new XAttribute("font-weight", "bold"), "XSAVE layout of " + title),
            new XElement(Svg + "text", new XAttribute("x", Number(Margin)), new XAttribute("y", "42"), "Each bar is drawn to scale: its length is the area's size. Offsets and sizes in bytes."),
            columns));
    }

    private static (XElement Column, double Bottom) Bar(LayoutMap map, double left, double scale)
    {
        var format = map.Format == XSaveFormat.Standard ? "standard" : "compacted";
        var group = new XElement(Svg + "g",
            new XAttribute("class", "bar"),
            new XAttribute("data-format", format),
            new XAttribute("data-size", map.Size),
            new XAttribute("data-features", map.Features.ToHex()),
            new XElement(Svg + "text", new XAttribute("x", Number(left)), new XAttribute("y", Number(BarTop - 10)), new XAttribute("font-weight", "bold"),
                $"{(map.Format == XSaveFormat.Standard ? "Standard format (XSAVE)" : "Compacted format (XSAVEC/XSAVES)")}: {map.Size} bytes for {map.Features.ToHex()}"),
            new XElement(Svg + "rect",
                new XAttribute("class", "outline"),
                new XAttribute("x", Number(left)),
                new XAttribute("y", Number(BarTop)),
                new XAttribute("width", Number(BarWidth)),
                new XAttribute("height", Number(map.Size * scale)),
                new XAttribute("fill", "none"),
                new XAttribute("stroke", "black")));

        // Labels in a column beside the bar, each at its band's middle unless the one above is in the way.
        var labelY = double.NegativeInfinity;
        foreach (var region in map.Regions)
        {
            var y = BarTop + (region.Offset * scale);
            var h = region.Size * scale;
            var label = $"{region.Name}: offset {region.Offset}, {region.Size} bytes";
            group.Add(new XElement(Svg + "rect",
                new XAttribute("class", "band"),
                new XAttribute("data-kind", region.Kind.ToString()),
                new XAttribute("data-name", region.Name),
                new XAttribute("data-offset", region.Offset),
                new XAttribute("data-size", region.Size),
                new XAttribute("x", Number(left)),
                new XAttribute("y", Number(y)),
                new XAttribute("width", Number(BarWidth)),
                new XAttribute("height", Number(h)),
                new XAttribute("fill", Fill(region)),
                new XAttribute("stroke", "white"),
                new XAttribute("stroke-width", "0.5"),
                new XElement(Svg + "title", label)));
            var middle = y + (h / 2);
            labelY = Math.Max(middle, labelY + LabelGap);
            group.Add(new XElement(Svg + "polyline",
                new XAttribute("points", $"{Number(left + BarWidth)},{Number(middle)} {Number(left + BarWidth + 20)},{Number(labelY)} {Number(left + BarWidth + 26)},{Number(labelY)}"),
                new XAttribute("fill", "none"),
                new XAttribute("stroke", "#888")));
            group.Add(new XElement(Svg + "text",
                new XAttribute("class", "label"),
                new XAttribute("x", Number(left + BarWidth + 30)),
                new XAttribute("y", Number(labelY + 4)),
                label));
        }

        return (group, Math.Max(BarTop + (map.Size * scale), labelY + LabelGap));
    }

    private static string Fill(Region region) => region.Kind switch
    {
        RegionKind.Header => "#555555",
        RegionKind.LegacyReserved => "#bbbbbb",
        RegionKind.Padding => "#e4e4e4",
        _ when region.Component is { IsSupervisor: true } c => Hue(c.Feature, 35),
        _ when region.Component is { } c => Hue(c.Feature, 60),
        _ => "#f4f4f4", // x87/SSE not in the set: their bytes are there all the same
    };

    // The golden angle apart: neighbouring and related components (XTileCfg, XTileData) get distinct colours.
    private static string Hue(XFeature feature, int lightness) =>
        $"hsl({Number(((int)feature * 137.5) % 360)}, 65%, {lightness}%)";

    private static string Number(double value) => Math.Round(value, 3).ToString(CultureInfo.InvariantCulture);
}
