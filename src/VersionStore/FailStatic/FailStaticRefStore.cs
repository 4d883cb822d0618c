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
/// <para>
/// Lost state (docs/OPERATIONS.md, "Ref store lost its state"): a store that answers but has forgotten what this machine
/// saw — its marker (<see cref="IRefStoreEpoch"/>) missing or different, or a remembered ref missing or at an older
/// audit sequence — is not taken at its word: reads of those refs serve the remembered state, marked stale as above
/// (the cause is a <see cref="RefStoreStateLostException"/>), and writes throw <see cref="RefStoreStateLostException"/>
/// until <see cref="RepositoryStore.RestoreHeadsAsync"/> re-publishes the remembered heads. A fresh head cache (nothing
/// remembered) adopts the store as it finds it, writing the marker on its first write when there is none.
/// </para>
/// </summary>
public sealed class FailStaticRefStore : IRefStore, IRefChangeFeed
{
    /// <summary>Audit operation of an entry that re-published a remembered head (<see cref="RepositoryStore.RestoreHeadsAsync"/>).</summary>
    public const string RestoreOperation = "restore";

    private static readonly Counter<long> StaleReads = VersionStoreDiagnostics.Meter.CreateCounter<long>("vstore.failstatic.stale_reads", "{read}", "Ref reads served from the remembered head because the ref store was unreachable.");

