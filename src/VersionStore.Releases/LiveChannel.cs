using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace VersionStore.Releases;

/// <summary>
/// A live view of one release channel that an application holds for the lifetime of its process and asks "which
/// version do I run?" on every request: <see cref="Version"/>, <see cref="Resolve"/> and <see cref="Current"/> are one
/// volatile read of an immutable <see cref="LiveChannelSnapshot"/> — no I/O, no lock, no allocation. The snapshot is
/// replaced by push (<see cref="Repository.WatchAsync"/>: in process for the embedded store, Redis pub/sub in distributed
/// mode, reconciled after gaps, reconnects and failovers, plus a safety poll), after the new version's content has been
/// prefetched, so the first run after a rollback does not wait on a cold read.
/// </summary>
/// <remarks>
/// Started while the store is down, it serves the last head remembered in the head cache (<see cref="LiveChannelOptions.HeadCache"/>),
/// marked <see cref="LiveChannelSnapshot.IsStale"/> with its age, and switches to the store's state once it is reachable.
/// A stale start knows only the stable version (no canary). Changes are announced by <see cref="Changed"/> and
/// <see cref="ChangesAsync"/>. Thread-safe.
/// </remarks>
public sealed partial class LiveChannel : IAsyncDisposable
{
    private const int ContentCacheSize = 4;

    private readonly Repository _repository;
    private readonly ReleaseChannels _channels;
    private readonly RefName _ref;
    private readonly LiveChannelOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _readersLock = new();
    private readonly List<Channel<LiveChannelChange>> _readers = [];
    private readonly List<(ObjectId Id, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Content)> _contents = [];
    private LiveChannelSnapshot _current = null!;
    private Task _loop = Task.CompletedTask;
    private readonly IHeadCache? _heads;
    private (LiveChannelSnapshot Snapshot, RefState Ref)? _toRemember;

    private LiveChannel(Repository repository, string channel, LiveChannelOptions options)
    {
        _repository = repository;
        _channels = new ReleaseChannels(repository);
        _ref = ReleaseChannels.ChannelRef(channel);
        _options = options;
        _clock = options.TimeProvider ?? repository.Store.Options.TimeProvider;
        _heads = options.HeadCache ?? (repository.Store.Refs as FailStaticRefStore)?.Heads;
        _logger = options.LoggerFactory.CreateLogger("VersionStore.Releases.LiveChannel");
    }

    /// <summary>The repository (workflow) followed.</summary>
    public RepositoryName Repository => _repository.Name;

    /// <summary>The channel's short name.</summary>
    public string Channel => _ref.ShortName;

    /// <summary>What the channel serves now (one volatile read).</summary>
    public LiveChannelSnapshot Current => Volatile.Read(ref _current);

    /// <summary>The stable version the channel serves now (null: nothing published). The hot path: no I/O, no allocation.</summary>
    public ObjectId? Version => Volatile.Read(ref _current).Version;

    /// <summary>The version a caller with <paramref name="key"/> (user, tenant, session) runs now: the canary for its share of keys, else the stable version.</summary>
    public ObjectId? Resolve(ReadOnlySpan<char> key) => Volatile.Read(ref _current).State.Resolve(key);

    /// <summary>Raised after each change, on the watch's thread; handlers must be quick and must not throw.</summary>
    public event EventHandler<LiveChannelChange>? Changed;

