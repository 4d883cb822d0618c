using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VersionStore;

/// <summary>
/// Options of a <see cref="TieredObjectStore"/>. Every property has a documented default; <see cref="Validate"/>
/// reports every problem at once.
/// </summary>
public sealed class TieredObjectStoreOptions
{
    /// <summary>
    /// The tiers, nearest (hot) first: any number of <see cref="TierRole.Cache"/> tiers, then exactly one
    /// <see cref="TierRole.Durable"/> tier, then at most one <see cref="TierRole.Archive"/> tier.
    /// </summary>
    /// <value>Empty (required).</value>
    public IList<StorageTier> Tiers { get; set; } = [];

    /// <summary>
    /// The durable list of objects still to be copied to the archive tier. Required when there is an archive tier
    /// (use a <see cref="FileOutbox"/> so nothing is lost when the process dies); ignored otherwise.
    /// </summary>
    /// <value><c>null</c>.</value>
    public IOutbox? ArchiveOutbox { get; set; }

    /// <summary>Verify every object read against its id before returning it (invariant 1). Turn off only when the caller verifies.</summary>
    /// <value><c>true</c>.</value>
    public bool VerifyReads { get; set; } = true;

    /// <summary>Consecutive failures (<see cref="BackendUnavailableException"/>) after which a non-durable tier is skipped.</summary>
    /// <value>3.</value>
    public int BreakerFailureThreshold { get; set; } = 3;

    /// <summary>How long an open breaker skips its tier before one probe call is let through.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan BreakerCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Clock of the breakers and of last-access tracking.</summary>
    /// <value>the system clock (<c>TimeProvider.System</c>).</value>
    public TimeProvider TimeProvider { get; set; } = SystemClock.Default;

    /// <summary>Logging.</summary>
    /// <value><see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Tiers is null || Tiers.Count == 0) errors.Add($"{nameof(Tiers)} must hold at least the durable tier");
        else
        {
            if (Tiers.Any(t => t is null)) errors.Add($"{nameof(Tiers)} cannot hold null");
            var tiers = Tiers.Where(t => t is not null).ToList();
            var durable = tiers.Count(t => t.Role == TierRole.Durable);
            if (durable != 1) errors.Add($"exactly one tier must be {nameof(TierRole.Durable)} (found {durable})");
            if (tiers.Count(t => t.Role == TierRole.Archive) > 1) errors.Add($"at most one tier may be {nameof(TierRole.Archive)}");
            var order = tiers.Select(t => (int)t.Role).ToList();
            for (var i = 1; i < order.Count; i++)
                if (order[i] < order[i - 1]) { errors.Add("tiers must be ordered cache tiers, then the durable tier, then the archive tier"); break; }
            foreach (var dup in tiers.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
                errors.Add($"tier name '{dup.Key}' is used twice");
            if (tiers.Select(t => t.Store).Distinct().Count() != tiers.Count) errors.Add("a store may back only one tier");
            if (tiers.Any(t => t.Role == TierRole.Archive) && ArchiveOutbox is null)
                errors.Add($"{nameof(ArchiveOutbox)} is required with an archive tier");
            if (tiers.FirstOrDefault(t => t.Role == TierRole.Durable)?.Store is MemoryCacheTier { MaxBytes: not null })
                errors.Add("a size-capped MemoryCacheTier cannot be the durable tier (it evicts by itself)");
        }
        if (BreakerFailureThreshold < 1) errors.Add($"{nameof(BreakerFailureThreshold)} must be at least 1");
        if (BreakerCooldown < TimeSpan.Zero) errors.Add($"{nameof(BreakerCooldown)} cannot be negative");
        if (TimeProvider is null) errors.Add($"{nameof(TimeProvider)} is required");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        if (errors.Count > 0) throw new ArgumentException("Invalid TieredObjectStoreOptions: " + string.Join("; ", errors) + ".");
    }
}
