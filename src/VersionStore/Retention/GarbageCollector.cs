using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// One run of mark and sweep over a store (see <see cref="RepositoryStore.CollectGarbageAsync"/>). The run:
/// <list type="number">
/// <item>loads the previous plan (prune marks, deletion candidates);</item>
/// <item>marks, per repository: every commit reachable from a ref (history is never pruned); the snapshots of the versions
/// retention keeps (<see cref="ProtectedVersions"/>) and of versions marked pruned less than a grace period ago; then the
/// closure of every object written less than a grace period ago (commits in flight);</item>
/// <item>sweeps the previous plan's candidates that are still unreached, once that plan is a grace period old — each
/// backend skips, atomically with the delete, anything written since the cut-off;</item>
/// <item>records the new plan: prune marks and the objects now unreached and older than the grace period.</item>
/// </list>
/// An object is therefore deleted only when it was unreached and old in two runs a grace period apart, and nothing
/// pointed a ref at it in between (those operations refuse planned versions). A crash at any point leaves either the
/// old plan (the sweep simply runs again) or the new one; deletions are idempotent.
/// </summary>
internal sealed class GarbageCollector(RepositoryStore store, GcOptions options, IProgress<GcProgress>? progress)
{
    private readonly List<string> _problems = [];
    private readonly HashSet<ObjectId> _live = [];
    private long _commitsKept;

    public async Task<GcResult> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        if (store.Objects is not ISweepableObjectStore sweepable)
            throw new InvalidRequestException($"The object store ({store.Objects.GetType().Name}) cannot be garbage collected: it does not implement {nameof(ISweepableObjectStore)}.");
        using var activity = VersionStoreDiagnostics.ActivitySource.StartActivity("vstore.gc");
        var clock = store.Options.TimeProvider;
        var started = clock.GetTimestamp();
        var now = clock.GetUtcNow();
        var cutoff = now - options.GracePeriod;
        var selected = options.Repositories?.Select(r => new RepositoryName(r).Value).ToHashSet(StringComparer.Ordinal);

        var (planState, previous) = await store.GcPlans.GetAsync(store, cancellationToken).ConfigureAwait(false);

