namespace VersionStore;

/// <summary>Why a <see cref="RefChange"/> was reported.</summary>
public enum RefChangeSource
{
    /// <summary>The ref's state when the watch started.</summary>
    Initial,
    /// <summary>A notice of the store's change feed, next in sequence (no read needed).</summary>
    Notice,
    /// <summary>A read of the ref after a sequence gap, a reconnect, a failover or the safety poll.</summary>
    Reconciled,
}

/// <summary>One change of a watched ref (<see cref="Repository.WatchAsync"/>).</summary>
/// <param name="Ref">The ref.</param>
/// <param name="Target">What it points to now (null: deleted or never created).</param>
/// <param name="Sequence">The sequence number of its newest audit entry (0: the ref does not exist).</param>
/// <param name="Time">When the change was made (its audit entry's time), or null when the ref does not exist.</param>
/// <param name="Entry">The newest audit entry (operation, actor, reason, details), or null when the ref does not exist.</param>
/// <param name="Source">How this change was learnt.</param>
public sealed record RefChange(RefName Ref, ObjectId? Target, long Sequence, DateTimeOffset? Time, AuditEntry? Entry, RefChangeSource Source);

/// <summary>Options of <see cref="Repository.WatchAsync"/>. Every property has a documented default.</summary>
public sealed class RefWatchOptions
{
    /// <summary>Report the ref's current state first (also when it does not exist: <see cref="RefChange.Sequence"/> 0).</summary>
    /// <value><c>true</c>.</value>
    public bool IncludeCurrent { get; set; } = true;

    /// <summary>
    /// With a change feed: the ref is read anyway this often (jittered by <see cref="PollJitter"/>), so a notice lost
    /// without any sign (no gap, no reconnect) is caught within this bound.
    /// </summary>
    /// <value>10 seconds.</value>
    public TimeSpan SafetyPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Without a change feed (a ref store that has none): how often the ref is read.</summary>
    /// <value>1 second.</value>
    public TimeSpan FallbackPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>First retry delay after a failed read or subscription; doubles per failure up to the poll interval.</summary>
    /// <value>250 ms.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Each poll delay is the interval times a uniform factor in [1 − jitter, 1 + jitter], so many watchers do not poll in step.</summary>
    /// <value>0.2.</value>
    public double PollJitter { get; set; } = 0.2;

    /// <summary>The clock of polls and retries; the store's clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Seed of the jitter (tests); random when null.</summary>
    public int? JitterSeed { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (SafetyPollInterval <= TimeSpan.Zero) errors.Add($"{nameof(SafetyPollInterval)} must be positive");
        if (FallbackPollInterval <= TimeSpan.Zero) errors.Add($"{nameof(FallbackPollInterval)} must be positive");
        if (RetryDelay <= TimeSpan.Zero) errors.Add($"{nameof(RetryDelay)} must be positive");
        if (PollJitter is < 0 or >= 1 || double.IsNaN(PollJitter)) errors.Add($"{nameof(PollJitter)} must be in [0, 1)");
        if (errors.Count > 0) throw new ArgumentException("Invalid RefWatchOptions: " + string.Join("; ", errors) + ".");
    }
}
