
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace VersionStore.Tests.Retention;

/// <summary>
/// Garbage collection against a model: random DAGs (branches, merges, tags, channels with last-known-good, pins, branch
/// deletions, reset rollbacks, retention policies), GC runs at random moments interleaved with concurrent commits and
/// with a slow commit whose objects are written long before its ref moves. After every run: every protected version checks
/// out byte-identical, every kept version's snapshot is intact (or the version is marked pruned — never a protected one),
/// and the store verifies clean. At the end: with writers stopped and the clock past two grace periods, everything
/// unreachable is gone. An operation may name any commit ever made: one that GC collected (unreachable, never served,
/// and refused to a new ref while it was scheduled) must be reported as not found — and only such a commit.
/// </summary>
public sealed class GcPropertyTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    private static readonly string[] Branches = ["main", "dev", "feat"];

    [Fact]
    public void Nothing_reachable_or_protected_is_ever_deleted_and_everything_unreachable_and_old_goes()
        => Gen.Int[0, 1_000_000].Array[30, 90].Sample(ops => RunAsync(ops).GetAwaiter().GetResult(), iter: 150);

    private sealed class Model(RepositoryStore store, Repository repo, FakeTimeProvider clock)
    {
        public RepositoryStore Store { get; } = store;
        public Repository Repo { get; } = repo;
        public FakeTimeProvider Clock { get; } = clock;
        public Dictionary<ObjectId, Dictionary<string, string>> Content { get; } = [];
        public HashSet<ObjectId> ChannelServed { get; } = [];
        public List<ObjectId> AllCommits { get; } = [];
        public int Counter;
    }

    private static async Task RunAsync(int[] ops)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var objects = new InMemoryObjectStore(clock);
        var refs = new InMemoryRefStore();
        var store = new RepositoryStore(objects, refs, new VersionStoreOptions { TimeProvider = clock, VerifiedSnapshotTtl = TimeSpan.Zero });
        var m = new Model(store, store.GetRepository("wf"), clock);
        await CommitAsync(m, "main", 0, 0);

        // A slow writer: its objects land in the store at once, its commit (the ref move) only when released.
        var gate = new GatedObjectStore(objects);
        var slowStore = new RepositoryStore(gate, refs, new VersionStoreOptions { TimeProvider = clock });
        Task<(ObjectId Id, Dictionary<string, string> Content)>? slow = null;
        var slowStarted = DateTimeOffset.MinValue;

        foreach (var op in ops)
        {
            var kind = op % 14;
            var a = op / 14 % 97;
            var b = op / 1358 % 89;
            var branch = Branches[a % Branches.Length];
            var picked = Pick(m, b);
            try
            {
                switch (kind)
                {
                    case 0 or 1 or 2:
                        await CommitAsync(m, branch, a % 6, b);
                        break;
                    case 3:
                        if (await m.Repo.TryGetRefAsync(RefName.Branch(branch)) is null) await m.Repo.CreateBranchAsync(branch, picked.ToString());
                        break;
                    case 4:
                        if (branch != "main" && await m.Repo.TryGetRefAsync(RefName.Branch(branch)) is not null) await m.Repo.DeleteRefAsync(RefName.Branch(branch), "t", "drop");
                        break;
                    case 5:
                        await m.Repo.CreateTagAsync($"t{m.Counter++}", picked.ToString());
                        break;
                    case 6:
                        {
                            var target = picked;
                            var prod = await m.Repo.TryGetRefAsync(RefName.Channel("prod"));
                            await m.Repo.UpdateRefAsync(RefName.Channel("prod"), target, prod?.Target, "publish", "t");
                            m.ChannelServed.Add(target);
                            if (a % 2 == 0)
                            {
                                var lkg = await m.Repo.TryGetRefAsync(RefName.Channel("prod.lkg"));
                                await m.Repo.UpdateRefAsync(RefName.Channel("prod.lkg"), target, lkg?.Target, "lkg.promote", "t");
                            }
                            break;
                        }
                    case 7:
                        await m.Repo.PinAsync(picked.ToString(), "t", "hold");
                        break;
                    case 8:
                        await foreach (var p in m.Repo.ListPinsAsync())
                        {
                            if (b % 2 == 0) await m.Repo.UnpinAsync(p.Target.ToString(), "t");
                            break;
                        }
                        break;
                    case 9:
                        await m.Repo.SetRetentionPolicyAsync(a % 4 == 0 ? RetentionPolicy.KeepEverything : new RetentionPolicy(a % 3 == 0 ? null : 1 + b % 4, a % 5 == 0 ? b % 3 : null), "t");
                        break;
                    case 10:
                        if (await m.Repo.TryGetRefAsync(RefName.Branch(branch)) is { } head)
                        {
                            var history = new List<ObjectId>();
                            await foreach (var c in m.Repo.LogAsync(new LogOptions { IncludeReachableFrom = [head.Target.ToString()], FirstParentOnly = true })) history.Add(c.Id);
                            await m.Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch(branch), Target = history[b % history.Count].ToString(), Mode = RollbackMode.Reset, Reason = "r", Actor = "t" });
                        }
                        break;
                    case 11:
                        if (slow is null)
                        {
                            slowStarted = clock.GetUtcNow();
                            gate.Close();
                            slow = SlowCommitAsync(m, slowStore.GetRepository("wf"), b);
                            await gate.WrittenAsync();
                        }
                        else
                        {
                            gate.Open();
                            var (id, content) = await slow;
                            m.Content[id] = content;
                            m.AllCommits.Add(id);
                            slow = null;
                        }
                        break;
                    case 12:
                        {
                            // Never let the slow commit's wait exceed half the grace period: the documented bound.
                            var step = TimeSpan.FromMinutes(1 + a % 4);
                            if (slow is null || clock.GetUtcNow() + step - slowStarted < Grace / 2) clock.Advance(step);
                            break;
                        }
                    default:
                        {
                            // GC at a random moment, interleaved with concurrent commits on other branches.
                            var gc = store.CollectGarbageAsync(new GcOptions { GracePeriod = Grace });
                            var writers = Enumerable.Range(0, 2).Select(i => Task.Run(() => CommitAsync(m, $"w{i}", a % 5, b + i))).ToArray();
                            await Task.WhenAll([gc, .. writers]);
                            await CheckAsync(m);
                            break;
                        }
                }
            }
            catch (VersionPrunedException)
            {
                // the operation named a version retention pruned or GC scheduled: refused, nothing moved
            }
            catch (Exception e) when (kind is 3 or 5 or 6 or 7 && e is RevisionNotFoundException or ObjectNotFoundException)
            {
                // The picked commit is gone: legitimate only when GC collected it — nothing keeps it, and the store holds none of it.
                Assert.False((await ReachableAsync(m)).Contains(picked), $"a commit something keeps was reported missing: {e.Message}");
                Assert.False(await objects.ContainsAsync(picked), $"a stored commit was reported missing: {e.Message}");
            }
        }
        if (slow is not null)
        {
            gate.Open();
            var (id, content) = await slow;
            m.Content[id] = content;
            m.AllCommits.Add(id);
        }
        await CheckAsync(m);

        // Writers stopped: two grace periods later, everything unreachable is gone.
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(Grace + TimeSpan.FromMinutes(1));
            await store.CollectGarbageAsync(new GcOptions { GracePeriod = Grace });
        }
        await CheckAsync(m);
        var live = await ReachableAsync(m);
        // The plan the last run superseded is metadata of that run: deleted by the next one.
        var system = store.GetRepository(RepositoryStore.SystemRepositoryName);
        await foreach (var e in system.AuditAsync(RefName.Meta("gc")))
        {
            if (e.Old is { } superseded) await AddTreeAsync(system, (await system.GetCommitAsync(superseded)).Tree, live.Add(superseded) ? live : live);
            break;
        }
        var stray = new List<ObjectId>();
        await foreach (var o in objects.ListObjectsAsync()) if (!live.Contains(o.Id)) stray.Add(o.Id);
        Assert.True(stray.Count == 0, $"{stray.Count} unreachable objects older than the grace period survived: {string.Join(", ", stray.Take(5).Select(s => s.ToString(12)))}");
    }

    private static ObjectId Pick(Model m, int b) { lock (m.AllCommits) return m.AllCommits[b % m.AllCommits.Count]; }

    private static async Task CommitAsync(Model m, string branch, int entry, int value)
    {
        var head = await m.Repo.TryGetRefAsync(RefName.Branch(branch));
        Dictionary<string, string> content;
        lock (m.Content) content = head is null ? [] : new Dictionary<string, string>(m.Content[head.Target]);
        var path = $"nodes/n{entry}";
        var text = $"{{\"v\":{value},\"b\":\"{branch}\"}}";
        content[path] = text;
        var result = await m.Repo.CommitAsync(branch, new SnapshotChanges().Put(path, text),
            new CommitOptions { Author = "t", Message = "c", ExpectedHead = head?.Target ?? ObjectId.Zero });
        lock (m.Content) { m.Content[result.Id] = content; }
        lock (m.AllCommits) m.AllCommits.Add(result.Id);
    }

    private static async Task<(ObjectId, Dictionary<string, string>)> SlowCommitAsync(Model m, Repository slowRepo, int value)
    {
        var head = await slowRepo.TryGetRefAsync(RefName.Branch("slow"));
        Dictionary<string, string> content;
        lock (m.Content) content = head is null ? [] : new Dictionary<string, string>(m.Content[head.Target]);
        // Reuse content that may be garbage elsewhere (an old value of main's n0) and a new entry.
        content["nodes/n0"] = $"{{\"v\":{value % 7},\"b\":\"main\"}}";
        content[$"nodes/s{value}"] = "slow";
        var changes = new SnapshotChanges().Put("nodes/n0", content["nodes/n0"]).Put($"nodes/s{value}", "slow");
        var result = await slowRepo.CommitAsync("slow", changes, new CommitOptions { Author = "slow", Message = "slow", ExpectedHead = head?.Target ?? ObjectId.Zero });
        return (result.Id, content);
    }

    /// <summary>Protected versions check out byte-identical; kept ones are intact unless marked pruned; verify is clean.</summary>
    private static async Task CheckAsync(Model m)
    {
        var protectedVersions = new HashSet<ObjectId>(m.ChannelServed);
        var reachable = new List<ObjectId>();
        await foreach (var r in m.Repo.ListRefsAsync())
        {
            if (r.Name.Kind == RefKind.Meta) continue;
            protectedVersions.Add(r.Target);
            await foreach (var c in m.Repo.LogAsync(r.Target.ToString())) reachable.Add(c.Id);
        }
        foreach (var v in protectedVersions) await AssertChecksOutAsync(m, v);
        foreach (var v in reachable.Distinct())
        {
            try { await AssertChecksOutAsync(m, v); }
            catch (VersionPrunedException e) { Assert.False(protectedVersions.Contains(v), "a protected version was pruned: " + e.Message); }
        }
        var report = await m.Repo.VerifyAsync();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }

    private static async Task AssertChecksOutAsync(Model m, ObjectId version)
    {
        var snapshot = await m.Repo.CheckoutAsync(version.ToString());
        var all = await snapshot.ReadAllAsync();
        Dictionary<string, string> expected;
        lock (m.Content) expected = m.Content[version];
        Assert.Equal(expected.Count, all.Count);
        foreach (var (path, text) in expected) Assert.Equal(text, System.Text.Encoding.UTF8.GetString(all[path].Span));
    }

    /// <summary>What the store must still hold: every commit reachable from a ref, the unpruned snapshots, the GC plan.</summary>
    private static async Task<HashSet<ObjectId>> ReachableAsync(Model m)
    {
        var live = new HashSet<ObjectId>();
        foreach (var repo in new[] { m.Repo, m.Store.GetRepository(RepositoryStore.SystemRepositoryName) })
        {
            var starts = new List<ObjectId>();
            await foreach (var r in repo.ListRefsAsync()) starts.Add(r.Target);
            if (repo == m.Repo) starts.AddRange(m.ChannelServed); // what a channel served stays, reachable or not
            foreach (var start in starts)
            {
                await foreach (var c in repo.LogAsync(start.ToString()))
                {
                    live.Add(c.Id);
                    try { await AddTreeAsync(repo, c.Tree, live); }
                    catch (ObjectNotFoundException) { } // a pruned snapshot
                }
            }
        }
        return live;
    }

    private static async Task AddTreeAsync(Repository repo, ObjectId id, HashSet<ObjectId> live)
    {
        var tree = await repo.GetTreeAsync(id);
        live.Add(id);
        foreach (var e in tree)
        {
            if (e.Kind == ObjectKind.Tree) await AddTreeAsync(repo, e.Id, live);
            else live.Add(e.Id);
        }
    }
}

/// <summary>A decorator that writes through at once but, while closed, holds the write's acknowledgement back (a commit in flight); it forwards the sweep capability.</summary>
internal sealed class GatedObjectStore(InMemoryObjectStore inner) : IObjectStore, ISweepableObjectStore
{
    private TaskCompletionSource _open = Completed();
    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource Completed()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }

    public void Close()
    {
        _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Open() => _open.TrySetResult();

    public Task WrittenAsync() => _written.Task;

    public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default) => inner.TryReadAsync(id, cancellationToken);

    public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) => inner.ContainsAsync(id, cancellationToken);

    public async ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(objects, cancellationToken);
        _written.TrySetResult();
        await _open.Task;
    }

    public IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default) => inner.FindByPrefixAsync(hexPrefix, limit, cancellationToken);

    public IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync(CancellationToken cancellationToken = default) => inner.ListObjectsAsync(cancellationToken);

    public ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
        => inner.DeleteObjectsAsync(ids, writtenBefore, cancellationToken);
}
