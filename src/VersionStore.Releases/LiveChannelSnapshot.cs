namespace VersionStore.Releases;

/// <summary>
/// What a <see cref="LiveChannel"/> serves at one moment: immutable, swapped whole on each change, so a reader sees
/// either the old or the new state, never a mix. The content of the versions is loaded (prefetched) before the swap.
/// </summary>
public sealed class LiveChannelSnapshot
{
    internal LiveChannelSnapshot(ChannelState state, DateTimeOffset seenAt, bool isStale, string? problem,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? stableContent, IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? canaryContent)
    {
        State = state;
        Version = state.Stable;
        SeenAt = seenAt;
        IsStale = isStale;
        Problem = problem;
        StableContent = stableContent;
        CanaryContent = canaryContent;
    }

    /// <summary>The channel's full state (stable, canary, share, audit sequence).</summary>
    public ChannelState State { get; }

    /// <summary>The stable version: what every caller runs without a gray release (null: nothing published).</summary>
    public ObjectId? Version { get; }

    /// <summary>The channel ref's audit sequence of this state.</summary>
    public long Sequence => State.Sequence;

    /// <summary>When this state was read from the store (or, when <see cref="IsStale"/>, when it was last seen there).</summary>
    public DateTimeOffset SeenAt { get; }

    /// <summary>True when the store could not be reached and this is the last state seen (it may have changed since).</summary>
    public bool IsStale { get; }

    /// <summary>Why the state is stale, when it is.</summary>
    public string? Problem { get; }

    /// <summary>The stable version's entries (path → bytes), prefetched; null when not loaded (nothing published, or the load failed or timed out).</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? StableContent { get; }

    /// <summary>The canary version's entries, prefetched; null without a canary or when not loaded.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? CanaryContent { get; }

    /// <summary>The version a caller with <paramref name="key"/> runs (see <see cref="ChannelState.Resolve"/>).</summary>
    public ObjectId? Resolve(ReadOnlySpan<char> key) => State.Resolve(key);

    /// <summary>The prefetched content of the version <paramref name="key"/> runs.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>>? ContentFor(ReadOnlySpan<char> key) => State.IsCanary(key) ? CanaryContent : StableContent;

    /// <summary>How old the state is on <paramref name="clock"/> (for a stale state: time since it was last seen in the store).</summary>
    public TimeSpan Age(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return clock.GetUtcNow() - SeenAt;
    }
}

/// <summary>A change of a <see cref="LiveChannel"/>.</summary>
/// <param name="Previous">What it served before.</param>
/// <param name="Current">What it serves now.</param>
public sealed record LiveChannelChange(LiveChannelSnapshot Previous, LiveChannelSnapshot Current);
