namespace VersionStore.Releases;

/// <summary>The version a ref tells an application to run.</summary>
/// <param name="Ref">The ref read.</param>
/// <param name="Version">The commit to run.</param>
/// <param name="Subject">Its subject line, when its commit could be read.</param>
/// <param name="Stale">True when the ref store could not answer (or lost its state) and this is the last version seen (it may have changed since).</param>
/// <param name="SeenAt">When the version was read from the ref store.</param>
/// <param name="Problem">Why the answer is stale, when it is.</param>
public sealed record ServedVersion(RefName Ref, ObjectId Version, string? Subject, bool Stale, DateTimeOffset SeenAt, string? Problem);

/// <summary>
/// Fail-static reads of channels and branches (docs/OPERATIONS.md, fail-static reads) through the core's one head
/// cache (<see cref="IHeadCache"/>): in distributed mode the store's <see cref="FailStaticRefStore"/> reads the ref and
/// remembers it in the local store's head cache, and when Redis is unreachable (or lost its state) serves the remembered
/// state marked stale — the same mechanism as branch reads, the CLI and <see cref="LiveChannel"/>. Over any other store
/// this reader remembers each ref it reads in its own head cache and serves from it when the ref store fails.
/// Writes never go through here: they never pretend to succeed.
/// </summary>
public sealed class ChannelReader
{
    private readonly RepositoryStore _store;
    private readonly IHeadCache _heads;
    private readonly FailStaticRefStore? _failStatic;
    private readonly TimeProvider _clock;

    /// <summary>Creates a reader over <paramref name="store"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="heads">
    /// Where heads are remembered. Null: the head cache of the store's <see cref="FailStaticRefStore"/> (distributed mode
    /// with a local store: survives restarts), else one in process memory (survives an outage, not a restart).
    /// </param>
    /// <param name="timeProvider">The clock; the store's when null.</param>
    public ChannelReader(RepositoryStore store, IHeadCache? heads = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        var failStatic = store.Refs as FailStaticRefStore;
        _heads = heads ?? failStatic?.Heads ?? new InMemoryHeadCache();
        _failStatic = failStatic is not null && ReferenceEquals(failStatic.Heads, _heads) ? failStatic : null;
        _clock = timeProvider ?? store.Options.TimeProvider;
    }

    /// <summary>The head cache it serves stale versions from.</summary>
    public IHeadCache Heads => _heads;

    /// <summary>The version <paramref name="name"/> of <paramref name="repository"/> serves, or null when the ref does not exist (or was deleted).</summary>
    /// <exception cref="BackendUnavailableException">The ref store failed and no version of the ref was remembered.</exception>
    public async Task<ServedVersion?> GetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        var read = _failStatic is not null
            ? await _failStatic.TryGetRefWithFreshnessAsync(repository, name, cancellationToken).ConfigureAwait(false)
            : await ReadAsync(repository, name, cancellationToken).ConfigureAwait(false);
        if (read?.State.Target is not { } version) return null;
        return new ServedVersion(name, version, await SubjectAsync(repository, version, cancellationToken).ConfigureAwait(false), read.IsStale, read.SeenAt, read.Cause?.Message);
    }

    /// <summary>A ref store without a fail-static wrapper: read, remember, and serve the remembered state when it fails.</summary>
    private async Task<RefReadResult?> ReadAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken)
    {
        RefState? state;
        try
        {
            state = await _store.Refs.TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBackendFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            var cause = e as BackendUnavailableException ?? new BackendUnavailableException("The ref store", $"reading {name} of '{repository.Value}' failed: {e.Message}", e);
            var seen = await _heads.TryGetAsync(repository, name, cancellationToken).ConfigureAwait(false);
            return seen is null ? throw cause : new RefReadResult(seen.State, IsStale: true, seen.SeenAt, cause);
        }
        if (state is null) return null;
        var now = _clock.GetUtcNow();
        try
        {
            await _heads.RememberAsync(repository, name, state, now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BackendUnavailableException or IOException or UnauthorizedAccessException)
        {
            // Best effort: a full disk must not fail a read that succeeded.
        }
        return new RefReadResult(state, IsStale: false, now);
    }

    /// <summary>The commit's subject, or null when no reachable tier has the commit (the version is still the answer).</summary>
    private async Task<string?> SubjectAsync(RepositoryName repository, ObjectId version, CancellationToken cancellationToken)
    {
        try
        {
            return (await _store.GetRepository(repository).TryGetCommitAsync(version, cancellationToken).ConfigureAwait(false))?.Subject;
        }
        catch (Exception e) when (IsBackendFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static bool IsBackendFailure(Exception e)
        => e is BackendUnavailableException or IOException or TimeoutException or ObjectNotFoundException or CorruptObjectException;
}
