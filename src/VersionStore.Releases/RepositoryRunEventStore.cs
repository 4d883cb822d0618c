using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using VersionStore.Releases.Internal;

namespace VersionStore.Releases;

/// <summary>
/// An <see cref="IRunEventStore"/> kept in a VersionStore repository through the core API only, so it lives in
/// whatever store the application configured (embedded: RocksDB) with no backend reference of its own.
/// </summary>
/// <remarks>
/// Layout: run <c>R</c> is the branch <c>refs/heads/runs/R</c>. Each append is one commit (objects first, then one
/// compare-and-swap of the branch, retried on a lost race) whose snapshot holds <c>events.json</c> — the events of
/// that append only — and, when the policy calls for a snapshot, <c>snapshot.json</c> — the folded state after those
/// events. Trailers carry <c>First-Event</c>/<c>Last-Event</c> times and, on snapshot commits, <c>Snapshot: true</c>.
/// The state at time T walks first parents from the head back to the newest snapshot taken at or before T, reading
/// only the batches that start at or before T: the cost is bounded by the snapshot interval, not the run's length.
/// Every append is audited like any commit, and objects are shared and deduplicated with the workflow's versions.
/// </remarks>
public sealed class RepositoryRunEventStore : IRunEventStore
{
    private const string EventsEntry = "events.json";
    private const string SnapshotEntry = "snapshot.json";
    private const int CasAttempts = 16;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Repository _repository;
    private readonly RunSnapshotPolicy _policy;

    /// <summary>Creates a store of the runs of <paramref name="repository"/> (usually the workflow's repository).</summary>
    public RepositoryRunEventStore(Repository repository, RunSnapshotPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        _repository = repository;
        _policy = policy ?? new RunSnapshotPolicy();
    }

    /// <summary>The branch holding run <paramref name="runId"/>.</summary>
    public static RefName RunRef(string runId) => RefName.Branch("runs/" + runId);

