namespace VersionStore;

/// <summary>
/// The last state of a ref (branch, tag or channel) this process saw in the authoritative ref store, kept so an
/// application can still load the version it should run when that store is unreachable (fail-static reads).
/// Possibly stale by construction: callers must present it as such.
/// </summary>
/// <param name="State">The ref state seen.</param>
/// <param name="SeenAt">When it was seen (UTC, millisecond precision in persistent caches).</param>
public sealed record RememberedHead(RefState State, DateTimeOffset SeenAt);

/// <summary>
/// The one head cache of VersionStore: remembers, per repository and ref, the last <see cref="RefState"/> seen in the
/// authoritative ref store, for branch heads and channel versions alike. <see cref="FailStaticRefStore"/> fills it on
/// every read and write it passes to the authoritative store and serves from it, marked stale, when that store is
/// unreachable. Implementations: <see cref="InMemoryHeadCache"/> (survives an outage, not a restart) and the RocksDB
/// backend (<c>RocksDbBackend</c>, survives restarts: the local warm tier of distributed mode).
/// </summary>
/// <remarks>
/// A cache, not a source of truth: a failed <see cref="RememberAsync"/> must not fail the read that succeeded (callers
/// log and go on). A missing entry is <c>null</c>, never an exception. Implementations are thread-safe.
/// </remarks>
public interface IHeadCache
{
    /// <summary>The state remembered for <paramref name="name"/> of <paramref name="repository"/>, or null when none was.</summary>
    /// <exception cref="BackendUnavailableException">The cache itself cannot be read.</exception>
    /// <exception cref="CorruptObjectException">The stored entry does not decode.</exception>
    ValueTask<RememberedHead?> TryGetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default);

    /// <summary>Remembers <paramref name="state"/> as the state of the ref seen at <paramref name="seenAt"/> (replacing an older one).</summary>
    /// <exception cref="BackendUnavailableException">The cache itself cannot be written.</exception>
    ValueTask RememberAsync(RepositoryName repository, RefName name, RefState state, DateTimeOffset seenAt, CancellationToken cancellationToken = default);

    /// <summary>Every ref remembered for <paramref name="repository"/>, in ordinal order of full name.</summary>
    IAsyncEnumerable<(RefName Name, RememberedHead Head)> ListAsync(RepositoryName repository, CancellationToken cancellationToken = default);

    /// <summary>The repositories with at least one remembered ref.</summary>
    IAsyncEnumerable<RepositoryName> ListRememberedRepositoriesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The marker of the ref store the remembered heads were seen in (<see cref="IRefStoreEpoch"/>), or null when none was
    /// remembered (a cache that never saw a ref store with a marker).
    /// </summary>
    /// <exception cref="BackendUnavailableException">The cache itself cannot be read.</exception>
    ValueTask<string?> TryGetRefStoreEpochAsync(CancellationToken cancellationToken = default);

    /// <summary>Remembers <paramref name="epoch"/> as the marker of the ref store the heads are seen in (replacing an older one).</summary>
    /// <exception cref="BackendUnavailableException">The cache itself cannot be written.</exception>
    ValueTask RememberRefStoreEpochAsync(string epoch, CancellationToken cancellationToken = default);
}
