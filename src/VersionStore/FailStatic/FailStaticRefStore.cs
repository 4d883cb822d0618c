using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VersionStore;

/// <summary>
/// Fail-static reads (docs/OPERATIONS.md, fail-static reads): an <see cref="IRefStore"/> over the authoritative ref store (Redis) that remembers
/// every ref state it sees in an <see cref="IHeadCache"/> (the local RocksDB in distributed mode) and, when the
/// authoritative store is unreachable, serves the remembered state instead of failing — so an application can still
/// load the version it should run.
/// <para>
/// How "stale" is surfaced: <see cref="TryGetRefWithFreshnessAsync"/> returns a <see cref="RefReadResult"/> with
/// <see cref="RefReadResult.IsStale"/>; plain <see cref="TryGetRefAsync"/> (what <c>Repository</c> calls) serves the
/// remembered state too, and every such read raises <see cref="StaleRead"/>, counts
/// <c>vstore.failstatic.stale_reads</c> (on the core Meter, <see cref="VersionStoreDiagnostics.Name"/>) and logs a warning. With
/// <see cref="ServeStaleThroughRefStore"/> off, plain reads throw and only the explicit method serves stale state.
/// </para>
/// Writes (<see cref="TryUpdateRefAsync"/>), listings and audit reads always go to the authoritative store and throw
/// <see cref="BackendUnavailableException"/> when it is down: a write never pretends to succeed.
/// </summary>
public sealed class FailStaticRefStore : IRefStore, IRefChangeFeed
{
    private static readonly Counter<long> StaleReads = VersionStoreDiagnostics.Meter.CreateCounter<long>("vstore.failstatic.stale_reads", "{read}", "Ref reads served from the remembered head because the ref store was unreachable.");

    private readonly IRefStore _primary;
    private readonly IHeadCache _heads;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(RepositoryName, RefName), RefState> _lastRemembered = new();
    private long _staleReads;

    /// <summary>Creates the wrapper.</summary>
    /// <param name="primary">The authoritative ref store (Redis).</param>
    /// <param name="heads">Where remembered heads are kept (the local RocksDB in distributed mode).</param>
    /// <param name="timeProvider">Clock of "seen at" (default system).</param>
    /// <param name="loggerFactory">Logging.</param>
    public FailStaticRefStore(IRefStore primary, IHeadCache heads, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(heads);
        _primary = primary;
        _heads = heads;
        _time = timeProvider ?? SystemClock.Default;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("VersionStore.FailStatic");
    }

    /// <summary>Serve remembered states through <see cref="TryGetRefAsync"/> when the primary is down.</summary>
    /// <value><c>true</c>.</value>
    public bool ServeStaleThroughRefStore { get; init; } = true;

    /// <summary>Raised for each read that served a remembered state.</summary>
    public event EventHandler<StaleRefReadEventArgs>? StaleRead;

    /// <summary>Reads served stale since creation.</summary>
    public long StaleReadCount => Interlocked.Read(ref _staleReads);

    /// <summary>The authoritative store.</summary>
    public IRefStore Primary => _primary;

    /// <summary>The head cache it fills and serves from.</summary>
    public IHeadCache Heads => _heads;

