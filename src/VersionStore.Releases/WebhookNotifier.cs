using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace VersionStore.Releases;

/// <summary>
/// Outbound notifications: every change of the watched channels (publish, gray share, promote, canary retirement,
/// rollback) and every release-guard decision is POSTed, signed (<see cref="WebhookSignature"/>), to each receiver —
/// in order, each event once per receiver, retried with exponential back-off while the receiver fails or is down.
/// It follows the channels with <see cref="Repository.WatchAsync"/> after the fact, so a failing, slow or hanging
/// receiver can never block or slow a ref move: events wait in a bounded queue per receiver, sent by a background loop.
/// </summary>
/// <remarks>
/// Run one notifier per deployment (for example in the API server): each instance announces every change it sees.
/// Changes made while no notifier ran are not replayed. The in-memory <see cref="Deliveries"/> log (and the logs) record every attempt.
/// </remarks>
public sealed partial class WebhookNotifier : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly RepositoryStore _store;
    private readonly WebhookOptions _options;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly List<(WebhookEndpoint Endpoint, Channel<WebhookEvent> Queue)> _receivers = [];
    private readonly LinkedList<WebhookDelivery> _log = new();
    private readonly Random _jitter = new();

    private WebhookNotifier(RepositoryStore store, WebhookOptions options)
    {
        _store = store;
        _options = options;
        _http = options.HttpHandler is { } h ? new HttpClient(h, disposeHandler: false) : new HttpClient();
        _http.Timeout = Timeout.InfiniteTimeSpan; // per attempt, below
        _logger = options.LoggerFactory.CreateLogger("VersionStore.Releases.Webhooks");
    }

    /// <summary>Raised after each delivery attempt (on the sender's thread; must not throw).</summary>
    public event Action<WebhookDelivery>? DeliveryAttempted;

    /// <summary>The most recent delivery attempts, oldest first.</summary>
    public IReadOnlyList<WebhookDelivery> Deliveries
    {
        get { lock (_log) return [.. _log]; }
    }

    /// <summary>Starts following the channels of <paramref name="options"/> and sending to its receivers.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static Task<WebhookNotifier> StartAsync(RepositoryStore store, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var notifier = new WebhookNotifier(store, options);
        foreach (var endpoint in options.Endpoints)
        {
            var queue = Channel.CreateBounded<WebhookEvent>(new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
            notifier._receivers.Add((endpoint, queue));
            notifier._tasks.Add(Task.Run(() => notifier.SendLoopAsync(endpoint, queue.Reader)));
        }
        var ready = new List<Task>();
        foreach (var (repository, channel) in options.Channels)
        {
            var repo = store.GetRepository(repository);
            foreach (var name in new[] { ReleaseChannels.ChannelRef(channel), ReleaseChannels.GuardLogRef(channel) })
            {
                var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                ready.Add(started.Task);
                notifier._tasks.Add(Task.Run(() => notifier.FollowAsync(repo, channel, name, started)));
            }
        }
        return WaitReadyAsync(notifier, ready);
    }

    private static async Task<WebhookNotifier> WaitReadyAsync(WebhookNotifier notifier, List<Task> ready)
    {
        // Each follower is ready once it knows where its ref stands (or after a bounded wait while the store is down).
        await Task.WhenAny(Task.WhenAll(ready), Task.Delay(TimeSpan.FromSeconds(5), notifier._options.TimeProvider)).ConfigureAwait(false);
        return notifier;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var (_, queue) in _receivers) queue.Writer.TryComplete();
        try { await Task.WhenAll(_tasks).ConfigureAwait(false); } catch (OperationCanceledException) { }
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task FollowAsync(Repository repo, string channel, RefName name, TaskCompletionSource started)
    {
        var token = _stop.Token;
        long last = -1;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in repo.WatchAsync(name, _options.Watch, token).ConfigureAwait(false))
                {
                    if (last < 0)
                    {
                        last = change.Sequence; // start from now: history is not replayed
                        started.TrySetResult();
                        continue;
                    }
                    if (change.Sequence <= last) continue;
                    // Folded changes (a gap reconciled by a read): the audit log has every entry in between.
                    var entries = new List<AuditEntry>();
                    if (change.Entry is { } e && change.Sequence == last + 1) entries.Add(e);
                    else
                        await foreach (var entry in repo.Store.Refs.ReadAuditAsync(repo.Name, name, change.Sequence + 1, token).ConfigureAwait(false))
                        {
                            if (entry.Sequence <= last) break;
                            entries.Insert(0, entry);
                        }
                    foreach (var entry in entries) Enqueue(WebhookEvent.From(repo.Name.Value, channel, name, entry));
                    last = change.Sequence;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is VersionStoreException or IOException)
            {
                LogFollowFailed(_logger, repo.Name.Value, name.FullName, e);
                try { await Task.Delay(TimeSpan.FromSeconds(1), _options.TimeProvider, token).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Enqueue(WebhookEvent e)
    {
        foreach (var (endpoint, queue) in _receivers)
            if (!queue.Writer.TryWrite(e)) LogQueueFull(_logger, endpoint.Url, e.Id);
    }

    private async Task SendLoopAsync(WebhookEndpoint endpoint, ChannelReader<WebhookEvent> queue)
    {
        var token = _stop.Token;
        try
        {
            await foreach (var e in queue.ReadAllAsync(token).ConfigureAwait(false))
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(e, Json);
                for (var attempt = 1; ; attempt++)
                {
                    var (status, error) = await PostAsync(endpoint, e, body, token).ConfigureAwait(false);
                    var delivered = error is null;
                    var gaveUp = !delivered && attempt >= _options.MaxAttempts;
                    Record(new WebhookDelivery(e.Id, e.Type, endpoint.Url, attempt, _options.TimeProvider.GetUtcNow(), status, delivered, error, gaveUp));
                    if (delivered || gaveUp) break;
                    var delay = TimeSpan.FromTicks(Math.Min(_options.FirstRetryDelay.Ticks * (1L << Math.Min(attempt - 1, 30)), _options.MaxRetryDelay.Ticks));
                    delay *= 0.8 + 0.4 * _jitter.NextDouble();
                    await Task.Delay(delay, _options.TimeProvider, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // shutting down: what is still queued is not sent
        }
    }

    private async Task<(int? Status, string? Error)> PostAsync(WebhookEndpoint endpoint, WebhookEvent e, byte[] body, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_options.AttemptTimeout);
        try
        {
            var seconds = _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add(WebhookSignature.TimestampHeader, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(endpoint.Secret, seconds, body));
            request.Headers.Add("X-VersionStore-Event", e.Type);
            request.Headers.Add("X-VersionStore-Delivery", e.Id);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? ((int)response.StatusCode, null) : ((int)response.StatusCode, $"HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return (null, $"no answer within {_options.AttemptTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException x)
        {
            return (null, x.Message);
        }
    }

    private void Record(WebhookDelivery d)
    {
        lock (_log)
        {
            _log.AddLast(d);
            while (_log.Count > _options.DeliveryLogSize) _log.RemoveFirst();
        }
        if (d.Delivered) LogDelivered(_logger, d.EventId, d.Endpoint, d.Attempt);
        else LogAttemptFailed(_logger, d.EventId, d.Endpoint, d.Attempt, d.Error ?? "", d.GaveUp);
        try { DeliveryAttempted?.Invoke(d); } catch (Exception x) when (x is not OutOfMemoryException) { /* a log hook must not stop deliveries */ }
    }

    [LoggerMessage(5030, LogLevel.Information, "Webhook {EventId} delivered to {Endpoint} (attempt {Attempt})")]
    private static partial void LogDelivered(ILogger logger, string eventId, Uri endpoint, int attempt);

    [LoggerMessage(5031, LogLevel.Warning, "Webhook {EventId} to {Endpoint} failed (attempt {Attempt}): {Error}; gave up: {GaveUp}")]
    private static partial void LogAttemptFailed(ILogger logger, string eventId, Uri endpoint, int attempt, string error, bool gaveUp);

    [LoggerMessage(5032, LogLevel.Error, "Webhook queue of {Endpoint} is full; event {EventId} dropped")]
    private static partial void LogQueueFull(ILogger logger, Uri endpoint, string eventId);

    [LoggerMessage(5033, LogLevel.Error, "Webhooks: following {Repository}/{Ref} failed; retrying")]
    private static partial void LogFollowFailed(ILogger logger, string repository, string @ref, Exception exception);
}

/// <summary>The JSON body of a webhook (snake_case; docs/WEBHOOKS.md).</summary>
/// <param name="Id">Unique per change: <c>repository/ref@sequence</c>.</param>
/// <param name="Type"><c>channel.publish</c>, <c>channel.canary</c>, <c>channel.promote</c>, <c>channel.canary_retired</c>, <c>channel.rollback</c>, <c>channel.change</c> or <c>guard.decision</c>.</param>
/// <param name="Workflow">The repository.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Ref">The ref that changed (the channel, or its guard log).</param>
/// <param name="Sequence">The audit sequence of the change.</param>
/// <param name="Time">When it was made.</param>
/// <param name="Operation">The audit operation.</param>
/// <param name="Actor">Who made it.</param>
/// <param name="Reason">Why.</param>
/// <param name="Stable">The stable version after the change (for a guard decision: the version the channel served).</param>
/// <param name="Previous">The ref's target before the change.</param>
/// <param name="Canary">The canary after the change, if any.</param>
/// <param name="CanaryPercent">Its share in percent.</param>
/// <param name="Details">The audit entry's details (evidence, triggers, …).</param>
public sealed record WebhookEvent(string Id, string Type, string Workflow, string Channel, string Ref, long Sequence, DateTimeOffset Time, string Operation,
    string Actor, string? Reason, string? Stable, string? Previous, string? Canary, double CanaryPercent, IReadOnlyDictionary<string, string> Details)
{
    /// <summary>The event of audit entry <paramref name="entry"/> of ref <paramref name="name"/>.</summary>
    public static WebhookEvent From(string repository, string channel, RefName name, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var guard = name.ShortName.EndsWith(ReleaseChannels.GuardLogSuffix, StringComparison.Ordinal);
        var state = guard ? new ChannelState { Stable = entry.New } : ChannelState.From(entry.New, entry.Sequence, entry);
        var type = guard ? "guard.decision" : entry.Operation switch
        {
            ReleaseChannels.PublishOperation => "channel.publish",
            ReleaseChannels.CanaryOperation => "channel.canary",
            ReleaseChannels.CanaryPromoteOperation => "channel.promote",
            ReleaseChannels.CanaryRetireOperation => "channel.canary_retired",
            var op when op.StartsWith("rollback.", StringComparison.Ordinal) => "channel.rollback",
            _ => "channel.change",
        };
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in entry.Details) details[d.Key] = d.Value;
        return new WebhookEvent($"{repository}/{name.FullName}@{entry.Sequence}", type, repository, ReleaseChannels.ChannelRef(channel).ShortName, name.FullName,
            entry.Sequence, entry.Time, entry.Operation, entry.Actor, entry.Reason, state.Stable?.ToString(), entry.Old?.ToString(), state.Canary?.ToString(),
            state.CanaryPercent, details);
    }
}
