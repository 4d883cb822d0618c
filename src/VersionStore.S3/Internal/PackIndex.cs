using System.Buffers.Binary;
using System.Security.Cryptography;

namespace VersionStore.S3.Internal;

/// <summary>
/// The parsed index of one pack: its entries sorted by id, and where entry data ends. The same bytes are
/// stored at the end of the pack and as the pack's <c>.idx</c> object (docs/FORMAT-packs.md).
/// </summary>
internal sealed class PackIndex
{
    private readonly PackEntry[] _entries;

    private PackIndex(PackEntry[] entries, long dataEnd)
    {
        _entries = entries;
        DataEnd = dataEnd;
    }

    /// <summary>Entries sorted by id, strictly ascending.</summary>
    public ReadOnlySpan<PackEntry> Entries => _entries;

    /// <summary>Number of objects in the pack.</summary>
    public int Count => _entries.Length;

    /// <summary>Offset in the pack where entry data ends (and the embedded index begins).</summary>
    public long DataEnd { get; }

    /// <summary>Finds the entry of <paramref name="id"/> by binary search.</summary>
    public bool TryFind(ObjectId id, out PackEntry entry)
    {
        var i = Find(_entries, id);
        entry = i >= 0 ? _entries[i] : default;
        return i >= 0;
    }

    /// <summary>Position of <paramref name="id"/> in entries sorted strictly ascending by id (binary search), or -1.</summary>
    internal static int Find(ReadOnlySpan<PackEntry> sorted, ObjectId id)
    {
        int lo = 0, hi = sorted.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = sorted[mid].Id.CompareTo(id);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>Builds an index from entries already sorted by id with strictly ascending ids.</summary>
    public static PackIndex FromSorted(PackEntry[] entries, long dataEnd) => new(entries, dataEnd);

    /// <summary>The encoded index (header, entries, SHA-256 trailer).</summary>
    public byte[] Encode()
    {
        var bytes = new byte[PackFormat.IndexLength(_entries.Length)];
        Write(bytes);
        return bytes;
    }

    /// <summary>Writes the encoded index to <paramref name="destination"/> (exactly <see cref="PackFormat.IndexLength"/> bytes).</summary>
    public void Write(Span<byte> destination)
    {
        PackFormat.IndexMagic.CopyTo(destination);
        destination[4] = PackFormat.Version;
        destination[5..8].Clear();
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], DataEnd);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], _entries.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination[20..], 0);
        var p = PackFormat.IndexHeaderSize;
        foreach (var e in _entries)
        {
            var s = destination.Slice(p, PackFormat.IndexEntrySize);
            e.Id.WriteTo(s);
            BinaryPrimitives.WriteInt64LittleEndian(s[32..], e.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(s[40..], e.StoredLength);
            BinaryPrimitives.WriteInt32LittleEndian(s[44..], e.Length);
            s[48] = (byte)e.Codec;
            p += PackFormat.IndexEntrySize;
        }
        SHA256.HashData(destination[..p], destination.Slice(p, PackFormat.IndexTrailerSize));
    }

    /// <summary>Parses and checks an encoded index. Throws <see cref="CorruptObjectException"/> (with no id) when
    /// the bytes are not a well-formed index: wrong magic or version, bad checksum, unsorted ids, or an entry
    /// outside the data area.</summary>
    public static PackIndex Parse(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length < PackFormat.IndexHeaderSize + PackFormat.IndexTrailerSize || !bytes[..4].SequenceEqual(PackFormat.IndexMagic))
            throw Corrupt(what, "not a pack index");
        var dataEnd = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        if (count < 0 || (long)PackFormat.IndexLength(0) + (long)count * PackFormat.IndexEntrySize != bytes.Length)
            throw Corrupt(what, $"index of {bytes.Length} bytes cannot hold {count} entries");
        var body = bytes[..^PackFormat.IndexTrailerSize];
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        if (!hash.SequenceEqual(bytes[^PackFormat.IndexTrailerSize..])) throw Corrupt(what, "index checksum mismatch");
        // Checked behind the checksum (which covers the version byte): a flipped byte is damage, an intact index of
        // another version was written by another version of VersionStore.
        if (bytes[4] != PackFormat.Version)
            throw new UnsupportedFormatException("S3", what, bytes[4].ToString(System.Globalization.CultureInfo.InvariantCulture), PackFormat.Version);
        if (dataEnd < PackFormat.PackHeaderSize) throw Corrupt(what, "data end before the pack header");

        var entries = new PackEntry[count];
        var p = PackFormat.IndexHeaderSize;
        for (var i = 0; i < count; i++, p += PackFormat.IndexEntrySize)
        {
            var s = bytes.Slice(p, PackFormat.IndexEntrySize);
            var e = new PackEntry(new ObjectId(s[..32]), BinaryPrimitives.ReadInt64LittleEndian(s[32..]),
                BinaryPrimitives.ReadInt32LittleEndian(s[40..]), BinaryPrimitives.ReadInt32LittleEndian(s[44..]), (PackEntryCodec)s[48]);
            if (i > 0 && entries[i - 1].Id.CompareTo(e.Id) >= 0) throw Corrupt(what, "entries are not sorted by id");
            if (e.StoredLength < 0 || e.Length < 0 || e.Offset < PackFormat.PackHeaderSize || e.Offset + e.StoredLength > dataEnd)
                throw Corrupt(what, $"entry {e.Id.ToString(12)} lies outside the pack's data");
            if (e.Codec is not (PackEntryCodec.Raw or PackEntryCodec.Lz4Block)) throw Corrupt(what, $"entry {e.Id.ToString(12)} has unknown codec {(byte)e.Codec}");
            entries[i] = e;
        }
        return new PackIndex(entries, dataEnd);
    }

    private static CorruptObjectException Corrupt(string what, string reason) => new(null, $"{what}: {reason}");
}
