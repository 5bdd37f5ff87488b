using System;
using System.Collections.Generic;
using System.Linq;
using FpuGuard.Runtime;

namespace FpuGuard.Tools.XStateInfo;

/// <summary>What a stretch of an XSAVE area holds.</summary>
public enum RegionKind
{
    /// <summary>A state component (x87 and SSE in the legacy area, the others after the header).</summary>
    Component,

    /// <summary>The rest of the 512-byte legacy (FXSAVE) area: reserved, and bytes 464-511 available to software.</summary>
    LegacyReserved,

    /// <summary>The 64-byte XSAVE header (XSTATE_BV, XCOMP_BV, reserved).</summary>
    Header,

    /// <summary>Bytes no enabled component uses: a disabled component's range, or alignment to 64 bytes.</summary>
    Padding,
}

/// <summary>One stretch of an XSAVE area, [Offset, Offset + Size).</summary>
public sealed record Region(int Offset, int Size, RegionKind Kind, string Name, XStateComponent? Component)
{
    public int End => Offset + Size;
}

/// <summary>
/// An XSAVE area cut into consecutive regions from byte 0 to its size — the legacy area, the header, each
/// component and the padding between them — so that every offset is the previous one plus its size.
/// </summary>
public sealed class LayoutMap
{
    private LayoutMap(XSaveFormat format, XFeatureMask features, int size, IReadOnlyList<Region> regions)
    {
        Format = format;
        Features = features;
        Size = size;
        Regions = regions;
    }

    public XSaveFormat Format { get; }

    public XFeatureMask Features { get; }

    /// <summary>The area's size, from the Runtime's one size calculator.</summary>
    public int Size { get; }

    public IReadOnlyList<Region> Regions { get; }

    /// <summary>The map of an area holding <paramref name="features"/> in <paramref name="format"/>, from the layout's offsets.</summary>
    /// <exception cref="InvalidOperationException">The layout's offsets overlap or leave the area (never for a layout the Runtime accepted).</exception>
    public static LayoutMap Of(XStateLayout layout, XFeatureMask features, XSaveFormat format)
    {
        var size = layout.GetBufferSize(features, format);
        var components = layout.Components.Where(c => features.Has(c.Feature)).ToDictionary(c => c.Feature);
        var placed = new List<Region>();
        foreach (var legacy in new[] { XFeature.X87, XFeature.Sse })
        {
            var component = components.TryGetValue(legacy, out var c) ? c : (XStateComponent?)null;
            var (offset, length) = legacy == XFeature.X87 ? (0, 160) : (160, 256);
            placed.Add(new Region(offset, length, RegionKind.Component, NameOf(legacy) + (component is null ? " (not in the set)" : ""), component));
        }

        placed.Add(new Region(416, XStateLayout.LegacyRegionSize - 416, RegionKind.LegacyReserved, "legacy area, reserved", null));
        placed.Add(new Region(XStateLayout.LegacyRegionSize, XStateLayout.HeaderSize, RegionKind.Header, "XSAVE header", null));
        foreach (var component in components.Values.Where(c => c.Feature is not (XFeature.X87 or XFeature.Sse)))
        {
            placed.Add(new Region(layout.GetOffset(component.Feature, features, format), component.Size, RegionKind.Component, NameOf(component.Feature), component));
        }

        var regions = new List<Region>();
        var at = 0;
        foreach (var region in placed.OrderBy(r => r.Offset))
        {
            if (region.Offset < at)
            {
                throw new InvalidOperationException($"{region.Name} at {region.Offset} overlaps the region ending at {at}.");
            }

            if (region.Offset > at)
            {
                regions.Add(new Region(at, region.Offset - at, RegionKind.Padding, PaddingName(layout, at, region.Offset, format), null));
            }

            regions.Add(region);
            at = region.End;
        }

        if (at != size)
        {
            throw new InvalidOperationException($"The regions end at {at}, the area's size is {size}.");
        }

        return new LayoutMap(format, features, size, regions);
    }

    /// <summary>The component's name: its XFeature name, or its number when the Runtime has no name for it.</summary>
    public static string NameOf(XFeature feature) =>
        Enum.IsDefined(feature) ? feature.ToString() : $"component {(int)feature}";

    // In the standard format a gap is a component's fixed range left unused; in the compacted one, alignment.
    private static string PaddingName(XStateLayout layout, int start, int end, XSaveFormat format)
    {
        if (format == XSaveFormat.Compacted)
        {
            return "padding (64-byte alignment)";
        }

        var unused = layout.Components.Where(c => !c.IsSupervisor && c.Feature is not (XFeature.X87 or XFeature.Sse) && c.StandardOffset < end && c.StandardEnd > start).Select(c => NameOf(c.Feature)).ToList();
        return unused.Count > 0 ? $"padding ({string.Join(", ", unused)} not in the set)" : "padding";
    }
}
