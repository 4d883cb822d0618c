using System.Diagnostics;
using System.Globalization;
using System.Text;
using StackExchange.Redis;
using VersionStore.S3;
using VersionStore.Workflows;

namespace VersionStore.Benchmarks;

/// <summary>
/// <c>scale-sim [REPOS] [OBJECTS]</c> (docs/SCALE.md): per-unit figures measured on real parts — the real Dify edit
/// histories committed through the library (objects and bytes per commit), a real redis-server (<c>MEMORY USAGE</c>
/// and <c>used_memory</c> per cached object, per ref and per audit entry, written by the real Redis backend), real
/// s3rver through the real pack store (requests and bytes per commit, per cold read, per GC sweep and compaction) —
/// then a model of REPOS repositories holding OBJECTS objects (default 10,000 and 10,000,000), with the exact Redis
/// Cluster slot function over every repository's hash tag, and the extrapolation to 1 M repositories / 1 B objects.
/// </summary>
internal static class ScaleSimulator
{
    private const string Bucket = "vstore-scale";

    public static async Task RunAsync(int repos, long objects)
    {
        var watch = Stopwatch.StartNew();
        var o = new StringBuilder();
        o.AppendLine(CultureInfo.InvariantCulture, $"# scale-sim {repos} {objects} (machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        o.AppendLine();

        // ---------------------------------------------------------------- 1. the corpus: real Dify edit histories
        var corpus = await CommitCorpusAsync();
        o.AppendLine("## Measured: the real Dify edit histories committed through the library");
        o.AppendLine(CultureInfo.InvariantCulture, $"- histories: {corpus.Histories}, versions: {corpus.Commits} (first commits {corpus.FirstCommits}, edit commits {corpus.Commits - corpus.FirstCommits})");
        o.AppendLine(CultureInfo.InvariantCulture, $"- first commit: {corpus.FirstObjects / (double)corpus.FirstCommits:0.0} new objects, {corpus.FirstBytes / (double)corpus.FirstCommits / 1024:0.0} KiB encoded");
        o.AppendLine(CultureInfo.InvariantCulture, $"- edit commit: {corpus.EditObjects / (double)(corpus.Commits - corpus.FirstCommits):0.0} new objects, {corpus.EditBytes / (double)(corpus.Commits - corpus.FirstCommits) / 1024:0.0} KiB encoded");
        o.AppendLine(CultureInfo.InvariantCulture, $"- mean encoded object: {corpus.AllBytes / (double)corpus.AllObjects:0} bytes over {corpus.AllObjects} distinct objects");
        o.AppendLine();

        // ---------------------------------------------------------------- 2. Redis: memory per object, ref, audit entry
        var redis = await MeasureRedisAsync(corpus);
        o.AppendLine("## Measured: real redis-server, written by the Redis backend");
        o.AppendLine(CultureInfo.InvariantCulture, $"- cached object: {redis.PerObject:0} bytes of used_memory each ({redis.ObjectSample} objects of the corpus; MEMORY USAGE mean {redis.PerObjectKey:0} bytes/key, of which {corpus.AllBytes / (double)corpus.AllObjects:0} payload)");
        o.AppendLine(CultureInfo.InvariantCulture, $"- repository with one branch and its first audit entry: {redis.PerRepo:0} bytes ({redis.RepoSample} repositories; MEMORY USAGE of its refs hash {redis.RefsHashKey:0} + audit zset {redis.AuditKey:0})");
        o.AppendLine(CultureInfo.InvariantCulture, $"- each further ref (a tag): {redis.PerExtraRef:0} bytes; each further audit entry (a commit or rollback moving a ref): {redis.PerAuditEntry:0} bytes");
        o.AppendLine();

        // ---------------------------------------------------------------- 3. S3: requests and bytes
        var s3 = await MeasureS3Async(corpus);
        o.AppendLine("## Measured: real s3rver, through the pack store");
        o.AppendLine(CultureInfo.InvariantCulture, $"- commit (one pack + its index per flush): {s3.PutsPerCommit:0.00} PUT, {s3.BytesPerCommit / 1024:0.0} KiB uploaded per edit commit (LZ4 packs: {s3.PackRatio:0.00}× of the encoded bytes)");
        o.AppendLine(CultureInfo.InvariantCulture, $"- open (fresh instance): {s3.OpenLists} LIST + {s3.OpenGets} GET for {s3.Packs} packs (index downloads)");
        o.AppendLine(CultureInfo.InvariantCulture, $"- cold object read: {s3.GetsPerRead:0.00} GET, {s3.BytesPerRead:0} bytes downloaded");
        o.AppendLine(CultureInfo.InvariantCulture, $"- GC: sweeping {s3.SweptObjects} objects then compacting {s3.Packs} packs into {s3.PacksAfterCompaction}: {s3.GcGets} GET, {s3.GcPuts} PUT, {s3.GcDeletes} DELETE, {s3.GcBytesUp / 1024:0.0} KiB up, {s3.GcBytesDown / 1024:0.0} KiB down");
        o.AppendLine();

        // ---------------------------------------------------------------- 4. Redis Cluster: slot spread of repository hash tags
        o.AppendLine("## Computed exactly: Redis Cluster slots of the repositories' hash tags ({vs:<repo>}, CRC16 mod 16384)");
        foreach (var n in new[] { repos, 1_000_000 })
            foreach (var masters in new[] { 3, 16, 64 })
            {
                var (max, mean) = SlotSpread(n, masters);
                o.AppendLine(CultureInfo.InvariantCulture, $"- {n:N0} repositories over {masters} masters: busiest master holds {max:N0} repositories, mean {mean:N0} ({max / mean:0.000}× the mean)");
            }
        o.AppendLine();

        // ---------------------------------------------------------------- 5. the model at this scale, then 1 M / 1 B
        o.Append(Model(repos, objects, corpus, redis, s3, "modelled at the simulated scale"));
        o.Append(Model(1_000_000, 1_000_000_000, corpus, redis, s3, "extrapolated: 1 M repositories, 1 B objects"));
        o.AppendLine(CultureInfo.InvariantCulture, $"(run took {watch.Elapsed.TotalSeconds:0} s)");
        Console.Write(o.ToString());
    }

    // ==================================================================== the corpus

    internal sealed record Corpus(int Histories, int Commits, int FirstCommits, long FirstObjects, long FirstBytes, long EditObjects, long EditBytes,
        long AllObjects, long AllBytes, List<List<EncodedObject>> EditBatches, List<EncodedObject> Distinct);

    private static async Task<Corpus> CommitCorpusAsync()
    {
        var counting = new CountingStore();
        await using var store = new RepositoryStore(counting, new InMemoryRefStore(), new VersionStoreOptions());
        int histories = 0, commits = 0, firsts = 0;
        long firstObjects = 0, firstBytes = 0, editObjects = 0, editBytes = 0;
        var batches = new List<List<EncodedObject>>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(BenchData.Directory, "histories")).Order(StringComparer.Ordinal))
        {
            histories++;
            var repo = store.GetRepository("h" + histories.ToString(CultureInfo.InvariantCulture));
            IReadOnlyDictionary<string, byte[]>? previous = null;
            foreach (var file in Directory.GetFiles(dir, "*.yml").Order(StringComparer.Ordinal))
            {
                var entries = DifyWorkflowCodec.Parse(File.ReadAllText(file)).ToEntries();
                var changes = new SnapshotChanges();
                foreach (var (path, bytes) in entries)
                    if (previous is null || !previous.TryGetValue(path, out var old) || !old.AsSpan().SequenceEqual(bytes)) changes.Put(path, bytes);
                if (previous is not null)
                    foreach (var path in previous.Keys)
                        if (!entries.ContainsKey(path)) changes.Remove(path);
                counting.Begin();
                await repo.CommitAsync("main", changes, new CommitOptions { Author = "scale", Message = Path.GetFileName(file) });
                var batch = counting.End();
                commits++;
                if (previous is null)
                {
                    firsts++;
                    firstObjects += batch.Count;
                    firstBytes += batch.Sum(b => (long)b.Data.Length);
                }
                else
                {
                    editObjects += batch.Count;
                    editBytes += batch.Sum(b => (long)b.Data.Length);
                    batches.Add(batch);
                }
                previous = entries;
            }
        }
        var distinct = counting.All.Values.ToList();
        return new Corpus(histories, commits, firsts, firstObjects, firstBytes, editObjects, editBytes,
            distinct.Count, distinct.Sum(d => (long)d.Data.Length), batches, distinct);
    }

    /// <summary>An in-memory object store that records which objects each commit wrote that were new.</summary>
    private sealed class CountingStore : IObjectStore
    {
        private readonly InMemoryObjectStore _inner = new();
        private List<EncodedObject> _current = [];
        public Dictionary<ObjectId, EncodedObject> All { get; } = [];

        public void Begin() => _current = [];

        public List<EncodedObject> End() => _current;

        public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default) => _inner.TryReadAsync(id, cancellationToken);
        public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) => _inner.ContainsAsync(id, cancellationToken);
        public IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default) => _inner.FindByPrefixAsync(hexPrefix, limit, cancellationToken);

        public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
        {
            foreach (var obj in objects)
                if (All.TryAdd(obj.Id, obj)) _current.Add(obj);
            return _inner.WriteAsync(objects, cancellationToken);
        }
    }

    // ==================================================================== Redis

    internal sealed record RedisFigures(int ObjectSample, double PerObject, double PerObjectKey, int RepoSample, double PerRepo, double RefsHashKey, double AuditKey,
        double PerExtraRef, double PerAuditEntry);

    private static async Task<RedisFigures> MeasureRedisAsync(Corpus corpus)
    {
        using var server = RedisServer.Start();
        await using var backend = await RedisBackend.ConnectAsync(new RedisBackendOptions { Configuration = server.Endpoint, KeyPrefix = "vs:" });
        // A second connection for the measurement commands (INFO, MEMORY USAGE, FLUSHALL need admin mode).
        await using var measure = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",allowAdmin=true");
        var db = measure.GetDatabase();
        var admin = measure.GetServer(measure.GetEndPoints()[0]);
        async Task<long> Used()
        {
            var info = await admin.InfoAsync("memory");
            return long.Parse(info.SelectMany(g => g).First(kv => kv.Key == "used_memory").Value, CultureInfo.InvariantCulture);
        }

        // Objects: every distinct object of the corpus, written by the object cache (its TTL and key layout).
        var before = await Used();
        await backend.Objects.WriteAsync(corpus.Distinct);
        var perObject = (await Used() - before) / (double)corpus.Distinct.Count;
        double keyBytes = 0;
        var sample = corpus.Distinct.Take(500).ToList();
        foreach (var obj in sample) keyBytes += (long)(await db.ExecuteAsync("MEMORY", "USAGE", "vs:obj:" + obj.Id.ToString(), "SAMPLES", "0"));
        await admin.FlushAllDatabasesAsync();

        // Refs: repositories with one branch (one commit each), then a tag each, then more commits (audit entries).
        const int RepoSample = 2000;
        var objects = new InMemoryObjectStore();
        await using var store = new RepositoryStore(objects, backend.Refs, new VersionStoreOptions());
        var tip = new ObjectId[RepoSample];
        before = await Used();
        for (var i = 0; i < RepoSample; i++)
            tip[i] = (await store.GetRepository(RepoName(i)).CommitAsync("main", new SnapshotChanges().Put("nodes/start", "{\"type\":\"start\",\"i\":" + i.ToString(CultureInfo.InvariantCulture) + "}"),
                new CommitOptions { Author = "scale", Message = "first" })).Commit.Id;
        var afterRepos = await Used();
        for (var i = 0; i < RepoSample; i++) await store.GetRepository(RepoName(i)).CreateTagAsync("v1", tip[i].ToString(), actor: "scale");
        var afterTags = await Used();
        const int More = 5;
        for (var k = 0; k < More; k++)
            for (var i = 0; i < RepoSample; i++)
                await store.GetRepository(RepoName(i)).CommitAsync("main", new SnapshotChanges().Put("nodes/n", "{\"k\":" + k.ToString(CultureInfo.InvariantCulture) + "}"),
                    new CommitOptions { Author = "scale", Message = "edit " + k.ToString(CultureInfo.InvariantCulture) });
        var afterEdits = await Used();
        var refsKey = (long)(await db.ExecuteAsync("MEMORY", "USAGE", "vs:{vs:" + RepoName(0) + "}:refs", "SAMPLES", "0"));
        var auditKey = (long)(await db.ExecuteAsync("MEMORY", "USAGE", "vs:{vs:" + RepoName(0) + "}:audit:refs/heads/main", "SAMPLES", "0"));
        await admin.FlushAllDatabasesAsync();
        return new RedisFigures(corpus.Distinct.Count, perObject, keyBytes / sample.Count, RepoSample, (afterRepos - before) / (double)RepoSample, refsKey, auditKey,
            (afterTags - afterRepos) / (double)RepoSample, (afterEdits - afterTags) / (double)(RepoSample * More));
    }

    private static string RepoName(int i) => "repo-" + i.ToString("D7", CultureInfo.InvariantCulture);

    // ==================================================================== S3

    internal sealed record S3Figures(double PutsPerCommit, double BytesPerCommit, double PackRatio, long OpenLists, long OpenGets, int Packs, int PacksAfterCompaction, double GetsPerRead, double BytesPerRead,
        int SweptObjects, long GcGets, long GcPuts, long GcDeletes, long GcBytesUp, long GcBytesDown);

    private static async Task<S3Figures> MeasureS3Async(Corpus corpus)
    {
        var server = S3Server.Shared();
        var prefix = "scale-" + Guid.NewGuid().ToString("N")[..8];
        S3PackStoreOptions Options() => new()
        {
            BucketName = Bucket, Prefix = prefix, ServiceUrl = server.Endpoint.ToString().TrimEnd('/'), ForcePathStyle = true, S3CompatibleMode = true,
            AccessKey = "S3RVER", SecretKey = "S3RVER", CompactionSmallPackBytes = 1 << 20, CreateBucketIfMissing = true,
        };
        long puts, up, encoded = 0;
        await using (var writer = await S3PackObjectStore.OpenAsync(Options()))
        {
            var p0 = writer.Metrics.PutRequests;
            var u0 = writer.Metrics.BytesUploaded;
            foreach (var batch in corpus.EditBatches)
            {
                await writer.WriteAsync(batch);
                await writer.FlushAsync();
                encoded += batch.Sum(b => (long)b.Data.Length);
            }
            puts = writer.Metrics.PutRequests - p0;
            up = writer.Metrics.BytesUploaded - u0;
        }
        var commits = corpus.EditBatches.Count;
        await using var reader = await S3PackObjectStore.OpenAsync(Options());
        var openLists = reader.Metrics.ListRequests;
        var openGets = reader.Metrics.GetRequests;
        var packsAtOpen = reader.PackCount;
        var g0 = reader.Metrics.GetRequests;
        var d0 = reader.Metrics.BytesDownloaded;
        var ids = corpus.EditBatches.SelectMany(b => b).Select(b => b.Id).Distinct().ToList();
        var reads = 0;
        foreach (var id in ids.Take(200))
        {
            if (await reader.TryReadAsync(id) is null) throw new InvalidOperationException($"object {id} not found in S3");
            reads++;
        }
        var getsPerRead = (reader.Metrics.GetRequests - g0) / (double)reads;
        var bytesPerRead = (reader.Metrics.BytesDownloaded - d0) / (double)reads;
        // GC: sweep a third of the objects (as if unreachable), then compact the packs.
        var doomed = ids.Where((_, i) => i % 3 == 0).ToList();
        var (gg, gp, gd, gu, gdn) = (reader.Metrics.GetRequests, reader.Metrics.PutRequests, reader.Metrics.DeleteRequests, reader.Metrics.BytesUploaded, reader.Metrics.BytesDownloaded);
        await reader.DeleteObjectsAsync(doomed, DateTimeOffset.UtcNow.AddMinutes(1));
        await reader.CompactAsync();
        return new S3Figures(puts / (double)commits, up / (double)commits, up / (double)encoded, openLists, openGets, packsAtOpen, reader.PackCount, getsPerRead, bytesPerRead,
            doomed.Count, reader.Metrics.GetRequests - gg, reader.Metrics.PutRequests - gp, reader.Metrics.DeleteRequests - gd,
            reader.Metrics.BytesUploaded - gu, reader.Metrics.BytesDownloaded - gdn);
    }

    // ==================================================================== slots

    /// <summary>Repositories per master when REPOS hash tags are spread over 16,384 slots split evenly between MASTERS.</summary>
    internal static (double Max, double Mean) SlotSpread(int repos, int masters)
    {
        var perMaster = new long[masters];
        for (var i = 0; i < repos; i++)
        {
            var slot = Crc16("vs:" + RepoName(i)) % 16384;
            perMaster[slot * masters / 16384]++;
        }
        return (perMaster.Max(), repos / (double)masters);
    }

    /// <summary>CRC16-XMODEM (Redis Cluster's key hash slot function).</summary>
    internal static int Crc16(string text)
    {
        var crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            crc ^= b << 8;
            for (var k = 0; k < 8; k++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
        }
        return crc;
    }

    // ==================================================================== the model

    /// <summary>
    /// The load model (docs/SCALE.md, "Formulas"): REPOS repositories holding OBJECTS objects; the measured per-unit
    /// figures; assumptions stated in the output (hot set, commit and read rates, 10,000 rollbacks a day).
    /// </summary>
    private static string Model(long repos, long objects, Corpus c, RedisFigures r, S3Figures s, string title)
    {
        // Assumptions (stated): each repository has 2 refs (main + 1 tag) and keeps 50 audit entries in Redis; the hot
        // set cached in Redis is each repository's head snapshot (the first-commit object count); 5 edit commits per
        // repository per week; 100 channel reads per repository per day, 99 % served from memory/Redis, 1 % cold from
        // S3; 10,000 rollbacks a day (each moves a ref: one audit entry; objects already stored).
        const double RefsPerRepo = 2, AuditPerRepo = 50, CommitsPerRepoPerDay = 5.0 / 7, ReadsPerRepoPerDay = 100, ColdShare = 0.01, Rollbacks = 10_000;
        var objectsPerRepo = objects / (double)repos;
        var hotObjectsPerRepo = Math.Min(objectsPerRepo, c.FirstObjects / (double)c.FirstCommits);
        var meanObject = c.AllBytes / (double)c.AllObjects;
        var redisRefs = repos * (r.PerRepo + (RefsPerRepo - 1) * r.PerExtraRef + (AuditPerRepo - 1) * r.PerAuditEntry);
        var redisHot = repos * hotObjectsPerRepo * r.PerObject;
        var s3Bytes = objects * meanObject * s.PackRatio;
        var commitsPerDay = repos * CommitsPerRepoPerDay;
        var putsPerSec = commitsPerDay * s.PutsPerCommit / 86_400;
        var coldGetsPerSec = repos * ReadsPerRepoPerDay * ColdShare * s.GetsPerRead / 86_400;
        var redisOpsPerSec = (repos * ReadsPerRepoPerDay * (1 - ColdShare) + commitsPerDay * 4 + Rollbacks * 3) / 86_400;
        var packsPerDay = commitsPerDay * s.PutsPerCommit / 2; // a pack and its index per flush
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {title}: {repos:N0} repositories, {objects:N0} objects ({objectsPerRepo:0.0} per repository)");
        sb.AppendLine("assumptions: 2 refs and 50 audit entries per repository in Redis; hot set = each repository's head snapshot; 5 edit commits per repository per week; 100 reads per repository per day, 1 % cold (S3); 10,000 rollbacks a day");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Redis memory, refs + audit: {redisRefs / 1e9:0.00} GB (= repos × ({r.PerRepo:0} + {r.PerExtraRef:0} × (refs−1) + {r.PerAuditEntry:0} × (audit−1)) bytes)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Redis memory, hot objects: {redisHot / 1e9:0.00} GB (= repos × {hotObjectsPerRepo:0.0} hot objects × {r.PerObject:0} bytes)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- S3 stored: {s3Bytes / 1e9:0.00} GB in packs (= objects × {meanObject:0} bytes × {s.PackRatio:0.00} LZ4); {packsPerDay:N0} new packs a day before compaction");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- S3 requests: {putsPerSec:0.00} PUT/s from {commitsPerDay:N0} commits a day; {coldGetsPerSec:0.00} GET/s from cold reads (limits: 3,500 PUT/s and 5,500 GET/s per prefix)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Redis operations: {redisOpsPerSec:N0}/s over the cluster; rollbacks: {Rollbacks / 86_400:0.000}/s ({Rollbacks:N0} a day: one ref CAS + audit append + publish each)");
        var (max, mean) = SlotSpread((int)Math.Min(repos, 1_000_000), 3);
        var skew = max / mean;
        var memPerMaster = (redisRefs + redisHot) / 3 * skew;
        sb.AppendLine(CultureInfo.InvariantCulture, $"- 3 masters: the busiest holds {memPerMaster / 1e9:0.00} GB (skew {skew:0.000}); refs keys follow the repository's slot, cached objects spread by id");
        var bottleneck = memPerMaster > 25e9 ? "Redis memory per master (hot objects dominate): add masters or shrink the hot set (TTL)"
            : putsPerSec > 3500 ? "S3 PUT rate per prefix" : coldGetsPerSec > 5500 ? "S3 GET rate per prefix" : "none of these limits; per-master Redis memory grows first";
        sb.AppendLine(CultureInfo.InvariantCulture, $"- first bottleneck: {bottleneck}");
        sb.AppendLine();
        return sb.ToString();
    }
}