    private readonly IRefStore _primary;
    private readonly IHeadCache _heads;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(RepositoryName, RefName), RefState> _lastRemembered = new();
    private readonly ConcurrentDictionary<(RepositoryName, RefName), string> _lostRefs = new();
    private string? _rememberedEpoch;
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
            var seen = await _heads.TryGetAsync(repository, name, cancellationToken).ConfigureAwait(false);
            if (seen is null) throw;
            return ServedStale(repository, name, seen, e);
        }
        var remembered = await RememberedAsync(repository, name, cancellationToken).ConfigureAwait(false);
        if (remembered is not null && IsLost(state, remembered))
        {
            // Confirm before crying wolf: a healthy store never goes back, so a read issued after the remembered state
            // was seen (and re-read) shows at least that state — unless the store lost it.
            remembered = await RememberedAsync(repository, name, cancellationToken).ConfigureAwait(false);
            state = await _primary.TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false);
            if (remembered is not null && IsLost(state, remembered))
            {
                var lost = RefLost(repository, name, state, remembered);
                var head = await _heads.TryGetAsync(repository, name, cancellationToken).ConfigureAwait(false) ?? new RememberedHead(remembered, _time.GetUtcNow());
                return ServedStale(repository, name, head, lost);
            }
        }
        _lostRefs.TryRemove((repository, name), out _);
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
            var remembered = await RememberedAsync(repository, name, cancellationToken).ConfigureAwait(false);
            if (remembered is not null && IsLost(state, remembered)) return state; // not remembered: a write still sees the loss
            if (state is not null) await RememberAsync(repository, name, state, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return state;
        }
        return (await TryGetRefWithFreshnessAsync(repository, name, cancellationToken).ConfigureAwait(false))?.State;
    }

    private RefReadResult ServedStale(RepositoryName repository, RefName name, RememberedHead remembered, BackendUnavailableException cause)
    {
        var result = new RefReadResult(remembered.State, IsStale: true, remembered.SeenAt, cause);
        Interlocked.Increment(ref _staleReads);
        StaleReads.Add(1);
        _logger.LogWarning("Ref store could not answer ({Reason}); serving the remembered head {Head} of {Ref} in '{Repository}' seen at {SeenAt:O} (possibly stale)",
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
            var lost = await LostRefsAsync(repository, listed, cancellationToken).ConfigureAwait(false);
            if (lost.Count > 0)
            {
                // Confirm as for a single ref: what is remembered was re-read, now list again.
                listed.Clear();
                await foreach (var r in _primary.ListRefsAsync(repository, cancellationToken).ConfigureAwait(false)) listed.Add(r);
                lost = await LostRefsAsync(repository, listed, cancellationToken).ConfigureAwait(false);
            }
            var now = _time.GetUtcNow();
            var current = listed.ToDictionary(l => l.Name, l => l.State);
            var merged = new SortedDictionary<string, (RefName Name, RefState State, RememberedHead? Stale)>(StringComparer.Ordinal);
            foreach (var (name, state) in listed) merged[name.FullName] = (name, state, null);
            foreach (var (name, head) in lost) merged[name.FullName] = (name, head.State, head);
            foreach (var (name, state, stale) in merged.Values)
            {
                if (stale is not null)
                {
                    yield return (name, ServedStale(repository, name, stale, RefLost(repository, name, current.GetValueOrDefault(name), stale.State)).State);
                    continue;
                }
                _lostRefs.TryRemove((repository, name), out _);
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

    /// <summary>The remembered refs of <paramref name="repository"/> that <paramref name="listed"/> (the authoritative list) lacks or holds at an older state.</summary>
    private async Task<List<(RefName Name, RememberedHead Head)>> LostRefsAsync(RepositoryName repository, List<(RefName Name, RefState State)> listed, CancellationToken cancellationToken)
    {
        var lost = new List<(RefName Name, RememberedHead Head)>();
        Dictionary<RefName, RefState>? byName = null;
        try
        {
            await foreach (var (name, head) in _heads.ListAsync(repository, cancellationToken).ConfigureAwait(false))
            {
                byName ??= listed.ToDictionary(l => l.Name, l => l.State);
                if (IsLost(byName.GetValueOrDefault(name), head.State)) lost.Add((name, head));
            }
        }
        catch (Exception e) when (e is BackendUnavailableException or IOException or CorruptObjectException)
        {
            _logger.LogWarning("Could not read the remembered heads of '{Repository}': {Reason}", repository.Value, e.Message);
        }
        return lost;
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        await EnsureStateKeptAsync(update, cancellationToken).ConfigureAwait(false);
        var applied = await _primary.TryUpdateRefAsync(update, cancellationToken).ConfigureAwait(false);
        if (applied)
        {
            _lostRefs.TryRemove((update.Repository, update.Ref), out _);
            await RememberAsync(update.Repository, update.Ref, update.NewState, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        return applied;
    }

    /// <summary>
    /// Throws <see cref="RefStoreStateLostException"/> when the authoritative store lost what this machine saw: the ref
    /// (known lost from a read, or expected absent/older than remembered and confirmed so by a read), or the store's marker.
    /// </summary>
    private async ValueTask EnsureStateKeptAsync(RefUpdate update, CancellationToken cancellationToken)
    {
        var (repository, name) = (update.Repository, update.Ref);
        if (_lostRefs.TryGetValue((repository, name), out var problem))
            throw new RefStoreStateLostException(Backend, problem, repository.Value, name.FullName);
        var remembered = await RememberedAsync(repository, name, cancellationToken).ConfigureAwait(false);
        if (remembered is not null && IsLost(update.Expected, remembered))
        {
            // Usually a lost race with this process's own newer write; only a store that lost the ref confirms it.
            var current = await _primary.TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false);
            if (IsLost(current, remembered)) throw RefLost(repository, name, current, remembered);
        }
        try
        {
            await EnsureEpochAsync(repository, name, cancellationToken).ConfigureAwait(false);
        }
        catch (BackendUnavailableException e) when (e is not RefStoreStateLostException)
        {
            // The marker is the store's, not the repository's: say which write failed.
            var prefix = e.Backend + " is unavailable: ";
            var reason = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
            throw new BackendUnavailableException(e.Backend, $"writing {name} of '{repository}' refused: {reason}", e) { Repository = repository.Value, Ref = name.FullName };
        }
    }

    /// <summary>
    /// Compares the store's marker with the remembered one; with none remembered, adopts the store's (writing one when
    /// the store has none: the store is being initialised).
    /// </summary>
    private async ValueTask EnsureEpochAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken)
    {
        if (_primary is not IRefStoreEpoch epochs) return;
        var remembered = await RememberedEpochAsync(cancellationToken).ConfigureAwait(false);
        if (remembered is null)
        {
            await AdoptEpochAsync(await epochs.EnsureEpochAsync(NewEpoch(), cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return;
        }
        var current = await epochs.TryGetEpochAsync(cancellationToken).ConfigureAwait(false);
        if (current == remembered) return;
        var problem = current is null
            ? $"it holds no store marker, though this machine saw marker {remembered} there"
            : $"it holds store marker {current}, not {remembered} that this machine saw there (it was re-initialised)";
        _logger.LogError("{Backend} lost its state: {Problem}; refusing to write {Ref} of '{Repository}'", Backend, problem, name.FullName, repository.Value);
        throw new RefStoreStateLostException(Backend, problem, repository.Value, name.FullName);
    }

    private async ValueTask<string?> RememberedEpochAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _rememberedEpoch) is { } known) return known;
        try
        {
            var epoch = await _heads.TryGetRefStoreEpochAsync(cancellationToken).ConfigureAwait(false);
            if (epoch is not null) Volatile.Write(ref _rememberedEpoch, epoch);
            return epoch;
        }
        catch (Exception e) when (e is BackendUnavailableException or IOException or CorruptObjectException)
        {
            _logger.LogWarning("Could not read the remembered ref store marker: {Reason}", e.Message);
            return null;
        }
    }

    private async ValueTask AdoptEpochAsync(string epoch, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _rememberedEpoch) == epoch) return;
        try
        {
            await _heads.RememberRefStoreEpochAsync(epoch, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _rememberedEpoch, epoch);
        }
        catch (Exception e) when (e is BackendUnavailableException or IOException)
        {
            _logger.LogWarning("Could not remember the ref store marker locally: {Reason}", e.Message);
        }
    }

    /// <summary>A new marker: creation time (for people) and 128 random bits.</summary>
    private string NewEpoch() => $"{_time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}";

    private string Backend => (_primary as IRefStoreEpoch)?.BackendName ?? "The ref store";

    /// <summary>
    /// True when <paramref name="current"/> (the authoritative state) has lost <paramref name="remembered"/>: the ref is
    /// gone, at an older audit sequence, or at the same sequence with another history. Sequences only grow in a store that
    /// keeps its state (a deleted ref keeps a tombstone).
    /// </summary>
    private static bool IsLost(RefState? current, RefState remembered)
        => current is null || current.Sequence < remembered.Sequence || (current.Sequence == remembered.Sequence && current.AuditHash != remembered.AuditHash);

    private RefStoreStateLostException RefLost(RepositoryName repository, RefName name, RefState? current, RefState remembered)
    {
        var seen = $"{remembered.Target?.ToString(12) ?? "(deleted)"} (audit sequence {remembered.Sequence})";
        var problem = current is null
            ? $"ref {name} is missing there, though this machine saw it at {seen}"
            : $"ref {name} is at audit sequence {current.Sequence} there, though this machine saw it at {seen}";
        if (_lostRefs.TryAdd((repository, name), problem))
            _logger.LogError("{Backend} lost its state: {Problem} in '{Repository}'; serving the remembered head and refusing writes until the heads are restored",
                Backend, problem, repository.Value);
        else _lostRefs[(repository, name)] = problem;
        return new RefStoreStateLostException(Backend, problem, repository.Value, name.FullName);
    }

    /// <summary>The state remembered for the ref (from memory, else from the head cache), or null.</summary>
    private async ValueTask<RefState?> RememberedAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken)
    {
        if (_lastRemembered.TryGetValue((repository, name), out var known)) return known;
        try
        {
            var head = await _heads.TryGetAsync(repository, name, cancellationToken).ConfigureAwait(false);
            if (head is null) return null;
            return _lastRemembered.GetOrAdd((repository, name), head.State);
        }
        catch (Exception e) when (e is BackendUnavailableException or IOException or CorruptObjectException)
        {
            _logger.LogWarning("Could not read the remembered head of {Ref} in '{Repository}': {Reason}", name.FullName, repository.Value, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Re-publishes the remembered heads of <paramref name="repository"/> (null: of every repository remembered) that the
    /// authoritative store lacks — create-if-absent by compare-and-swap, each with a <see cref="RestoreOperation"/> audit
    /// entry that continues the remembered sequence — then writes the store marker again (or adopts the one found).
    /// A ref the store holds in another state is kept and the head cache adopts that state (the report names the
    /// remembered commit, still in the object store); a ref whose commit <paramref name="commitStored"/> denies is skipped.
    /// </summary>
    internal async Task<HeadRestoreReport> RestoreHeadsAsync(RepositoryName? repository, string actor, Func<ObjectId, CancellationToken, ValueTask<bool>> commitStored,
        CancellationToken cancellationToken)
    {
        var repositories = new List<RepositoryName>();
        if (repository is { } one) repositories.Add(one);
        else await foreach (var r in _heads.ListRememberedRepositoriesAsync(cancellationToken).ConfigureAwait(false)) repositories.Add(r);
        var results = new List<HeadRestoreResult>();
        foreach (var repo in repositories)
        {
            var remembered = new List<(RefName Name, RememberedHead Head)>();
            await foreach (var r in _heads.ListAsync(repo, cancellationToken).ConfigureAwait(false)) remembered.Add(r);
            foreach (var (name, head) in remembered)
                results.Add(await RestoreHeadAsync(repo, name, head, actor, commitStored, cancellationToken).ConfigureAwait(false));
        }
        string? epoch = null;
        var written = false;
        if (_primary is IRefStoreEpoch epochs)
        {
            written = await epochs.TryGetEpochAsync(cancellationToken).ConfigureAwait(false) is null;
            epoch = await epochs.EnsureEpochAsync(await RememberedEpochAsync(cancellationToken).ConfigureAwait(false) ?? NewEpoch(), cancellationToken).ConfigureAwait(false);
            await AdoptEpochAsync(epoch, cancellationToken).ConfigureAwait(false);
        }
        _logger.LogWarning("Restored remembered heads: {Restored} re-published, {Present} present, {Kept} kept as found, {Missing} with missing commits; store marker {Epoch}{Written}",
            results.Count(r => r.Outcome == HeadRestoreOutcome.Restored), results.Count(r => r.Outcome == HeadRestoreOutcome.Present),
            results.Count(r => r.Outcome == HeadRestoreOutcome.Kept), results.Count(r => r.Outcome == HeadRestoreOutcome.CommitMissing), epoch, written ? " (written)" : "");
        return new HeadRestoreReport(results, epoch, written);
    }

    private async Task<HeadRestoreResult> RestoreHeadAsync(RepositoryName repository, RefName name, RememberedHead head, string actor,
        Func<ObjectId, CancellationToken, ValueTask<bool>> commitStored, CancellationToken cancellationToken)
    {
        var remembered = head.State;
        var current = await _primary.TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            if (remembered.Target is { } target && !await commitStored(target, cancellationToken).ConfigureAwait(false))
                return new HeadRestoreResult(repository, name, head, HeadRestoreOutcome.CommitMissing, null);
            var now = _time.GetUtcNow();
            var entry = new AuditEntry(name, remembered.Sequence + 1, remembered.Target, remembered.Target, RestoreOperation, actor, now,
                $"the ref store had lost this ref; re-published the head this machine saw at {head.SeenAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}",
                remembered.AuditHash, [new Trailer("Remembered-Sequence", remembered.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            var update = new RefUpdate(repository, null, entry);
            if (await _primary.TryUpdateRefAsync(update, cancellationToken).ConfigureAwait(false))
            {
                await ReplaceRememberedAsync(repository, name, update.NewState, cancellationToken).ConfigureAwait(false);
                return new HeadRestoreResult(repository, name, head, HeadRestoreOutcome.Restored, update.NewState);
            }
            current = await _primary.TryGetRefAsync(repository, name, cancellationToken).ConfigureAwait(false); // created meanwhile
        }
        if (current is not null && !IsLost(current, remembered))
        {
            _lostRefs.TryRemove((repository, name), out _);
            return new HeadRestoreResult(repository, name, head, HeadRestoreOutcome.Present, current);
        }
        // Someone re-created or moved the ref since the loss: never overwritten. This machine takes the store's state from now on.
        if (current is not null) await ReplaceRememberedAsync(repository, name, current, cancellationToken).ConfigureAwait(false);
        return new HeadRestoreResult(repository, name, head, HeadRestoreOutcome.Kept, current);
    }

    private async ValueTask ReplaceRememberedAsync(RepositoryName repository, RefName name, RefState state, CancellationToken cancellationToken)
    {
        await _heads.RememberAsync(repository, name, state, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _lastRemembered[(repository, name)] = state;
        _lostRefs.TryRemove((repository, name), out _);
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
        // A ref store that keeps its state never forgets a repository: one remembered but not listed was lost (or the
        // store is down) and is listed too.
        var known = new HashSet<string>(listed.Select(r => r.Value), StringComparer.Ordinal);
        await foreach (var r in _heads.ListRememberedRepositoriesAsync(cancellationToken).ConfigureAwait(false))
            if (known.Add(r.Value)) listed.Add(r);
        if (failure is not null && listed.Count == 0) throw failure;
        foreach (var r in listed.OrderBy(r => r.Value, StringComparer.Ordinal)) yield return r;
    }

    /// <inheritdoc />
    /// <remarks>Forwards to the authoritative store's feed; without one, <see cref="NotSupportedException"/> (watches then poll).</remarks>
    public ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default)
        => _primary is IRefChangeFeed feed ? feed.SubscribeAsync(repository, listener, cancellationToken)
            : throw new NotSupportedException("the authoritative ref store has no change feed");

    private async ValueTask RememberAsync(RepositoryName repository, RefName name, RefState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One local write per change, not per read; never back to an older state (reads that finish out of order).
        if (_lastRemembered.TryGetValue((repository, name), out var last) && (last == state || last.Sequence > state.Sequence)) return;
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
