using BenchmarkDotNet.Attributes;
using K4os.Compression.LZ4;
using StackExchange.Redis;
using VersionStore.S3.Internal;

namespace VersionStore.Benchmarks;

/// <summary>
/// Goal "hot read": reading a real node blob (~1.5 KB) from the Redis object cache — raw
/// <c>RedisObjectCache.TryReadAsync</c> and a verified <c>Repository.GetBlobAsync</c> over it — against a raw
/// StackExchange.Redis GET of the same bytes (baseline). Goal ≤ 1.2×.
/// </summary>
[MemoryDiagnoser]
public class HotReadBenchmarks
{
    private RedisServer _server = null!;
    private RedisBackend _backend = null!;
    private ConnectionMultiplexer _raw = null!;
    private IDatabase _db = null!;
    private RepositoryStore _store = null!;
    private VersionStore.Repository _repo = null!;
    private ObjectId _id;
    private readonly RedisKey _rawKey = "bench:raw-node";

    [GlobalSetup]
    public async Task Setup()
    {
        _server = RedisServer.Start();
        _backend = await RedisBackend.ConnectAsync(new RedisBackendOptions { Configuration = _server.Endpoint, ObjectTimeToLive = null });
        _raw = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint);
        _db = _raw.GetDatabase();
        var node = NodeBlob.Encoded(out _id);
        await _backend.Objects.WriteAsync([new EncodedObject(_id, node)]);
        await _db.StringSetAsync(_rawKey, node);
        _store = new RepositoryStore(_backend.Objects, _backend.Refs, new VersionStoreOptions());
        _repo = _store.GetRepository("hot");
        if ((await _backend.Objects.TryReadAsync(_id)) is not { Length: > 0 }) throw new InvalidOperationException("hot object missing");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _backend.Dispose();
        _server.Dispose();
    }

    /// <summary>Peer: raw StackExchange.Redis GET.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> RawRedisGet() => ((byte[])(await _db.StringGetAsync(_rawKey))!).Length;

    /// <summary>The Redis object cache read (no verification).</summary>
    [Benchmark]
    public async Task<int> RedisObjectCacheRead() => (await _backend.Objects.TryReadAsync(_id))!.Value.Length;

    /// <summary>A verified blob read through the repository (hash checked).</summary>
    [Benchmark]
    public async Task<int> RepositoryGetBlob() => (await _repo.GetBlobAsync(_id)).Length;
}

/// <summary>
/// Goal "warm read": a real node blob from the embedded RocksDB backend — <c>TryReadAsync</c> and a verified
/// <c>Repository.GetBlobAsync</c> — against a raw RocksDbSharp Get of the same key and value (baseline). Goal ≤ 1.5×.
/// </summary>
[MemoryDiagnoser]
public class WarmReadBenchmarks
{
    private TempDirectory _temp = null!;
    private RepositoryStore _store = null!;
    private RocksDbBackend _backend = null!;
    private VersionStore.Repository _repo = null!;
    private RocksDbSharp.RocksDb _raw = null!;
    private ObjectId _id;
    private byte[] _key = [];
    private byte[] _node = [];
    private VersionStore.Repository _uncached = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _temp = new TempDirectory("warm");
        _backend = RocksDbBackend.Open(_temp.Sub("vstore"));
        _store = new RepositoryStore(_backend, _backend, new VersionStoreOptions(), ownedBackend: _backend);
        _repo = _store.GetRepository("warm");
        _uncached = new RepositoryStore(_backend, _backend, new VersionStoreOptions { VerifiedBlobCacheBytes = 0 }).GetRepository("warm");
        var node = NodeBlob.Encoded(out _id);
        await _backend.WriteAsync([new EncodedObject(_id, node)]);
        _raw = RocksDbSharp.RocksDb.Open(new RocksDbSharp.DbOptions().SetCreateIfMissing(true), _temp.Sub("raw"));
        _key = _id.ToByteArray();
        _raw.Put(_key, node);
        _node = node;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _raw.Dispose();
        _temp.Dispose();
    }

    /// <summary>Peer: raw RocksDbSharp Get.</summary>
    [Benchmark(Baseline = true)]
    public int RawRocksDbGet() => _raw.Get(_key)!.Length;

    /// <summary>The backend read (no verification).</summary>
    [Benchmark]
    public async Task<int> BackendTryRead() => (await _backend.TryReadAsync(_id))!.Value.Length;

    /// <summary>A verified blob read through the repository.</summary>
    [Benchmark]
    public async Task<int> RepositoryGetBlob() => (await _repo.GetBlobAsync(_id)).Length;

    /// <summary>A verified blob read with the verified-blob cache off: every read is a Get plus a SHA-256 (the first read of a blob).</summary>
    [Benchmark]
    public async Task<int> RepositoryGetBlobUncached() => (await _uncached.GetBlobAsync(_id)).Length;

    /// <summary>The verification alone (SHA-256 of the same node's encoding): the part of a verified read that is not a Get.</summary>
    [Benchmark]
    public int VerifyOnly() => ObjectCodec.Verify(_id, _node) == ObjectKind.Blob ? _node.Length : 0;
}

