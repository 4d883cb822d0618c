namespace VersionStore.Internal;

/// <summary>
/// The one place that says which versions of a repository keep their snapshots (design invariant 5). Always kept,
/// whatever the policy: the head of every ref — branches, tags, pins, store state, and every ref of the channel
/// namespace (a channel, its last-known-good, canary and guard-log companions) — and every version any channel ref ever
/// pointed to, read from its audit log ("what was live when" stays checkable; the audit log is never truncated). The
/// policy adds, per branch, the newest <see cref="RetentionPolicy.KeepLast"/> first-parent versions and those younger
/// than <see cref="RetentionPolicy.KeepDays"/>. Extend here when a new kind of hold appears.
/// </summary>
internal sealed class ProtectedVersions
{
    /// <summary>Where history walks start (every commit reachable from these is kept as a commit), with what reached it.</summary>
    public List<(ObjectId Id, string Via)> Roots { get; } = [];

    /// <summary>Versions whose snapshot is kept whatever the policy.</summary>
    public HashSet<ObjectId> Always { get; } = [];

    /// <summary><see cref="Always"/> plus what the policy keeps.</summary>
    public HashSet<ObjectId> Retained { get; } = [];

    public static async Task<ProtectedVersions> ComputeAsync(Repository repository, RetentionPolicy? policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new ProtectedVersions();
        var branches = new List<(RefName Name, ObjectId Head)>();
        var channels = new List<RefName>();
        await foreach (var (name, state) in repository.Store.Refs.ListRefsAsync(repository.Name, cancellationToken).ConfigureAwait(false))
        {
            if (name.Kind == RefKind.Channel) channels.Add(name); // deleted channels too: what they served stays checkable
            if (state.Target is not { } target) continue;
            // The collector's own plan is replaced by this run; were this run's plan lost, the old one stays the ref's
            // target, so the next run reaches it again and keeps it.
            if (repository.Name == RepositoryStore.SystemRepository && name == GcPlan.PlanRef) continue;
            result.Roots.Add((target, name.FullName));
            result.Always.Add(target);
            if (name.Kind == RefKind.Branch) branches.Add((name, target));
        }
        foreach (var channel in channels)
        {
            await foreach (var e in repository.Store.Refs.ReadAuditAsync(repository.Name, channel, null, cancellationToken).ConfigureAwait(false))
            {
                foreach (var served in new[] { e.Old, e.New })
                {
                    if (served is not { } id || !result.Always.Add(id)) continue;
                    result.Roots.Add((id, $"audit {channel.ShortName}@{{{e.Sequence}}}"));
                }
            }
        }
        result.Retained.UnionWith(result.Always);
        if (policy is null || policy.KeepsEverything) return result;

        var youngerThan = policy.KeepDays is { } days ? now - TimeSpan.FromDays(days) : DateTimeOffset.MaxValue;
        foreach (var (_, head) in branches)
        {
            ObjectId? current = head;
            for (var i = 0; current is { } id; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var commit = await repository.TryGetCommitAsync(id, cancellationToken).ConfigureAwait(false);
                if (commit is null) break; // reported by the history walk
                var byCount = policy.KeepLast is { } n && i < n;
                var byAge = commit.Timestamp >= youngerThan;
                if (!byCount && !byAge) break; // first-parent timestamps descend: nothing older is kept either
                result.Retained.Add(id);
                current = commit.Parents.Count > 0 ? commit.Parents[0] : null;
            }
        }
        return result;
    }
}
