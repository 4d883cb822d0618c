using VersionStore.Conformance;

namespace VersionStore.Tests.FailStatic;

/// <summary>
/// A shared ref store that lost its state (restarted empty, replaced, rolled back to an older backup), with in-memory
/// parts: writes are refused with <see cref="RefStoreStateLostException"/>, reads serve the remembered heads marked stale,
/// <see cref="RepositoryStore.RestoreHeadsAsync"/> re-publishes them, and nothing raises a false alarm on a fresh store,
/// a fresh machine or a busy one.
/// </summary>
public sealed class RefStoreStateLostTests
{
    private static readonly RefName Main = RefName.Branch("main");
    private static readonly IReadOnlyList<string> Versions = TestData.HistoryVersions("wwwzhouhui-stock-analysis");

    /// <summary>The shared ref store; <see cref="LoseState"/> swaps in an empty one, as a Redis restarted without its data.</summary>
    private sealed class LosableRefStore : IRefStore, IRefStoreEpoch
    {
        public InMemoryRefStore Current { get; set; } = new();

        public void LoseState() => Current = new InMemoryRefStore();

        public string BackendName => "Redis";

        public ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default) => Current.TryGetRefAsync(repository, name, cancellationToken);

        public IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, CancellationToken cancellationToken = default) => Current.ListRefsAsync(repository, cancellationToken);

        public ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default) => Current.TryUpdateRefAsync(update, cancellationToken);

        public IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default)
            => Current.ReadAuditAsync(repository, name, beforeSequence, cancellationToken);

        public IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default) => Current.ListRepositoriesAsync(cancellationToken);

        public ValueTask<string?> TryGetEpochAsync(CancellationToken cancellationToken = default) => Current.TryGetEpochAsync(cancellationToken);

        public ValueTask<string> EnsureEpochAsync(string epoch, CancellationToken cancellationToken = default) => Current.EnsureEpochAsync(epoch, cancellationToken);
    }

    /// <summary>One machine: the shared object store and ref store, its own head cache.</summary>
    private static (RepositoryStore Store, FailStaticRefStore Refs, InMemoryHeadCache Heads) Machine(IObjectStore objects, IRefStore shared)
    {
        var heads = new InMemoryHeadCache();
        var refs = new FailStaticRefStore(shared, heads);
        return (new RepositoryStore(objects, refs), refs, heads);
    }

    private static Task<CommitResult> CommitAsync(Repository repo, int version, string branch = "main")
        => repo.CommitAsync(branch, new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(Versions[version])), new CommitOptions { Author = "ana", Message = $"v{version + 1}" });

    [Fact]
    public async Task A_fresh_store_initialises_normally_and_writes_its_marker_on_the_first_write()
    {
        var shared = new LosableRefStore();
        var (store, _, heads) = Machine(new InMemoryObjectStore(), shared);
        Assert.Null(await shared.TryGetEpochAsync());
        var repo = store.GetRepository("bot");
        var v1 = await CommitAsync(repo, 0);
        var v2 = await CommitAsync(repo, 1);
        Assert.Equal(v1.Id, v2.Commit.Parents.Single());
        var marker = await shared.TryGetEpochAsync();
        Assert.NotNull(marker);
        Assert.Equal(marker, await heads.TryGetRefStoreEpochAsync());
        Assert.True((await repo.VerifyAsync()).IsHealthy);
    }

    [Fact]
    public async Task After_the_ref_store_lost_its_state_writes_are_refused_reads_are_stale_and_restore_heads_brings_the_history_back()
    {
        var shared = new LosableRefStore();
        var (store, refs, _) = Machine(new InMemoryObjectStore(), shared);
        var repo = store.GetRepository("bot");
        await CommitAsync(repo, 0);
        var v2 = await CommitAsync(repo, 1);
        await repo.CreateTagAsync("v2", "main");

        shared.LoseState();

        // Reads: served from the remembered heads, marked stale, the cause typed.
        var stale = new List<StaleRefReadEventArgs>();
        refs.StaleRead += (_, e) => stale.Add(e);
        var read = await refs.TryGetRefWithFreshnessAsync(repo.Name, Main);
        Assert.True(read!.IsStale);
        Assert.Equal(v2.Id, read.State.Target);
        Assert.IsType<RefStoreStateLostException>(stale.Last().Cause);
        Assert.Equal(["refs/heads/main", "refs/tags/v2"], await repo.ListRefsAsync().Select(r => r.Name.FullName).ToListAsync());
        Assert.Equal(2, await repo.LogAsync("main").CountAsync());
        Assert.Contains(repo.Name, await store.ListRepositoriesAsync().ToListAsync());

        // Writes: refused with one line naming the backend, the repository and what to do; nothing written.
        var refused = await Assert.ThrowsAsync<RefStoreStateLostException>(() => CommitAsync(repo, 2));
        Assert.IsAssignableFrom<BackendUnavailableException>(refused);
        Assert.Equal(("Redis", "bot", "refs/heads/main"), (refused.Backend, refused.Repository, refused.Ref));
        Assert.StartsWith("Redis lost its state: ref refs/heads/main is missing there", refused.Message);
        Assert.Contains("vstore restore-heads bot", refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
        await Assert.ThrowsAsync<RefStoreStateLostException>(() => repo.CreateBranchAsync("hotfix", v2.Id.ToString()));   // a ref never seen: the marker is gone
        await Assert.ThrowsAsync<RefStoreStateLostException>(() => repo.RollbackAsync(new RollbackRequest { Ref = Main, Target = "main~1", Reason = "x", Actor = "bob" }));
        Assert.Null(await shared.TryGetRefAsync(repo.Name, Main));
        Assert.Null(await shared.TryGetEpochAsync());

        // Recovery: the remembered heads come back (audited), the marker too, and the next commit continues the history.
        var report = await store.RestoreHeadsAsync(repo.Name, "oncall-bob");
        Assert.True(report.Complete);
        Assert.True(report.EpochWritten);
        Assert.Equal([HeadRestoreOutcome.Restored, HeadRestoreOutcome.Restored], report.Refs.Select(r => r.Outcome));
        var restored = await repo.AuditAsync(Main).FirstAsync();
        Assert.Equal((FailStaticRefStore.RestoreOperation, "oncall-bob", v2.Id, v2.Id), (restored.Operation, restored.Actor, restored.Old, restored.New));
        Assert.Equal(3, restored.Sequence); // continues the remembered sequence: no other machine sees the ref go back

        var v3 = await CommitAsync(repo, 2);
        Assert.Equal(v2.Id, v3.Commit.Parents.Single());
        Assert.Equal(3, await repo.LogAsync("main").CountAsync());
        Assert.False((await refs.TryGetRefWithFreshnessAsync(repo.Name, Main))!.IsStale);
        var verify = await repo.VerifyAsync();
        Assert.True(verify.IsHealthy, string.Join("; ", verify.Problems));

        // Restoring again changes nothing.
        Assert.All((await store.RestoreHeadsAsync()).Refs, r => Assert.Equal(HeadRestoreOutcome.Present, r.Outcome));
    }

    [Fact]
    public async Task A_machine_that_never_saw_the_repository_is_not_blocked_and_restore_never_overwrites_what_it_created()
    {
        var objects = new InMemoryObjectStore();
        var shared = new LosableRefStore();
        var a = Machine(objects, shared);
        var lost = await CommitAsync(a.Store.GetRepository("bot"), 1);
        shared.LoseState();

        var b = Machine(objects, shared); // a fresh local store: nothing remembered
        var other = await CommitAsync(b.Store.GetRepository("bot"), 0);
        Assert.Empty(other.Commit.Parents);
        Assert.NotNull(await shared.TryGetEpochAsync()); // b initialised the (empty) store

        // a: the marker is not the one it saw, and main is not its main.
        var refused = await Assert.ThrowsAsync<RefStoreStateLostException>(() => CommitAsync(a.Store.GetRepository("bot"), 2));
        Assert.Contains("lost its state", refused.Message);
        var report = await a.Store.RestoreHeadsAsync(null, "oncall");
        var main = Assert.Single(report.Refs);
        Assert.Equal(HeadRestoreOutcome.Kept, main.Outcome);
        Assert.Equal(lost.Id, main.Remembered.State.Target);
        Assert.False(report.Complete);
        Assert.Equal(other.Id, (await shared.TryGetRefAsync(new RepositoryName("bot"), Main))!.Target); // not overwritten

        // a adopted the store as found: its writes go on from there, and its old head is still stored (branch it to keep it).
        var next = await CommitAsync(a.Store.GetRepository("bot"), 2);
        Assert.Equal(other.Id, next.Commit.Parents.Single());
        await a.Store.GetRepository("bot").CreateBranchAsync("before-loss", lost.Id.ToString());
    }

    [Fact]
    public async Task A_ref_store_rolled_back_to_an_older_backup_is_detected_even_with_its_marker_intact()
    {
        var shared = new LosableRefStore();
        var (store, refs, _) = Machine(new InMemoryObjectStore(), shared);
        var repo = store.GetRepository("bot");
        await CommitAsync(repo, 0);

        // The "backup": a store with the same marker and main at v1.
        var backup = new InMemoryRefStore();
        await backup.EnsureEpochAsync((await shared.TryGetEpochAsync())!);
        foreach (var (name, state) in await shared.ListRefsAsync(repo.Name).ToListAsync())
            foreach (var entry in await shared.ReadAuditAsync(repo.Name, name).Reverse().ToListAsync())
                Assert.True(await backup.TryUpdateRefAsync(new RefUpdate(repo.Name, entry.Sequence == 1 ? null : new RefState(entry.Old, entry.Sequence - 1, entry.PreviousHash), entry)));
        var v2 = await CommitAsync(repo, 1);
        shared.Current = backup;

        var read = await refs.TryGetRefWithFreshnessAsync(repo.Name, Main);
        Assert.True(read!.IsStale);
        Assert.Equal(v2.Id, read.State.Target);
        var refused = await Assert.ThrowsAsync<RefStoreStateLostException>(() => CommitAsync(repo, 2));
        Assert.Contains("is at audit sequence 1 there, though this machine saw it at", refused.Message);
        var report = await store.RestoreHeadsAsync(repo.Name);
        Assert.Equal(HeadRestoreOutcome.Kept, Assert.Single(report.Refs).Outcome); // never overwritten, even by an older state's successor
    }

    [Fact]
    public async Task Concurrent_commits_of_one_process_raise_no_false_alarm()
    {
        var (store, refs, _) = Machine(new InMemoryObjectStore(), new LosableRefStore());
        var repo = store.GetRepository("bot");
        await CommitAsync(repo, 0);
        var readers = Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.False((await refs.TryGetRefWithFreshnessAsync(repo.Name, Main))!.IsStale);
                await repo.ListRefsAsync().CountAsync();
            }
        });
        var writers = Enumerable.Range(0, 8).Select(i => repo.CommitAsync("main", new SnapshotChanges().Put($"notes/{i}.md", $"writer {i}"), new CommitOptions { Author = "ana", Message = $"w{i}" }));
        await Task.WhenAll([.. readers, .. writers]);
        Assert.Equal(9, await repo.LogAsync("main").CountAsync());
        Assert.Equal(0, refs.StaleReadCount);
    }

    [Fact]
    public async Task A_remembered_head_whose_commit_is_gone_is_not_republished()
    {
        var shared = new LosableRefStore();
        var objects = new InMemoryObjectStore();
        var (store, _, _) = Machine(objects, shared);
        await CommitAsync(store.GetRepository("bot"), 0);
        shared.LoseState();
        var elsewhere = Machine(new InMemoryObjectStore(), shared); // the objects are not there
        var heads = (InMemoryHeadCache)elsewhere.Refs.Heads;
        await foreach (var (name, head) in ((FailStaticRefStore)store.Refs).Heads.ListAsync(new RepositoryName("bot")))
            await heads.RememberAsync(new RepositoryName("bot"), name, head.State, head.SeenAt);

        var report = await elsewhere.Store.RestoreHeadsAsync(new RepositoryName("bot"));
        Assert.Equal(HeadRestoreOutcome.CommitMissing, Assert.Single(report.Refs).Outcome);
        Assert.Null(await shared.TryGetRefAsync(new RepositoryName("bot"), Main));
    }

    [Fact]
    public async Task Restore_heads_needs_a_store_that_remembers_heads()
    {
        var embedded = RepositoryStore.CreateInMemory();
        await Assert.ThrowsAsync<InvalidRequestException>(() => embedded.RestoreHeadsAsync());
        var (store, _, _) = Machine(new InMemoryObjectStore(), new LosableRefStore());
        await Assert.ThrowsAsync<InvalidRequestException>(() => store.RestoreHeadsAsync(null, "bob\nforged"));
    }
}
