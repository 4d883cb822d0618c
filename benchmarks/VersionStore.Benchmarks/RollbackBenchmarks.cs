using BenchmarkDotNet.Attributes;

namespace VersionStore.Benchmarks;

/// <summary>
/// An embedded (RocksDB) repository whose <c>main</c> has a long linear history of 200-node real workflow
/// snapshots alternating between two trees (so every rollback changes the served snapshot). Histories are
/// generated once and cached under the bench cache folder (stamped); rollbacks made by a run stay in it.
/// </summary>
public sealed class RollbackHistory : IAsyncDisposable
{
    private const string Stamp = "v1";

    private RollbackHistory(RepositoryStore store, VersionStore.Repository repo, ObjectId a, ObjectId b)
    {
        Store = store;
        Repository = repo;
        TargetA = a;
        TargetB = b;
    }

    /// <summary>The store (owns the backend).</summary>
    public RepositoryStore Store { get; }
    /// <summary>The repository.</summary>
    public VersionStore.Repository Repository { get; }
    /// <summary>A deep commit with snapshot A.</summary>
    public ObjectId TargetA { get; }
    /// <summary>A deep commit with snapshot B.</summary>
    public ObjectId TargetB { get; }

    /// <summary>Opens (generating on first use) the history of <paramref name="count"/> commits; <paramref name="options"/>
    /// (default: <c>new VersionStoreOptions()</c>) are those of the store the rollbacks run on.</summary>
    public static async Task<RollbackHistory> OpenAsync(int count, VersionStoreOptions? options = null)
    {
        var path = Path.Combine(BenchData.CacheDirectory, $"rocksdb-rollback-{count}-{Stamp}");
        var complete = Path.Combine(BenchData.CacheDirectory, $"rocksdb-rollback-{count}-{Stamp}.complete");
        if (!File.Exists(complete) && Directory.Exists(path)) Directory.Delete(path, true);
        var backend = RocksDbBackend.Open(path);
        var store = new RepositoryStore(backend, backend, options ?? new VersionStoreOptions(), ownedBackend: backend);
        var repo = store.GetRepository("rollback");
        var main = RefName.Branch("main");
        if (!File.Exists(complete))
        {
            var fixture = new WorkflowFixture();
            var first = await repo.CommitAsync("main", SnapshotChanges.FromEntries(fixture.Entries), new CommitOptions { Author = "bench", Message = "A" });
            var changes = new SnapshotChanges();
            foreach (var (p, c) in fixture.NextEdit()) changes.Put(p, c);
            var second = await repo.CommitAsync("main", changes, new CommitOptions { Author = "bench", Message = "B" });
            var (treeA, treeB) = (first.Commit.Tree, second.Commit.Tree);
            var plan = HistoryPlan.Create(HistoryShape.Linear, count);
            var ids = await plan.WriteAsync(backend, i => i % 2 == 0 ? treeA : treeB);
            await repo.UpdateRefAsync(main, ids[plan.Tip], second.Id, "bench-generate", "bench");
            await repo.UpdateRefAsync(RefName.Tag("deep-a"), ids[plan.Mid % 2 == 0 ? plan.Mid : plan.Mid - 1], null, "bench-generate", "bench");
            await repo.UpdateRefAsync(RefName.Tag("deep-b"), ids[plan.Mid % 2 == 1 ? plan.Mid : plan.Mid - 1], null, "bench-generate", "bench");
            await File.WriteAllTextAsync(complete, Stamp);
        }
        var a = (await repo.TryGetRefAsync(RefName.Tag("deep-a")))!.Target;
        var b = (await repo.TryGetRefAsync(RefName.Tag("deep-b")))!.Target;
        return new RollbackHistory(store, repo, a, b);
    }

    /// <summary>
    /// What an object read meets in the store (memtable entries, table files per level), or a note on a build whose backend
    /// cannot say (found by reflection, so this file also builds against older product code).
    /// </summary>
    public string Shape
        => typeof(RocksDbBackend).GetMethod("DescribeObjectsShape", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)?.Invoke(Store.Objects, null) as string
            ?? "(not reported by this build)";

    private bool _towardA = true;

    /// <summary>One revert-mode rollback of <c>main</c> to whichever deep target serves the other snapshot.</summary>
    public async Task<RollbackResult> RollbackOnceAsync(RollbackMode mode = RollbackMode.Revert)
    {
        var target = _towardA ? TargetA : TargetB;
        var result = await Repository.RollbackAsync(new RollbackRequest
        {
            Ref = RefName.Branch("main"),
            Target = target.ToString(),
            Reason = "bench: error rate above threshold",
            Actor = "bench",
            Mode = mode,
        });
        if (result.Status == RollbackStatus.AlreadyAtTarget)
        {
            // The previous run ended on this snapshot: flip and go again.
            _towardA = !_towardA;
            return await RollbackOnceAsync(mode);
        }
        if (result.Status != RollbackStatus.Succeeded) throw new InvalidOperationException($"rollback {result.Status}: {result.Verification.Failure}");
        _towardA = !_towardA;
        return result;
    }

