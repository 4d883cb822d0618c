namespace VersionStore;

/// <summary>
/// A durable, ordered set of object ids still to be copied to the archive tier (the "outbox" of the transactional
/// outbox pattern): the <see cref="TieredObjectStore"/> appends ids before it writes the objects to the durable
/// tier, the <see cref="ArchiverService"/> completes them once the archive holds them. An id appended again while
/// pending stays pending once. Implementations are thread-safe.
/// </summary>
public interface IOutbox
{
    /// <summary>Ids appended and not yet completed.</summary>
    long PendingCount { get; }

    /// <summary>Appends <paramref name="ids"/>; when this returns, they survive a crash of the process (for a durable outbox).</summary>
    /// <exception cref="BackendUnavailableException">The outbox cannot be written.</exception>
    ValueTask AppendAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> pending ids, oldest first (nothing is removed).</summary>
    ValueTask<IReadOnlyList<ObjectId>> PeekAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>Marks <paramref name="ids"/> done (ids not pending are ignored).</summary>
    /// <exception cref="BackendUnavailableException">The outbox cannot be written.</exception>
    ValueTask CompleteAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default);
}
