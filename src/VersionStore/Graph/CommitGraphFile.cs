using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace VersionStore.Graph;

/// <summary>
/// The persisted commit graph (docs/FORMAT-commit-graph.md, version 2): a header, an indexed and checksummed base
/// (ids by topological position, positions sorted by id behind a fanout, parents by position, generations, times),
/// then checksummed append blocks of id-based records. A reader loads the base with a few sequential reads (no hash
/// table of ids is built) and the longest valid prefix of the blocks; a writer appends blocks, finding the end of the
/// last valid block from the file's end, and from time to time rewrites the whole file (base = everything known,
/// written to a temporary file and renamed over the old one).
/// </summary>
/// <remarks>
/// Each record is a fact about an immutable, content-addressed commit that was verified when it was read or
/// written, so records never go stale, their order does not matter and duplicates are harmless. What the file
/// lacks (a torn tail after a crash, a damaged block and everything after it, a damaged base, commits that landed
/// later) is loaded from the object store the normal way: the file can make walks fast, never make answers wrong.
/// Writers take an exclusive lock on the file (an advisory <c>flock</c> on Unix) and skip the write when another
/// process holds it; readers that find it locked load commits the normal way.
/// </remarks>
internal sealed class CommitGraphFile(string path)
{
    /// <summary>"VSCGRAPH".</summary>
    private static readonly byte[] Magic = "VSCGRAPH"u8.ToArray();
    /// <summary>Version 2: the indexed base. Files of version 1 (blocks only) read as foreign and are rewritten.</summary>
    private const uint FormatVersion = 2;
    private const int FileHeaderSize = 16;
    /// <summary>Base header: count u32, extra u32, checksum u64.</summary>
    private const int BaseHeaderSize = 16;
    private const int FanoutSize = 256 * 4;
    /// <summary>Bytes per base node: id 32, lookup 4, links 16, time 8.</summary>
    private const int BaseNodeSize = ObjectId.Size + 4 + (CommitGraphBase.LinkInts * 4) + 8;
    private const long BaseStart = FileHeaderSize;
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

