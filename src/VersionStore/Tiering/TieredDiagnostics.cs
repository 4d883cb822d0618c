using System.Diagnostics.Metrics;

namespace VersionStore;

/// <summary>
/// The tiered store's instruments (<c>vstore.tiered.*</c>), on the core's Meter (<see cref="VersionStoreDiagnostics.Name"/>).
/// Every instrument carries the tag <c>tier</c> (the tier's name).
/// </summary>
internal static class TieredDiagnostics
{
    internal static Meter Meter => VersionStoreDiagnostics.Meter;

    /// <summary>Reads a tier answered with a verified object.</summary>
    internal static readonly Counter<long> Hits = Meter.CreateCounter<long>("vstore.tiered.hits", "{read}", "Reads a tier served with a verified object.");
    /// <summary>Reads a tier answered with "not held".</summary>
    internal static readonly Counter<long> Misses = Meter.CreateCounter<long>("vstore.tiered.misses", "{read}", "Reads a tier answered with 'not held'.");
    internal static readonly Counter<long> Corruptions = Meter.CreateCounter<long>("vstore.tiered.corruptions", "{object}", "Copies that did not match their id.");
    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>("vstore.tiered.failures", "{call}", "Calls a tier failed (backend unavailable).");
    internal static readonly Counter<long> Skipped = Meter.CreateCounter<long>("vstore.tiered.skipped", "{call}", "Calls not made because the tier's circuit breaker was open.");
    internal static readonly Counter<long> Promotions = Meter.CreateCounter<long>("vstore.tiered.promotions", "{object}", "Objects copied into a nearer tier (promotion or repair).");
    internal static readonly Counter<long> Archived = Meter.CreateCounter<long>("vstore.tiered.archived", "{object}", "Objects the archiver copied into the archive tier.");
    internal static readonly Counter<long> Evictions = Meter.CreateCounter<long>("vstore.tiered.evictions", "{object}", "Objects demoted out of a cache tier.");
    internal static readonly Histogram<double> ReadDuration = Meter.CreateHistogram<double>("vstore.tiered.read.duration", "ms", "Duration of one read from one tier.");
}

/// <summary>Counters of one tier since the store was created (also exported as the <c>vstore.tiered.*</c> instruments of the core's Meter).</summary>
/// <param name="Tier">The tier's name.</param>
/// <param name="Hits">Reads served with a verified object.</param>
/// <param name="Misses">Reads answered "not held".</param>
/// <param name="Corruptions">Copies found corrupt (hash mismatch or undecodable).</param>
/// <param name="Failures">Calls that failed (backend unavailable).</param>
/// <param name="Skipped">Calls skipped while the breaker was open.</param>
/// <param name="Promotions">Objects copied into this tier on read (promotion or repair).</param>
/// <param name="BreakerOpen">True while the breaker is open.</param>
/// <param name="BreakerOpenCount">How often the breaker opened.</param>
public readonly record struct TierStatistics(string Tier, long Hits, long Misses, long Corruptions, long Failures, long Skipped,
    long Promotions, bool BreakerOpen, long BreakerOpenCount);
