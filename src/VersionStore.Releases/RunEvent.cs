namespace VersionStore.Releases;

/// <summary>
/// One change in a workflow run (docs/ARCHITECTURE.md, run events and snapshots): node <paramref name="NodeId"/> reached <paramref name="Status"/> at
/// <paramref name="Timestamp"/> while running workflow version <paramref name="Version"/>. Run-level changes use
/// <see cref="RunNodeId"/> as the node id; a run-level terminal status (see <see cref="RunSnapshotPolicy"/>) ends the run.
/// </summary>
/// <param name="NodeId">The node, or <see cref="RunNodeId"/> for the run itself.</param>
/// <param name="Status">The new status (<c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>completed</c>, …).</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Version">The workflow version (commit id or tag) the run executes.</param>
public sealed record RunEvent(string NodeId, string Status, DateTimeOffset Timestamp, string Version)
{
    /// <summary>The node id of run-level events.</summary>
    public const string RunNodeId = "$run";
}

/// <summary>The last known status of one node in a run.</summary>
/// <param name="Status">Its status.</param>
/// <param name="Timestamp">When it reached it.</param>
/// <param name="Version">The workflow version.</param>
public sealed record NodeState(string Status, DateTimeOffset Timestamp, string Version);

/// <summary>The state of a run at a point in time: the last snapshot before it plus the events after that snapshot.</summary>
/// <param name="RunId">The run.</param>
/// <param name="AsOf">The time asked for.</param>
/// <param name="Status">The run-level status (from <see cref="RunEvent.RunNodeId"/> events), or null when none yet.</param>
/// <param name="Nodes">Per node, its last status at <paramref name="AsOf"/>, ordinal by node id.</param>
/// <param name="EventsApplied">Events applied on top of the snapshot (the cost of the query).</param>
/// <param name="SnapshotTime">Time of the snapshot used, or null when the run was replayed from its start.</param>
public sealed record RunState(string RunId, DateTimeOffset AsOf, string? Status, IReadOnlyDictionary<string, NodeState> Nodes, int EventsApplied, DateTimeOffset? SnapshotTime);

/// <summary>When a run's state is snapshotted.</summary>
public sealed class RunSnapshotPolicy
{
    /// <summary>A snapshot is taken with the first append at least this long after the previous snapshot (or the run's first event).</summary>
    /// <value>5 minutes.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Run-level statuses that end a run and force a snapshot.</summary>
    /// <value>completed, failed (also succeeded, stopped).</value>
    public ISet<string> TerminalStatuses { get; set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "completed", "failed", "succeeded", "stopped" };

    /// <summary>True when <paramref name="e"/> ends the run.</summary>
    public bool IsTerminal(RunEvent e) => e.NodeId == RunEvent.RunNodeId && TerminalStatuses.Contains(e.Status);
}

/// <summary>A per-run append-only log of <see cref="RunEvent"/>s with snapshots (docs/ARCHITECTURE.md, run events and snapshots).</summary>
public interface IRunEventStore
{
    /// <summary>Appends events (in timestamp order, not older than the run's newest event) to run <paramref name="runId"/>; may take a snapshot per the policy.</summary>
    /// <exception cref="ArgumentException">An event is older than the run's newest event, or the run id is invalid.</exception>
    ValueTask AppendAsync(string runId, IReadOnlyList<RunEvent> events, CancellationToken cancellationToken = default);

    /// <summary>The state of the run at <paramref name="at"/>: the last snapshot at or before it plus the events after it. Null when the run is unknown.</summary>
    ValueTask<RunState?> GetStateAsync(string runId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>The run's events in order.</summary>
    IAsyncEnumerable<RunEvent> ReadEventsAsync(string runId, CancellationToken cancellationToken = default);
}
