namespace VersionStore;

/// <summary>
/// Every ref of a <see cref="Repository"/> (<see cref="Repository.Refs"/>): branches, tags and release channels, in
/// the manner of libgit2sharp's <c>repo.Refs</c>. Every change is a compare-and-swap with an audit entry.
/// </summary>
public sealed class RefCollection : IAsyncEnumerable<RefInfo>
{
    private readonly Repository _repository;

    internal RefCollection(Repository repository) => _repository = repository;

    /// <summary>The ref <paramref name="name"/>, or null when it does not exist (or was deleted).</summary>
    public ValueTask<RefInfo?> TryGetAsync(RefName name, CancellationToken cancellationToken = default)
        => _repository.TryGetRefAsync(name, cancellationToken);

    /// <summary>The refs of one kind, in ordinal order of full name.</summary>
    public IAsyncEnumerable<RefInfo> OfKindAsync(RefKind kind, CancellationToken cancellationToken = default)
        => _repository.ListRefsAsync(kind, cancellationToken);

    /// <summary>Compare-and-swap of a ref with its audit entry (same as <see cref="Repository.UpdateRefAsync(RefName, ObjectId?, ObjectId?, string, string, string?, IReadOnlyList{Trailer}?, CancellationToken)"/>).</summary>
    /// <exception cref="RefConflictException">The ref is not at <paramref name="expected"/>.</exception>
    public Task<AuditEntry> UpdateAsync(RefName name, ObjectId? target, ObjectId? expected, string operation, string actor, string? reason = null,
        CancellationToken cancellationToken = default)
        => _repository.UpdateRefAsync(name, target, expected, operation, actor, reason, details: null, cancellationToken);

    /// <summary>Deletes a ref; the audit log keeps the way back (same as <see cref="Repository.DeleteRefAsync"/>).</summary>
    public Task RemoveAsync(RefName name, string actor = "unknown", string? reason = null, CancellationToken cancellationToken = default)
        => _repository.DeleteRefAsync(name, actor, reason, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerator<RefInfo> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => _repository.ListRefsAsync(null, cancellationToken).GetAsyncEnumerator(cancellationToken);
}
