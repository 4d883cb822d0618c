namespace VersionStore;

/// <summary>
/// The commits of a <see cref="Repository"/> (<see cref="Repository.Commits"/>), queried in the manner of
/// libgit2sharp's <c>repo.Commits.QueryBy(filter)</c>: <see cref="LogOptions.IncludeReachableFrom"/>,
/// <see cref="LogOptions.ExcludeReachableFrom"/>, <see cref="LogOptions.FirstParentOnly"/>, order and count.
/// </summary>
public sealed class CommitCollection
{
    private readonly Repository _repository;

    internal CommitCollection(Repository repository) => _repository = repository;

    /// <summary>Commits selected by <paramref name="filter"/> (same as <see cref="Repository.LogAsync(LogOptions, CancellationToken)"/>).</summary>
    /// <example><code>
    /// await foreach (var c in repo.Commits.QueryAsync(new LogOptions { IncludeReachableFrom = ["main"], ExcludeReachableFrom = ["v1.4.0"] }))
    ///     Console.WriteLine(c.Subject);
    /// </code></example>
    public IAsyncEnumerable<Commit> QueryAsync(LogOptions filter, CancellationToken cancellationToken = default)
        => _repository.LogAsync(filter, cancellationToken);

    /// <summary>The commit a revision names (<c>main</c>, <c>v1.4.0</c>, <c>main~2</c>, an abbreviated id, …).</summary>
    /// <exception cref="RevisionNotFoundException">Nothing matches.</exception>
    public async ValueTask<Commit> GetAsync(string revision, CancellationToken cancellationToken = default)
        => await _repository.GetCommitAsync(await _repository.ResolveAsync(revision, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>The commit <paramref name="id"/>, or null when it is not stored.</summary>
    public ValueTask<Commit?> TryGetAsync(ObjectId id, CancellationToken cancellationToken = default)
        => _repository.TryGetCommitAsync(id, cancellationToken);
}
