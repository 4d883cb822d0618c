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

    /// <summary>Receives the records of valid blocks (parents: <c>count × 32</c> id bytes).</summary>
    public interface ISink
    {
        /// <summary>Called once per block, before its records, with the number of records.</summary>
        void BeginBlock(int count);

        /// <summary>One record.</summary>
        void Add(ObjectId id, int generation, long micros, ReadOnlySpan<byte> parents);

        /// <summary>Called after the block's last record (also when a record throws).</summary>
        void EndBlock();
    }

    /// <summary>
    /// Streams the records of the longest valid prefix of the file into <paramref name="sink"/>, block by block; a
    /// missing file, a file locked by a writer or a foreign file yields nothing. A damaged block before the end is
    /// cut off with everything after it (when no writer holds the file), so later appends are read again.
    /// Returns the number of records.
    /// </summary>
    public long Read(ISink sink)
    {
        long records = 0, validEnd = 0, seenLength = 0;
        try
        {
            using (var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read))
                records = Read(handle, sink, out validEnd, out seenLength);
            // Damage before the end: cut it (best effort), or appends would land behind it, never to be read.
            if (validEnd >= FileHeaderSize && validEnd < seenLength)
            {
                using var stream = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.None);
                if (stream.Length == seenLength) stream.SetLength(validEnd);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return records;
    }

    private static long Read(Microsoft.Win32.SafeHandles.SafeFileHandle handle, ISink sink, out long validEnd, out long length)
    {
        long records = 0;
        validEnd = 0;
        length = RandomAccess.GetLength(handle);
        {
            var header = new byte[Math.Max(FileHeaderSize, BlockHeaderSize)];
            if (length < FileHeaderSize || RandomAccess.Read(handle, header.AsSpan(0, FileHeaderSize), 0) < FileHeaderSize || !ValidHeader(header)) return 0;
            var buffer = new byte[64 * 1024];
            long offset = FileHeaderSize;
            validEnd = offset;
            while (length - offset >= BlockHeaderSize + BlockTrailerSize)
            {
                if (RandomAccess.Read(handle, header.AsSpan(0, BlockHeaderSize), offset) < BlockHeaderSize) break;
                var recordsLength = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
                var size = BlockHeaderSize + (long)recordsLength + BlockTrailerSize;
                if (size > length - offset) break;
                if (buffer.Length < size) buffer = new byte[Math.Max(size, buffer.Length * 2L)];
                if (RandomAccess.Read(handle, buffer.AsSpan(0, (int)size), offset) < size) break;
                if (!TryBlock(buffer, 0, out var count, out var blockLength, offset, (int)size)) break;
                var block = buffer.AsSpan(BlockHeaderSize, blockLength);
                if (!WellFormed(block, count)) break;
                sink.BeginBlock(count);
                try { Emit(block, count, sink); }
                finally { sink.EndBlock(); }
                records += count;
                offset += size;
                validEnd = offset;
            }
        }
        return records;
    }

    /// <summary>Reads every record of the longest valid prefix into a list (tests and tools).</summary>
    public List<Record> ReadAll()
    {
        var sink = new ListSink();
        Read(sink);
        return sink.Records;
    }

    private sealed class ListSink : ISink
    {
        public List<Record> Records { get; } = [];

        public void BeginBlock(int count) => Records.EnsureCapacity(Records.Count + count);

        public void EndBlock() { }

        public void Add(ObjectId id, int generation, long micros, ReadOnlySpan<byte> parents)
        {
            var ids = new ObjectId[parents.Length / ObjectId.Size];
            for (var i = 0; i < ids.Length; i++) ids[i] = new ObjectId(parents.Slice(i * ObjectId.Size, ObjectId.Size));
            Records.Add(new Record(id, generation, micros, ids));
        }
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
    private static bool TryBlock(byte[] data, long offset, out int count, out int length, long baseOffset = 0, int dataLength = -1)
    {
        count = length = 0;
        var available = dataLength < 0 ? data.Length : dataLength;
        if (available - offset < BlockHeaderSize + BlockTrailerSize) return false;
        var o = (int)offset;
        var c = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(o));
        var l = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(o + 4));
        if (c == 0 || l > available - offset - BlockHeaderSize - BlockTrailerSize || (ulong)c * RecordFixedSize > l) return false;
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

    /// <summary>Whether a checksummed block's records are well formed: each fits, counts are in range, nothing is left over.</summary>
    private static bool WellFormed(ReadOnlySpan<byte> span, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (span.Length < RecordFixedSize) return false;
            var generation = BinaryPrimitives.ReadUInt32LittleEndian(span[32..]);
            var parentCount = BinaryPrimitives.ReadUInt32LittleEndian(span[36..]);
            if (generation is < 1 or > int.MaxValue || parentCount > MaxParents) return false;
            var size = RecordFixedSize + ((long)parentCount * ObjectId.Size);
            if (span.Length < size) return false;
            span = span[(int)size..];
        }
        return span.Length == 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Emit(ReadOnlySpan<byte> span, int count, ISink sink)
    {
        for (var i = 0; i < count; i++)
        {
            var parentBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[36..]) * ObjectId.Size;
            sink.Add(new ObjectId(span[..ObjectId.Size]), (int)BinaryPrimitives.ReadUInt32LittleEndian(span[32..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[40..]), span.Slice(RecordFixedSize, parentBytes));
            span = span[(RecordFixedSize + parentBytes)..];
        }
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
