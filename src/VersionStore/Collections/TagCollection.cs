namespace VersionStore;

/// <summary>
/// The tags of a <see cref="Repository"/> (<see cref="Repository.Tags"/>), in the manner of libgit2sharp's
/// <c>repo.Tags</c>. A tag is immutable unless moved with <c>force</c>, which the audit log records.
/// </summary>
public sealed class TagCollection : IAsyncEnumerable<RefInfo>
{
    private readonly Repository _repository;

    internal TagCollection(Repository repository) => _repository = repository;

    /// <summary>The tag <paramref name="name"/> (e.g. <c>v1.4.0</c>), or null when it does not exist.</summary>
    /// <exception cref="InvalidNameException">The name is invalid.</exception>
    public ValueTask<RefInfo?> TryGetAsync(string name, CancellationToken cancellationToken = default)
        => _repository.TryGetRefAsync(RefName.Tag(name), cancellationToken);

    /// <summary>Creates (or, with <paramref name="force"/>, moves) tag <paramref name="name"/> (same as <see cref="Repository.CreateTagAsync"/>).</summary>
    /// <exception cref="NameConflictException">The tag exists at another commit and <paramref name="force"/> is false.</exception>
    public Task<RefInfo> AddAsync(string name, string revision, bool force = false, string actor = "unknown", string? message = null, CancellationToken cancellationToken = default)
        => _repository.CreateTagAsync(name, revision, force, actor, message, cancellationToken);

    /// <summary>Deletes tag <paramref name="name"/> (same as <see cref="Repository.DeleteRefAsync"/>).</summary>
    public Task RemoveAsync(string name, string actor = "unknown", string? reason = null, CancellationToken cancellationToken = default)
        => _repository.DeleteRefAsync(RefName.Tag(name), actor, reason, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerator<RefInfo> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        => _repository.ListRefsAsync(RefKind.Tag, cancellationToken).GetAsyncEnumerator(cancellationToken);
}
