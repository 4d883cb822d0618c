namespace VersionStore.Releases.Internal;

/// <summary>The fold of run events into a state, shared by every event store.</summary>
internal sealed class RunFold
{
    public SortedDictionary<string, NodeState> Nodes { get; } = new(StringComparer.Ordinal);
    public string? Status { get; set; }
    public DateTimeOffset? LastTime { get; set; }

    public void Apply(RunEvent e)
    {
        Nodes[e.NodeId] = new NodeState(e.Status, e.Timestamp, e.Version);
        if (e.NodeId == RunEvent.RunNodeId) Status = e.Status;
        LastTime = e.Timestamp;
    }

    public RunFold Clone()
    {
        var c = new RunFold { Status = Status, LastTime = LastTime };
        foreach (var kv in Nodes) c.Nodes[kv.Key] = kv.Value;
        return c;
    }

    public RunState ToState(string runId, DateTimeOffset at, int applied, DateTimeOffset? snapshot)
        => new(runId, at, Status, new SortedDictionary<string, NodeState>(Nodes, StringComparer.Ordinal), applied, snapshot);

    public static void Validate(string runId, IReadOnlyList<RunEvent> events, DateTimeOffset? newest)
    {
        ArgumentNullException.ThrowIfNull(events);
        var problem = RefName.ValidateShortName(runId);
        if (problem is not null) throw new InvalidNameException(runId, "run", problem);
        var last = newest;
        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e);
            if (string.IsNullOrEmpty(e.NodeId) || string.IsNullOrEmpty(e.Status) || e.Version is null)
                throw new ArgumentException("A run event needs a node id, a status and a version.", nameof(events));
            if (last is { } l && e.Timestamp < l)
                throw new ArgumentException($"Run events are appended in time order: {e.Timestamp:O} is older than {l:O}.", nameof(events));
            last = e.Timestamp;
        }
    }
}
