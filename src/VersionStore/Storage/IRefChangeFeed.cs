namespace VersionStore;

/// <summary>
/// Optional capability of an <see cref="IRefStore"/>: it announces each applied compare-and-swap to subscribers
/// (in process for the memory and RocksDB stores, by pub/sub for Redis). Detected at run time
/// (<c>refs is IRefChangeFeed</c>); decorators of a ref store forward it. Delivery is best effort and may be lost,
/// duplicated or reordered: <see cref="Repository.WatchAsync"/> turns it into a reliable stream by checking sequence
/// numbers and reconciling with a read of the ref.
/// </summary>
public interface IRefChangeFeed
{
    /// <summary>
    /// Calls <paramref name="listener"/> for every ref change of <paramref name="repository"/> from now on, until the
    /// result is disposed.
    /// </summary>
    /// <exception cref="BackendUnavailableException">The feed cannot be reached now (retry later; read the ref meanwhile).</exception>
    /// <exception cref="NotSupportedException">A decorator whose inner store has no feed.</exception>
    ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default);
}

/// <summary>Receives the notices of an <see cref="IRefChangeFeed"/>. Calls must return quickly and never throw.</summary>
public interface IRefChangeListener
{
    /// <summary>A ref of the repository changed: <paramref name="entry"/> is the audit entry its compare-and-swap appended.</summary>
    void OnChanged(RepositoryName repository, AuditEntry entry);

    /// <summary>Notices may have been lost (a reconnect, a failover, an undecodable message): read the refs again.</summary>
    void OnGap(string reason);
}
