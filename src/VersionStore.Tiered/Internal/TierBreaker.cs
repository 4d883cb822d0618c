namespace VersionStore.Internal;

/// <summary>
/// Circuit breaker of one tier: after <c>threshold</c> consecutive failures the tier is skipped for <c>cooldown</c>
/// (measured with a <see cref="TimeProvider"/>); then one probe call is let through (half-open) — a success closes
/// the breaker, a failure opens it for another cooldown.
/// </summary>
internal sealed class TierBreaker(int threshold, TimeSpan cooldown, TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _consecutiveFailures;
    private long _openedAt = long.MinValue;
    private bool _probing;

    public long OpenCount { get; private set; }

    public bool IsOpen
    {
        get { lock (_lock) return _openedAt != long.MinValue; }
    }

    public bool AllowRequest()
    {
        lock (_lock)
        {
            if (_openedAt == long.MinValue) return true;
            if (time.GetElapsedTime(_openedAt) < cooldown || _probing) return false;
            _probing = true; // half-open: one probe
            return true;
        }
    }

    public void RecordSuccess()
    {
        lock (_lock)
        {
            _consecutiveFailures = 0;
            _openedAt = long.MinValue;
            _probing = false;
        }
    }

    /// <summary>Records a failure; true when this failure opened the breaker.</summary>
    public bool RecordFailure()
    {
        lock (_lock)
        {
            _consecutiveFailures++;
            if (_probing || (_openedAt == long.MinValue && _consecutiveFailures >= threshold))
            {
                var wasOpen = _openedAt != long.MinValue;
                _openedAt = time.GetTimestamp();
                _probing = false;
                if (!wasOpen) OpenCount++;
                return !wasOpen;
            }
            return false;
        }
    }
}
