using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace VersionStore.Conformance;

/// <summary>
/// The contract of <see cref="IRefStore"/>, run against every backend: compare-and-swap with whole-state
/// comparison (ABA-safe), the audit entry written atomically with the ref, newest-first audit reads, ordinal
/// listing, and isolation of repositories whose names are prefixes of each other (design invariant 6).
/// Derive, return a fresh empty store from <see cref="CreateStore"/>, and release it in <see cref="DisposeStores"/>.
/// </summary>
public abstract class RefStoreConformance : StoreSuite<IRefStore>
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>Distinct commit-like ids derived from the real Dify payloads.</summary>
    protected static ObjectId Commit(int n)
    {
        var blobs = Blobs.Value;
        return ObjectId.Compute(System.Text.Encoding.UTF8.GetBytes($"commit {n} of {blobs[n % blobs.Count].Id}"));
    }

    private static readonly Lazy<IReadOnlyList<EncodedObject>> Blobs = new(() => TestData.DifyBlobs(64));

    /// <summary>The update that moves <paramref name="name"/> from <paramref name="current"/> to <paramref name="target"/> (null: delete).</summary>
    protected RefUpdate Next(RepositoryName repository, RefName name, RefState? current, ObjectId? target, string operation = "commit", string? reason = null)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var entry = new AuditEntry(name, (current?.Sequence ?? 0) + 1, current?.Target, target, operation, "ops@example.com",
            _clock.GetUtcNow(), reason, current?.AuditHash ?? ObjectId.Zero);
        return new RefUpdate(repository, current, entry);
    }

    /// <summary>Applies <see cref="Next"/> and asserts the swap won; returns the new state.</summary>
    protected async Task<RefState> MoveAsync(IRefStore store, RepositoryName repository, RefName name, RefState? current, ObjectId? target, string operation = "commit")
    {
        var update = Next(repository, name, current, target, operation);
        Assert.True(await store.TryUpdateRefAsync(update), $"CAS of {name} in {repository} should win");
        return update.NewState;
    }

    private static readonly RepositoryName Repo = "wf-checkout";
    private static readonly RefName Main = RefName.Branch("main");

    [Fact]
    public async Task An_unknown_ref_reads_as_null_with_no_audit_and_no_listing()
    {
        var store = NewStore();
        Assert.Null(await store.TryGetRefAsync(Repo, Main));
        Assert.Empty(await ToListAsync(store.ReadAuditAsync(Repo, Main)));
        Assert.Empty(await ToListAsync(store.ListRefsAsync(Repo)));
        Assert.Empty(await ToListAsync(store.ListRepositoriesAsync()));
    }

    [Fact]
    public async Task Create_with_null_expected_succeeds_once()
    {
        var store = NewStore();
        var create = Next(Repo, Main, null, Commit(1), "branch");

        Assert.True(await store.TryUpdateRefAsync(create));
        Assert.Equal(create.NewState, await store.TryGetRefAsync(Repo, Main));

        var again = Next(Repo, Main, null, Commit(2), "branch");
        Assert.False(await store.TryUpdateRefAsync(again));
        Assert.Equal(create.NewState, await store.TryGetRefAsync(Repo, Main));
        var audit = await ToListAsync(store.ReadAuditAsync(Repo, Main));
        Assert.Single(audit);
        Assert.True(audit[0].Encoded.Span.SequenceEqual(create.Entry.Encoded.Span));
    }

    [Fact]
    public async Task CAS_wins_with_the_current_state_and_loses_with_a_stale_one_changing_nothing()
    {
        var store = NewStore();
        var s1 = await MoveAsync(store, Repo, Main, null, Commit(1));
        var s2 = await MoveAsync(store, Repo, Main, s1, Commit(2));

        var stale = Next(Repo, Main, s1, Commit(3));
        Assert.False(await store.TryUpdateRefAsync(stale));

        Assert.Equal(s2, await store.TryGetRefAsync(Repo, Main));
        Assert.Equal([2L, 1L], (await ToListAsync(store.ReadAuditAsync(Repo, Main))).Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_failed_CAS_appends_no_audit_entry()
    {
        var store = NewStore();
        var s1 = await MoveAsync(store, Repo, Main, null, Commit(1));
        var forged = new RefState(Commit(1), s1.Sequence, Commit(99)); // right target and sequence, wrong audit hash

        Assert.False(await store.TryUpdateRefAsync(Next(Repo, Main, forged, Commit(2))));
        Assert.False(await store.TryUpdateRefAsync(Next(Repo, Main, null, Commit(3))));

        var audit = await ToListAsync(store.ReadAuditAsync(Repo, Main));
        Assert.Single(audit);
        Assert.Equal(s1.AuditHash, audit[0].Hash);
    }

    [Fact]
    public async Task CAS_is_ABA_safe_because_the_state_includes_the_sequence()
    {
        var store = NewStore();
        var a1 = await MoveAsync(store, Repo, Main, null, Commit(1));
        var b = await MoveAsync(store, Repo, Main, a1, Commit(2));
        var a2 = await MoveAsync(store, Repo, Main, b, Commit(1), "rollback.reset");
        Assert.Equal(a1.Target, a2.Target);

        // A writer that read the first A must lose, although the target is A again.
        Assert.False(await store.TryUpdateRefAsync(Next(Repo, Main, a1, Commit(3))));
        Assert.Equal(a2, await store.TryGetRefAsync(Repo, Main));
    }

    [Fact]
    public async Task Delete_leaves_a_tombstone_that_a_recreate_must_expect()
    {
        var store = NewStore();
        var live = await MoveAsync(store, Repo, Main, null, Commit(1));
        var tombstone = await MoveAsync(store, Repo, Main, live, null, "delete");

        var read = await store.TryGetRefAsync(Repo, Main);
        Assert.NotNull(read);
        Assert.Null(read.Target);
        Assert.Equal(tombstone, read);
        Assert.Contains(await ToListAsync(store.ListRefsAsync(Repo)), r => r.Name == Main && r.State.Target is null);

        Assert.False(await store.TryUpdateRefAsync(Next(Repo, Main, null, Commit(2), "branch")));
        var recreated = await MoveAsync(store, Repo, Main, tombstone, Commit(2), "branch");

        Assert.Equal(3, recreated.Sequence);
        var audit = await ToListAsync(store.ReadAuditAsync(Repo, Main));
        Assert.Equal(["branch", "delete", "commit"], audit.Select(e => e.Operation));
        Assert.Null(audit[1].New);
        Assert.Equal(audit[1].Hash, audit[0].PreviousHash);
    }

    [Fact]
    public async Task Audit_reads_newest_first_and_below_beforeSequence()
    {
        var store = NewStore();
        var written = new List<AuditEntry>();
        RefState? state = null;
        for (var i = 1; i <= 10; i++)
        {
            var update = Next(Repo, Main, state, Commit(i), reason: i % 3 == 0 ? "model output degraded" : null);
            Assert.True(await store.TryUpdateRefAsync(update));
            written.Add(update.Entry);
            state = update.NewState;
        }

        var all = await ToListAsync(store.ReadAuditAsync(Repo, Main));
        Assert.Equal(Enumerable.Range(1, 10).Reverse().Select(i => (long)i), all.Select(e => e.Sequence));
        for (var i = 0; i < all.Count; i++)
        {
            Assert.True(all[i].Encoded.Span.SequenceEqual(written[^(i + 1)].Encoded.Span));
            Assert.Equal(i + 1 < all.Count ? all[i + 1].Hash : ObjectId.Zero, all[i].PreviousHash);
        }

        Assert.Equal([6L, 5L, 4L, 3L, 2L, 1L], (await ToListAsync(store.ReadAuditAsync(Repo, Main, 7))).Select(e => e.Sequence));
        Assert.Equal(10, (await ToListAsync(store.ReadAuditAsync(Repo, Main, 11))).Count);
        Assert.Equal(10, (await ToListAsync(store.ReadAuditAsync(Repo, Main, long.MaxValue))).Count);
        Assert.Empty(await ToListAsync(store.ReadAuditAsync(Repo, Main, 1)));
    }

    [Fact]
    public async Task A_long_audit_log_reads_whole_and_in_order()
    {
        var store = NewStore();
        RefState? state = null;
        for (var i = 1; i <= 300; i++) state = await MoveAsync(store, Repo, Main, state, Commit(i));

        var all = await ToListAsync(store.ReadAuditAsync(Repo, Main));
        Assert.Equal(Enumerable.Range(1, 300).Reverse().Select(i => (long)i), all.Select(e => e.Sequence));
        var below = await ToListAsync(store.ReadAuditAsync(Repo, Main, 200));
        Assert.Equal(Enumerable.Range(1, 199).Reverse().Select(i => (long)i), below.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Refs_list_in_ordinal_order_and_refs_that_prefix_each_other_stay_apart()
    {
        var store = NewStore();
        RefName[] names =
        [
            RefName.Branch("main"), RefName.Branch("a"), RefName.Branch("a-b"), RefName.Branch("a.b"), RefName.Branch("a/b"),
            RefName.Branch("a/b/c"), RefName.Tag("v1.4.0"), RefName.Tag("v1.5.0"), RefName.Channel("prod"), RefName.Channel("prod-eu"),
            RefName.Branch("\u00e9t\u00e9"), RefName.Branch("Z"),
        ];
        var states = new Dictionary<RefName, RefState>();
        for (var i = 0; i < names.Length; i++)
        {
            var s = await MoveAsync(store, Repo, names[i], null, Commit(i));
            if (i % 2 == 0) s = await MoveAsync(store, Repo, names[i], s, Commit(100 + i)); // differing audit lengths
            states[names[i]] = s;
        }

        var listed = await ToListAsync(store.ListRefsAsync(Repo));
        Assert.Equal(names.Select(n => n.FullName).Order(StringComparer.Ordinal), listed.Select(r => r.Name.FullName));
        foreach (var (name, state) in listed) Assert.Equal(states[name], state);

        foreach (var name in names)
        {
            var audit = await ToListAsync(store.ReadAuditAsync(Repo, name));
            Assert.All(audit, e => Assert.Equal(name, e.Ref));
            Assert.Equal(states[name].Sequence, audit.Count);
        }
    }

    [Fact]
    public async Task Repositories_whose_names_prefix_each_other_are_isolated()
    {
        var store = NewStore();
        RepositoryName[] repos = ["wf", "wf-1", "wf.1", "wf_1", "wf1", "w"];
        var states = new Dictionary<RepositoryName, RefState>();
        for (var i = 0; i < repos.Length; i++)
        {
            var s = await MoveAsync(store, repos[i], Main, null, Commit(i));
            for (var k = 0; k < i; k++) s = await MoveAsync(store, repos[i], Main, s, Commit(10 * i + k));
            states[repos[i]] = s;
            await MoveAsync(store, repos[i], RefName.Tag("only-in-" + repos[i].Value), null, Commit(i));
        }

        for (var i = 0; i < repos.Length; i++)
        {
            var repo = repos[i];
            Assert.Equal(states[repo], await store.TryGetRefAsync(repo, Main));
            var audit = await ToListAsync(store.ReadAuditAsync(repo, Main));
            Assert.Equal(i + 1, audit.Count);
            Assert.Equal(states[repo].AuditHash, audit[0].Hash);
            var listed = await ToListAsync(store.ListRefsAsync(repo));
            Assert.Equal(["refs/heads/main", "refs/tags/only-in-" + repo.Value], listed.Select(r => r.Name.FullName));
        }
        Assert.Null(await store.TryGetRefAsync("wf-", Main));
        Assert.Empty(await ToListAsync(store.ListRefsAsync("wf-")));
        Assert.Empty(await ToListAsync(store.ReadAuditAsync("wf-", Main)));

        // A CAS on one repository never matches another's state, even with identical expected bytes.
        Assert.False(await store.TryUpdateRefAsync(Next("wf-2", Main, states["wf-1"], Commit(77))));

        var listedRepos = await ToListAsync(store.ListRepositoriesAsync());
        Assert.Equal(repos.Select(r => r.Value).Order(StringComparer.Ordinal), listedRepos.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.Equal(repos.Length, listedRepos.Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_CAS_from_8_tasks_has_exactly_one_winner_per_round()
    {
        var store = NewStore();
        var state = await MoveAsync(store, Repo, Main, null, Commit(0));
        const int rounds = 25;
        for (var round = 1; round <= rounds; round++)
        {
            var current = state;
            var updates = Enumerable.Range(0, 8).Select(t => Next(Repo, Main, current, Commit(round * 10 + t))).ToArray();
            using var start = new ManualResetEventSlim();
            var contenders = updates.Select(u => Task.Run(async () =>
            {
                start.Wait();
                return await store.TryUpdateRefAsync(u);
            })).ToArray();
            start.Set();
            var results = await Task.WhenAll(contenders);

            Assert.Equal(1, results.Count(r => r));
            var winner = updates[Array.IndexOf(results, true)];
            state = (await store.TryGetRefAsync(Repo, Main))!;
            Assert.Equal(winner.NewState, state);
        }

        var audit = await ToListAsync(store.ReadAuditAsync(Repo, Main));
        Assert.Equal(Enumerable.Range(1, rounds + 1).Reverse().Select(i => (long)i), audit.Select(e => e.Sequence));
        for (var i = 0; i + 1 < audit.Count; i++) Assert.Equal(audit[i + 1].Hash, audit[i].PreviousHash);
    }

    [Fact]
    public async Task A_cancelled_update_throws_and_changes_nothing()
    {
        var store = NewStore();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.TryUpdateRefAsync(Next(Repo, Main, null, Commit(1)), cts.Token));
        Assert.Null(await store.TryGetRefAsync(Repo, Main));
    }

    /// <summary>Collects an async sequence.</summary>
    [Fact]
    public async Task The_change_feed_announces_each_applied_update_with_its_audit_entry_and_no_failed_one()
    {
        var store = NewStore();
        var feed = Assert.IsAssignableFrom<IRefChangeFeed>(store);
        var repo = (RepositoryName)("wf-feed-" + Guid.NewGuid().ToString("N")[..8]);
        var listener = new CollectingListener();
        await using (await feed.SubscribeAsync(repo, listener))
        {
            var s1 = await MoveAsync(store, repo, Main, null, Commit(1), "branch");
            Assert.False(await store.TryUpdateRefAsync(Next(repo, Main, null, Commit(9)))); // lost CAS: no notice
            var s2 = await MoveAsync(store, repo, Main, s1, Commit(2));
            await MoveAsync(store, repo, Main, s2, Commit(3));
            await MoveAsync(store, "wf-other-feed", Main, null, Commit(4)); // another repository: not announced here
            var entries = await listener.WaitForAsync(3, TimeSpan.FromSeconds(10));
            Assert.Equal([1L, 2L, 3L], entries.Select(e => e.Sequence).Order());
            Assert.Equal(Commit(3), entries.Single(e => e.Sequence == 3).New);
            Assert.All(entries, e => Assert.Equal(Main, e.Ref));
        }
    }

    [Fact]
    public async Task A_watch_reports_the_current_state_then_every_change_and_ends_on_the_head()
    {
        var store = NewStore();
        var repoName = (RepositoryName)("wf-watch-" + Guid.NewGuid().ToString("N")[..8]);
        var repositories = new RepositoryStore(new InMemoryObjectStore(), store);
        var state = await MoveAsync(store, repoName, Main, null, Commit(1), "branch");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<RefChange>();
        var done = Task.Run(async () =>
        {
            await foreach (var c in repositories.GetRepository(repoName).WatchAsync(Main, cancellationToken: stop.Token))
            {
                lock (seen) seen.Add(c);
                if (c.Sequence == 6) return;
            }
        });
        await WaitUntilAsync(() => { lock (seen) return seen.Count > 0; });
        for (var i = 2; i <= 6; i++) state = await MoveAsync(store, repoName, Main, state, Commit(i));
        await done;
        Assert.Equal(RefChangeSource.Initial, seen[0].Source);
        Assert.Equal(Commit(1), seen[0].Target);
        Assert.Equal(Commit(6), seen[^1].Target);
        Assert.Equal(6, seen[^1].Sequence);
        Assert.Equal("commit", seen[^1].Entry!.Operation);
        Assert.True(seen.Select(c => c.Sequence).SequenceEqual(seen.Select(c => c.Sequence).Order()), "sequences only grow");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 10 s");
            await Task.Delay(5);
        }
    }

    private sealed class CollectingListener : IRefChangeListener
    {
        private readonly List<AuditEntry> _entries = [];

        public void OnChanged(RepositoryName repository, AuditEntry entry)
        {
            lock (_entries) _entries.Add(entry);
        }

        public void OnGap(string reason) { }

        public async Task<List<AuditEntry>> WaitForAsync(int count, TimeSpan timeout)
        {
            await WaitUntilAsync(() => { lock (_entries) return _entries.Count >= count; });
            await Task.Delay(50); // nothing more should come
            lock (_entries) return [.. _entries];
        }
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
