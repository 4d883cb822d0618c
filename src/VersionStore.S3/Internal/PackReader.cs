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

    /// <summary>Decodes one entry from the stored bytes a ranged read returned.</summary>
    public static byte[] DecodeEntry(in PackEntry entry, ReadOnlySpan<byte> stored)
    {
        var result = GC.AllocateUninitializedArray<byte>(entry.Length);
        PackEntryCoder.Decode(entry.Id, entry.Codec, stored, result);
        return result;
    }

    /// <summary>Decodes one entry of a whole pack held in memory.</summary>
    public static byte[] ReadObject(ReadOnlySpan<byte> pack, in PackEntry entry)
    {
        if (entry.Offset + entry.StoredLength > pack.Length) throw new CorruptObjectException(entry.Id, "pack entry lies past the end of the pack");
        return DecodeEntry(entry, pack.Slice((int)entry.Offset, entry.StoredLength));
    }
}