    /// <summary>What a <see cref="Load"/> found.</summary>
    public enum LoadState
    {
        /// <summary>A valid file (or none): its base and the valid prefix of its blocks were loaded.</summary>
        Valid,
        /// <summary>Another process holds the file: nothing was loaded, nothing is known about it.</summary>
        Unavailable,
        /// <summary>A foreign file, another version, or a damaged base: nothing was loaded; the next write replaces it.</summary>
        Invalid,
    }

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
    /// Loads the base (validated: checksum, fanout, positions in range, parents before children with lower
    /// generations) into <paramref name="base"/> and streams the records of the longest valid prefix of the blocks
    /// into <paramref name="sink"/>; a missing file is valid and empty. A damaged block is cut off with everything
    /// after it (when no writer holds the file), so later appends are read again. <paramref name="blockRecords"/>:
    /// the number of block records.
    /// </summary>
    public LoadState Load(ISink sink, out CommitGraphBase @base, out long blockRecords)
    {
        @base = CommitGraphBase.Empty;
        blockRecords = 0;
        long validEnd, seenLength;
        try
        {
            using (var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                seenLength = RandomAccess.GetLength(handle);
                var loaded = ReadBase(handle, seenLength, out var baseEnd);
                if (loaded is null) return LoadState.Invalid;
                @base = loaded;
                blockRecords = ReadBlocks(handle, baseEnd, seenLength, sink, out validEnd);
            }
            // Damage before the end: cut it (best effort), or appends would land behind it, never to be read.
            if (validEnd < seenLength)
            {
                try
                {
                    using var writerLock = Lock();
                    using var stream = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                    if (stream.Length == seenLength) stream.SetLength(validEnd);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // a writer holds it: it cuts the tail itself
            }
            return LoadState.Valid;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return LoadState.Valid; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return LoadState.Unavailable; }
    }

    /// <summary>Maps and validates the base; null when the file is foreign, of another version, or its base is damaged.</summary>
    private static unsafe CommitGraphBase? ReadBase(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length, out long baseEnd)
    {
        baseEnd = 0;
        Span<byte> head = stackalloc byte[FileHeaderSize + BaseHeaderSize];
        if (length < FileHeaderSize + BaseHeaderSize + FanoutSize || RandomAccess.Read(handle, head, 0) < head.Length || !ValidHeader(head)) return null;
        var count = BinaryPrimitives.ReadUInt32LittleEndian(head[16..]);
        var extraCount = BinaryPrimitives.ReadUInt32LittleEndian(head[20..]);
        var checksum = BinaryPrimitives.ReadUInt64LittleEndian(head[24..]);
        var end = BaseEnd(count, extraCount);
        if (end > length || count > int.MaxValue / BaseNodeSize || extraCount > int.MaxValue / 4) return null;
        var n = (int)count;
        var map = MemoryMappedFile.CreateFromFile(handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            view = map.CreateViewAccessor(0, end, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            acquired = true;
            start += view.PointerOffset;
            var data = new ReadOnlySpan<byte>(start + BaseStart + 8, checked((int)(end - BaseStart - 8)));
            // XxHash3 of count/extra and everything after the checksum field, computed by an implementation that is fully
            // optimised on its first call (the library's runs as tier-0 code this early in a process: ~10× slower).
            if (LongXxHash3.Hash(new ReadOnlySpan<byte>(start + BaseStart, 8), data[8..], BaseStart) != checksum) return null;
            var at = start + BaseStart + BaseHeaderSize;
            var fanout = new ReadOnlySpan<int>(at, FanoutSize / sizeof(int)).ToArray(); // not MemoryMarshal.Cast<byte, int>: a generic instantiation that JITs
            at += FanoutSize;
            var ids = at;
            at += (long)n * ObjectId.Size;
            var lookup = (int*)at;
            at += 4L * n;
            var links = (int*)at;
            at += 4L * CommitGraphBase.LinkInts * n;
            var times = at;
            at += 8L * n;
            var extra = new ReadOnlySpan<int>(at, (int)extraCount);
            var extraByPos = WellFormedBase(n, fanout, new ReadOnlySpan<int>(lookup, n), new ReadOnlySpan<int>(links, n * CommitGraphBase.LinkInts), extra);
            if (extraByPos is null) return null;
            baseEnd = end;
            var result = new CommitGraphBase(n, map, view, ids, lookup, links, times, fanout, extraByPos.Count == 0 ? null : extraByPos);
            acquired = false; // the base owns the map now
            return result;
        }
        finally
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
                view.Dispose();
                map.Dispose();
            }
            else if (baseEnd == 0)
            {
                view?.Dispose();
                map.Dispose();
            }
        }
    }

    private static long BaseEnd(uint count, uint extraCount) => BaseStart + BaseHeaderSize + FanoutSize + ((long)count * BaseNodeSize) + (4L * extraCount);

    /// <summary>
    /// The structural checks a walk relies on (the checksum covers damage; these cover a file that is whole but
    /// wrong): fanout monotone and complete, lookup entries in range, generations ≥ 1, every parent at a lower
    /// position with a lower generation, octopus parents listed once each. Returns the octopus parents by position,
    /// or null when a check fails.
    /// </summary>
    /// <remarks>
    /// One pass over every commit of the base, once per process: where this assembly runs its ReadyToRun image
    /// (<see cref="Internal.Precompiled"/>) through an unmarked caller, so the image's code runs and nothing is compiled;
    /// else through a caller marked <see cref="System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization"/>,
    /// compiled fully optimised once instead of tier-0 code and then on-stack replacement (~4–6 ms of JIT in a fresh
    /// process, docs/BENCHMARKS.md, "First walk, fourth pass").
    /// </remarks>
    private static Dictionary<int, int[]>? WellFormedBase(int n, int[] fanout, ReadOnlySpan<int> lookup, ReadOnlySpan<int> links, ReadOnlySpan<int> extra)
        => Internal.Precompiled.IsUsed ? WellFormedBasePrecompiled(n, fanout, lookup, links, extra) : WellFormedBaseOptimized(n, fanout, lookup, links, extra);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Dictionary<int, int[]>? WellFormedBasePrecompiled(int n, int[] fanout, ReadOnlySpan<int> lookup, ReadOnlySpan<int> links, ReadOnlySpan<int> extra)
        => WellFormedBaseCore(n, fanout, lookup, links, extra);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Dictionary<int, int[]>? WellFormedBaseOptimized(int n, int[] fanout, ReadOnlySpan<int> lookup, ReadOnlySpan<int> links, ReadOnlySpan<int> extra)
        => WellFormedBaseCore(n, fanout, lookup, links, extra);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Dictionary<int, int[]>? WellFormedBaseCore(int n, int[] fanout, ReadOnlySpan<int> lookup, ReadOnlySpan<int> links, ReadOnlySpan<int> extra)
    {
        var previous = 0;
        foreach (var f in fanout)
        {
            if (f < previous) return null;
            previous = f;
        }
        if (previous != n) return null;
        foreach (var p in lookup)
            if ((uint)p >= (uint)n) return null;
        var result = new Dictionary<int, int[]>();
        var e = 0;
        for (var pos = 0; pos < n; pos++)
        {
            var i = pos * CommitGraphBase.LinkInts;
            int generation = links[i], parents = links[i + 1], p1 = links[i + 2], p2 = links[i + 3];
            if (generation < 1 || parents < 0 || parents > MaxParents) return null;
            if (parents >= 1 ? !ParentOk(links, p1, pos, generation) : p1 != -1) return null;
            if (parents >= 2 ? !ParentOk(links, p2, pos, generation) : p2 != -1) return null;
            if (parents > 2)
            {
                if (e + parents - 1 > extra.Length || extra[e] != pos) return null;
                var more = extra.Slice(e + 1, parents - 2).ToArray();
                foreach (var p in more)
                    if (!ParentOk(links, p, pos, generation)) return null;
                result.Add(pos, more);
                e += parents - 1;
            }
        }
        return e == extra.Length ? result : null;

        static bool ParentOk(ReadOnlySpan<int> links, int p, int pos, int generation) => (uint)p < (uint)pos && links[p * CommitGraphBase.LinkInts] < generation;
    }

