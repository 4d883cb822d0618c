namespace VersionStore;

/// <summary>
/// Storage of immutable, content-addressed objects in their canonical encoding. Implementations keep bytes;
/// they need not verify them: <c>Repository</c> checks every object it reads against its id.
/// Objects are immutable, so writes are idempotent and caching needs no invalidation.
/// </summary>
public interface IObjectStore
{
    /// <summary>Returns the stored encoding of <paramref name="id"/>, or null when this store does not hold it.</summary>
    /// <exception cref="BackendUnavailableException">The backend cannot be reached.</exception>
    ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default);

    /// <summary>True when the store holds <paramref name="id"/>.</summary>
    ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default);

    /// <summary>Stores objects (idempotent). When this returns, the objects are as durable as the backend promises.</summary>
    ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default);

    /// <summary>Ids whose hex form starts with <paramref name="hexPrefix"/> (lowercase), at most <paramref name="limit"/>.</summary>
    IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default);
}
