namespace VersionStore;

/// <summary>What <see cref="TieredObjectStore.DemoteAsync"/> evicts from the cache tiers that support eviction.</summary>
public sealed class DemotionPolicy
{
    /// <summary>Evict objects not read or written for at least this long.</summary>
    /// <value><c>null</c>: no age limit.</value>
    public TimeSpan? MaxIdle { get; init; }

    /// <summary>Then evict the least recently used objects until each tier holds at most this many bytes.</summary>
    /// <value><c>null</c>: no size limit.</value>
    public long? MaxBytesPerTier { get; init; }

    /// <summary>Only demote this tier.</summary>
    /// <value><c>null</c>: every cache tier that implements <see cref="IObjectEviction"/> and <see cref="IAccessTrackingTier"/>.</value>
    public string? Tier { get; init; }
}

/// <summary>What a demotion did.</summary>
/// <param name="Evicted">Objects removed from cache tiers (each verified in the durable tier first).</param>
/// <param name="CopiedToDurable">Of those, objects the durable tier lacked (or held corrupt) and got from the cache before the eviction.</param>
/// <param name="Kept">Candidates kept because no verified durable copy could be made (durable tier unreachable, cache copy corrupt).</param>
public sealed record DemotionResult(int Evicted, int CopiedToDurable, int Kept);
