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
/// The same set of objects at the same level always gives the same pack, byte for byte.
/// </summary>
/// <remarks>
/// Cost beyond the LZ4 calls is kept to what the format asks for (one copy into id order, the index's and
/// the pack's SHA-256): buffers come from <see cref="ArrayPool{T}"/> (a pack is often larger than the
/// large-object-heap threshold, so a fresh array per pack would cost gen-2 collections), the compression
/// buffer starts at <see cref="InitialBufferBytes"/> so a typical pack never regrows it, the id set and entry
/// list can be sized up front, and the sort compares ids without a delegate.
/// </remarks>
/// <param name="level">LZ4 level of every entry.</param>
/// <param name="expectedObjects">Objects the caller expects to add (sizes the id set and entry list up front; a hint, not a bound).</param>
internal sealed class PackWriter(LZ4Level level, int expectedObjects = 0) : IDisposable
{
    /// <summary>First size of the compression buffer (pooled, so a small pack does not pay for it).</summary>
    internal const int InitialBufferBytes = 256 * 1024;

    /// <summary>Presizing beyond this many objects is left to growth (a hint must not reserve unbounded memory).</summary>
    private const int MaximumPresize = 1 << 16;

    private readonly List<Pending> _pending = new(Math.Clamp(expectedObjects, 0, MaximumPresize));
    private readonly HashSet<ObjectId> _ids = new(Math.Clamp(expectedObjects, 0, MaximumPresize));
    private byte[] _buffer = [];
    private int _used;

    private readonly record struct Pending(ObjectId Id, int Start, int StoredLength, int Length, PackEntryCodec Codec) : IComparable<Pending>
    {
        public int CompareTo(Pending other) => Id.CompareTo(other.Id);
    }

    /// <summary>Objects added so far.</summary>
    public int Count => _pending.Count;

    /// <summary>Stored (compressed) bytes added so far: roughly the pack's size.</summary>
    public long StoredBytes => _used;

    /// <summary>True when <paramref name="id"/> was added.</summary>
    public bool Contains(ObjectId id) => _ids.Contains(id);

    /// <summary>Compresses and adds an object; returns false (and does nothing) when its id was already added.</summary>
    public bool Add(ObjectId id, ReadOnlySpan<byte> data)
    {
        if (!_ids.Add(id)) return false;
        var max = PackEntryCoder.MaximumStoredLength(data.Length);
        EnsureCapacity(max);
        var (codec, stored) = PackEntryCoder.Encode(data, _buffer.AsSpan(_used, max), level);
        _pending.Add(new Pending(id, _used, stored, data.Length, codec));
        _used += stored;
        return true;
    }

    /// <summary>Lays out the pack; the caller owns (and should dispose) the result. The writer may be reused after <see cref="Reset"/>.</summary>
    public BuiltPack Build()
    {
        var order = CollectionsMarshal.AsSpan(_pending);
        order.Sort(); // ids are unique (Add refuses a second copy), so the order is total
        var entries = new PackEntry[order.Length];
        long offset = PackFormat.PackHeaderSize;
        for (var i = 0; i < order.Length; i++)
        {
            ref readonly var o = ref order[i];
            entries[i] = new PackEntry(o.Id, offset, o.StoredLength, o.Length, o.Codec);
            offset += o.StoredLength;
        }
        var dataEnd = offset;
        var index = PackIndex.FromSorted(entries, dataEnd);
        var indexLength = PackFormat.IndexLength(entries.Length);
        var total = dataEnd + indexLength + PackFormat.PackFooterSize;
        if (total > Array.MaxLength) throw new InvalidOperationException("Pack exceeds the largest array .NET can hold.");
        var buffer = ArrayPool<byte>.Shared.Rent((int)total);
        try
        {
            // A rented buffer is not zeroed: every byte up to `total` is written below (the index writes its own reserved bytes).
            var bytes = buffer.AsSpan(0, (int)total);
            PackFormat.PackMagic.CopyTo(bytes);
            bytes[4] = PackFormat.Version;
            bytes[5..PackFormat.PackHeaderSize].Clear();
            var p = PackFormat.PackHeaderSize;
            foreach (ref readonly var o in order)
            {
                _buffer.AsSpan(o.Start, o.StoredLength).CopyTo(bytes[p..]);
                p += o.StoredLength;
            }
            index.Write(bytes.Slice(p, indexLength));
            var footer = bytes.Slice(p + indexLength, PackFormat.PackFooterSize);
            BinaryPrimitives.WriteInt64LittleEndian(footer, dataEnd);
            BinaryPrimitives.WriteInt32LittleEndian(footer[8..], indexLength);
            PackFormat.FooterMagic.CopyTo(footer[12..]);
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

    /// <summary>Forgets every added object, keeping the buffer.</summary>
    public void Reset()
    {
        _pending.Clear();
        _ids.Clear();
        _used = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Reset();
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void EnsureCapacity(int more)
    {
        var need = (long)_used + more;
        if (need <= _buffer.Length) return;
        if (need > Array.MaxLength) throw new InvalidOperationException("Pack exceeds the largest array .NET can hold.");
        var next = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(Math.Max(need, InitialBufferBytes), (long)_buffer.Length * 2)));
        _buffer.AsSpan(0, _used).CopyTo(next);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