    /// <summary>
    /// Reads a ref from the authoritative store (remembering it), or — when that store is unreachable — the state
    /// last seen on this machine, marked stale. Null when the ref does not exist (fresh) or nothing was remembered.
    /// </summary>
    /// <exception cref="BackendUnavailableException">The store is unreachable and no state of this ref was remembered.</exception>
    public async ValueTask<RefReadResult?> TryGetRefWithFreshnessAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        RefState? state;
        try
        {
            state = await _primary.TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false);
        }
        catch (BackendUnavailableException e)
        {
            var remembered = await _heads.TryGetAsync(repository, name, cancellationToken).ConfigureAwait(false);
            if (remembered is null) throw;
            return ServedStale(repository, name, remembered, e);
        }
        if (state is null) return null;
        var now = _time.GetUtcNow();
        await RememberAsync(repository, name, state, now, cancellationToken).ConfigureAwait(false);
        return new RefReadResult(state, IsStale: false, now);
    }

    /// <inheritdoc />
    public async ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        if (!ServeStaleThroughRefStore)
        {
            var state = await _primary.TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false);
            if (state is not null) await RememberAsync(repository, name, state, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return state;
        }
        return (await TryGetRefWithFreshnessAsync(repository, name, cancellationToken).ConfigureAwait(false))?.State;
    }

    private RefReadResult ServedStale(RepositoryName repository, RefName name, RememberedHead remembered, BackendUnavailableException cause)
    {
        var result = new RefReadResult(remembered.State, IsStale: true, remembered.SeenAt);
        Interlocked.Increment(ref _staleReads);
        StaleReads.Add(1);
        _logger.LogWarning("Ref store unavailable ({Reason}); serving the remembered head {Head} of {Ref} in '{Repository}' seen at {SeenAt:O} (possibly stale)",
            cause.Message, remembered.State.Target?.ToString(12) ?? "(deleted)", name.FullName, repository.Value, remembered.SeenAt);
        StaleRead?.Invoke(this, new StaleRefReadEventArgs(repository, name, result, cause));
        return result;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Listed refs are remembered. When the authoritative store is unreachable, the refs remembered for the repository
    /// are listed instead (each raising <see cref="StaleRead"/>); with none remembered the failure propagates.
    /// </remarks>
    public async IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var listed = new List<(RefName Name, RefState State)>();
        BackendUnavailableException? failure = null;
        try
        {
            // Buffered (a repository has few refs), so a failure mid-way falls back to the remembered list as a whole.
            await foreach (var r in _primary.ListRefsAsync(repository, cancellationToken).ConfigureAwait(false)) listed.Add(r);
        }
        catch (BackendUnavailableException e) when (ServeStaleThroughRefStore)
        {
            failure = e;
        }
        if (failure is null)
        {
            var now = _time.GetUtcNow();
            foreach (var (name, state) in listed)
            {
                await RememberAsync(repository, name, state, now, cancellationToken).ConfigureAwait(false);
                yield return (name, state);
            }
            yield break;
        }
        var remembered = new List<(RefName Name, RememberedHead Head)>();
        await foreach (var r in _heads.ListAsync(repository, cancellationToken).ConfigureAwait(false)) remembered.Add(r);
        if (remembered.Count == 0) throw failure;
        foreach (var (name, head) in remembered) yield return (name, ServedStale(repository, name, head, failure).State);
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var applied = await _primary.TryUpdateRefAsync(update, cancellationToken).ConfigureAwait(false);
        if (applied) await RememberAsync(update.Repository, update.Ref, update.NewState, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default)
        => _primary.ReadAuditAsync(repository, name, beforeSequence, cancellationToken);

    /// <inheritdoc />
    /// <remarks>When the authoritative store is unreachable, the repositories with remembered refs are listed instead.</remarks>
    public async IAsyncEnumerable<RepositoryName> ListRepositoriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var listed = new List<RepositoryName>();
        BackendUnavailableException? failure = null;
        try
        {
            await foreach (var r in _primary.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false)) listed.Add(r);
        }
        catch (BackendUnavailableException e) when (ServeStaleThroughRefStore)
        {
            failure = e;
        }
        if (failure is not null)
        {
            await foreach (var r in _heads.ListRememberedRepositoriesAsync(cancellationToken).ConfigureAwait(false)) listed.Add(r);
            if (listed.Count == 0) throw failure;
        }
        foreach (var r in listed) yield return r;
    }

    /// <inheritdoc />
    /// <remarks>Forwards to the authoritative store's feed; without one, <see cref="NotSupportedException"/> (watches then poll).</remarks>
    public ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default)
        => _primary is IRefChangeFeed feed ? feed.SubscribeAsync(repository, listener, cancellationToken)
            : throw new NotSupportedException("the authoritative ref store has no change feed");

    private async ValueTask RememberAsync(RepositoryName repository, RefName name, RefState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One local write per change, not per read.
        if (_lastRemembered.TryGetValue((repository, name), out var last) && last == state) return;
        try
        {
            await _heads.RememberAsync(repository, name, state, now, cancellationToken).ConfigureAwait(false);
            _lastRemembered[(repository, name)] = state;
        }
        catch (Exception e) when (e is BackendUnavailableException or IOException)
        {
            _logger.LogWarning("Could not remember the head of {Ref} in '{Repository}' locally: {Reason}", name.FullName, repository.Value, e.Message);
        }
    }
}