    /// <inheritdoc />
    public async ValueTask AppendAsync(string runId, IReadOnlyList<RunEvent> events, CancellationToken cancellationToken = default)
    {
        RunFold.Validate(runId, events, null);
        if (events.Count == 0) return;
        var branch = RunRef(runId);
        for (var attempt = 0; ; attempt++)
        {
            var head = await _repository.TryGetRefAsync(branch, cancellationToken).ConfigureAwait(false);
            Commit? headCommit = head is null ? null : await _repository.GetCommitAsync(head.Target, cancellationToken).ConfigureAwait(false);
            var newest = Time(headCommit, "Last-Event");
            RunFold.Validate(runId, events, newest);

            var lastSnapshot = Time(headCommit, "Snapshot-Time") ?? Time(headCommit, "First-Run-Event") ?? events[0].Timestamp;
            var last = events[^1].Timestamp;
            var snapshot = events.Any(_policy.IsTerminal) || last - lastSnapshot >= _policy.Interval;
            var changes = new SnapshotChanges { ReplaceAll = true }.Put(EventsEntry, JsonSerializer.SerializeToUtf8Bytes(events, Json));
            var trailers = new List<Trailer>
            {
                new("First-Event", Format(events[0].Timestamp)),
                new("Last-Event", Format(last)),
                new("First-Run-Event", Format(Time(headCommit, "First-Run-Event") ?? events[0].Timestamp)),
                new("Snapshot-Time", Format(snapshot ? last : lastSnapshot)),
            };
            if (snapshot)
            {
                var fold = await FoldAsync(headCommit, DateTimeOffset.MaxValue, cancellationToken).ConfigureAwait(false);
                foreach (var e in events) fold.Fold.Apply(e);
                changes.Put(SnapshotEntry, JsonSerializer.SerializeToUtf8Bytes(ToDto(fold.Fold), Json));
                trailers.Add(new Trailer("Snapshot", "true"));
            }
            try
            {
                await _repository.CommitAsync(branch.ShortName, changes, new CommitOptions
                {
                    Author = "run-events",
                    Message = $"{events.Count} event(s) of run {runId}{(snapshot ? " + snapshot" : "")}",
                    ExpectedHead = head?.Target ?? ObjectId.Zero,
                    Trailers = trailers,
                    Timestamp = last,
                }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RefConflictException) when (attempt < CasAttempts) { }
        }
    }

    /// <inheritdoc />
    public async ValueTask<RunState?> GetStateAsync(string runId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var head = await _repository.TryGetRefAsync(RunRef(runId), cancellationToken).ConfigureAwait(false);
        if (head is null) return null;
        var commit = await _repository.GetCommitAsync(head.Target, cancellationToken).ConfigureAwait(false);
        var (fold, applied, snapshotTime) = await FoldAsync(commit, at, cancellationToken).ConfigureAwait(false);
        return fold.ToState(runId, at, applied, snapshotTime);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RunEvent> ReadEventsAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var head = await _repository.TryGetRefAsync(RunRef(runId), cancellationToken).ConfigureAwait(false);
        if (head is null) yield break;
        var chain = new List<Commit>();
        for (Commit? c = await _repository.GetCommitAsync(head.Target, cancellationToken).ConfigureAwait(false); c is not null;
             c = c.Parents.Count == 0 ? null : await _repository.GetCommitAsync(c.Parents[0], cancellationToken).ConfigureAwait(false))
            chain.Add(c);
        for (var i = chain.Count - 1; i >= 0; i--)
            foreach (var e in await ReadEntryAsync<RunEvent[]>(chain[i], EventsEntry, cancellationToken).ConfigureAwait(false) ?? [])
                yield return e;
    }

    /// <summary>Folds the run from the newest snapshot at or before <paramref name="at"/> through the events up to <paramref name="at"/>.</summary>
    private async Task<(RunFold Fold, int Applied, DateTimeOffset? SnapshotTime)> FoldAsync(Commit? head, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var batches = new List<Commit>();
        RunFold? fold = null;
        DateTimeOffset? snapshotTime = null;
        for (var c = head; c is not null;
             c = c.Parents.Count == 0 ? null : await _repository.GetCommitAsync(c.Parents[0], cancellationToken).ConfigureAwait(false))
        {
            var last = Time(c, "Last-Event");
            if (c.GetTrailer("Snapshot") == "true" && last <= at)
            {
                var dto = await ReadEntryAsync<SnapshotDto>(c, SnapshotEntry, cancellationToken).ConfigureAwait(false);
                if (dto is not null)
                {
                    fold = FromDto(dto);
                    snapshotTime = last;
                    break;
                }
            }
            if (Time(c, "First-Event") <= at) batches.Add(c);
        }
        fold ??= new RunFold();
        var applied = 0;
        for (var i = batches.Count - 1; i >= 0; i--)
            foreach (var e in await ReadEntryAsync<RunEvent[]>(batches[i], EventsEntry, cancellationToken).ConfigureAwait(false) ?? [])
                if (e.Timestamp <= at)
                {
                    fold.Apply(e);
                    applied++;
                }
        return (fold, applied, snapshotTime);
    }

    private async Task<T?> ReadEntryAsync<T>(Commit commit, string entry, CancellationToken cancellationToken)
    {
        var tree = await _repository.GetTreeAsync(commit.Tree, cancellationToken).ConfigureAwait(false);
        if (!tree.TryGetEntry(entry, out var e)) return default;
        var bytes = await _repository.GetBlobAsync(e.Id, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<T>(bytes.Span, Json);
    }

    private static DateTimeOffset? Time(Commit? commit, string trailer)
        => commit?.GetTrailer(trailer) is { } v ? DateTimeOffset.Parse(v, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null;

    private static string Format(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static SnapshotDto ToDto(RunFold fold) => new(fold.Status, fold.LastTime, new Dictionary<string, NodeState>(fold.Nodes, StringComparer.Ordinal));

    private static RunFold FromDto(SnapshotDto dto)
    {
        var fold = new RunFold { Status = dto.Status, LastTime = dto.LastTime };
        foreach (var kv in dto.Nodes) fold.Nodes[kv.Key] = kv.Value;
        return fold;
    }

    private sealed record SnapshotDto(string? Status, DateTimeOffset? LastTime, Dictionary<string, NodeState> Nodes);
}
