namespace VersionStore;

/// <summary>
/// The branches of a <see cref="Repository"/> (<see cref="Repository.Branches"/>), in the manner of libgit2sharp's
/// <c>repo.Branches</c>. Enumerating lists live branches in ordinal order of name; each method forwards to the
/// repository's flat verb of the same meaning.
/// </summary>
public sealed class BranchCollection : IAsyncEnumerable<RefInfo>
{
    private readonly Repository _repository;

    internal BranchCollection(Repository repository) => _repository = repository;

    /// <summary>The branch <paramref name="name"/> (short name, e.g. <c>main</c>), or null when it does not exist.</summary>
    /// <exception cref="InvalidNameException">The name is invalid.</exception>
    public ValueTask<RefInfo?> TryGetAsync(string name, CancellationToken cancellationToken = default)
        => _repository.TryGetRefAsync(RefName.Branch(name), cancellationToken);

    /// <summary>Creates branch <paramref name="name"/> at <paramref name="revision"/> (same as <see cref="Repository.CreateBranchAsync"/>).</summary>
    /// <exception cref="NameConflictException">The branch exists.</exception>
    public Task<RefInfo> AddAsync(string name, string revision, string actor = "unknown", CancellationToken cancellationToken = default)
        => _repository.CreateBranchAsync(name, revision, actor, cancellationToken);

    /// <summary>Deletes branch <paramref name="name"/>; the audit log keeps the way back (same as <see cref="Repository.DeleteRefAsync"/>).</summary>
    public Task RemoveAsync(string name, string actor = "unknown", string? reason = null, CancellationToken cancellationToken = default)
        => _repository.DeleteRefAsync(RefName.Branch(name), actor, reason, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerator<RefInfo> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => _repository.ListRefsAsync(RefKind.Branch, cancellationToken).GetAsyncEnumerator(cancellationToken);
}
