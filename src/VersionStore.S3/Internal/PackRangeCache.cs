namespace VersionStore.S3.Internal;

/// <summary>
/// Stored (still compressed, not yet verified) byte ranges of packs that a read fetched whole ahead of need
/// (<see cref="S3PackStoreOptions.ReadAheadBytes"/>), least recently used dropped first once they exceed the byte
/// budget. Packs are immutable, so a range never goes stale; every object decoded from it is still verified.
/// </summary>
internal sealed class PackRangeCache(long maxBytes)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(string Pack, long Start, byte[] Bytes)> _ranges = new(); // most recently used first
    private long _bytes;

    /// <summary>The stored bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of a pack, when a held range covers them.</summary>
    public bool TryGet(string pack, long offset, int length, out ReadOnlyMemory<byte> bytes)
    {
        lock (_lock)
        {
            for (var node = _ranges.First; node is not null; node = node.Next)
            {
                var (name, start, held) = node.Value;
                if (!string.Equals(name, pack, StringComparison.Ordinal) || offset < start || offset + length > start + held.Length) continue;
                if (node != _ranges.First)
                {
                    _ranges.Remove(node);
                    _ranges.AddFirst(node);
                }
                bytes = held.AsMemory((int)(offset - start), length);
                return true;
            }
        }
        bytes = default;
        return false;
    }

    /// <summary>Keeps a fetched range; ranges larger than the whole budget are not kept.</summary>
    public void Add(string pack, long start, byte[] bytes)
    {
        if (bytes.Length > maxBytes) return;
        lock (_lock)
        {
            _ranges.AddFirst((pack, start, bytes));
            _bytes += bytes.Length;
            while (_bytes > maxBytes && _ranges.Last is { } last)
            {
                _bytes -= last.Value.Bytes.Length;
                _ranges.RemoveLast();
            }
        }
    }

    /// <summary>Drops the ranges of a pack that is gone (compacted or deleted).</summary>
    public void Forget(string pack)
    {
        lock (_lock)
        {
            for (var node = _ranges.First; node is not null;)
            {
                var next = node.Next;
                if (string.Equals(node.Value.Pack, pack, StringComparison.Ordinal))
                {
                    _bytes -= node.Value.Bytes.Length;
                    _ranges.Remove(node);
                }
                node = next;
            }
        }
    }
}
