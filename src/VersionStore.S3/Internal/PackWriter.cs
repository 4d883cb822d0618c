using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using K4os.Compression.LZ4;

namespace VersionStore.S3.Internal;

/// <summary>A finished pack: its bytes, content-addressed name and index.</summary>
/// <param name="Name">Lowercase hex SHA-256 of <paramref name="Bytes"/>.</param>
/// <param name="Bytes">The whole pack file.</param>
/// <param name="Index">The parsed index.</param>
/// <param name="IndexBytes">The encoded index (identical to the copy embedded in the pack).</param>
internal sealed record BuiltPack(string Name, byte[] Bytes, PackIndex Index, byte[] IndexBytes)
{
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
}

/// <summary>
/// Builds one pack: compresses each object as it is added (into a pooled buffer), then <see cref="Build"/>
/// lays the entries out in id order, appends the index and footer and names the pack by its SHA-256.
/// The same set of objects at the same level always gives the same pack, byte for byte.
/// </summary>
internal sealed class PackWriter(LZ4Level level) : IDisposable
{
    private readonly List<Pending> _pending = [];
    private readonly HashSet<ObjectId> _ids = [];
    private byte[] _buffer = [];
    private int _used;

    private readonly record struct Pending(ObjectId Id, int Start, int StoredLength, int Length, PackEntryCodec Codec);

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

    /// <summary>Lays out the pack. The writer may be reused after <see cref="Reset"/>.</summary>
    public BuiltPack Build()
    {
        var order = _pending.ToArray();
        Array.Sort(order, static (a, b) => a.Id.CompareTo(b.Id));
        var entries = new PackEntry[order.Length];
        long offset = PackFormat.PackHeaderSize;
        for (var i = 0; i < order.Length; i++)
        {
            entries[i] = new PackEntry(order[i].Id, offset, order[i].StoredLength, order[i].Length, order[i].Codec);
            offset += order[i].StoredLength;
        }
        var dataEnd = offset;
        var index = PackIndex.FromSorted(entries, dataEnd);
        var indexLength = PackFormat.IndexLength(entries.Length);
        var total = checked(dataEnd + indexLength + PackFormat.PackFooterSize);
        var bytes = new byte[total];
        PackFormat.PackMagic.CopyTo(bytes);
        bytes[4] = PackFormat.Version;
        var p = PackFormat.PackHeaderSize;
        foreach (var o in order)
        {
            _buffer.AsSpan(o.Start, o.StoredLength).CopyTo(bytes.AsSpan(p));
            p += o.StoredLength;
        }
        var indexSpan = bytes.AsSpan(p, indexLength);
        index.Write(indexSpan);
        var footer = bytes.AsSpan(p + indexLength, PackFormat.PackFooterSize);
        BinaryPrimitives.WriteInt64LittleEndian(footer, dataEnd);
        BinaryPrimitives.WriteInt32LittleEndian(footer[8..], indexLength);
        PackFormat.FooterMagic.CopyTo(footer[12..]);
        var name = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return new BuiltPack(name, bytes, index, indexSpan.ToArray());
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
        var next = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(need, (long)_buffer.Length * 2)));
        _buffer.AsSpan(0, _used).CopyTo(next);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }
}
