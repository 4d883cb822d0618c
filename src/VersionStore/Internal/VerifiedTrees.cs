using System.Collections.Concurrent;

namespace VersionStore.Internal;

/// <summary>
/// Trees — snapshot roots and the subtrees under them — whose whole closure this process read from the store and
/// verified recently (each object hashed against its id, each tree decoded). Trees are content-addressed, so a
/// verified tree id stands for the same closure wherever it appears: a rollback whose target shares a subtree with a
/// snapshot verified a moment ago skips that subtree instead of re-proving it.
/// <para>
/// Entries expire <see cref="VersionStoreOptions.VerifiedSnapshotTtl"/> after the oldest read they rest on (a tree
/// verified by skipping a subtree verified earlier inherits that earlier time), so no chain of shortcuts lets bytes go
/// unread for longer than the TTL: damage at rest is still found by the next rollback after that, and by every
/// ordinary read, which always verifies. Objects the collector deletes are forgotten (<see cref="Forget"/>). Bounded:
/// cleared when full.
/// </para>
/// </summary>
internal sealed class VerifiedTrees(VersionStoreOptions options)
{
    /// <summary>At most this many trees are remembered (~35 per 200-node workflow snapshot; ~100 bytes each).</summary>
    internal const int MaxEntries = 32_768;

    private readonly ConcurrentDictionary<ObjectId, long> _verifiedAt = new();
    private int _count; // entries added since the last clear (approximate under races, which is all a bound needs)

    /// <summary>False when the TTL is zero: every rollback reads its whole target snapshot.</summary>
    public bool Enabled => options.VerifiedSnapshotTtl > TimeSpan.Zero;

    /// <summary>The clock reading of now, on the store's clock.</summary>
    public long Now => options.TimeProvider.GetTimestamp();

    /// <summary>
    /// Whether <paramref name="tree"/>'s closure was verified within the TTL; <paramref name="verifiedAt"/> is the
    /// clock reading of the oldest read that verification rests on.
    /// </summary>
    public bool IsFresh(ObjectId tree, out long verifiedAt)
    {
        verifiedAt = 0;
        if (!Enabled || !_verifiedAt.TryGetValue(tree, out var at)) return false;
        if (options.TimeProvider.GetElapsedTime(at) <= options.VerifiedSnapshotTtl)
        {
            verifiedAt = at;
            return true;
        }
        _verifiedAt.TryRemove(new KeyValuePair<ObjectId, long>(tree, at));
        return false;
    }

    /// <summary>Records that <paramref name="tree"/>'s whole closure was verified, resting on reads no older than <paramref name="verifiedAt"/>.</summary>
    public void MarkVerified(ObjectId tree, long verifiedAt)
    {
        if (!Enabled) return;
        if (Volatile.Read(ref _count) >= MaxEntries)
        {
            _verifiedAt.Clear(); // crude but bounded: the next rollbacks read their snapshots in full again
            Interlocked.Exchange(ref _count, 0);
        }
        if (_verifiedAt.TryAdd(tree, verifiedAt)) Interlocked.Increment(ref _count);
        else _verifiedAt[tree] = verifiedAt;
    }

    /// <summary>Drops deleted objects (garbage collection): a deleted tree no longer stands for a stored closure.</summary>
    public void Forget(IEnumerable<ObjectId> ids)
    {
        foreach (var id in ids) _verifiedAt.TryRemove(id, out _);
    }
}
