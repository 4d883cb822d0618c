using System.Collections.Concurrent;

namespace VersionStore.Internal;

/// <summary>
/// Root trees whose whole closure this process read and verified recently. Objects are immutable, so a snapshot
/// verified a moment ago is still complete; re-reading hundreds of objects on every rollback to the same target
/// would only re-prove it. Entries expire after <see cref="VersionStoreOptions.VerifiedSnapshotTtl"/>, so damage at
/// rest is still found by the next rollback after that (and by every ordinary read, which always verifies).
/// </summary>
internal sealed class VerifiedSnapshots(VersionStoreOptions options)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<ObjectId, long> _verifiedAt = new();

    public bool IsFresh(ObjectId rootTree)
    {
        if (options.VerifiedSnapshotTtl <= TimeSpan.Zero || !_verifiedAt.TryGetValue(rootTree, out var at)) return false;
        if (options.TimeProvider.GetElapsedTime(at) <= options.VerifiedSnapshotTtl) return true;
        _verifiedAt.TryRemove(rootTree, out _);
        return false;
    }

    public void MarkVerified(ObjectId rootTree)
    {
        if (options.VerifiedSnapshotTtl <= TimeSpan.Zero) return;
        if (_verifiedAt.Count >= MaxEntries) _verifiedAt.Clear();
        _verifiedAt[rootTree] = options.TimeProvider.GetTimestamp();
    }
}
