using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace VersionStore;

/// <summary>
/// The telemetry contract of the core package: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <see cref="Name"/>, holding every instrument of the core (commits, rollbacks, refs, objects, tiers, fail-static
/// reads, GC). Every other package has its own pair named <c>VersionStore.&lt;Package&gt;</c>. The instruments are
/// internal: subscribe by name (OpenTelemetry: <c>AddVersionStoreInstrumentation()</c> from
/// <c>VersionStore.OpenTelemetry</c>, or <c>AddSource</c>/<c>AddMeter</c>; or a <see cref="MeterListener"/>). The
/// instrument, activity and event names are pinned by tests and listed in docs/OPERATIONS.md ("Telemetry").
/// </summary>
public static class VersionStoreDiagnostics
{
    /// <summary>Name of the activity source and the meter.</summary>
    public const string Name = "VersionStore";

    /// <summary>Traces of commits, rollbacks and history walks.</summary>
    internal static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>The meter of all instruments below, of the tiered store's and of fail-static reads.</summary>
    internal static readonly Meter Meter = new(Name, "1.0");

    /// <summary>Commits written (tag <c>operation</c>: commit, revert, merge).</summary>
    internal static readonly Counter<long> Commits = Meter.CreateCounter<long>("vstore.commits", "{commit}", "Commits written");

    /// <summary>Rollbacks finished (tags <c>mode</c>, <c>status</c>).</summary>
    internal static readonly Counter<long> Rollbacks = Meter.CreateCounter<long>("vstore.rollbacks", "{rollback}", "Rollbacks finished");

    /// <summary>Ref compare-and-swaps lost to a concurrent writer or a stale expected head.</summary>
    internal static readonly Counter<long> RefConflicts = Meter.CreateCounter<long>("vstore.ref.conflicts", "{conflict}", "Ref CAS conflicts");

    /// <summary>Objects read from the object store and verified.</summary>
    internal static readonly Counter<long> ObjectsRead = Meter.CreateCounter<long>("vstore.objects.read", "{object}", "Objects read and verified");

    /// <summary>Objects written.</summary>
    internal static readonly Counter<long> ObjectsWritten = Meter.CreateCounter<long>("vstore.objects.written", "{object}", "Objects written");

    /// <summary>Commit duration.</summary>
    internal static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("vstore.commit.duration", "ms", "Time to write a commit and move its branch");

    /// <summary>Rollback duration, request to result.</summary>
    internal static readonly Histogram<double> RollbackDuration = Meter.CreateHistogram<double>("vstore.rollback.duration", "ms", "Time from rollback request to result");

    /// <summary>Objects a garbage collection marked as kept (one add per run).</summary>
    internal static readonly Counter<long> GcObjectsMarked = Meter.CreateCounter<long>("vstore.gc.objects.marked", "{object}", "Objects garbage collection kept");

    /// <summary>Objects garbage collection deleted (tag <c>tier</c>).</summary>
    internal static readonly Counter<long> GcObjectsSwept = Meter.CreateCounter<long>("vstore.gc.objects.swept", "{object}", "Objects garbage collection deleted");

    /// <summary>Bytes garbage collection freed (tag <c>tier</c>).</summary>
    internal static readonly Counter<long> GcBytesFreed = Meter.CreateCounter<long>("vstore.gc.bytes.freed", "By", "Bytes garbage collection freed");

    /// <summary>Duration of one garbage collection run.</summary>
    internal static readonly Histogram<double> GcDuration = Meter.CreateHistogram<double>("vstore.gc.duration", "ms", "Time of one garbage collection run");
}
