namespace VersionStore.Tests.Dag;

/// <summary>
/// Resolving a revision and is-ancestor complete synchronously while the stores answer synchronously (no async state
/// machine on a fresh process's first query) and hand a pending read to an async continuation otherwise: both routes give
/// the same answers and the same typed errors, and errors travel in the returned task, never thrown by the call itself.
/// </summary>
public sealed class SynchronousResolveTests
{
    private static SnapshotChanges Edit(int i) => new SnapshotChanges().Put("nodes/llm.json", $"{{\"model\":\"m{i}\"}}");

    private static async Task<(RepositoryStore Store, List<ObjectId> Commits)> BuildAsync()
    {
        var store = RepositoryStore.CreateInMemory();
        var repo = store.GetRepository("wf");
        var commits = new List<ObjectId>();
        for (var i = 0; i < 6; i++) commits.Add((await repo.CommitAsync("main", Edit(i), new CommitOptions { Message = $"v{i}" })).Commit.Id);
        await repo.CreateTagAsync("v1", commits[0].ToString());
        await repo.CreateBranchAsync("side", commits[2].ToString());
        await repo.CreateBranchAsync("gone", commits[3].ToString());
        await repo.UpdateRefAsync(RefName.Branch("gone"), null, commits[3], "branch.delete", "test");
        await repo.CreateBranchAsync("beef", commits[1].ToString()); // a branch whose name is also a hex prefix
        return (store, commits);
    }

    private static async Task<string> OutcomeAsync(Func<Task<object>> run)
    {
        try { return "= " + await run(); }
        catch (Exception e) { return $"{e.GetType().Name}: {e.Message}"; }
    }

    [Fact]
    public async Task Synchronous_and_pending_stores_resolve_alike_and_errors_are_in_the_task()
    {
        var (store, commits) = await BuildAsync();
        var yielding = new YieldingStores(store.Objects, store.Refs, yieldFirst: true);
        var pendingStore = new RepositoryStore(yielding, yielding);
        var sync = store.GetRepository("wf");
        var pending = pendingStore.GetRepository("wf");
        string[] revisions =
        [
            "main", "v1", "side", "beef", "refs/heads/main", "refs/tags/v1", "refs/heads/nope", "refs/bad..name",
            commits[4].ToString(), commits[4].ToString().ToUpperInvariant(), commits[4].ToString(10),
            ObjectId.Compute("not stored"u8).ToString(), "gone", "nope", "main@{0}", "main@{1}", "main~2", "v1~1", "bad name",
            "abc", new string('z', 64),
        ];
        foreach (var rev in revisions)
        {
            var expected = await OutcomeAsync(async () => await sync.ResolveAsync(rev));
            Assert.Equal(expected, await OutcomeAsync(async () => await pending.ResolveAsync(rev)));
            // Never thrown by the call: the task carries it.
            var task = sync.ResolveAsync(rev);
            var later = pending.ResolveAsync(rev);
            Assert.Equal(expected, await OutcomeAsync(async () => await task));
            Assert.Equal(expected, await OutcomeAsync(async () => await later));
        }
        Assert.Equal("= " + commits[5], await OutcomeAsync(async () => await sync.ResolveAsync("main")));
        Assert.StartsWith("RevisionNotFoundException", await OutcomeAsync(async () => await sync.ResolveAsync("gone")));
        Assert.Equal("= " + commits[1], await OutcomeAsync(async () => await sync.ResolveAsync("beef"))); // the ref before the prefix

        (string A, string D)[] pairs = [("v1", "main"), ("main", "v1"), ("side", "main"), ("main", "main"), ("nope", "main"), ("main", "gone")];
        foreach (var (a, d) in pairs)
        {
            var task = sync.IsAncestorAsync(a, d);
            var later = pending.IsAncestorAsync(a, d);
            var expected = await OutcomeAsync(async () => await task);
            Assert.Equal(expected, await OutcomeAsync(async () => await later));
            Assert.Equal(expected, await OutcomeAsync(async () => await sync.IsAncestorAsync(await sync.ResolveAsync(a), await sync.ResolveAsync(d))));
        }
        Assert.True(await sync.IsAncestorAsync("v1", "main"));
        Assert.False(await pending.IsAncestorAsync("main", "v1"));
        Assert.True(yielding.Yields > 0);
    }

    [Fact]
    public async Task On_a_synchronous_store_resolve_and_is_ancestor_complete_synchronously()
    {
        var (built, commits) = await BuildAsync();
        // As the embedded backend does: a cancelled read throws at once, else the answer is there when the call returns.
        var checking = new YieldingStores(built.Objects, built.Refs, yieldFirst: false);
        var repo = new RepositoryStore(checking, checking).GetRepository("wf");
        foreach (var rev in new[] { "main", "v1", "refs/tags/v1", commits[2].ToString() })
            Assert.True(repo.ResolveAsync(rev).IsCompletedSuccessfully, rev);
        var walk = repo.IsAncestorAsync("v1", "main");
        Assert.True(walk.IsCompletedSuccessfully);
        Assert.True(await walk);
        var failed = repo.ResolveAsync("nope");
        Assert.True(failed.IsFaulted);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var canceled = repo.ResolveAsync("main", cancelled.Token);
        Assert.True(canceled.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await canceled);
    }

    /// <summary>
    /// Stores whose object and ref reads complete only after a yield (a remote tier's pending reads), or, without
    /// <paramref name="yieldFirst"/>, synchronously after a synchronous cancellation check (as <c>RocksDbBackend</c>'s).
    /// </summary>
    private sealed class YieldingStores(IObjectStore objects, IRefStore refs, bool yieldFirst) : IObjectStore, IRefStore
    {
        private int _yields;
        public int Yields => _yields;

        public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return yieldFirst ? Later(objects.TryReadAsync(id, cancellationToken)) : objects.TryReadAsync(id, cancellationToken);
        }

        private async ValueTask<T> Later<T>(ValueTask<T> read)
        {
            Interlocked.Increment(ref _yields);
            await Task.Yield();
            return await read;
        }

        public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) => objects.ContainsAsync(id, cancellationToken);
        public ValueTask WriteAsync(IReadOnlyList<EncodedObject> batch, CancellationToken cancellationToken = default) => objects.WriteAsync(batch, cancellationToken);
        public IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default) => objects.FindByPrefixAsync(hexPrefix, limit, cancellationToken);

        public ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return yieldFirst ? Later(refs.TryGetRefAsync(repository, name, cancellationToken)) : refs.TryGetRefAsync(repository, name, cancellationToken);
        }

        public IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, CancellationToken cancellationToken = default) => refs.ListRefsAsync(repository, cancellationToken);
        public ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default) => refs.TryUpdateRefAsync(update, cancellationToken);
        public IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default) => refs.ReadAuditAsync(repository, name, beforeSequence, cancellationToken);
        public IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default) => refs.ListRepositoriesAsync(cancellationToken);
    }
}
