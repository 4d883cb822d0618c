using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace VersionStore.Internal;

/// <summary>One tier with its breaker and counters.</summary>
internal sealed class TierState
{
    private long _hits, _misses, _corruptions, _failures, _skipped, _promotions;
    private readonly CircuitBreaker _breaker;
    private readonly ILogger _logger;
    private readonly TimeSpan _cooldown;

    public TierState(StorageTier tier, TieredObjectStoreOptions options, ILogger logger)
    {
        Tier = tier;
        _logger = logger;
        _cooldown = options.BreakerCooldown;
        _breaker = new CircuitBreaker(options.BreakerFailureThreshold, options.BreakerCooldown, options.TimeProvider);
        Tag = new KeyValuePair<string, object?>("tier", tier.Name);
    }

    public StorageTier Tier { get; }
    public IObjectStore Store => Tier.Store;
    public string Name => Tier.Name;
    public bool IsDurable => Tier.Role == TierRole.Durable;
    public bool IsCache => Tier.Role == TierRole.Cache;
    public KeyValuePair<string, object?> Tag { get; }

    /// <summary>The durable tier is never skipped; others are while their breaker is open.</summary>
    public bool Allow()
    {
        if (IsDurable || _breaker.AllowRequest()) return true;
        Interlocked.Increment(ref _skipped);
        TieredDiagnostics.Skipped.Add(1, Tag);
        return false;
    }

    public void Succeeded() => _breaker.RecordSuccess();

    public void Failed(string operation, Exception e)
    {
        Interlocked.Increment(ref _failures);
        TieredDiagnostics.Failures.Add(1, Tag);
        TieredLog.TierFailed(_logger, Name, operation, e.Message);
        if (!IsDurable && _breaker.RecordFailure()) TieredLog.BreakerOpened(_logger, Name, _cooldown.TotalMilliseconds);
    }

    public void Hit(long started)
    {
        Interlocked.Increment(ref _hits);
        TieredDiagnostics.Hits.Add(1, Tag);
        TieredDiagnostics.ReadDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, Tag);
    }

    public void Miss(long started)
    {
        Interlocked.Increment(ref _misses);
        TieredDiagnostics.Misses.Add(1, Tag);
        TieredDiagnostics.ReadDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, Tag);
    }

    public void Corrupt(ObjectId id, string reason)
    {
        Interlocked.Increment(ref _corruptions);
        TieredDiagnostics.Corruptions.Add(1, Tag);
        TieredLog.CorruptCopy(_logger, Name, id.ToString(), reason);
    }

    public void Promoted(int count)
    {
        Interlocked.Add(ref _promotions, count);
        TieredDiagnostics.Promotions.Add(count, Tag);
    }

    public TierStatistics Statistics => new(Name, Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _corruptions),
        Interlocked.Read(ref _failures), Interlocked.Read(ref _skipped), Interlocked.Read(ref _promotions), _breaker.IsOpen, _breaker.OpenCount);
}
