namespace VersionStore.Releases;

/// <summary>The version a ref tells an application to run.</summary>
/// <param name="Ref">The ref read.</param>
/// <param name="Version">The commit to run.</param>
/// <param name="Subject">Its subject line, when known.</param>
/// <param name="Stale">True when the stores could not be reached and this is the last version seen (it may have changed since).</param>
/// <param name="SeenAt">When the version was read from the store.</param>
/// <param name="Problem">Why the answer is stale, when it is.</param>
public sealed record ServedVersion(RefName Ref, ObjectId Version, string? Subject, bool Stale, DateTimeOffset SeenAt, string? Problem);

/// <summary>
/// Fail-static reads of channels and branches (docs/OPERATIONS.md, fail-static reads): reads the ref and its commit from the store, remembers
/// them in an <see cref="ILastSeenCache"/>, and when a backend fails (<see cref="BackendUnavailableException"/>, I/O
/// errors, timeouts) serves the last version seen, marked <see cref="ServedVersion.Stale"/>, instead of failing.
/// Writes never go through here: they never pretend to succeed.
/// </summary>
public sealed class ChannelReader
{
    private readonly RepositoryStore _store;
    private readonly ILastSeenCache _cache;
    private readonly TimeProvider _clock;

    /// <summary>Creates a reader over <paramref name="store"/> remembering heads in <paramref name="cache"/>.</summary>
    public ChannelReader(RepositoryStore store, ILastSeenCache cache, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cache);
        _store = store;
        _cache = cache;
        _clock = timeProvider ?? store.Options.TimeProvider;
    }

    /// <summary>The version <paramref name="name"/> of <paramref name="repository"/> serves, or null when the ref does not exist.</summary>
    /// <exception cref="BackendUnavailableException">The store failed and nothing was seen before.</exception>
    public async Task<ServedVersion?> GetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        var repo = _store.GetRepository(repository);
        try
        {
            var info = await repo.TryGetRefAsync(name, cancellationToken).ConfigureAwait(false);
            if (info is null) return null;
            var commit = await repo.GetCommitAsync(info.Target, cancellationToken).ConfigureAwait(false);
            var now = _clock.GetUtcNow();
            try
            {
                await _cache.SetAsync(new LastSeenVersion(repository.Value, name.FullName, info.Target, now, commit.Subject), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a full disk must not fail a read that succeeded.
            }
            return new ServedVersion(name, info.Target, commit.Subject, false, now, null);
        }
        catch (Exception e) when (IsBackendFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            var seen = await _cache.TryGetAsync(repository, name, cancellationToken).ConfigureAwait(false);
            if (seen is null)
                throw e as BackendUnavailableException ?? new BackendUnavailableException("store", $"cannot read {name} of '{repository.Value}' and no version was seen before: {e.Message}", e);
            return new ServedVersion(name, seen.Version, seen.Subject, true, seen.SeenAt, e.Message);
        }
    }

    private static bool IsBackendFailure(Exception e)
        => e is BackendUnavailableException or IOException or TimeoutException or ObjectNotFoundException or CorruptObjectException;
}
