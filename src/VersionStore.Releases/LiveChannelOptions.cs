using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VersionStore.Releases;

/// <summary>Options of a <see cref="LiveChannel"/>. Every property has a documented default; <see cref="Validate"/> reports every problem at once.</summary>
public sealed class LiveChannelOptions
{
    /// <summary>Load the content of a new version before switching to it, so the first run after a change does not wait on a cold read.</summary>
    /// <value><c>true</c>.</value>
    public bool Prefetch { get; set; } = true;

    /// <summary>Longest wait for a prefetch; after it the channel switches anyway (without content) — a rollback is never held back by a slow tier.</summary>
    /// <value>2 seconds.</value>
    public TimeSpan PrefetchTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Fail-static start: the head cache where the channel's last state is remembered, so a process that starts while
    /// the store is down runs the last version seen (marked stale, with its age) instead of failing. Null: the head cache
    /// of the store's <see cref="FailStaticRefStore"/> when it has one (distributed mode with a local database), else none
    /// (the start then fails when the store is down).
    /// </summary>
    public IHeadCache? HeadCache { get; set; }

    /// <summary>How the channel is watched (safety poll, retries); defaults when null.</summary>
    public RefWatchOptions? Watch { get; set; }

    /// <summary>How many changes a <see cref="LiveChannel.ChangesAsync"/> reader may fall behind before its oldest pending ones are dropped (it always gets the newest).</summary>
    /// <value>64.</value>
    public int StreamCapacity { get; set; } = 64;

    /// <summary>The clock; the store's when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where logs go.</summary>
    /// <value><see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (PrefetchTimeout <= TimeSpan.Zero) errors.Add($"{nameof(PrefetchTimeout)} must be positive");
        if (StreamCapacity < 1) errors.Add($"{nameof(StreamCapacity)} must be at least 1");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        try { Watch?.Validate(); } catch (ArgumentException e) { errors.Add(e.Message); }
        if (errors.Count > 0) throw new ArgumentException("Invalid LiveChannelOptions: " + string.Join("; ", errors) + ".");
    }
}
