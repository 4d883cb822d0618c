using K4os.Compression.LZ4;

namespace VersionStore.S3.Internal;

/// <summary>Encodes and decodes the stored bytes of one pack entry (LZ4 block, or raw when LZ4 does not help).</summary>
internal static class PackEntryCoder
{
    /// <summary>Upper bound of the stored length of an object of <paramref name="length"/> bytes.</summary>
    public static int MaximumStoredLength(int length) => Math.Max(length, LZ4Codec.MaximumOutputSize(length));

    /// <summary>Writes the stored form of <paramref name="data"/> to <paramref name="destination"/> (at least
    /// <see cref="MaximumStoredLength"/> bytes); returns the codec and the stored length.</summary>
    public static (PackEntryCodec Codec, int StoredLength) Encode(ReadOnlySpan<byte> data, Span<byte> destination, LZ4Level level)
    {
        if (data.Length > 0)
        {
            var n = LZ4Codec.Encode(data, destination, level);
            if (n > 0 && n < data.Length) return (PackEntryCodec.Lz4Block, n);
        }
        data.CopyTo(destination);
        return (PackEntryCodec.Raw, data.Length);
    }

    /// <summary>LZ4 cannot expand a block by more than this factor (a maximal match costs one byte per 255 bytes of output).</summary>
    private const long MaximumExpansion = 255;

    /// <summary>Throws <see cref="CorruptObjectException"/> when the decoded length an index states cannot come from the
    /// stored length (checked before a buffer of that size is allocated, so a hostile index cannot ask for gigabytes).</summary>
    public static void CheckLengths(in PackEntry entry)
    {
        var possible = entry.Codec == PackEntryCodec.Raw ? entry.Length == entry.StoredLength : entry.Length <= entry.StoredLength * MaximumExpansion;
        if (!possible || entry.Length < 0)
            throw new CorruptObjectException(entry.Id, $"pack entry of {entry.StoredLength} stored bytes cannot decode to the {entry.Length} bytes the index says");
    }

    /// <summary>Decodes stored bytes into <paramref name="destination"/> (exactly the entry's length). Throws
    /// <see cref="CorruptObjectException"/> when they do not decode to that length.</summary>
    public static void Decode(ObjectId id, PackEntryCodec codec, ReadOnlySpan<byte> stored, Span<byte> destination)
    {
        switch (codec)
        {
            case PackEntryCodec.Raw:
                if (stored.Length != destination.Length)
                    throw new CorruptObjectException(id, $"raw pack entry holds {stored.Length} bytes, the index says {destination.Length}");
                stored.CopyTo(destination);
                return;
            case PackEntryCodec.Lz4Block:
                int n;
                try { n = LZ4Codec.Decode(stored, destination); }
                catch (Exception e) when (e is not OutOfMemoryException) { throw new CorruptObjectException(id, "LZ4 block does not decode", e); }
                if (n != destination.Length)
                    throw new CorruptObjectException(id, n < 0 ? "LZ4 block does not decode" : $"LZ4 block decodes to {n} bytes, the index says {destination.Length}");
                return;
            default:
                throw new CorruptObjectException(id, $"unknown pack entry codec {(byte)codec}");
        }
    }
}
