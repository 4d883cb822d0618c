using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace VersionStore.Internal;

/// <summary>
/// One watch of one ref: notices of the store's <see cref="IRefChangeFeed"/> that are next in sequence are reported as
/// they come (no read); a sequence gap, a feed gap (reconnect, failover), the jittered safety poll or a failed
/// subscription make it read the ref and report what changed, so the watch never rests on a stale value.
/// </summary>
internal sealed class RefWatcher : IRefChangeListener
{
    private readonly Channel<AuditEntry?> _signals = Channel.CreateUnbounded<AuditEntry?>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Repository _repository;
    private readonly RefName _ref;
    private readonly RefWatchOptions _options;
    private readonly TimeProvider _clock;
    private readonly Random _random;

    public RefWatcher(Repository repository, RefName name, RefWatchOptions options)
    {
        _repository = repository;
        _ref = name;
        _options = options;
        _clock = options.TimeProvider ?? repository.Store.Options.TimeProvider;
        _random = options.JitterSeed is { } seed ? new Random(seed) : new Random();
    }

    public void OnChanged(RepositoryName repository, AuditEntry entry)
    {
        if (entry.Ref == _ref) _signals.Writer.TryWrite(entry);
    }

    // null is the "read again" signal
    public void OnGap(string reason) => _signals.Writer.TryWrite(null);

    public async IAsyncEnumerable<RefChange> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var feed = _repository.Store.Refs as IRefChangeFeed;
        IAsyncDisposable? subscription = null;
        var failures = 0;
        long last = -1; // nothing reported yet
        ObjectId? lastTarget = null;
        try
        {
            var needRead = true;
            var initial = true;
            var due = _clock.GetUtcNow();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (feed is not null && subscription is null)
                {
                    try
                    {
                        subscription = await feed.SubscribeAsync(_repository.Name, this, cancellationToken).ConfigureAwait(false);
                        needRead = true; // anything before the subscription is only seen by a read
                    }
                    catch (NotSupportedException)
                    {
                        feed = null;
                    }
                    catch (Exception e) when (IsTransient(e, cancellationToken))
                    {
                        Log.WatchFailed(_repository.Store.Logger, _repository.Name.Value, _ref.FullName, e.Message);
                        needRead = true;
                    }
                }

                if (needRead || _clock.GetUtcNow() >= due)
                {
                    RefChange? read = null;
                    var ok = true;
                    try
                    {
                        read = await ReadAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (IsTransient(e, cancellationToken))
                    {
                        ok = false;
                        Log.WatchFailed(_repository.Store.Logger, _repository.Name.Value, _ref.FullName, e.Message);
                    }
                    if (ok)
                    {
                        failures = 0;
                        needRead = false;
                        due = _clock.GetUtcNow() + Jittered(feed is not null && subscription is not null ? _options.SafetyPollInterval : _options.FallbackPollInterval);
                        if (read is not null && (read.Sequence != last || read.Target != lastTarget))
                        {
                            if (!initial || _options.IncludeCurrent)
                                yield return initial ? read with { Source = RefChangeSource.Initial } : read;
                            last = read.Sequence;
                            lastTarget = read.Target;
                        }
                        initial = false;
                    }
                    else
                    {
                        // Retry soon, backing off to the poll interval; a failed subscription is retried with it.
                        failures++;
                        due = _clock.GetUtcNow() + TimeSpan.FromTicks(Math.Min(_options.RetryDelay.Ticks << Math.Min(failures - 1, 16), PollCap.Ticks));
                        needRead = false;
                    }
                }

                // Drain what arrived; wait for the next notice or the due time.
                while (_signals.Reader.TryRead(out var signal))
                {
                    if (signal is null) { needRead = true; continue; }
                    if (last < 0 || needRead) { needRead = true; continue; }
                    if (signal.Sequence <= last) continue;
                    if (signal.Sequence != last + 1) { needRead = true; continue; }
                    last = signal.Sequence;
                    lastTarget = signal.New;
                    yield return new RefChange(_ref, signal.New, signal.Sequence, signal.Time, signal, RefChangeSource.Notice);
                }
                if (needRead) continue;
                var wait = due - _clock.GetUtcNow();
                if (wait <= TimeSpan.Zero) continue;
                await WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (subscription is not null) await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits until a notice arrives or <paramref name="wait"/> passes on the watch's clock.</summary>
    private async Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(wait, _clock, stop.Token);
        var arrived = _signals.Reader.WaitToReadAsync(stop.Token).AsTask();
        await Task.WhenAny(delay, arrived).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(delay, arrived).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        cancellationToken.ThrowIfCancellationRequested();
    }

    private TimeSpan PollCap => _repository.Store.Refs is IRefChangeFeed ? _options.SafetyPollInterval : _options.FallbackPollInterval;

    private TimeSpan Jittered(TimeSpan interval)
    {
        var factor = 1 + _options.PollJitter * (2 * _random.NextDouble() - 1);
        return TimeSpan.FromTicks((long)(interval.Ticks * factor));
    }

    private async Task<RefChange?> ReadAsync(CancellationToken cancellationToken)
    {
        var refs = _repository.Store.Refs;
        var state = await refs.TryGetRefAsync(_repository.Name, _ref, cancellationToken).ConfigureAwait(false);
        if (state is null) return new RefChange(_ref, null, 0, null, null, RefChangeSource.Reconciled);
        AuditEntry? newest = null;
        await foreach (var e in refs.ReadAuditAsync(_repository.Name, _ref, state.Sequence + 1, cancellationToken).ConfigureAwait(false))
        {
            newest = e;
            break;
        }
        // A newer entry may have been appended between the two reads: report the entry that matches the state read.
        if (newest is not null && newest.Sequence != state.Sequence) newest = null;
        return new RefChange(_ref, state.Target, state.Sequence, newest?.Time, newest, RefChangeSource.Reconciled);
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken)
        => !cancellationToken.IsCancellationRequested && e is BackendUnavailableException or IOException or TimeoutException or CorruptObjectException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