    /// <summary>
    /// Starts following <paramref name="channel"/> of <paramref name="repository"/>: reads its state (or, when the store
    /// is down, the remembered head, marked stale), prefetches its content, then follows changes until disposed.
    /// </summary>
    /// <exception cref="BackendUnavailableException">The store is down and no head was remembered.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<LiveChannel> StartAsync(RepositoryStore store, string repository, string channel, LiveChannelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new LiveChannelOptions();
        options.Validate();
        var live = new LiveChannel(store.GetRepository(repository), channel, options);
        await live.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        return live;
    }

    /// <summary>
    /// Every change from now on (the newest is never dropped; a reader more than <see cref="LiveChannelOptions.StreamCapacity"/>
    /// changes behind loses the oldest pending ones), until <paramref name="cancellationToken"/> or disposal.
    /// </summary>
    public async IAsyncEnumerable<LiveChannelChange> ChangesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = System.Threading.Channels.Channel.CreateBounded<LiveChannelChange>(new BoundedChannelOptions(_options.StreamCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true,
        });
        lock (_readersLock) _readers.Add(reader);
        try
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            while (true)
            {
                LiveChannelChange change;
                try
                {
                    if (!await reader.Reader.WaitToReadAsync(both.Token).ConfigureAwait(false)) yield break;
                    if (!reader.Reader.TryRead(out change!)) continue;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                yield return change;
            }
        }
        finally
        {
            lock (_readersLock) _readers.Remove(reader);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (state, refState) = await _channels.ReadStateWithRefAsync(Channel, cancellationToken).ConfigureAwait(false);
            _current = await BuildAsync(state, cancellationToken).ConfigureAwait(false);
            if (refState is not null) await RememberAsync(_current, refState).ConfigureAwait(false);
        }
        catch (Exception e) when (IsBackendFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            var seen = _heads is null ? null : await _heads.TryGetAsync(Repository, _ref, cancellationToken).ConfigureAwait(false);
            if (seen?.State.Target is not { } version)
                throw e as BackendUnavailableException ?? new BackendUnavailableException("store", $"cannot read channel '{Channel}' of '{Repository.Value}' and no head was remembered: {e.Message}", e);
            LogStaleStart(_logger, Repository.Value, Channel, version.ToString(12), seen.SeenAt, e.Message);
            _current = new LiveChannelSnapshot(new ChannelState { Stable = version, Sequence = seen.State.Sequence }, seen.SeenAt, isStale: true, e.Message, null, null);
        }
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _repository.WatchAsync(_ref, _options.Watch, token).ConfigureAwait(false))
                {
                    var current = Current;
                    if (!current.IsStale && change.Sequence == current.Sequence) continue;
                    var state = change.Entry is not null || change.Target is null
                        ? ChannelState.From(change.Target, change.Sequence, change.Entry)
                        : await _channels.GetStateAsync(Channel, token).ConfigureAwait(false);
                    var next = await BuildAsync(state, token).ConfigureAwait(false);
                    Apply(next);
                    if (change.Entry is { } entry && change.Target is { } target) RememberInBackground(next, new RefState(target, change.Sequence, entry.Hash));
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is VersionStoreException or IOException or TimeoutException)
            {
                // The watch itself retries store failures; this is a state that cannot be read (corrupt details): watch again.
                LogWatchRestart(_logger, Repository.Value, Channel, e);
                try { await Task.Delay(TimeSpan.FromSeconds(1), _clock, token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Apply(LiveChannelSnapshot next)
    {
        var previous = Interlocked.Exchange(ref _current, next);
        var change = new LiveChannelChange(previous, next);
        LogChanged(_logger, Repository.Value, Channel, previous.Version?.ToString(12) ?? "(none)", next.Version?.ToString(12) ?? "(none)",
            next.State.Canary?.ToString(12) ?? "(none)", next.State.CanaryPercent, next.Sequence);
        try { Changed?.Invoke(this, change); }
        catch (Exception e) when (e is not OutOfMemoryException) { LogHandlerFailed(_logger, Repository.Value, Channel, e); }
        lock (_readersLock)
            foreach (var r in _readers) r.Writer.TryWrite(change);
    }

    private async Task<LiveChannelSnapshot> BuildAsync(ChannelState state, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (!_options.Prefetch) return new LiveChannelSnapshot(state, now, false, null, null, null);
        var stable = Cached(state.Stable);
        var canary = Cached(state.Canary);
        if ((stable is null && state.Stable is not null) || (canary is null && state.Canary is not null))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.PrefetchTimeout);
            stable ??= await ContentAsync(state.Stable, timeout.Token, cancellationToken).ConfigureAwait(false);
            canary ??= await ContentAsync(state.Canary, timeout.Token, cancellationToken).ConfigureAwait(false);
        }
        return new LiveChannelSnapshot(state, now, false, null, stable, canary);
    }

    private IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? Cached(ObjectId? version)
    {
        if (version is not { } id) return null;
        lock (_contents)
            foreach (var (cachedId, content) in _contents)
                if (cachedId == id) return content;
        return null;
    }

    private async Task<IReadOnlyDictionary<string, ReadOnlyMemory<byte>>?> ContentAsync(ObjectId? version, CancellationToken timeout, CancellationToken cancellationToken)
    {
        if (version is not { } id) return null;
        try
        {
            var snapshot = await _repository.CheckoutAsync(id.ToString(), timeout).ConfigureAwait(false);
            var content = await snapshot.ReadAllAsync(timeout).ConfigureAwait(false);
            lock (_contents)
            {
                _contents.Insert(0, (id, content));
                if (_contents.Count > ContentCacheSize) _contents.RemoveAt(_contents.Count - 1);
            }
            return content;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (IsBackendFailure(e) || e is OperationCanceledException))
        {
            // A rollback is never held back by a slow or failing tier: switch without content, the application loads it itself.
            LogPrefetchFailed(_logger, Repository.Value, Channel, id.ToString(12), e.Message);
            return null;
        }
    }

    /// <summary>Writes the head cache off the watch's path (a slow disk must not delay the next change); only the newest pending state is written.</summary>
    private void RememberInBackground(LiveChannelSnapshot snapshot, RefState refState)
    {
        if (_heads is null) return;
        lock (_readersLock)
        {
            var running = _toRemember is not null;
            _toRemember = (snapshot, refState);
            if (running) return; // the running writer picks it up
        }
        _ = Task.Run(async () =>
        {
            while (true)
            {
                (LiveChannelSnapshot Snapshot, RefState Ref) pending;
                lock (_readersLock) pending = _toRemember!.Value;
                await RememberAsync(pending.Snapshot, pending.Ref).ConfigureAwait(false);
                lock (_readersLock)
                {
                    if (_toRemember!.Value.Ref == pending.Ref) { _toRemember = null; return; }
                }
            }
        });
    }

    private async Task RememberAsync(LiveChannelSnapshot snapshot, RefState refState)
    {
        if (_heads is null) return;
        try
        {
            await _heads.RememberAsync(Repository, _ref, refState, snapshot.SeenAt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or VersionStoreException)
        {
            // Best effort: a full disk must not stop the channel from following.
        }
    }

    private static bool IsBackendFailure(Exception e)
        => e is BackendUnavailableException or IOException or TimeoutException or ObjectNotFoundException or CorruptObjectException;

    [LoggerMessage(5010, LogLevel.Information, "Live channel {Repository}/{Channel}: {From} -> {To} (canary {Canary} at {Percent} %, sequence {Sequence})")]
    private static partial void LogChanged(ILogger logger, string repository, string channel, string from, string to, string canary, double percent, long sequence);

    [LoggerMessage(5011, LogLevel.Warning, "Live channel {Repository}/{Channel}: store unreachable ({Reason}); serving the remembered head {Version} seen at {SeenAt:O} (stale)")]
    private static partial void LogStaleStart(ILogger logger, string repository, string channel, string version, DateTimeOffset seenAt, string reason);

    [LoggerMessage(5012, LogLevel.Warning, "Live channel {Repository}/{Channel}: prefetch of {Version} failed ({Reason}); switching without content")]
    private static partial void LogPrefetchFailed(ILogger logger, string repository, string channel, string version, string reason);

    [LoggerMessage(5013, LogLevel.Error, "Live channel {Repository}/{Channel}: watch failed; restarting it")]
    private static partial void LogWatchRestart(ILogger logger, string repository, string channel, Exception exception);

    [LoggerMessage(5014, LogLevel.Error, "Live channel {Repository}/{Channel}: a Changed handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, string repository, string channel, Exception exception);
}
