namespace VersionStore;

/// <summary>
/// Optional capability of an <see cref="IObjectStore"/>: read many objects in one call — RocksDB serves it with one
/// <c>MultiGet</c>, the S3 pack store with one ranged GET per run of neighbouring entries of a pack, the tiered store by
/// asking each tier only for what the nearer tiers did not have. Detected at run time (use
/// <see cref="ObjectStoreBatchExtensions.TryReadManyAsync"/>, which falls back to one <see cref="IObjectStore.TryReadAsync"/>
/// per id); decorators forward it for the store they wrap, so the capability survives decoration.
/// </summary>
/// <remarks>
/// The answers follow <see cref="IObjectStore.TryReadAsync"/> exactly, id by id: the same bytes, null where the store
/// does not hold the object, and — for a store that is an <see cref="IVerifyingObjectStore"/> returning verified bytes —
/// the same verification, once per object, where the bytes enter the process.
/// </remarks>
public interface IBatchObjectStore
{
    /// <summary>
    /// Returns the stored encoding of every id in <paramref name="ids"/>, in the same order (one answer per position, so a
    /// duplicated id is answered twice), null where this store does not hold the object.
    /// </summary>
    /// <exception cref="BackendUnavailableException">The backend cannot be reached.</exception>
    /// <exception cref="CorruptObjectException">A store that verifies what it returns found an object that does not match its id.</exception>
    ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default);
}

/// <summary>
/// Receives, during a batch read in place (<see cref="IInPlaceBatchObjectStore"/>), the stored encoding of each object the
/// store holds.
/// </summary>
public interface IObjectBytesVisitor
{
    /// <summary>
    /// Called once for each position of the batch whose object the store holds, in position order, on the reading thread.
    /// <paramref name="encoded"/> is the object's stored encoding, valid only during this call (it may lie in the store's
    /// own buffers): copy what must outlive it. The call must not use the store. An exception thrown here ends the read
    /// (positions after it are not visited) and propagates to the caller.
    /// </summary>
    /// <param name="index">The position in the batch's ids.</param>
    /// <param name="encoded">The stored encoding, as <see cref="IObjectStore.TryReadAsync"/> would return it.</param>
    void Visit(int index, ReadOnlySpan<byte> encoded);
}

/// <summary>
/// Optional capability of an <see cref="IObjectStore"/>: a batch read whose values are handed to an
/// <see cref="IObjectBytesVisitor"/> where they lie instead of being copied into new arrays — RocksDB visits the slices its
/// multi-get pinned (block cache, memtable, or its own copy of a row-cache entry), so a reader that only hashes most
/// objects (a rollback's verification) allocates nothing for them. Detected at run time; a reader falls back to
/// <see cref="ObjectStoreBatchExtensions.TryReadManyAsync"/> for a store without it.
/// </summary>
/// <remarks>
/// The bytes visited are those <see cref="IObjectStore.TryReadAsync"/> returns for the same id: nothing is checked or
/// skipped that a copying read would check. Positions whose object the store does not hold are not visited.
/// </remarks>
public interface IInPlaceBatchObjectStore
{
    /// <summary>
    /// Reads every id in <paramref name="ids"/> and calls <paramref name="visitor"/> for each one the store holds, in
    /// position order (a duplicated id is visited at each of its positions). Completes once every visit has returned.
    /// </summary>
    /// <exception cref="BackendUnavailableException">The backend cannot be reached.</exception>
    /// <exception cref="CorruptObjectException">The store found its own data damaged.</exception>
    ValueTask ReadManyInPlaceAsync(IReadOnlyList<ObjectId> ids, IObjectBytesVisitor visitor, CancellationToken cancellationToken = default);
}

/// <summary>Batch reads over any <see cref="IObjectStore"/>.</summary>
public static class ObjectStoreBatchExtensions
{
    /// <summary>
    /// Reads many objects: in one call when <paramref name="store"/> is an <see cref="IBatchObjectStore"/>, otherwise one
    /// <see cref="IObjectStore.TryReadAsync"/> per id. Answers are in the order of <paramref name="ids"/>, null where absent.
    /// </summary>
    /// <exception cref="BackendUnavailableException">The backend cannot be reached.</exception>
    public static ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(this IObjectStore store, IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return ValueTask.FromResult(Array.Empty<ReadOnlyMemory<byte>?>());
        return store is IBatchObjectStore batch ? batch.TryReadManyAsync(ids, cancellationToken) : OneByOneAsync(store, ids, cancellationToken);
    }

    /// <summary>The fallback: one read per id, in order.</summary>
    internal static async ValueTask<ReadOnlyMemory<byte>?[]> OneByOneAsync(IObjectStore store, IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken)
    {
        var result = new ReadOnlyMemory<byte>?[ids.Count];
        for (var i = 0; i < result.Length; i++) result[i] = await store.TryReadAsync(ids[i], cancellationToken).ConfigureAwait(false);
        return result;
    }
}
