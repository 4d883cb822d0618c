using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VersionStore.Releases;

/// <summary>A receiver of signed webhooks.</summary>
/// <param name="Url">Where events are POSTed (http or https).</param>
/// <param name="Secret">The HMAC-SHA256 key shared with the receiver (at least 16 characters).</param>
public sealed record WebhookEndpoint(Uri Url, string Secret);

/// <summary>Options of a <see cref="WebhookNotifier"/>. Every property has a documented default; <see cref="Validate"/> reports every problem at once.</summary>
public sealed class WebhookOptions
{
    /// <summary>The receivers; each gets every event, in order.</summary>
    public IList<WebhookEndpoint> Endpoints { get; set; } = [];

    /// <summary>The channels whose changes (publish, gray, promote, rollback) and guard decisions are announced, as (repository, channel).</summary>
    public IList<(string Repository, string Channel)> Channels { get; set; } = [];

    /// <summary>Attempts per event and receiver before it is given up (and logged as failed).</summary>
    /// <value>12 (with the default delays: about 25 minutes of retrying).</value>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>Delay before the first retry; doubled per attempt (±20 % jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>1 second.</value>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two attempts.</summary>
    /// <value>5 minutes.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time allowed per attempt (connect, send, response); a receiver that hangs fails the attempt.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events held per receiver while it is down; beyond it the newest are dropped (and logged).</summary>
    /// <value>10,000.</value>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Delivery-log records kept in memory (<see cref="WebhookNotifier.Deliveries"/>).</summary>
    /// <value>1,000.</value>
    public int DeliveryLogSize { get; set; } = 1_000;

    /// <summary>The HTTP handler (tests, proxies); a <see cref="SocketsHttpHandler"/> when null.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>How the channels are watched; defaults when null.</summary>
    public RefWatchOptions? Watch { get; set; }

    /// <summary>The clock of signatures and retries.</summary>
    /// <value>the system clock (<c>TimeProvider.System</c>).</value>
    public TimeProvider TimeProvider { get; set; } = SystemClock.Default;

    /// <summary>Where logs go.</summary>
    /// <value><see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Endpoints is null || Endpoints.Count == 0) errors.Add($"{nameof(Endpoints)} needs at least one receiver");
        else
            foreach (var e in Endpoints)
            {
                if (e?.Url is not { IsAbsoluteUri: true } u || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)) errors.Add($"endpoint URL '{e?.Url}' must be absolute http(s)");
                if (e?.Secret is not { Length: >= 16 }) errors.Add($"the secret of '{e?.Url}' must have at least 16 characters");
            }
        if (Channels is null || Channels.Count == 0) errors.Add($"{nameof(Channels)} needs at least one (repository, channel)");
        if (MaxAttempts < 1) errors.Add($"{nameof(MaxAttempts)} must be at least 1");
        if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay) errors.Add($"{nameof(FirstRetryDelay)} must be positive and at most {nameof(MaxRetryDelay)}");
        if (AttemptTimeout <= TimeSpan.Zero) errors.Add($"{nameof(AttemptTimeout)} must be positive");
        if (QueueCapacity < 1) errors.Add($"{nameof(QueueCapacity)} must be at least 1");
        if (DeliveryLogSize < 1) errors.Add($"{nameof(DeliveryLogSize)} must be at least 1");
        if (TimeProvider is null) errors.Add($"{nameof(TimeProvider)} is required");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        if (errors.Count > 0) throw new ArgumentException("Invalid WebhookOptions: " + string.Join("; ", errors) + ".");
    }
}

/// <summary>One attempt to deliver an event to a receiver (the delivery log).</summary>
/// <param name="EventId">The event (<c>repository/ref@sequence</c>), also sent as <c>X-VersionStore-Delivery</c>.</param>
/// <param name="EventType">The event type (<c>channel.rollback</c>, …).</param>
/// <param name="Endpoint">The receiver.</param>
/// <param name="Attempt">Attempt number, from 1.</param>
/// <param name="At">When it was made.</param>
/// <param name="StatusCode">The HTTP status received, if any.</param>
/// <param name="Delivered">True when the receiver answered 2xx.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="GaveUp">True on the last failed attempt.</param>
public sealed record WebhookDelivery(string EventId, string EventType, Uri Endpoint, int Attempt, DateTimeOffset At, int? StatusCode, bool Delivered, string? Error, bool GaveUp);
