using System.Buffers.Binary;
using System.IO.Hashing;

namespace VersionStore.Graph;

/// <summary>
/// The persisted commit graph (docs/FORMAT-commit-graph.md): a header, then checksummed blocks of commit records
/// (id, generation, time, parent ids). Appends only; every block carries its length at both ends and an XxHash3
/// of its records seeded with its offset, so a reader takes the longest valid prefix and a writer finds the end
/// of the last valid block from the file's end without reading the rest.
/// </summary>
/// <remarks>
/// Each record is a fact about an immutable, content-addressed commit that was verified when it was read or
/// written, so records never go stale, their order does not matter and duplicates are harmless. What the file
/// lacks (a torn tail after a crash, a damaged block and everything after it, commits that landed later) is loaded
/// from the object store the normal way: the file can make walks fast, never make answers wrong. Writers take an
/// exclusive lock on the file (an advisory <c>flock</c> on Unix) and skip the append when another process holds it;
/// readers that find it locked load commits the normal way.
/// </remarks>
internal sealed class CommitGraphFile(string path)
{
    /// <summary>"VSCGRAPH".</summary>
    private static readonly byte[] Magic = "VSCGRAPH"u8.ToArray();
    private const uint FormatVersion = 1;
    private const int FileHeaderSize = 16;
    /// <summary>Record count u32, records length u32.</summary>
    private const int BlockHeaderSize = 8;
    /// <summary>XxHash3 u64, records length u32, "VSCB".</summary>
    private const int BlockTrailerSize = 16;
    private const uint BlockMagic = 0x42435356; // "VSCB" little-endian
    /// <summary>Id, generation u32, parent count u32, time i64.</summary>
    private const int RecordFixedSize = ObjectId.Size + 16;
    private const int MaxParents = 1 << 16;

    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>A record: one commit's graph fields.</summary>
    public readonly record struct Record(ObjectId Id, int Generation, long Micros, ObjectId[] Parents);

    /// <summary>
    /// Reads the longest valid prefix of the file (empty when it is missing, locked by a writer, or not a commit-graph
    /// file) and returns its records; <paramref name="validLength"/> is where that prefix ends.
    /// </summary>
    public List<Record> Read(out long validLength)
    {
        validLength = 0;
        var records = new List<Record>();
        byte[] data;
        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
            data = new byte[stream.Length];
            stream.ReadExactly(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return records; }
        if (!ValidHeader(data)) return records;
        long offset = FileHeaderSize;
        validLength = offset;
        while (TryBlock(data, offset, out var count, out var length))
        {
            if (!TryParse(data.AsSpan((int)offset + BlockHeaderSize, length), count, records)) break;
            offset += BlockHeaderSize + length + BlockTrailerSize;
            validLength = offset;
        }
        return records;
    }

    /// <summary>
    /// Appends <paramref name="records"/> as one block (creating the file when missing, cutting a torn or damaged
    /// tail first). Returns false when another process holds the file or it cannot be written (nothing is lost:
    /// the file is a cache).
    /// </summary>
    public bool Append(IReadOnlyList<Record> records)
    {
        if (records.Count == 0) return true;
        try
        {
            using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var end = ValidEnd(stream);
            var block = Encode(records, end);
            stream.SetLength(end);
            stream.Position = end;
            stream.Write(block);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Where the valid content of an open file ends (writing the header into an empty or foreign file).</summary>
    private static long ValidEnd(FileStream stream)
    {
        var length = stream.Length;
        var header = new byte[FileHeaderSize];
        if (length < FileHeaderSize || stream.ReadAtLeast(header, FileHeaderSize, false) < FileHeaderSize || !ValidHeader(header))
        {
            WriteHeader(header);
            stream.SetLength(0);
            stream.Position = 0;
            stream.Write(header);
            return FileHeaderSize;
        }
        if (length == FileHeaderSize) return length;
        // Fast path: the last block is whole and valid.
        if (length >= FileHeaderSize + BlockHeaderSize + BlockTrailerSize)
        {
            var trailer = new byte[BlockTrailerSize];
            stream.Position = length - BlockTrailerSize;
            stream.ReadExactly(trailer);
            var recordsLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(8));
            var start = length - BlockTrailerSize - recordsLength - BlockHeaderSize;
            if (BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(12)) == BlockMagic && recordsLength <= int.MaxValue && start >= FileHeaderSize)
            {
                var block = new byte[length - start];
                stream.Position = start;
                stream.ReadExactly(block);
                if (TryBlock(block, 0, out _, out _, start)) return length;
            }
        }
        // A torn or damaged tail (a crash during an append): find the valid prefix from the start.
        var all = new byte[length];
        stream.Position = 0;
        stream.ReadExactly(all);
        long offset = FileHeaderSize;
        while (TryBlock(all, offset, out _, out var blockLength)) offset += BlockHeaderSize + blockLength + BlockTrailerSize;
        return offset;
    }