        // ---- mark: refs, history, retention
        var repositories = new List<RepositoryName>();
        await foreach (var r in store.Refs.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false)) repositories.Add(r);
        var pruned = new Dictionary<string, Dictionary<ObjectId, DateTimeOffset>>(StringComparer.Ordinal);
        var snapshotRoots = new List<ObjectId>();
        for (var i = 0; i < repositories.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = repositories[i];
            var repository = store.GetRepository(name);
            var applyPolicy = name != RepositoryStore.SystemRepository && (selected is null || selected.Contains(name.Value));
            var previousMarks = previous.Pruned.GetValueOrDefault(name.Value) ?? [];
            var marks = await MarkRepositoryAsync(repository, applyPolicy, previousMarks, now, snapshotRoots, cancellationToken).ConfigureAwait(false);
            if (marks.Count > 0) pruned[name.Value] = marks;
            progress?.Report(new GcProgress(GcPhase.Mark, i + 1, repositories.Count));
        }
        if (selected is not null)
            foreach (var s in selected)
                if (!repositories.Any(r => r.Value == s)) _problems.Add($"repository '{s}' has no refs");
        foreach (var tree in snapshotRoots) await MarkTreeAsync(tree, cancellationToken).ConfigureAwait(false);

        // ---- scan: what the store holds; objects written within the grace period are roots (commits in flight)
        var stored = new List<StoredObjectInfo>();
        await foreach (var o in sweepable.ListObjectsAsync(cancellationToken).ConfigureAwait(false))
        {
            stored.Add(o);
            if (stored.Count % 10_000 == 0) progress?.Report(new GcProgress(GcPhase.Scan, stored.Count, null));
        }
        progress?.Report(new GcProgress(GcPhase.Scan, stored.Count, stored.Count));
        foreach (var o in stored)
            if (o.WrittenAt is { } at && at >= cutoff) await MarkYoungAsync(o.Id, cancellationToken).ConfigureAwait(false);
        VersionStoreDiagnostics.GcObjectsMarked.Add(_live.Count);

        // ---- sweep the previous plan
        var deleted = new HashSet<ObjectId>();
        var tiers = new Dictionary<string, (long Objects, long Bytes)>(StringComparer.Ordinal);
        if (previous.Commit is not null && now - previous.CreatedAt >= options.GracePeriod)
        {
            var doomed = previous.Candidates.Where(id => !_live.Contains(id)).ToList();
            if (options.DryRun)
            {
                var sizes = stored.ToDictionary(o => o.Id, o => o.Bytes);
                long bytes = 0, count = 0;
                foreach (var id in doomed)
                    if (sizes.TryGetValue(id, out var b)) { count++; bytes += b; }
                tiers["(dry run)"] = (count, bytes);
            }
            else
            {
                for (var p = 0; p < doomed.Count; p += options.DeleteBatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var batch = doomed.GetRange(p, Math.Min(options.DeleteBatchSize, doomed.Count - p));
                    foreach (var r in await sweepable.DeleteObjectsAsync(batch, cutoff, cancellationToken).ConfigureAwait(false))
                    {
                        var t = tiers.GetValueOrDefault(r.Tier);
                        tiers[r.Tier] = (t.Objects + r.ObjectsDeleted, t.Bytes + r.BytesFreed);
                        var tag = new KeyValuePair<string, object?>("tier", r.Tier);
                        VersionStoreDiagnostics.GcObjectsSwept.Add(r.ObjectsDeleted, tag);
                        VersionStoreDiagnostics.GcBytesFreed.Add(r.BytesFreed, tag);
                    }
                    foreach (var id in batch) deleted.Add(id);
                    store.ObjectReader.Forget(batch);
                    store.VerifiedTrees.Forget(batch);
                    progress?.Report(new GcProgress(GcPhase.Sweep, Math.Min(p + batch.Count, doomed.Count), doomed.Count));
                }
            }
        }

        // ---- plan the next sweep
        var candidates = new HashSet<ObjectId>();
        foreach (var o in stored)
            if (!_live.Contains(o.Id) && !deleted.Contains(o.Id) && (o.WrittenAt is not { } at || at < cutoff)) candidates.Add(o.Id);
        if (!options.DryRun)
        {
            progress?.Report(new GcProgress(GcPhase.Plan, 0, 1));
            await WritePlanAsync(planState, now, candidates, pruned, cancellationToken).ConfigureAwait(false);
        }
        progress?.Report(new GcProgress(GcPhase.Done, 1, 1));

        var elapsed = clock.GetElapsedTime(started);
        VersionStoreDiagnostics.GcDuration.Record(elapsed.TotalMilliseconds);
        var tierResults = tiers.Select(t => new TierSweepResult(t.Key, t.Value.Objects, t.Value.Bytes)).ToList();
        // A composite reports each tier; objects count once per tier that held them.
        return new GcResult(options.DryRun, repositories.Count(r => r != RepositoryStore.SystemRepository), _commitsKept, pruned.Values.Sum(m => m.Count),
            _live.Count, stored.Count, tierResults.Sum(t => t.ObjectsDeleted), tierResults.Sum(t => t.BytesFreed), candidates.Count, tierResults, elapsed, _problems);
    }

    /// <summary>Marks one repository's history; returns its prune marks and adds the snapshots to keep to <paramref name="snapshotRoots"/>.</summary>
    private async Task<Dictionary<ObjectId, DateTimeOffset>> MarkRepositoryAsync(Repository repository, bool applyPolicy,
        Dictionary<ObjectId, DateTimeOffset> previousMarks, DateTimeOffset now, List<ObjectId> snapshotRoots, CancellationToken cancellationToken)
    {
        var policy = applyPolicy ? await repository.GetRetentionPolicyAsync(cancellationToken).ConfigureAwait(false) : null;
        var protectedVersions = await ProtectedVersions.ComputeAsync(repository, policy, now, cancellationToken).ConfigureAwait(false);

        // History: every commit reachable from any ref, and from every version the repository protects.
        var history = new Dictionary<ObjectId, Commit>();
        var stack = new Stack<(ObjectId Id, string Via)>();
        foreach (var (id, via) in protectedVersions.Roots) stack.Push((id, via));
        var roots = protectedVersions.Roots.Select(r => r.Id).ToHashSet();
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (id, via) = stack.Pop();
            if (history.ContainsKey(id)) continue;
            var commit = await repository.TryGetCommitAsync(id, cancellationToken).ConfigureAwait(false);
            if (commit is null)
            {
                if (!roots.Contains(id) || via.StartsWith("refs/", StringComparison.Ordinal))
                    throw new VersionStoreException($"Garbage collection stopped before deleting anything: commit {id} of repository '{repository.Name}' (reached from {via}) is not stored; run 'vstore verify'.")
                    { Repository = repository.Name.Value, ObjectId = id };
                continue; // a channel's past version that was collected long ago: nothing left to keep
            }
            history[id] = commit;
            _live.Add(id);
            foreach (var p in commit.Parents) stack.Push((p, id.ToString(12)));
        }
        _commitsKept += history.Count;

        var marks = new Dictionary<ObjectId, DateTimeOffset>();
        foreach (var (id, commit) in history)
        {
            var keep = policy is null
                ? !previousMarks.ContainsKey(id) || protectedVersions.Always.Contains(id)
                : policy.KeepsEverything || protectedVersions.Retained.Contains(id);
            if (keep && previousMarks.ContainsKey(id) && !await store.Objects.ContainsAsync(commit.Tree, cancellationToken).ConfigureAwait(false))
                keep = false; // already deleted: it stays pruned (the pin or ref that wants it came too late)
            if (keep)
            {
                snapshotRoots.Add(commit.Tree);
                continue;
            }
            var markedAt = previousMarks.TryGetValue(id, out var at) ? at : now;
            marks[id] = markedAt;
            // A fresh mark keeps the snapshot for one more grace period: an operation that checked before the mark was
            // recorded has finished by then, and every later one is refused.
            if (now - markedAt < options.GracePeriod) snapshotRoots.Add(commit.Tree);
        }
        return marks;
    }

    private async Task MarkTreeAsync(ObjectId root, CancellationToken cancellationToken)
    {
        var stack = new Stack<ObjectId>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!_live.Add(id)) continue;
            cancellationToken.ThrowIfCancellationRequested();
            Tree tree;
            try
            {
                tree = await store.ObjectReader.GetTreeAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectNotFoundException)
            {
                _problems.Add($"tree {id} of a kept snapshot is missing (run 'vstore verify')");
                continue;
            }
            foreach (var e in tree)
            {
                if (e.Kind == ObjectKind.Tree) stack.Push(e.Id);
                else _live.Add(e.Id);
            }
        }
    }

    /// <summary>An object written within the grace period and everything it reaches (a commit in flight reuses older objects).</summary>
    private async Task MarkYoungAsync(ObjectId id, CancellationToken cancellationToken)
    {
        if (_live.Contains(id)) return;
        ReadOnlyMemory<byte>? data;
        try
        {
            data = await store.ObjectReader.TryReadVerifiedAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (CorruptObjectException e)
        {
            _problems.Add(e.Message);
            _live.Add(id);
            return;
        }
        if (data is null) return; // deleted meanwhile
        switch (ObjectCodec.ReadKind(id, data.Value.Span))
        {
            case ObjectKind.Commit:
                _live.Add(id);
                var commit = ObjectCodec.DecodeCommit(id, data.Value.Span);
                foreach (var p in commit.Parents) _live.Add(p);
                await MarkTreeAsync(commit.Tree, cancellationToken).ConfigureAwait(false);
                break;
            case ObjectKind.Tree:
                await MarkTreeAsync(id, cancellationToken).ConfigureAwait(false);
                break;
            default:
                _live.Add(id);
                break;
        }
    }

    private async Task WritePlanAsync(RefState? expected, DateTimeOffset now, HashSet<ObjectId> candidates,
        Dictionary<string, Dictionary<ObjectId, DateTimeOffset>> pruned, CancellationToken cancellationToken)
    {
        var objects = GcPlan.Encode(now, options.Actor, candidates, pruned);
        await store.Objects.WriteAsync(objects, cancellationToken).ConfigureAwait(false);
        var commit = objects[^1].Id;
        var entry = new AuditEntry(GcPlan.PlanRef, (expected?.Sequence ?? 0) + 1, expected?.Target, commit, "gc.plan", options.Actor, now,
            null, expected?.AuditHash ?? ObjectId.Zero,
            [
                new Trailer("Candidates", candidates.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Trailer("Pruned", pruned.Values.Sum(m => m.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ]);
        if (!await store.Refs.TryUpdateRefAsync(new RefUpdate(RepositoryStore.SystemRepository, expected, entry), cancellationToken).ConfigureAwait(false))
            _problems.Add("another garbage collection recorded its plan meanwhile; this run's plan was dropped (its deletions were safe)");
    }
}
