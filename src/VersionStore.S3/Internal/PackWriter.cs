using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using K4os.Compression.LZ4;

namespace VersionStore.S3.Internal;

/// <summary>
/// A finished pack: its bytes, content-addressed name and index. The bytes live in a pooled buffer that
/// <see cref="Dispose"/> returns; a pack that is never disposed is simply collected.
/// </summary>
internal sealed class BuiltPack : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;
    private readonly int _indexStart;
    private readonly int _indexLength;

    internal BuiltPack(string name, byte[] buffer, int length, PackIndex index, int indexStart, int indexLength)
    {
        Name = name;
        _buffer = buffer;
        _length = length;
        Index = index;
        _indexStart = indexStart;
        _indexLength = indexLength;
    }

    /// <summary>Lowercase hex SHA-256 of <see cref="Bytes"/>.</summary>
    public string Name { get; }

    /// <summary>The parsed index.</summary>
    public PackIndex Index { get; }

    /// <summary>The whole pack file (valid until <see cref="Dispose"/>).</summary>
    public ReadOnlyMemory<byte> Bytes => new(Buffer, 0, _length);

    /// <summary>The encoded index: the copy embedded in the pack, which is also the pack's <c>.idx</c> object (valid until <see cref="Dispose"/>).</summary>
    public ReadOnlyMemory<byte> IndexBytes => new(Buffer, _indexStart, _indexLength);

    /// <summary>Total decoded bytes of the objects in the pack.</summary>
    public long ObjectBytes
    {
        get
        {
            long n = 0;
            foreach (var e in Index.Entries) n += e.Length;
            return n;
        }
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(BuiltPack));

    /// <summary>Returns the buffer to the pool; <see cref="Bytes"/> and <see cref="IndexBytes"/> are then no longer valid.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary>
/// Builds one pack: compresses each object as it is added (into a pooled buffer), then <see cref="Build"/>
/// lays the entries out in id order, appends the index and footer and names the pack by its SHA-256.
/// The same set of objects at the same level always gives the same pack, byte for byte, in any order of adding.
/// </summary>
/// <remarks>
/// <para>Objects added in ascending id order (<see cref="SortById"/>) are compressed straight into the pack's final
/// layout: <see cref="Build"/> then neither sorts nor copies, no id set is kept (a duplicate is the previous id), and
/// the pack's SHA-256 (its name) runs beside the compression: each time <see cref="HashChunkBytes"/> of finished
/// entries wait, they are hashed by a thread-pool job on another core while the next entries compress, so
/// <see cref="Build"/> only hashes the last entries, the index and the footer. The first id out of order stops that
/// (the hash so far is dropped) and <see cref="Build"/> sorts and copies instead.</para>
/// <para>Other costs beyond the LZ4 calls are kept down: buffers come from <see cref="ArrayPool{T}"/> (a pack is often
/// larger than the large-object-heap threshold, so a fresh array per pack would cost gen-2 collections), the
/// compression buffer starts at <see cref="InitialBufferBytes"/> so a typical pack never regrows it, and the entry
/// list can be sized up front.</para>
/// </remarks>
internal sealed class PackWriter : IDisposable
{
    /// <summary>First size of the compression buffer (pooled, so a small pack does not pay for it).</summary>
    internal const int InitialBufferBytes = 256 * 1024;

    /// <summary>Finished entry bytes that start a hash job on another core. Larger chunks cost fewer job starts;
    /// smaller ones leave less to hash when <see cref="Build"/> is called. A pack below it is hashed in one call.</summary>
    internal const int HashChunkBytes = 64 * 1024;

    /// <summary>Presizing beyond this many objects is left to growth (a hint must not reserve unbounded memory).</summary>
    private const int MaximumPresize = 1 << 16;

    private readonly LZ4Level _level;
    private readonly bool _hashBeside;
    private readonly int _presize;
    private readonly List<PackEntry> _entries;

    /// <summary>Every added id, kept only once ids stopped ascending (null while they ascend).</summary>
    private HashSet<ObjectId>? _ids;

    /// <summary>The pack being laid out: header, then entries as added. Offsets in <see cref="_entries"/> are into it.</summary>
    private byte[] _buffer = [];
    private int _used;

    /// <summary>The pack's SHA-256 computed beside the compression while ids ascend (null until a pack reaches
    /// <see cref="HashChunkBytes"/>, or when hashing beside is off).</summary>
    private PackHasher? _hasher;

    /// <param name="level">LZ4 level of every entry.</param>
    /// <param name="expectedObjects">Objects the caller expects to add (sizes the entry list up front; a hint, not a bound).</param>
    /// <param name="hashBeside">Hash the pack on another core while adding (ids ascending, packs above
    /// <see cref="HashChunkBytes"/>); null: when the machine has more than one processor.</param>
    public PackWriter(LZ4Level level, int expectedObjects = 0, bool? hashBeside = null)
    {
        _level = level;
        _hashBeside = hashBeside ?? Environment.ProcessorCount > 1;
        _presize = Math.Clamp(expectedObjects, 0, MaximumPresize);
        _entries = new List<PackEntry>(_presize);
    }

