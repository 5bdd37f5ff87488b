using System;
using System.Buffers.Binary;
using System.Threading;

namespace FpuGuard.Runtime;

/// <summary>
/// An XSAVE area: <see cref="Size"/> bytes of memory at a linear <see cref="Address"/> (the XSAVE family
/// faults on an address not 64-byte aligned, and its modified optimization keys on the address).
/// Memory past <see cref="Size"/> does not exist: an instruction that would reach it faults instead.
/// </summary>
public sealed class XStateBuffer
{
    /// <summary>Offset of MXCSR in the legacy region.</summary>
    public const int MxcsrOffset = 24;

    /// <summary>Offset of MXCSR_MASK in the legacy region.</summary>
    public const int MxcsrMaskOffset = 28;

    /// <summary>Offset of XSTATE_BV (header bytes 0–7).</summary>
    public const int XStateBvOffset = XStateLayout.LegacyRegionSize;

    /// <summary>Offset of XCOMP_BV (header bytes 8–15).</summary>
    public const int XCompBvOffset = XStateLayout.LegacyRegionSize + 8;

    /// <summary>XCOMP_BV bit 63: the area is in the compacted format.</summary>
    public const ulong CompactedFormatBit = 1UL << 63;

    private static long s_nextAddress = 0x7f00_0000_0000;
    private readonly byte[] _bytes;
    private string? _freedBy;

    /// <summary>A zeroed area at a fresh, 64-byte-aligned address.</summary>
    public XStateBuffer(int size)
        : this(size, NextAddress(size))
    {
    }

    /// <summary>A zeroed area at the given address (which may be misaligned, to model a bad caller).</summary>
    public XStateBuffer(int size, ulong address)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        _bytes = new byte[size];
        Address = address;
    }

    /// <summary>The area's size in bytes.</summary>
    public int Size => _bytes.Length;

    /// <summary>The area's linear address.</summary>
    public ulong Address { get; }

    /// <summary>Whether the address is 64-byte aligned, as the XSAVE family requires.</summary>
    public bool IsAligned => Address % XStateLayout.Alignment == 0;

    /// <summary>The area's bytes.</summary>
    /// <exception cref="UseAfterFreeException">The area was freed (vfree): its memory is no longer the caller's.</exception>
    public Span<byte> Bytes => _freedBy is null
        ? _bytes
        : throw new UseAfterFreeException($"use of the {Size}-byte XSAVE buffer at 0x{Address:X} after it was freed ({_freedBy})");

    /// <summary>Whether the area was freed; every later access of its bytes throws <see cref="UseAfterFreeException"/>.</summary>
    public bool IsFreed => _freedBy is not null;

    internal void MarkFreed(string by) => _freedBy = by;

    /// <summary>Whether the area is big enough to hold the header.</summary>
    public bool HasHeader => Size >= XStateLayout.ExtendedRegionOffset;

    /// <summary>Header XSTATE_BV: the components that hold non-init data.</summary>
    public XFeatureMask XStateBv
    {
        get => (XFeatureMask)ReadUInt64(XStateBvOffset);
        set => WriteUInt64(XStateBvOffset, (ulong)value);
    }

    /// <summary>Header XCOMP_BV: bit 63 for the compacted format, bits 62:0 the components laid out.</summary>
    public ulong XCompBv
    {
        get => ReadUInt64(XCompBvOffset);
        set => WriteUInt64(XCompBvOffset, value);
    }

    /// <summary>Whether XCOMP_BV says compacted.</summary>
    public bool IsCompacted => (XCompBv & CompactedFormatBit) != 0;

    /// <summary>MXCSR as stored in the legacy region.</summary>
    public uint Mxcsr
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.Slice(MxcsrOffset, 4));
        set => BinaryPrimitives.WriteUInt32LittleEndian(Bytes.Slice(MxcsrOffset, 4), value);
    }

    /// <summary>A byte-for-byte copy at a fresh aligned address.</summary>
    public XStateBuffer Clone()
    {
        var copy = new XStateBuffer(Size);
        Bytes.CopyTo(copy._bytes);
        return copy;
    }

    /// <summary>Reads a little-endian quadword.</summary>
    public ulong ReadUInt64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.Slice(offset, 8));

    /// <summary>Writes a little-endian quadword.</summary>
    public void WriteUInt64(int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Bytes.Slice(offset, 8), value);

    private static ulong NextAddress(int size)
    {
        var span = ((long)Math.Max(size, 1) + 0xFFF) & ~0xFFFL;
        return (ulong)(Interlocked.Add(ref s_nextAddress, span + 0x1000) - span);
    }
}
