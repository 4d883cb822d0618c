namespace VersionStore.Internal;

/// <summary>
/// The consecutive-failure circuit breaker of a remote tier — one per tier, in the tier accessor (<c>TierState</c> of
/// <see cref="TieredObjectStore"/>), so the tier sees every failure; backends report failures, they keep no breaker: after
/// <c>threshold</c> failures in a row it opens for <c>cooldown</c> (measured with a <see cref="TimeProvider"/>), and
/// callers skip the tier (a cache answers "miss") without touching the network. After the cooldown one probe call is
/// let through (half-open): its success closes the breaker, its failure opens it for another cooldown.
/// Thread-safe.
/// </summary>
/// <param name="threshold">Consecutive failures that open the breaker (at least 1).</param>
/// <param name="cooldown">How long it stays open before a probe.</param>
/// <param name="time">The clock.</param>
internal sealed class CircuitBreaker(int threshold, TimeSpan cooldown, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly int _threshold = threshold >= 1 ? threshold : throw new ArgumentOutOfRangeException(nameof(threshold), "The threshold is at least 1.");
    private int _consecutiveFailures;
    private long _openedAt = long.MinValue; // TimeProvider timestamp; MinValue = closed
    private bool _probing;
    private long _openCount;

    /// <summary>True from the failure that opened it until a successful call closes it (also while a probe is allowed).</summary>
    public bool IsOpen
    {
        get { lock (_lock) return _openedAt != long.MinValue; }
    }

    /// <summary>How many times the breaker has opened (a failed probe re-opening it counts too).</summary>
    public long OpenCount => Interlocked.Read(ref _openCount);

    /// <summary>True when a call may go to the tier: closed, or the cooldown is over and no other probe is in flight.</summary>
    public bool AllowRequest()
    {
        lock (_lock)
        {
            if (_openedAt == long.MinValue) return true;
            if (_probing || time.GetElapsedTime(_openedAt) < cooldown) return false;
            _probing = true;
            return true;
        }
    }

    /// <summary>Records a successful call: closes the breaker and resets the failure count.</summary>
    public void RecordSuccess()
    {
        lock (_lock)
        {
            _consecutiveFailures = 0;
            _openedAt = long.MinValue;
            _probing = false;
        }
    }

    /// <summary>Records a failed call. Returns true when this failure opened a closed breaker.</summary>
    public bool RecordFailure()
    {
        lock (_lock)
        {
            _consecutiveFailures++;
            var wasOpen = _openedAt != long.MinValue;
            if (!_probing && (wasOpen || _consecutiveFailures < _threshold)) return false;
            _openedAt = time.GetTimestamp();
            _probing = false;
            _consecutiveFailures = 0;
            Interlocked.Increment(ref _openCount);
            return !wasOpen;
        }
    }
}
