using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using VersionStore.S3;

namespace VersionStore.Benchmarks;

/// <summary>
/// Reading every object of the 200-node workflow snapshot from embedded RocksDB: one batched <c>MultiGet</c>
/// (<see cref="IBatchObjectStore"/>) vs one <c>Get</c> per object (baseline), raw and verified (SHA-256 per object, as
/// checkout and rollback verification do).
/// </summary>
[MemoryDiagnoser]
public class BatchReadBenchmarks
{
    private TempDirectory _temp = null!;
    private RocksDbBackend _backend = null!;
    private RepositoryStore _store = null!;
    private Internal.ObjectReader _reader = null!;
    private ObjectId[] _ids = [];

    [GlobalSetup]
    public async Task Setup()
    {
        _temp = new TempDirectory("batch");
        // Written, flushed to an SST file at close, reopened: the reads come from table files through the block cache,
        // as in a long-running store, not from the memtable.
        var options = new RocksDbBackendOptions { Path = _temp.Sub("vstore"), FlushAtCloseThresholdBytes = 0 };
        var fixture = new WorkflowFixture();
        var objects = fixture.Entries.Values.Select(v => ObjectCodec.EncodeBlob(v)).Select(b => new EncodedObject(ObjectId.Compute(b), b)).DistinctBy(o => o.Id).ToArray();
        using (var writer = RocksDbBackend.Open(options)) await writer.WriteAsync(objects);
        _backend = RocksDbBackend.Open(options);
        _store = new RepositoryStore(_backend, _backend, new VersionStoreOptions(), ownedBackend: _backend);
        _ids = [.. objects.Select(o => o.Id)];
        _reader = _store.GetRepository("batch").Reader;
        var many = await _backend.TryReadManyAsync(_ids);
        for (var i = 0; i < _ids.Length; i++)
            if (many[i] is not { } d || ObjectId.Compute(d.Span) != _ids[i]) throw new InvalidOperationException("batch read returned other bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _temp.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> SingleGets()
    {
        long n = 0;
        foreach (var id in _ids) n += (await _backend.TryReadAsync(id))!.Value.Length;
        return n;
    }

    [Benchmark]
    public async Task<long> MultiGet()
    {
        long n = 0;
        foreach (var d in await _backend.TryReadManyAsync(_ids)) n += d!.Value.Length;
        return n;
    }

    [Benchmark]
    public async Task<long> SingleGetsVerified()
    {
        long n = 0;
        foreach (var id in _ids) n += (await _reader.TryReadVerifiedAsync(id, default))!.Value.Length;
        return n;
    }

    [Benchmark]
    public async Task<long> MultiGetVerified()
    {
        long n = 0;
        foreach (var d in await _reader.TryReadManyVerifiedAsync(_ids, default)) n += d!.Value.Length;
        return n;
    }
}

/// <summary>
/// S3 GETs of a cold snapshot read (checkout + materialise the 200-node workflow from a store that has only loaded its
/// pack indexes), each variant beside the others in one run, s3rver behind a proxy holding each request 20 ms:
/// one read per object (what checkout did before batch reads), batch reads without read-ahead (one GET per tree level
/// and run of neighbouring entries), and batch reads with read-ahead (the default: one GET per small pack).
/// </summary>
public static class BatchGetProbe
{
    public static async Task RunAsync(bool quick)
    {
        var rounds = quick ? 2 : 5;
        var server = S3Server.Shared();
        var prefix = "batch-" + Guid.NewGuid().ToString("N")[..8];
        var direct = server.Endpoint.ToString().TrimEnd('/');
        var refs = new InMemoryRefStore();
        var fixture = new WorkflowFixture();
        ObjectId commit;
        await using (var writer = await S3PackObjectStore.OpenAsync(Options(prefix, direct, readAhead: true)))
        {
            var repo = new RepositoryStore(writer, refs).GetRepository("wf");
            commit = (await repo.CommitAsync("main", SnapshotChanges.FromEntries(fixture.Entries), new CommitOptions { Message = "v1", Author = "bench" })).Id;
        }
        await using var proxy = new DelayingProxy(server.Endpoint, TimeSpan.FromMilliseconds(20));
        Console.WriteLine($"# cold snapshot read GETs ({fixture.Entries.Count} entries, 200-node workflow; s3rver behind a 20 ms proxy; median of {rounds} rounds; {DateTimeOffset.UtcNow:u})");
        Console.WriteLine("| variant | GETs | KiB downloaded | ms (median) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, batch, readAhead) in new[] { ("one read per object (before)", false, false), ("batch reads, no read-ahead", true, false), ("batch reads + read-ahead (default)", true, true) })
        {
            long gets = 0, bytes = 0;
            var times = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                await using var cold = await S3PackObjectStore.OpenAsync(Options(prefix, proxy.Url, readAhead));
                var (g0, b0) = (cold.Metrics.GetRequests, cold.Metrics.BytesDownloaded);
                var repo = new RepositoryStore(cold, refs).GetRepository("wf");
                var started = Stopwatch.GetTimestamp();
                var snapshot = await repo.CheckoutAsync(commit.ToString());
                var count = 0;
                if (batch) count = (await snapshot.ReadAllAsync()).Count;
                else
                    await foreach (var e in snapshot.EnumerateAsync())
                    {
                        await repo.GetBlobAsync(e.BlobId);
                        count++;
                    }
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (count != fixture.Entries.Count) throw new InvalidOperationException($"read {count} of {fixture.Entries.Count} entries");
                (gets, bytes) = (cold.Metrics.GetRequests - g0, cold.Metrics.BytesDownloaded - b0);
            }
            times.Sort();
            Console.WriteLine($"| {name} | {gets} | {bytes / 1024.0:0.#} | {times[times.Count / 2]:0.#} |");
        }
    }

    private static S3PackStoreOptions Options(string prefix, string url, bool readAhead) => new()
    {
        BucketName = "vstore-bench",
        Prefix = prefix,
        ServiceUrl = url,
        ForcePathStyle = true,
        S3CompatibleMode = true,
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        CreateBucketIfMissing = true,
        MissRefreshInterval = Timeout.InfiniteTimeSpan,
        ReadAheadBytes = readAhead ? 512 * 1024 : 0,
    };
}