    private WorkflowFixture? _editor;
    private ObjectId? _freshTarget;

    /// <summary>
    /// Untimed setup of <see cref="RollbackToFreshTargetAsync"/>: commits one real edit (1–5 nodes) on branch <c>edits</c>,
    /// so the next rollback targets a snapshot this process never verified that differs by that edit from the one the
    /// previous rollback verified (a new version one edit away from a version verified within the TTL).
    /// </summary>
    public async Task PrepareFreshTargetAsync()
    {
        _editor ??= new WorkflowFixture();
        var edits = RefName.Branch("edits");
        if (await Repository.TryGetRefAsync(edits) is null) await Repository.UpdateRefAsync(edits, TargetA, null, "bench-generate", "bench");
        var changes = new SnapshotChanges();
        foreach (var (p, c) in _editor.NextEdit()) changes.Put(p, c);
        _freshTarget = (await Repository.CommitAsync("edits", changes, new CommitOptions { Author = "bench", Message = "edit" })).Id;
    }

    /// <summary>A revert-mode rollback of <c>main</c> to the commit <see cref="PrepareFreshTargetAsync"/> made.</summary>
    public async Task<RollbackResult> RollbackToFreshTargetAsync()
    {
        var result = await Repository.RollbackAsync(new RollbackRequest
        {
            Ref = RefName.Branch("main"),
            Target = (_freshTarget ?? throw new InvalidOperationException("no fresh target prepared")).ToString(),
            Reason = "bench: error rate above threshold",
            Actor = "bench",
        });
        if (result.Status != RollbackStatus.Succeeded) throw new InvalidOperationException($"rollback {result.Status}: {result.Verification.Failure}");
        return result;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Store.DisposeAsync();
}

/// <summary>
/// Goal "rollback latency": a revert-mode rollback of a 200-node real workflow on the embedded RocksDB store at
/// history lengths 1e3, 1e5, 1e6 (quick: 1e3, 1e4). Baseline: a plain audited ref move (<c>UpdateRefAsync</c>) on the
/// same store — the least any audited ref change costs. Goal: flat (1e6 / 1e3 ≤ 1.2), p99 ≤ 1 ms (per-operation p99
/// from the latency probe: <c>-- latency</c>).
/// <see cref="Verification"/>: <c>cached</c> = default options — the two targets alternate, so after the first
/// rollback to each, its snapshot is known verified (<c>VerifiedSnapshotTtl</c>, 5 min) and not re-read; <c>cold</c> =
/// <c>VerifiedSnapshotTtl = 0</c>: every rollback reads and hashes the target's whole snapshot (~350 objects), the cost
/// of the first rollback to a target (an incident's usual case).
/// </summary>
[MemoryDiagnoser]
public class RollbackBenchmarks
{
    private RollbackHistory _h = null!;
    private readonly RefName _scratch = RefName.Branch("scratch");
    private ObjectId? _scratchAt;
    private bool _flip;

    public static IEnumerable<int> Sizes => BenchSettings.HistorySizes;

    [ParamsSource(nameof(Sizes))]
    public int Commits { get; set; }

    [Params("cached", "cold")]
    public string Verification { get; set; } = "";

    /// <summary>Store options of a verification mode.</summary>
    public static VersionStoreOptions Options(string verification) =>
        verification == "cold" ? new VersionStoreOptions { VerifiedSnapshotTtl = TimeSpan.Zero } : new VersionStoreOptions();

    [GlobalSetup]
    public async Task Setup()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        _h = await RollbackHistory.OpenAsync(Commits, Options(Verification));
        Console.WriteLine($"// rollback history {Commits}: opened in {started.Elapsed.TotalSeconds:N1} s");
        _scratchAt = (await _h.Repository.TryGetRefAsync(_scratch))?.Target;
    }

    [GlobalCleanup]
    public Task Cleanup() => _h.DisposeAsync().AsTask();

    /// <summary>Peer: an audited ref compare-and-swap between two commits (no commit written, no verification).</summary>
    [Benchmark(Baseline = true)]
    public async Task AuditedRefMove()
    {
        var target = (_flip = !_flip) ? _h.TargetA : _h.TargetB;
        if (target == _scratchAt) target = target == _h.TargetA ? _h.TargetB : _h.TargetA;
        await _h.Repository.UpdateRefAsync(_scratch, target, _scratchAt, "bench-move", "bench");
        _scratchAt = target;
    }

    /// <summary>Revert-mode rollback (new commit with the target's tree, verification of the target's closure, CAS + audit).</summary>
    [Benchmark]
    public Task Rollback() => _h.RollbackOnceAsync();
}
