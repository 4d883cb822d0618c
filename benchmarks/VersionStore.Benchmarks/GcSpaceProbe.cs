using System.Diagnostics;
using System.Globalization;
using VersionStore.S3;
using VersionStore.Workflows;

namespace VersionStore.Benchmarks;

/// <summary>
/// The GC space goal: 1,000 one-node edits of the largest real Dify workflow with keep-last-50, then garbage collection;
/// bytes on disk (RocksDB, after compaction) and in the bucket (S3 packs) beside a store that only ever held those 50
/// versions, built the same way in the same run. Run: <c>dotnet run -c Release --project benchmarks/VersionStore.Benchmarks -- gc-space</c>.
/// </summary>
public static class GcSpaceProbe
{
    private const int Edits = 1_000;
    private const int Keep = 50;

    /// <summary>Runs the probe and prints a markdown report.</summary>
    public static async Task RunAsync()
    {
        var doc = DifyWorkflowCodec.Parse(File.ReadAllText(BenchData.Workflow(BenchData.LargestWorkflow)));
        var entries = doc.ToEntries();
        var nodes = entries.Keys.Where(p => p.StartsWith(WorkflowPaths.NodesFolder + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        // Version k (0 = the original, 1..1000 = edits): edit k rewrites one node with a revision field.
        var random = new Random(20261201);
        var edits = Enumerable.Range(1, Edits).Select(k => (Path: nodes[random.Next(nodes.Length)], Revision: k)).ToArray();
        Console.WriteLine($"# GC space: {Edits} one-node edits of {BenchData.LargestWorkflow} ({nodes.Length} nodes, {entries.Values.Sum(v => v.Length)} bytes of entries), keep-last-{Keep}");
        Console.WriteLine();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine();
        Console.WriteLine("| backend | store | versions committed | bytes | ratio |");
        Console.WriteLine("|---|---|---:|---:|---:|");

        using (var full = new TempDirectory("gc-space-full"))
        using (var only = new TempDirectory("gc-space-50"))
        {
            var (fullBytes, fullPrune) = await RocksAsync(full.Path, entries, edits, from: 0, collect: true);
            var (onlyBytes, _) = await RocksAsync(only.Path, entries, edits, from: Edits - Keep + 1, collect: false);
            Console.WriteLine($"| RocksDB (SST + WAL, compacted) | {Edits + 1} versions, keep-last-{Keep}, after GC | {Edits + 1} | {fullBytes:N0} | {(double)fullBytes / onlyBytes:0.00}x |");
            Console.WriteLine($"| RocksDB (SST + WAL, compacted) | only the last {Keep} versions | {Keep} | {onlyBytes:N0} | 1.00x |");
            Console.Error.WriteLine($"rocksdb gc: {fullPrune}");
        }

        var s3 = S3Server.Shared();
        var (s3Full, s3Compacted, s3Prune) = await S3Async(s3, "full-" + Guid.NewGuid().ToString("N")[..8], entries, edits, from: 0, collect: true);
        var (s3Only, s3OnlyCompacted, _) = await S3Async(s3, "only-" + Guid.NewGuid().ToString("N")[..8], entries, edits, from: Edits - Keep + 1, collect: false);
        Console.WriteLine($"| S3 packs (bucket bytes: packs + indexes) | {Edits + 1} versions, keep-last-{Keep}, after GC | {Edits + 1} | {s3Full:N0} | {(double)s3Full / s3Only:0.00}x |");
        Console.WriteLine($"| S3 packs (bucket bytes: packs + indexes) | only the last {Keep} versions | {Keep} | {s3Only:N0} | 1.00x |");
        Console.WriteLine($"| S3 packs, both then compacted (CompactAsync) | {Edits + 1} versions, keep-last-{Keep}, after GC | {Edits + 1} | {s3Compacted:N0} | {(double)s3Compacted / s3OnlyCompacted:0.00}x |");
        Console.WriteLine($"| S3 packs, both then compacted (CompactAsync) | only the last {Keep} versions | {Keep} | {s3OnlyCompacted:N0} | 1.00x |");
        Console.Error.WriteLine($"s3 gc: {s3Prune}");
        Console.WriteLine();
        Console.WriteLine($"The full store keeps every commit and audit entry ({Edits + 1} of each: history is never pruned); only snapshots outside retention go.");
    }

    private static async Task<(long Bytes, string Gc)> RocksAsync(string path, IReadOnlyDictionary<string, byte[]> entries,
        (string Path, int Revision)[] edits, int from, bool collect)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = path, TimeProvider = clock });
        await using var store = new RepositoryStore(backend, backend, new VersionStoreOptions { TimeProvider = clock }, ownedBackend: backend);
        var gc = await FillAndCollectAsync(store, clock, entries, edits, from, collect);
        await backend.CompactAsync();
        Console.Error.WriteLine($"rocksdb {(collect ? "full" : "only-50")}: {await BreakdownAsync(store, backend)}");
        return (backend.GetStatistics().TotalDiskBytes, gc);
    }

    private static async Task<(long Bytes, long Compacted, string Gc)> S3Async(S3Server server, string prefix, IReadOnlyDictionary<string, byte[]> entries,
        (string Path, int Revision)[] edits, int from, bool collect)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var packs = await S3PackObjectStore.OpenAsync(new S3PackStoreOptions
        {
            BucketName = "vstore-gc-space", Prefix = prefix, ServiceUrl = server.Endpoint.ToString(), ForcePathStyle = true, S3CompatibleMode = true,
            AccessKey = "S3RVER", SecretKey = "S3RVER", CreateBucketIfMissing = true,
        });
        var store = new RepositoryStore(packs, new InMemoryRefStore(), new VersionStoreOptions { TimeProvider = clock });
        var gc = await FillAndCollectAsync(store, clock, entries, edits, from, collect);
        var bytes = await packs.GetBucketBytesAsync();
        await packs.CompactAsync();
        return (bytes, await packs.GetBucketBytesAsync(), gc);
    }

    private static async Task<string> FillAndCollectAsync(RepositoryStore store, ManualClock clock, IReadOnlyDictionary<string, byte[]> entries,
        (string Path, int Revision)[] edits, int from, bool collect)
    {
        var repo = store.GetRepository("line-daigen");
        var current = entries.ToDictionary(e => e.Key, e => e.Value);
        for (var k = 1; k < from; k++) current[edits[k - 1].Path] = Revise(entries[edits[k - 1].Path], k);
        var first = new SnapshotChanges();
        foreach (var (p, v) in current) first.Put(p, v);
        await repo.CommitAsync("main", first, new CommitOptions { Author = "probe", Message = $"v{from}" });
        for (var k = Math.Max(from, 0) + 1; k <= Edits; k++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var (path, revision) = edits[k - 1];
            await repo.CommitAsync("main", new SnapshotChanges().Put(path, Revise(entries[path], revision)), new CommitOptions { Author = "probe", Message = $"v{k}" });
        }
        if (!collect) return "";
        await repo.SetRetentionPolicyAsync(new RetentionPolicy(KeepLast: Keep), "probe", "space probe");
        var sw = Stopwatch.StartNew();
        long deleted = 0, freed = 0;
        for (var run = 0; run < 3; run++)
        {
            clock.Advance(TimeSpan.FromHours(2)); // past the grace period (1 h): no writer is in flight
            var r = await store.CollectGarbageAsync();
            deleted += r.ObjectsDeleted;
            freed += r.BytesFreed;
        }
        return string.Create(CultureInfo.InvariantCulture, $"3 runs, {deleted} objects / {freed} bytes deleted, {sw.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Encoded bytes by kind: snapshots (trees + blobs), commits, audit entries.</summary>
    private static async Task<string> BreakdownAsync(RepositoryStore store, ISweepableObjectStore objects)
    {
        long snapshot = 0, commits = 0, audit = 0;
        await foreach (var o in objects.ListObjectsAsync())
        {
            var data = await store.Objects.TryReadAsync(o.Id);
            if (data is null) continue;
            if (ObjectCodec.ReadKind(o.Id, data.Value.Span) == ObjectKind.Commit) commits += data.Value.Length;
            else snapshot += data.Value.Length;
        }
        await foreach (var repo in store.Refs.ListRepositoriesAsync())
            await foreach (var (name, _) in store.Refs.ListRefsAsync(repo))
                await foreach (var e in store.Refs.ReadAuditAsync(repo, name)) audit += e.Encoded.Length;
        return string.Create(CultureInfo.InvariantCulture, $"encoded snapshot objects {snapshot:N0} B, commits {commits:N0} B, audit entries {audit:N0} B");
    }

    private static byte[] Revise(byte[] json, int revision)
    {
        var prefix = System.Text.Encoding.UTF8.GetBytes($"{{\"_rev\":{revision},");
        var result = new byte[prefix.Length + json.Length - 1];
        prefix.CopyTo(result, 0);
        json.AsSpan(1).CopyTo(result.AsSpan(prefix.Length));
        return result;
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
