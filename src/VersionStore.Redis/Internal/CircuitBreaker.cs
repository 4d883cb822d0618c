namespace VersionStore.Internal;

/// <summary>
/// Consecutive-failure circuit breaker: after <c>threshold</c> failures in a row it opens for <c>cooldown</c>, during
/// which <see cref="AllowRequest"/> is false (callers answer "miss" or skip the write without touching the network).
/// After the cooldown requests flow again (half-open); one success closes it, one failure re-opens it.
/// </summary>
internal sealed class CircuitBreaker(int threshold, TimeSpan cooldown, TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _failures;
    private long _openUntil = long.MinValue; // TimeProvider timestamp

    /// <summary>True while open (cooldown not over).</summary>
    public bool IsOpen
    {
        get { lock (_lock) return _openUntil != long.MinValue && time.GetTimestamp() < _openUntil; }
    }

    /// <summary>Number of times the breaker has opened.</summary>
    public long OpenCount { get; private set; }

    public bool AllowRequest() => !IsOpen;

    public void RecordSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            _openUntil = long.MinValue;
        }
    }

    public void RecordFailure()
    {
        lock (_lock)
        {
            var halfOpen = _openUntil != long.MinValue; // a trial after the cooldown failed
            _failures++;
            if (halfOpen || _failures >= threshold)
            {
                _openUntil = time.GetTimestamp() + (long)(cooldown.TotalSeconds * time.TimestampFrequency);
                _failures = 0;
                OpenCount++;
            }
        }
    }
}
