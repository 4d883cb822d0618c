namespace VersionStore;

/// <summary>
/// Optional capability of a cache tier: removing one object. <see cref="IObjectStore"/> has no delete (objects are
/// immutable and may be shared), so only tiers that implement this can be demoted by
/// <see cref="TieredObjectStore.DemoteAsync"/>; others (Redis with its TTL, RocksDB) are left alone.
/// </summary>
public interface IObjectEviction
{
    /// <summary>Removes <paramref name="id"/> from this tier. False when it was not held.</summary>
    ValueTask<bool> TryEvictAsync(ObjectId id, CancellationToken cancellationToken = default);
}

/// <summary>Optional capability of a cache tier: listing what it holds with size and last access, for demotion by age.</summary>
public interface IAccessTrackingTier
{
    /// <summary>A snapshot of the objects held, with their encoded size and the last time each was written or read.</summary>
    IReadOnlyList<CachedObjectInfo> GetEntries();
}

/// <summary>One object held by a cache tier.</summary>
/// <param name="Id">The object.</param>
/// <param name="Bytes">Its encoded size.</param>
/// <param name="LastAccess">When it was last written or read (the tier's <see cref="TimeProvider"/>).</param>
public readonly record struct CachedObjectInfo(ObjectId Id, int Bytes, DateTimeOffset LastAccess);
