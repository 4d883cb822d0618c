namespace VersionStore;

/// <summary>
/// Storage of refs and their audit log. The one write operation is a compare-and-swap that stores the new
/// ref state and appends its audit entry atomically: both or neither (design invariant 3).
/// </summary>
public interface IRefStore
{
    /// <summary>The current state of a ref (including a deletion tombstone), or null when it never existed.</summary>
    ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default);

    /// <summary>Every ref of a repository with its state (tombstones included), in ordinal order of full name.</summary>
    IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compare-and-swap: when the ref's current state equals <see cref="RefUpdate.Expected"/> (null: never existed),
    /// store <see cref="RefUpdate.NewState"/> and append <see cref="RefUpdate.Entry"/>, atomically. Returns false,
    /// changing nothing, when the current state differs.
    /// </summary>
    ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default);

    /// <summary>The audit entries of one ref, newest first, starting below <paramref name="beforeSequence"/> when given.</summary>
    IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default);

    /// <summary>The repositories that have at least one ref.</summary>
    IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default);
}
