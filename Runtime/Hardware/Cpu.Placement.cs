using System;
using System.Numerics;

namespace FpuGuard.Runtime;

public sealed partial class Cpu
{
    private readonly int[] _standardOffsets = new int[64];
    private readonly int[] _footprints = new int[64];
    private readonly CompactedPlacement?[] _placements = new CompactedPlacement?[2];
    private int _nextPlacement;

    /// <summary>
    /// Where every component of a compacted area sits for one XCOMP_BV mask, and the area's size. Both are fixed
    /// by the layout and the mask, so each is computed once per mask rather than on every XSAVEC/XRSTORS; a
    /// kernel saves and restores with one or two masks, so two are kept.
    /// </summary>
    private sealed class CompactedPlacement
    {
        public CompactedPlacement(XStateLayout layout, XFeatureMask mask)
        {
            Mask = mask;
            Size = layout.GetBufferSize(mask, XSaveFormat.Compacted);
            var running = XStateLayout.ExtendedRegionOffset;
            for (var bits = (ulong)mask; bits != 0; bits &= bits - 1)
            {
                var index = BitOperations.TrailingZeroCount(bits);
                var component = layout.GetComponent((XFeature)index);
                if (index < 2)
                {
                    Offsets[index] = component.StandardOffset;
                    continue;
                }

                var at = component.IsAligned64 ? (running + XStateLayout.Alignment - 1) & ~(XStateLayout.Alignment - 1) : running;
                Offsets[index] = at;
                running = at + component.Size;
            }
        }

        public XFeatureMask Mask { get; }

        public int Size { get; }

        public int[] Offsets { get; } = new int[64];
    }

    // Per-component answers of the layout the instructions ask on every call: read once at construction.
    private void CachePerComponentFacts()
    {
        foreach (var component in Layout.Components)
        {
            var index = (int)component.Feature;
            _standardOffsets[index] = component.StandardOffset;
            _footprints[index] = component.Feature == XFeature.X87 ? 160 : GetRegisterFileSize(component.Feature);
        }
    }

    /// <param name="mask">A mask the layout supports: callers have checked it (XCR0/XSS, or a validated XCOMP_BV).</param>
    private CompactedPlacement PlacementFor(XFeatureMask mask)
    {
        foreach (var cached in _placements)
        {
            if (cached is not null && cached.Mask == mask)
            {
                return cached;
            }
        }

        var placement = new CompactedPlacement(Layout, mask);
        _placements[_nextPlacement] = placement;
        _nextPlacement = (_nextPlacement + 1) % _placements.Length;
        return placement;
    }
}
