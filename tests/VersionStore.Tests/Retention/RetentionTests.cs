using Microsoft.Extensions.Time.Testing;

namespace VersionStore.Tests.Retention;

/// <summary>Retention policy, pins and the typed "pruned" answers, on the in-memory store with a fake clock.</summary>
public sealed class RetentionTests
{
    private static readonly GcOptions Gc = new() { GracePeriod = TimeSpan.FromMinutes(10) };

    private static async Task<(RepositoryStore Store, Repository Repo, FakeTimeProvider Clock, List<ObjectId> Versions)> HistoryAsync(int count)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = RepositoryStore.CreateInMemory(new VersionStoreOptions { TimeProvider = clock });
        var repo = store.GetRepository("wf");
        var versions = new List<ObjectId>();
        for (var i = 0; i < count; i++)
        {
            versions.Add((await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", $"{{\"v\":{i}}}"), new CommitOptions { Author = "a", Message = $"v{i}" })).Id);
            clock.Advance(TimeSpan.FromMinutes(1));
        }
        return (store, repo, clock, versions);
    }

    private static async Task CollectTwiceAsync(RepositoryStore store, FakeTimeProvider clock)
    {
        for (var i = 0; i < 3; i++)
        {
            await store.CollectGarbageAsync(Gc);
            clock.Advance(TimeSpan.FromMinutes(11));
        }
    }

    [Fact]
    public async Task The_default_policy_keeps_every_version()
    {
        var (store, repo, clock, versions) = await HistoryAsync(5);
        Assert.True((await repo.GetRetentionPolicyAsync()).KeepsEverything);
        await CollectTwiceAsync(store, clock);
        foreach (var v in versions) Assert.Equal($"{{\"v\":{versions.IndexOf(v)}}}", System.Text.Encoding.UTF8.GetString((await (await repo.CheckoutAsync(v.ToString())).ReadAsync("nodes/llm"))!.Value.Span));
    }

    [Fact]
    public async Task A_pruned_version_keeps_its_commit_and_a_rollback_to_it_is_refused_before_anything_moves_saying_when()
    {
        var (store, repo, clock, versions) = await HistoryAsync(6);
        await repo.SetRetentionPolicyAsync(new RetentionPolicy(KeepLast: 2), "ops", "save space");
        await repo.PinAsync(versions[1].ToString(), "ops", "audit hold");
        await repo.CreateTagAsync("v0", versions[0].ToString());
        var prunedAt = clock.GetUtcNow();
        await CollectTwiceAsync(store, clock);

        var head = (await repo.TryGetRefAsync(RefName.Branch("main")))!;
        var e = await Assert.ThrowsAsync<VersionPrunedException>(() => repo.RollbackAsync(new RollbackRequest
        {
            Ref = RefName.Branch("main"), Target = versions[2].ToString(), Reason = "bad release", Actor = "oncall",
        }));
        Assert.Equal(prunedAt, e.Since);
        Assert.False(e.Collected);
        Assert.Contains("pruned by retention", e.Message);
        var after = (await repo.TryGetRefAsync(RefName.Branch("main")))!;
        Assert.Equal(head.Sequence, after.Sequence); // nothing moved, nothing audited

        await Assert.ThrowsAsync<VersionPrunedException>(async () => await repo.CheckoutAsync(versions[3].ToString()));
        await Assert.ThrowsAsync<VersionPrunedException>(() => repo.CreateBranchAsync("old", versions[2].ToString()));
        Assert.Equal(versions[2], (await repo.GetCommitAsync(versions[2])).Id); // history stays
        foreach (var kept in new[] { 0, 1, 4, 5 }) await repo.CheckoutAsync(versions[kept].ToString()); // tag, pin, last two
        var report = await repo.VerifyAsync();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task A_deleted_branch_is_collected_and_a_rollback_to_its_head_is_refused()
    {
        var (store, repo, clock, _) = await HistoryAsync(2);
        var feature = await repo.CommitAsync("feature", new SnapshotChanges().Put("nodes/x", "only here"), new CommitOptions { Author = "a", Message = "f" });
        await repo.DeleteRefAsync(RefName.Branch("feature"), "a", "abandoned");
        clock.Advance(TimeSpan.FromMinutes(11));
        var first = await store.CollectGarbageAsync(Gc);
        Assert.True(first.CandidatesPlanned >= 3);
        var e = await Assert.ThrowsAsync<VersionPrunedException>(() => repo.CreateBranchAsync("again", feature.Id.ToString()));
        Assert.True(e.Collected);
        clock.Advance(TimeSpan.FromMinutes(11));
        var second = await store.CollectGarbageAsync(Gc);
        Assert.True(second.ObjectsDeleted >= 3, $"deleted {second.ObjectsDeleted}");
        Assert.Null(await repo.TryGetCommitAsync(feature.Id));
    }

    [Fact]
    public async Task A_dry_run_reports_without_deleting_and_the_policy_change_is_audited()
    {
        var (store, repo, clock, _) = await HistoryAsync(4);
        var entry = await repo.SetRetentionPolicyAsync(new RetentionPolicy(KeepLast: 1, KeepDays: 0), "ops", "tight");
        Assert.Equal("retention.set", entry.Operation);
        Assert.Equal(new RetentionPolicy(1, 0), await repo.GetRetentionPolicyAsync());
        await CollectTwiceAsync(store, clock);
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{\"v\":99}"), new CommitOptions { Author = "a", Message = "v99" });
        await CollectTwiceAsync(store, clock);
        var objects = (InMemoryObjectStore)store.Objects;
        var before = objects.Count;
        var dry = await store.CollectGarbageAsync(new GcOptions { GracePeriod = Gc.GracePeriod, DryRun = true });
        Assert.True(dry.DryRun);
        Assert.Equal(before, objects.Count);
    }
}
