namespace VersionStore.Internal;

/// <summary>
/// A concurrent map from <see cref="ObjectId"/> to a decoded object (the <see cref="ObjectReader"/>'s cache of trees and
/// commits): lock-free reads, writes under one lock. Chains of immutable nodes in a power-of-two bucket array; a
/// writer links a new node in front of its chain (or publishes a rebuilt chain, or a new array) with a release write,
/// so a reader sees either the old or the new chain, never a torn one.
/// </summary>
/// <remarks>
/// Not <c>ConcurrentDictionary&lt;ObjectId, object&gt;</c>: no framework generic is instantiated over this library's
/// struct here, so the package's ReadyToRun image carries all of this code — the framework's dictionary over
/// <see cref="ObjectId"/> is JIT-compiled on a fresh process's first read (~1.5 ms on the first whole-history walk's
/// path). Writes are rare beside reads (one per object decoded), so one lock is enough.
/// </remarks>
internal sealed class IdObjectCache
{
    private const int InitialBuckets = 64;

    private sealed class Node(ObjectId key, object value, Node? next)
    {
        public readonly ObjectId Key = key;
        public readonly object Value = value;
        public readonly Node? Next = next;
    }

    private readonly object _gate = new();
    private Node?[] _buckets = new Node?[InitialBuckets];
    private int _count; // guarded by _gate

    /// <summary>Entries (a snapshot).</summary>
    public int Count => Volatile.Read(ref _count);

    public bool TryGetValue(ObjectId key, out object value)
    {
        var buckets = Volatile.Read(ref _buckets);
        for (var node = Volatile.Read(ref buckets[key.GetHashCode() & (buckets.Length - 1)]); node is not null; node = node.Next)
        {
            if (node.Key == key)
            {
                value = node.Value;
                return true;
            }
        }
        value = null!;
        return false;
    }

    /// <summary>Adds <paramref name="key"/> unless present; true when added.</summary>
    public bool TryAdd(ObjectId key, object value)
    {
        lock (_gate)
        {
            var buckets = _buckets;
            ref var head = ref buckets[key.GetHashCode() & (buckets.Length - 1)];
            for (var node = head; node is not null; node = node.Next)
                if (node.Key == key) return false;
            Volatile.Write(ref head, new Node(key, value, head));
            if (++_count > buckets.Length) Grow(buckets);
            return true;
        }
    }

    /// <summary>Removes <paramref name="key"/>; true when it was present.</summary>
    public bool TryRemove(ObjectId key)
    {
        lock (_gate)
        {
            var buckets = _buckets;
            ref var head = ref buckets[key.GetHashCode() & (buckets.Length - 1)];
            Node? found = null;
            for (var node = head; node is not null; node = node.Next)
                if (node.Key == key) { found = node; break; }
            if (found is null) return false;
            // Nodes are immutable: the chain after the removed node is shared, the part before it copied.
            var rebuilt = found.Next;
            for (var node = head; node != found; node = node!.Next) rebuilt = new Node(node!.Key, node.Value, rebuilt);
            Volatile.Write(ref head, rebuilt);
            _count--;
            return true;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            Volatile.Write(ref _buckets, new Node?[InitialBuckets]);
            _count = 0;
        }
    }

    /// <summary>Doubles the bucket array (caller holds the lock): new nodes into a new array, then the array published.</summary>
    private void Grow(Node?[] old)
    {
        var grown = new Node?[old.Length * 2];
        var mask = grown.Length - 1;
        foreach (var chain in old)
            for (var node = chain; node is not null; node = node.Next)
            {
                ref var head = ref grown[node.Key.GetHashCode() & mask];
                head = new Node(node.Key, node.Value, head);
            }
        Volatile.Write(ref _buckets, grown);
    }
}
