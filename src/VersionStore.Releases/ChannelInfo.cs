namespace VersionStore.Releases;

/// <summary>What a release channel serves now and the version it falls back to.</summary>
/// <param name="Channel">The channel's short name (<c>prod</c>).</param>
/// <param name="Head">The version the channel serves, or null when nothing was published yet.</param>
/// <param name="ChangedAt">When the channel last moved (its newest audit entry), or null.</param>
/// <param name="LastKnownGood">The channel's last-known-good version (passed its observation window), or null.</param>
/// <param name="Sequence">Number of audit entries of the channel ref.</param>
public sealed record ChannelInfo(string Channel, ObjectId? Head, DateTimeOffset? ChangedAt, ObjectId? LastKnownGood, long Sequence)
{
    /// <summary>The canary version of a gray release under way, else null.</summary>
    public ObjectId? Canary => State.Canary;

    /// <summary>The canary's share of keys in percent (0 without a canary).</summary>
    public double CanaryPercent => State.CanaryPercent;

    /// <summary>The channel's full state (stable, canary, share, rollout id) at <see cref="Sequence"/>.</summary>
    public ChannelState State { get; init; } = ChannelState.None;
}
