using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace VersionStore.OpenTelemetry;

/// <summary>
/// Registers VersionStore's telemetry with OpenTelemetry. Every VersionStore package names its ActivitySource and
/// Meter <c>VersionStore</c> (the core) or <c>VersionStore.&lt;Package&gt;</c>; these methods subscribe to all of
/// them — those of packages added later included — by that prefix.
/// </summary>
public static class VersionStoreInstrumentationExtensions
{
    /// <summary>The source/meter names subscribed to: the core's name and the prefix of every other package's.</summary>
    public static IReadOnlyList<string> Names { get; } = [VersionStoreDiagnostics.Name, VersionStoreDiagnostics.Name + ".*"];

    /// <summary>Collects the traces of commits, merges, rollbacks and every other VersionStore activity.</summary>
    /// <example><code>services.AddOpenTelemetry().WithTracing(t => t.AddVersionStoreInstrumentation());</code></example>
    public static TracerProviderBuilder AddVersionStoreInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource([.. Names]);
    }

    /// <summary>Collects every VersionStore instrument (commits, rollbacks, tiers, fail-static reads, GC, …).</summary>
    /// <example><code>services.AddOpenTelemetry().WithMetrics(m => m.AddVersionStoreInstrumentation());</code></example>
    public static MeterProviderBuilder AddVersionStoreInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter([.. Names]);
    }
}