    private static bool ValidHeader(ReadOnlySpan<byte> data)
        => data.Length >= FileHeaderSize && data[..8].SequenceEqual(Magic) && BinaryPrimitives.ReadUInt32LittleEndian(data[8..]) == FormatVersion;

    private static void WriteHeader(Span<byte> header)
    {
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
    }

    /// <summary>Checks the block at <paramref name="offset"/> of <paramref name="data"/> (whose first byte is at file offset <paramref name="baseOffset"/>).</summary>
    private static bool TryBlock(byte[] data, long offset, out int count, out int length, long baseOffset = 0)
    {
        count = length = 0;
        if (data.Length - offset < BlockHeaderSize + BlockTrailerSize) return false;
        var o = (int)offset;
        var c = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(o));
        var l = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(o + 4));
        if (c == 0 || l > data.Length - offset - BlockHeaderSize - BlockTrailerSize || (ulong)c * RecordFixedSize > l) return false;
        var records = data.AsSpan(o + BlockHeaderSize, (int)l);
        var trailer = data.AsSpan(o + BlockHeaderSize + (int)l, BlockTrailerSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..]) != l || BinaryPrimitives.ReadUInt32LittleEndian(trailer[12..]) != BlockMagic) return false;
        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer) != Checksum(data.AsSpan(o, BlockHeaderSize), records, baseOffset + offset)) return false;
        count = (int)c;
        length = (int)l;
        return true;
    }

    private static ulong Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> records, long fileOffset)
    {
        var hash = new XxHash3(fileOffset);
        hash.Append(header);
        hash.Append(records);
        return hash.GetCurrentHashAsUInt64();
    }

    private static bool TryParse(ReadOnlySpan<byte> span, int count, List<Record> records)
    {
        var before = records.Count;
        for (var i = 0; i < count; i++)
        {
            if (span.Length < RecordFixedSize) { records.RemoveRange(before, records.Count - before); return false; }
            var id = new ObjectId(span[..ObjectId.Size]);
            var generation = BinaryPrimitives.ReadUInt32LittleEndian(span[32..]);
            var parentCount = BinaryPrimitives.ReadUInt32LittleEndian(span[36..]);
            var micros = BinaryPrimitives.ReadInt64LittleEndian(span[40..]);
            span = span[RecordFixedSize..];
            if (generation is < 1 or > int.MaxValue || parentCount > MaxParents || (ulong)span.Length < parentCount * ObjectId.Size)
            {
                records.RemoveRange(before, records.Count - before);
                return false;
            }
            var parents = parentCount == 0 ? [] : new ObjectId[parentCount];
            for (var p = 0; p < parents.Length; p++)
            {
                parents[p] = new ObjectId(span[..ObjectId.Size]);
                span = span[ObjectId.Size..];
            }
            records.Add(new Record(id, (int)generation, micros, parents));
        }
        if (span.Length == 0) return true;
        records.RemoveRange(before, records.Count - before);
        return false;
    }

    private static byte[] Encode(IReadOnlyList<Record> records, long fileOffset)
    {
        long length = 0;
        foreach (var r in records) length += RecordFixedSize + ((long)r.Parents.Length * ObjectId.Size);
        var block = new byte[checked(BlockHeaderSize + (int)length + BlockTrailerSize)];
        var span = block.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)records.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)length);
        var o = span[BlockHeaderSize..];
        foreach (var r in records)
        {
            r.Id.WriteTo(o);
            BinaryPrimitives.WriteUInt32LittleEndian(o[32..], (uint)r.Generation);
            BinaryPrimitives.WriteUInt32LittleEndian(o[36..], (uint)r.Parents.Length);
            BinaryPrimitives.WriteInt64LittleEndian(o[40..], r.Micros);
            o = o[RecordFixedSize..];
            foreach (var p in r.Parents)
            {
                p.WriteTo(o);
                o = o[ObjectId.Size..];
            }
        }
        var trailer = span[(BlockHeaderSize + (int)length)..];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, Checksum(span[..BlockHeaderSize], span.Slice(BlockHeaderSize, (int)length), fileOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[8..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[12..], BlockMagic);
        return block;
    }
}