    /// <summary>Objects added so far.</summary>
    public int Count => _entries.Count;

    /// <summary>Stored (compressed) bytes added so far: roughly the pack's size.</summary>
    public long StoredBytes => Math.Max(0, _used - PackFormat.PackHeaderSize);

    /// <summary>Sorts objects into ascending id order, the order in which <see cref="Add"/> lays a pack out directly.</summary>
    /// <remarks>Sorts the ids' first 64 bits as integers with the positions beside them (pooled arrays), then orders
    /// runs of equal prefixes (the same object twice, or a 64-bit collision) by the whole id and moves the objects once:
    /// several times faster than sorting the 48-byte objects through a comparer.</remarks>
    public static void SortById(Span<EncodedObject> objects)
    {
        var n = objects.Length;
        if (n < 2) return;
        var keys = ArrayPool<ulong>.Shared.Rent(n);
        var order = ArrayPool<int>.Shared.Rent(n);
        var copy = ArrayPool<EncodedObject>.Shared.Rent(n);
        try
        {
            Span<byte> id = stackalloc byte[ObjectId.Size];
            for (var i = 0; i < n; i++)
            {
                objects[i].Id.WriteTo(id);
                keys[i] = BinaryPrimitives.ReadUInt64BigEndian(id); // big-endian: integer order is byte order
                order[i] = i;
            }
            Array.Sort(keys, order, 0, n);
            objects.CopyTo(copy);
            for (var start = 0; start < n;)
            {
                var end = start + 1;
                while (end < n && keys[end] == keys[start]) end++;
                for (var i = start + 1; i < end; i++) // insertion sort of a run (almost always of length 1)
                {
                    var moving = order[i];
                    var j = i - 1;
                    for (; j >= start && copy[order[j]].Id.CompareTo(copy[moving].Id) > 0; j--) order[j + 1] = order[j];
                    order[j + 1] = moving;
                }
                start = end;
            }
            for (var i = 0; i < n; i++) objects[i] = copy[order[i]];
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<EncodedObject>.Shared.Return(copy, clearArray: true); // no object's data kept alive by the pool
        }
    }

    /// <summary>True when <paramref name="id"/> was added.</summary>
    public bool Contains(ObjectId id)
    {
        if (_ids is not null) return _ids.Contains(id);
        // Ascending so far: anything above the last id is new (the common question while adding in order).
        return _entries.Count > 0 && id.CompareTo(_entries[^1].Id) <= 0 && PackIndex.Find(CollectionsMarshal.AsSpan(_entries), id) >= 0;
    }

    /// <summary>Compresses and adds an object; returns false (and does nothing) when its id was already added.</summary>
    public bool Add(ObjectId id, ReadOnlySpan<byte> data)
    {
        if (!Admit(id)) return false;
        var max = PackEntryCoder.MaximumStoredLength(data.Length);
        EnsureCapacity(max);
        var start = _used;
        var (codec, stored) = PackEntryCoder.Encode(data, _buffer.AsSpan(start, max), _level);
        _entries.Add(new PackEntry(id, start, stored, data.Length, codec));
        _used += stored;
        if (_hashBeside && _ids is null && _used >= HashChunkBytes) (_hasher ??= new PackHasher()).Offer(_buffer, _used, HashChunkBytes);
        return true;
    }