/// <summary>
/// Goal "pack codec": the S3 pack writer/reader on the encoded objects of the 200-node real workflow snapshot (312
/// objects, 225 KB), against raw K4os LZ4 (L00_FAST, the pack default) on the same bytes (baseline of each
/// category). Goal ≥ 0.8× raw throughput (ratio ≤ 1.25) both ways.
/// <list type="bullet">
/// <item><c>encode</c>: <c>Pack</c> builds the whole pack (compress, order by id, index, name). The pack format asks for
/// two SHA-256 passes the raw peer does not make — the index's checksum and the pack's content-addressed name —
/// so <c>RawK4osAndPackHashes</c> shows that floor: the same LZ4 calls plus those two hashes of a buffer of the
/// pack's and the index's sizes.</item>
/// <item><c>decode</c>: <c>Pack</c> reads every object of a whole pack held in memory into one reused buffer, as
/// compaction and the GC rewrite do; no verification, like the peer. <c>PackVerified</c> adds the SHA-256 check of
/// each object against its id that those passes (and every read) make. <c>PackColdReads</c> is the cold-read
/// path's decode: each object into its own new array (what a read returns), verified.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PackCodecBenchmarks
{
    private (ObjectId Id, byte[] Data)[] _objects = [];
    private EncodedObject[] _encoded = [];
    private EncodedObject[] _sortScratch = [];
    private byte[][] _compressed = [];
    private byte[] _scratch = [];
    private byte[] _hashScratch = [];
    private BuiltPack _pack = null!;
    private byte[] _packBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var fixture = new WorkflowFixture();
        _objects = fixture.Entries.Values.Select(v => ObjectCodec.EncodeBlob(v)).Select(b => (ObjectId.Compute(b), b)).ToArray();
        _encoded = [.. _objects.Select(o => new EncodedObject(o.Id, o.Data))];
        _sortScratch = new EncodedObject[_encoded.Length];
        _scratch = new byte[LZ4Codec.MaximumOutputSize(_objects.Max(o => o.Data.Length))];
        _compressed = _objects.Select(o =>
        {
            var buffer = new byte[LZ4Codec.MaximumOutputSize(o.Data.Length)];
            var n = LZ4Codec.Encode(o.Data, buffer, LZ4Level.L00_FAST);
            return buffer[..n];
        }).ToArray();
        using var writer = new PackWriter(LZ4Level.L00_FAST);
        foreach (var (id, data) in _objects) writer.Add(id, data);
        _pack = writer.Build();
        _packBytes = _pack.Bytes.ToArray();
        _hashScratch = new byte[_packBytes.Length];
        // The peer decodes exactly the blocks the pack holds.
        foreach (var e in _pack.Index.Entries)
            if (e.Codec != PackEntryCodec.Lz4Block) throw new InvalidOperationException("every benchmark object is expected to compress");
    }

    [GlobalCleanup]
    public void Cleanup() => _pack.Dispose();

    /// <summary>Peer: raw K4os LZ4 encode of every object.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("encode")]
    public long RawK4osEncode()
    {
        long n = 0;
        foreach (var (_, data) in _objects) n += LZ4Codec.Encode(data, _scratch, LZ4Level.L00_FAST);
        return n;
    }

    /// <summary>The format's floor: the same LZ4 calls, plus SHA-256 over the pack's and the index's byte counts.</summary>
    [Benchmark, BenchmarkCategory("encode")]
    public long RawK4osAndPackHashes()
    {
        var n = RawK4osEncode();
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(_hashScratch, hash);
        System.Security.Cryptography.SHA256.HashData(_hashScratch.AsSpan(0, _pack.IndexBytes.Length), hash);
        return n + hash[0];
    }

    /// <summary>The pack codec as the store's write path runs it: objects in the order they came (not id order) put into
    /// id order, compressed, indexed and named — the pack hash on another core beside the compression (forced on, so that
    /// a process pinned to one core shows what the hand-off costs there; the store's default turns it off on one processor).</summary>
    [Benchmark, BenchmarkCategory("encode")]
    public long PackEncode() => EncodePack(hashBeside: true);

    /// <summary>As <see cref="PackEncode"/> on one core: the pack hash after the compression, on the calling thread.</summary>
    [Benchmark, BenchmarkCategory("encode")]
    public long PackEncodeOneCore() => EncodePack(hashBeside: false);

    private long EncodePack(bool hashBeside)
    {
        _encoded.CopyTo(_sortScratch, 0); // each run sorts the arrival order afresh, as the store does per batch
        PackWriter.SortById(_sortScratch);
        using var writer = new PackWriter(LZ4Level.L00_FAST, _sortScratch.Length, hashBeside); // the store passes its batch's count too
        foreach (var o in _sortScratch) writer.Add(o.Id, o.Data.Span);
        using var pack = writer.Build();
        return pack.Bytes.Length;
    }

    /// <summary>Peer: raw K4os LZ4 decode of every object.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("decode")]
    public long RawK4osDecode()
    {
        long n = 0;
        for (var i = 0; i < _compressed.Length; i++) n += LZ4Codec.Decode(_compressed[i], _scratch.AsSpan(0, _objects[i].Data.Length));
        return n;
    }

    /// <summary>The pack codec: every object of the pack decoded into one reused buffer (the whole-pack read of compaction).</summary>
    [Benchmark, BenchmarkCategory("decode")]
    public long PackDecode()
    {
        long n = 0;
        foreach (ref readonly var e in _pack.Index.Entries)
        {
            PackReader.ReadObject(_packBytes, e, _scratch.AsSpan(0, e.Length));
            n += e.Length;
        }
        return n;
    }

    /// <summary>As <see cref="PackDecode"/>, each object then checked against its id (SHA-256).</summary>
    [Benchmark, BenchmarkCategory("decode")]
    public long PackDecodeVerified()
    {
        long n = 0;
        foreach (ref readonly var e in _pack.Index.Entries)
        {
            var data = _scratch.AsSpan(0, e.Length);
            PackReader.ReadObject(_packBytes, e, data);
            if (ObjectId.Compute(data) != e.Id) throw new InvalidOperationException("corrupt");
            n += e.Length;
        }
        return n;
    }

    /// <summary>The cold-read decode: each object into its own new array (as a read returns it), checked against its id.</summary>
    [Benchmark, BenchmarkCategory("decode")]
    public long PackColdReads()
    {
        long n = 0;
        foreach (ref readonly var e in _pack.Index.Entries)
        {
            var data = PackReader.DecodeEntry(e, _packBytes.AsSpan((int)e.Offset, e.StoredLength));
            if (ObjectId.Compute(data) != e.Id) throw new InvalidOperationException("corrupt");
            n += data.Length;
        }
        return n;
    }
}

/// <summary>A real Dify node of about 1.5 KB, encoded as a blob.</summary>
public static class NodeBlob
{
    /// <summary>The encoded blob and its id.</summary>
    public static byte[] Encoded(out ObjectId id)
    {
        var doc = VersionStore.Workflows.DifyWorkflowCodec.Parse(File.ReadAllText(BenchData.Workflow(BenchData.LargestWorkflow)));
        var node = doc.ToEntries().Where(e => e.Key.StartsWith("nodes/", StringComparison.Ordinal))
            .Select(e => e.Value).OrderBy(v => Math.Abs(v.Length - 1536)).First();
        var encoded = ObjectCodec.EncodeBlob(node);
        id = ObjectId.Compute(encoded);
        return encoded;
    }
}
