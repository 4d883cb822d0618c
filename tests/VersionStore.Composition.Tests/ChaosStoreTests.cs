using Microsoft.Extensions.Time.Testing;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Composition.Tests;

/// <summary>
/// The shared chaos decorator: healthy, it is invisible (the conformance suites pass through it over RocksDB, and it
/// shows exactly the capabilities of what it wraps); each fault does what it says, per operation, toggled at runtime.
/// </summary>
public sealed class ChaosStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("chaos");
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var o in _owned) o.Dispose();
        _dir.Dispose();
    }

    private RocksDbBackend OpenRocks()
    {
        var backend = RocksDbBackend.Open(_dir.Combine(Guid.NewGuid().ToString("N")));
        _owned.Add(backend);
        return backend;
    }

    private static SnapshotChanges Node(string value) => new SnapshotChanges().Put("graph/nodes/llm", $$"""{"type":"llm","prompt":"{{value}}"}""");

    [Fact]
    public void It_implements_exactly_the_optional_capabilities_of_what_it_wraps()
    {
        Type[] capabilities = [typeof(IAtomicCommitStore), typeof(IBatchObjectStore), typeof(ISweepableObjectStore), typeof(IVerifyingObjectStore), typeof(IRefChangeFeed), typeof(IObjectEviction), typeof(IAccessTrackingTier), typeof(IHeadCache), typeof(IRefStoreEpoch)];
        object[] inners = [OpenRocks(), new InMemoryObjectStore(), new InMemoryRefStore(), new MemoryCacheTier(1024 * 1024), new RefStoreWithoutFeed(new InMemoryRefStore()), new InMemoryHeadCache()];
        foreach (var inner in inners)
        {
            var chaos = ChaosStore.Wrap(inner);
            foreach (var c in capabilities)
                Assert.True(c.IsInstanceOfType(inner) == c.IsInstanceOfType(chaos), $"{c.Name} over {inner.GetType().Name}");
        }
        var rocks = OpenRocks();
        var wrapped = ChaosStore.Wrap(rocks);
        Assert.True(((IAtomicCommitStore)wrapped).IsAtomicWith(wrapped)); // one chaos store over one backend stays one write
        Assert.False(((IAtomicCommitStore)wrapped).IsAtomicWith(new InMemoryRefStore()));
    }

    [Fact]
    public async Task A_fault_fails_only_its_operations_until_healed_and_is_counted()
    {
        var chaos = ChaosStore.Wrap(new InMemoryObjectStore(), "s3");
        var blob = TestData.DifyBlobs(1)[0];
        await chaos.Objects.WriteAsync([blob]);

        chaos.Fail(ChaosOperation.Read);
        var e = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await chaos.Objects.TryReadAsync(blob.Id));
        Assert.Contains("s3", e.Message);
        Assert.True(await chaos.Objects.ContainsAsync(blob.Id)); // another operation is untouched
        Assert.Equal(1, chaos.Failures(ChaosOperation.Read));

        chaos.Heal(ChaosOperation.Read);
        Assert.NotNull(await chaos.Objects.TryReadAsync(blob.Id));
        Assert.Equal(2, chaos.Calls(ChaosOperation.Read));

        chaos.Down = true;
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await chaos.Objects.ContainsAsync(blob.Id));
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await chaos.Objects.FindByPrefixAsync("", 10).ToListAsync());
        chaos.Down = false;
        Assert.Single(await chaos.Objects.FindByPrefixAsync("", 10).ToListAsync());
    }

    [Fact]
    public async Task A_fault_after_n_calls_lets_n_through_then_fails_with_the_given_error()
    {
        var chaos = ChaosStore.Wrap(new InMemoryObjectStore()).Fail(ChaosOperation.Write, () => new IOException("disk full"), after: 2);
        var blobs = TestData.DifyBlobs(3);
        await chaos.Objects.WriteAsync([blobs[0]]);
        await chaos.Objects.WriteAsync([blobs[1]]);
        await Assert.ThrowsAsync<IOException>(async () => await chaos.Objects.WriteAsync([blobs[2]]));
        Assert.False(await chaos.Objects.ContainsAsync(blobs[2].Id));
    }

    [Fact]
    public async Task A_delay_waits_on_the_given_clock_without_sleeping()
    {
        var clock = new FakeTimeProvider();
        var chaos = ChaosStore.Wrap(new InMemoryRefStore()).Delay(ChaosOperation.GetRef, TimeSpan.FromSeconds(5), clock);
        var read = chaos.Refs.TryGetRefAsync("wf", RefName.Branch("main")).AsTask();
        await Task.Yield();
        Assert.False(read.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(read.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Corrupt_bytes_from_a_cache_tier_are_caught_and_repaired_from_the_durable_tier()
    {
        var cache = ChaosStore.Wrap(new InMemoryObjectStore(), "redis");
        var durable = new InMemoryObjectStore();
        var tiered = new TieredObjectStore(new TieredObjectStoreOptions
        {
            Tiers = [new StorageTier("redis", cache, TierRole.Cache), new StorageTier("s3", durable, TierRole.Durable)],
        });
        var blob = TestData.DifyBlobs(1)[0];
        await tiered.WriteAsync([blob]);
        Assert.True(await cache.Objects.ContainsAsync(blob.Id));

        cache.Corrupt();
        var read = await tiered.TryReadAsync(blob.Id);
        Assert.True(read!.Value.Span.SequenceEqual(blob.Data.Span));
        Assert.Equal(1, tiered.GetStatistics("redis").Corruptions);
    }

    [Fact]
    public async Task Through_a_healthy_chaos_store_the_embedded_commit_is_still_one_atomic_write()
    {
        var rocks = OpenRocks();
        var chaos = ChaosStore.Wrap(rocks, "rocksdb");
        await using var store = new RepositoryStore(chaos.Objects, chaos.Refs);
        var repo = store.GetRepository("support-bot");
        await repo.CommitAsync("main", Node("v1"));
        Assert.Equal(1, chaos.Calls(ChaosOperation.AtomicCommit));
        Assert.Equal(0, chaos.Calls(ChaosOperation.UpdateRef | ChaosOperation.Write));

        chaos.Fail(ChaosOperation.AtomicCommit);
        await Assert.ThrowsAsync<BackendUnavailableException>(() => repo.CommitAsync("main", Node("v2")));
        chaos.Heal();
        var v3 = await repo.CommitAsync("main", Node("v3"));
        Assert.Equal(v3.Id, await repo.ResolveAsync("main"));
    }

    [Fact]
    public async Task A_notify_fault_drops_change_notices_and_a_gap_is_announced()
    {
        var chaos = ChaosStore.Wrap(new InMemoryRefStore());
        var listener = new Listener();
        await using var _ = await ((IRefChangeFeed)chaos).SubscribeAsync("wf", listener);
        var store = new RepositoryStore(new InMemoryObjectStore(), chaos.Refs);
        var repo = store.GetRepository("wf");
        await repo.CommitAsync("main", Node("a"));
        chaos.Fail(ChaosOperation.Notify);
        await repo.CommitAsync("main", Node("b"));
        chaos.Heal();
        chaos.AnnounceGap("redis reconnected");
        Assert.Equal([1L], listener.Sequences);
        Assert.Equal(["redis reconnected"], listener.Gaps);
    }

    private sealed class Listener : IRefChangeListener
    {
        public List<long> Sequences { get; } = [];
        public List<string> Gaps { get; } = [];
        public void OnChanged(RepositoryName repository, AuditEntry entry) { lock (Sequences) Sequences.Add(entry.Sequence); }
        public void OnGap(string reason) => Gaps.Add(reason);
    }
}

/// <summary>The object-store suite through a healthy chaos store over RocksDB: the decorator changes nothing.</summary>
public sealed class ChaosOverRocksDbObjectStoreTests : ObjectStoreConformance
{
    protected override IObjectStore CreateStore() => ChaosStore.Wrap(Own(RocksDbBackend.Open(Own(new TempDirectory("chaos-objects")).Path))).Objects;
}

/// <summary>The ref-store suite through a healthy chaos store over RocksDB (change feed forwarded).</summary>
public sealed class ChaosOverRocksDbRefStoreTests : RefStoreConformance
{
    protected override IRefStore CreateStore() => ChaosStore.Wrap(Own(RocksDbBackend.Open(Own(new TempDirectory("chaos-refs")).Path))).Refs;
}
