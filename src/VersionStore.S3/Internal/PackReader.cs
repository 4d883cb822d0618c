using System.Buffers.Binary;

namespace VersionStore.S3.Internal;

/// <summary>Reads whole packs (compaction, recovery, tests) and decodes single entries (cold reads).</summary>
internal static class PackReader
{
    /// <summary>Parses the index embedded at the end of a whole pack, checking the footer and header.</summary>
    public static PackIndex ReadIndex(ReadOnlySpan<byte> pack, string what)
    {
        if (pack.Length < PackFormat.PackHeaderSize + PackFormat.PackFooterSize || !pack[..4].SequenceEqual(PackFormat.PackMagic))
            throw new CorruptObjectException(null, $"{what}: not a pack");
        // A pack is only read through its index, whose version is checked (UnsupportedFormatException) behind its checksum;
        // a pack header that disagrees is damage.
        if (pack[4] != PackFormat.Version) throw new CorruptObjectException(null, $"{what}: unsupported pack version {pack[4]}");
        var footer = pack[^PackFormat.PackFooterSize..];
        if (!footer[12..].SequenceEqual(PackFormat.FooterMagic)) throw new CorruptObjectException(null, $"{what}: pack footer missing");
        var indexOffset = BinaryPrimitives.ReadInt64LittleEndian(footer);
        var indexLength = BinaryPrimitives.ReadInt32LittleEndian(footer[8..]);
        if (indexOffset < PackFormat.PackHeaderSize || indexLength < 0 || indexOffset + indexLength != pack.Length - PackFormat.PackFooterSize)
            throw new CorruptObjectException(null, $"{what}: pack footer points outside the pack");
        var index = PackIndex.Parse(pack.Slice((int)indexOffset, indexLength), what);
        if (index.DataEnd != indexOffset) throw new CorruptObjectException(null, $"{what}: index and footer disagree on where data ends");
        return index;
    }

    /// <summary>Decodes one entry from the stored bytes a ranged read returned, into a new array (what a read hands back).</summary>
    public static byte[] DecodeEntry(in PackEntry entry, ReadOnlySpan<byte> stored)
    {
        PackEntryCoder.CheckLengths(entry);
        var result = GC.AllocateUninitializedArray<byte>(entry.Length);
        PackEntryCoder.Decode(entry.Id, entry.Codec, stored, result);
        return result;
    }

    /// <summary>Decodes one entry of a whole pack held in memory, into a new array.</summary>
    public static byte[] ReadObject(ReadOnlySpan<byte> pack, in PackEntry entry)
    {
        PackEntryCoder.CheckLengths(entry);
        var result = GC.AllocateUninitializedArray<byte>(entry.Length);
        ReadObject(pack, entry, result);
        return result;
    }

    /// <summary>Decodes one entry of a whole pack held in memory into <paramref name="destination"/> (exactly the
    /// entry's length): whole-pack passes (compaction, rewrites) reuse one buffer instead of allocating per object.</summary>
    public static void ReadObject(ReadOnlySpan<byte> pack, in PackEntry entry, Span<byte> destination)
    {
        if (entry.Offset < 0 || entry.Offset + entry.StoredLength > pack.Length) throw new CorruptObjectException(entry.Id, "pack entry lies past the end of the pack");
        PackEntryCoder.Decode(entry.Id, entry.Codec, pack.Slice((int)entry.Offset, entry.StoredLength), destination);
    }

    /// <summary>The largest decoded length among <paramref name="entries"/>, each checked against what its stored bytes can hold.</summary>
    public static int MaximumLength(ReadOnlySpan<PackEntry> entries)
    {
        var max = 0;
        foreach (ref readonly var e in entries)
        {
            PackEntryCoder.CheckLengths(e);
            max = Math.Max(max, e.Length);
        }
        return max;
    }
}
