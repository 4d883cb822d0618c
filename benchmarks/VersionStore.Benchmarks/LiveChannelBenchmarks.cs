using BenchmarkDotNet.Attributes;
using VersionStore.Releases;

namespace VersionStore.Benchmarks;

/// <summary>
/// Goal "propagation": the hot-path "which version do I run?" read of a <see cref="LiveChannel"/> (goal ≤ 20 ns,
/// 0 bytes), beside its peers in the same run: a plain field read (baseline: the floor), the gray resolution of a
/// caller key (XxHash3 of the UTF-8 key), and the read a channel without a live view costs — the ref read from the
/// embedded RocksDB store (what a naive application does per request).
/// </summary>
[MemoryDiagnoser]
public class LiveChannelBenchmarks
{
    private TempDirectory _temp = null!;
    private RocksDbBackend _backend = null!;
    private RepositoryStore _store = null!;
    private VersionStore.Repository _repo = null!;
    private LiveChannel _live = null!;
    private LiveChannel _gray = null!;
    private ObjectId? _field;
    private readonly RefName _prod = ReleaseChannels.ChannelRef("prod");

    [GlobalSetup]
    public async Task Setup()
    {
        _temp = new TempDirectory("live-bench");
        _backend = RocksDbBackend.Open(Path.Combine(_temp.Path, "db"));
        _store = new RepositoryStore(_backend, _backend);
        _repo = _store.GetRepository("support-bot");
        var v1 = (await _repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", "{\"v\":1}"u8.ToArray()), new CommitOptions { Author = "bench", Message = "v1" })).Id;
        var v2 = (await _repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", "{\"v\":2}"u8.ToArray()), new CommitOptions { Author = "bench", Message = "v2" })).Id;
        var channels = new ReleaseChannels(_repo);
        await channels.PublishAsync("prod", v1.ToString(), "bench", "v1");
        await channels.PublishAsync("gray", v1.ToString(), "bench", "v1");
        await channels.PublishAsync("gray", v2.ToString(), 10, "bench", "gray 10 %");
        _live = await LiveChannel.StartAsync(_store, "support-bot", "prod");
        _gray = await LiveChannel.StartAsync(_store, "support-bot", "gray");
        _field = v1;
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _live.DisposeAsync();
        await _gray.DisposeAsync();
        await _store.DisposeAsync();
        _backend.Dispose();
        _temp.Dispose();
    }

    /// <summary>The floor: reading a field.</summary>
    [Benchmark(Baseline = true)]
    public ObjectId? FieldRead() => _field;

    /// <summary><c>live.Version</c>: one volatile read of the immutable snapshot.</summary>
    [Benchmark]
    public ObjectId? LiveChannelVersion() => _live.Version;

    /// <summary><c>live.Resolve(key)</c> on a channel with a 10 % canary.</summary>
    [Benchmark]
    public ObjectId? LiveChannelResolveKey() => _gray.Resolve("tenant-4711");

    /// <summary>What a channel read costs without a live view: the ref read from embedded RocksDB.</summary>
    [Benchmark]
    public async Task<ObjectId?> RefReadEmbedded() => (await _repo.TryGetRefAsync(_prod))?.Target;
}
