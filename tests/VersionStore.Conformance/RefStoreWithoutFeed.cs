namespace VersionStore.Conformance;

/// <summary>Wraps a ref store and hides its change feed (<see cref="IRefChangeFeed"/>): a backend without one, for watch and decorator tests.</summary>
public sealed class RefStoreWithoutFeed(IRefStore inner) : IRefStore
{
    /// <inheritdoc />
    public ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default) => inner.TryGetRefAsync(repository, name, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, CancellationToken cancellationToken = default) => inner.ListRefsAsync(repository, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default) => inner.TryUpdateRefAsync(update, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default)
        => inner.ReadAuditAsync(repository, name, beforeSequence, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default) => inner.ListRepositoriesAsync(cancellationToken);
}
