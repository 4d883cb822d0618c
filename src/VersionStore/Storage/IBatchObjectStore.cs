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