    /// <summary>Lays out the pack; the caller owns (and should dispose) the result. The writer is empty afterwards, ready for the next pack.</summary>
    public BuiltPack Build()
    {
        try
        {
            return _ids is null ? BuildInPlace() : BuildSorted();
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Forgets every added object, keeping the buffer.</summary>
    public void Reset()
    {
        _hasher?.Reset();
        _entries.Clear();
        _ids = null;
        _used = _buffer.Length > 0 ? PackFormat.PackHeaderSize : 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Reset();
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _used = 0;
        _hasher?.Dispose();
        _hasher = null;
    }

    /// <summary>True when <paramref name="id"/> may be added; the first id out of ascending order switches to an id set.</summary>
    private bool Admit(ObjectId id)
    {
        if (_ids is not null) return _ids.Add(id);
        if (_entries.Count == 0) return true;
        var c = id.CompareTo(_entries[^1].Id);
        if (c < 0)
        {
            // Out of order: Build will sort and copy, so the pack hash started so far is of no use.
            _hasher?.Reset();
            _ids = new HashSet<ObjectId>(Math.Max(_presize, _entries.Count + 1));
            foreach (var e in _entries) _ids.Add(e.Id);
            return _ids.Add(id);
        }
        return c > 0; // equal to the last id: a duplicate
    }

    /// <summary>Entries were added in ascending id order: the buffer is the pack's data already; append index and footer.</summary>
    private BuiltPack BuildInPlace()
    {
        EnsureCapacity(0); // an empty pack still has its header
        var dataEnd = _used;
        var entries = _entries.ToArray();
        var index = PackIndex.FromSorted(entries, dataEnd);
        var indexLength = PackFormat.IndexLength(entries.Length);
        // The last entries go to the pool too (unless a chunk is still in flight), to be hashed beside the index being
        // laid out and checksummed; this thread then hashes what is left: at least the index and the footer.
        _hasher?.Offer(_buffer, dataEnd, minimum: 1);
        EnsureCapacity(indexLength + PackFormat.PackFooterSize);
        var total = WriteIndexAndFooter(_buffer.AsSpan(0, dataEnd + indexLength + PackFormat.PackFooterSize), index, dataEnd, indexLength);
        Span<byte> hash = stackalloc byte[32];
        if (_hasher is { Hashed: > 0 }) _hasher.Finish(_buffer, total, hash);
        else SHA256.HashData(_buffer.AsSpan(0, total), hash);
        var pack = new BuiltPack(Convert.ToHexStringLower(hash), _buffer, total, index, dataEnd, indexLength);
        _buffer = []; // the pack owns it now
        return pack;
    }

    /// <summary>Ids arrived out of order: copy the entries into id order in a new buffer.</summary>
    private BuiltPack BuildSorted()
    {
        var entries = _entries.ToArray();
        entries.AsSpan().Sort(default(ByIdComparer)); // ids are unique (Add refuses a second copy), so the order is total
        long dataEnd = PackFormat.PackHeaderSize;
        foreach (var e in entries) dataEnd += e.StoredLength;
        var indexLength = PackFormat.IndexLength(entries.Length);
        var total = dataEnd + indexLength + PackFormat.PackFooterSize;
        if (total > Array.MaxLength) throw new InvalidOperationException("Pack exceeds the largest array .NET can hold.");
        var buffer = ArrayPool<byte>.Shared.Rent((int)total);
        try
        {
            // A rented buffer is not zeroed: every byte up to `total` is written below (the index writes its own reserved bytes).
            var bytes = buffer.AsSpan(0, (int)total);
            WriteHeader(bytes);
            var p = PackFormat.PackHeaderSize;
            for (var i = 0; i < entries.Length; i++)
            {
                ref var e = ref entries[i];
                _buffer.AsSpan((int)e.Offset, e.StoredLength).CopyTo(bytes[p..]);
                e = e with { Offset = p };
                p += e.StoredLength;
            }
            var index = PackIndex.FromSorted(entries, dataEnd);
            WriteIndexAndFooter(bytes, index, p, indexLength);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(bytes, hash);
            return new BuiltPack(Convert.ToHexStringLower(hash), buffer, (int)total, index, p, indexLength);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Makes room for <paramref name="more"/> bytes after the used ones (renting the first buffer, header written, when there is none).</summary>
    private void EnsureCapacity(int more)
    {
        if (_buffer.Length == 0) _used = PackFormat.PackHeaderSize;
        var need = (long)_used + more;
        if (need <= _buffer.Length) return;
        if (need > Array.MaxLength) throw new InvalidOperationException("Pack exceeds the largest array .NET can hold.");
        var next = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(Math.Max(need, InitialBufferBytes), (long)_buffer.Length * 2)));
        if (_buffer.Length == 0) WriteHeader(next);
        else _buffer.AsSpan(0, _used).CopyTo(next);
        if (_hasher is not null && _buffer.Length > 0) _hasher.Retire(_buffer); // a chunk in flight may still be reading it
        else if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    private static void WriteHeader(Span<byte> pack)
    {
        PackFormat.PackMagic.CopyTo(pack);
        pack[4] = PackFormat.Version;
        pack[5..PackFormat.PackHeaderSize].Clear();
    }

    /// <summary>Writes the index at <paramref name="dataEnd"/> and the footer after it; returns the pack's total length.</summary>
    private static int WriteIndexAndFooter(Span<byte> pack, PackIndex index, int dataEnd, int indexLength)
    {
        index.Write(pack.Slice(dataEnd, indexLength));
        var footer = pack.Slice(dataEnd + indexLength, PackFormat.PackFooterSize);
        BinaryPrimitives.WriteInt64LittleEndian(footer, dataEnd);
        BinaryPrimitives.WriteInt32LittleEndian(footer[8..], indexLength);
        PackFormat.FooterMagic.CopyTo(footer[12..]);
        return dataEnd + indexLength + PackFormat.PackFooterSize;
    }

    private readonly struct ByIdComparer : IComparer<PackEntry>
    {
        public int Compare(PackEntry x, PackEntry y) => x.Id.CompareTo(y.Id);
    }
}
