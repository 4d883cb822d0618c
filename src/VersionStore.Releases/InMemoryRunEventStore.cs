using System.Runtime.CompilerServices;
using VersionStore.Releases.Internal;

namespace VersionStore.Releases;

/// <summary>An <see cref="IRunEventStore"/> in process memory (tests, single-process tools).</summary>
public sealed class InMemoryRunEventStore(RunSnapshotPolicy? policy = null) : IRunEventStore
{
    private readonly RunSnapshotPolicy _policy = policy ?? new RunSnapshotPolicy();
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ValueTask AppendAsync(string runId, IReadOnlyList<RunEvent> events, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _runs.TryGetValue(runId ?? "", out var run);
            RunFold.Validate(runId!, events, run?.State.LastTime);
            if (run is null) _runs[runId!] = run = new Run();
            foreach (var e in events)
            {
                run.Events.Add(e);
                run.State.Apply(e);
                run.LastSnapshotTime ??= e.Timestamp;
                if (_policy.IsTerminal(e) || e.Timestamp - run.LastSnapshotTime >= _policy.Interval)
                {
                    run.Snapshots.Add((e.Timestamp, run.Events.Count, run.State.Clone()));
                    run.LastSnapshotTime = e.Timestamp;
                }
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RunState?> GetStateAsync(string runId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(runId, out var run)) return ValueTask.FromResult<RunState?>(null);
            var snap = run.Snapshots.LastOrDefault(s => s.Time <= at);
            var fold = snap.State?.Clone() ?? new RunFold();
            var applied = 0;
            for (var i = snap.State is null ? 0 : snap.EventCount; i < run.Events.Count && run.Events[i].Timestamp <= at; i++, applied++) fold.Apply(run.Events[i]);
            return ValueTask.FromResult<RunState?>(fold.ToState(runId, at, applied, snap.State is null ? null : snap.Time));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RunEvent> ReadEventsAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        RunEvent[] events;
        lock (_lock) events = _runs.TryGetValue(runId, out var run) ? [.. run.Events] : [];
        foreach (var e in events) yield return e;
    }

    private sealed class Run
    {
        public List<RunEvent> Events { get; } = [];
        public List<(DateTimeOffset Time, int EventCount, RunFold State)> Snapshots { get; } = [];
        public RunFold State { get; } = new();
        public DateTimeOffset? LastSnapshotTime { get; set; }
    }
}