    private static long ReadBlocks(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long start, long length, ISink sink, out long validEnd)
    {
        long records = 0;
        var header = new byte[BlockHeaderSize];
        var buffer = new byte[64 * 1024];
        var offset = start;
        validEnd = offset;
        while (length - offset >= BlockHeaderSize + BlockTrailerSize)
        {
            if (RandomAccess.Read(handle, header, offset) < BlockHeaderSize) break;
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
        return records;
    }

    /// <summary>Reads every record of the base and of the longest valid prefix of the blocks into a list (tests and tools).</summary>
    public List<Record> ReadAll()
    {
        var sink = new ListSink();
        Load(sink, out var @base, out _);
        var all = new List<Record>(@base.Count + sink.Records.Count);
        for (var pos = 0; pos < @base.Count; pos++)
        {
            var links = @base.LinkSpan.Slice(pos * CommitGraphBase.LinkInts, CommitGraphBase.LinkInts);
            var parents = new ObjectId[links[1]];
            for (var k = 0; k < parents.Length; k++)
                parents[k] = @base.IdOf(k < 2 ? links[2 + k] : @base.Extra![pos][k - 2]);
            all.Add(new Record(@base.IdOf(pos), links[0], @base.TimeOf(pos), parents));
        }
        all.AddRange(sink.Records);
        return all;
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
    /// Appends <paramref name="records"/> as one block (creating the file with an empty base when missing or
    /// foreign, cutting a torn or damaged tail first). Returns false when another process holds the file or it
    /// cannot be written (nothing is lost: the file is a cache).
    /// </summary>
    public bool Append(IReadOnlyList<Record> records)
    {
        if (records.Count == 0) return true;
        try
        {
            using var writerLock = Lock();
            using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            var end = ValidEnd(stream);
            // No valid base: a new file (empty base + this block) renamed over it; a file is never cut below its base,
            // which another process may have mapped.
            if (end < 0) return ReplaceLocked(CommitGraphBase.Empty, records);
            var block = Encode(records, end);
            stream.SetLength(end);
            stream.Position = end;
            stream.Write(block);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Replaces the file with one whose base is <paramref name="base"/> and whose one block holds
    /// <paramref name="records"/> (commits not in the base): written to a temporary file beside it, then renamed
    /// over it, so a reader sees the old file or the new one, never a mix. Returns false when another process holds
    /// the file or it cannot be written.
    /// </summary>
    public bool Rewrite(CommitGraphBase @base, IReadOnlyList<Record> records)
    {
        try
        {
            using var writerLock = Lock();
            return ReplaceLocked(@base, records);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// The writers' lock: <c>PATH.lock</c> opened exclusively (an advisory <c>flock</c> on Unix), held while a writer
    /// appends, cuts or replaces the file. Not the file itself: readers keep it mapped, and a mapping holds the shared
    /// lock that opening it took. Throws <see cref="IOException"/> when another process holds it.
    /// </summary>
    private FileStream Lock() => new(Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    /// <summary>Writes the new file beside the current one and renames it over it; the caller holds the writers' lock.</summary>
    private bool ReplaceLocked(CommitGraphBase @base, IReadOnlyList<Record> records)
    {
        var temp = Path + ".tmp";
        try
        {
            using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                WriteBase(output, @base);
                if (records.Count > 0) output.Write(Encode(records, output.Position));
            }
            File.Move(temp, Path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); }
            catch (Exception f) when (f is IOException or UnauthorizedAccessException) { }
            return false;
        }
    }

    /// <summary>Writes the file header and <paramref name="b"/> (little-endian hosts only: the graph keeps no file elsewhere).</summary>
    private static void WriteBase(Stream output, CommitGraphBase b)
    {
        var extra = new List<int>();
        if (b.Extra is { } octopus)
            foreach (var (pos, more) in octopus.OrderBy(kv => kv.Key))
            {
                extra.Add(pos);
                extra.AddRange(more);
            }
        var extraBytes = MemoryMarshal.AsBytes(extra.ToArray().AsSpan());
        var header = new byte[FileHeaderSize + BaseHeaderSize];
        WriteHeader(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)b.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)extra.Count);
        var fanout = MemoryMarshal.AsBytes(b.Fanout);
        var lookup = MemoryMarshal.AsBytes(b.Lookup);
        var links = MemoryMarshal.AsBytes(b.LinkSpan);
        var times = b.TimeBytes;
        var hash = new XxHash3(BaseStart);
        hash.Append(header.AsSpan(16, 8));
        hash.Append(fanout);
        hash.Append(b.Ids);
        hash.Append(lookup);
        hash.Append(links);
        hash.Append(times);
        hash.Append(extraBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), hash.GetCurrentHashAsUInt64());
        output.Write(header);
        output.Write(fanout);
        output.Write(b.Ids);
        output.Write(lookup);
        output.Write(links);
        output.Write(times);
        output.Write(extraBytes);
    }

    /// <summary>Where the valid content of an open file ends; -1 when it has no valid header and base (empty, foreign, another version).</summary>
    private static long ValidEnd(FileStream stream)
    {
        var length = stream.Length;
        var head = new byte[FileHeaderSize + BaseHeaderSize];
        long baseEnd = 0;
        if (length >= head.Length && stream.ReadAtLeast(head, head.Length, false) == head.Length && ValidHeader(head))
            baseEnd = BaseEnd(BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(16)), BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(20)));
        if (baseEnd == 0 || baseEnd > length) return -1;
        if (length == baseEnd) return length;
        // Fast path: the last block is whole and valid.
        if (length >= baseEnd + BlockHeaderSize + BlockTrailerSize)
        {
            var trailer = new byte[BlockTrailerSize];
            stream.Position = length - BlockTrailerSize;
            stream.ReadExactly(trailer);
            var recordsLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(8));
            var start = length - BlockTrailerSize - recordsLength - BlockHeaderSize;
            if (BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(12)) == BlockMagic && recordsLength <= int.MaxValue && start >= baseEnd)
            {
                var block = new byte[length - start];
                stream.Position = start;
                stream.ReadExactly(block);
                if (TryBlock(block, 0, out _, out _, start)) return length;
            }
        }
        // A torn or damaged tail (a crash during an append): find the valid prefix of the blocks.
        var blocks = new byte[length - baseEnd];
        stream.Position = baseEnd;
        stream.ReadExactly(blocks);
        long offset = 0;
        while (TryBlock(blocks, offset, out _, out var blockLength, baseEnd)) offset += BlockHeaderSize + blockLength + BlockTrailerSize;
        return baseEnd + offset;
    }

    private static bool ValidHeader(ReadOnlySpan<byte> data)
        => data.Length >= FileHeaderSize && data[..8].SequenceEqual(Magic) && BinaryPrimitives.ReadUInt32LittleEndian(data[8..]) == FormatVersion;

    private static void WriteHeader(Span<byte> header)
    {
        header[..FileHeaderSize].Clear();
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
