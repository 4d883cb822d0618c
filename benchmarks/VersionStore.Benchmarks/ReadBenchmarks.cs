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
/// Goal "pack codec": the S3 pack writer/reader on the encoded objects of the 200-node real workflow snapshot,
/// against raw K4os LZ4 (L00_FAST, the pack default) on the same bytes (baseline). Goal ≥ 0.8× raw throughput (ratio ≤ 1.25).
/// </summary>
[MemoryDiagnoser]
public class PackCodecBenchmarks
{
    private (ObjectId Id, byte[] Data)[] _objects = [];
    private byte[][] _compressed = [];
    private int[] _compressedLengths = [];
    private byte[] _scratch = [];
    private BuiltPack _pack = null!;

    [Params("encode", "decode")]
    public string Direction { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var fixture = new WorkflowFixture();
        _objects = fixture.Entries.Values.Select(v => ObjectCodec.EncodeBlob(v)).Select(b => (ObjectId.Compute(b), b)).ToArray();
        _scratch = new byte[LZ4Codec.MaximumOutputSize(_objects.Max(o => o.Data.Length))];
        _compressed = _objects.Select(o =>
        {
            var buffer = new byte[LZ4Codec.MaximumOutputSize(o.Data.Length)];
            var n = LZ4Codec.Encode(o.Data, buffer, LZ4Level.L00_FAST);
            return buffer[..n];
        }).ToArray();
        _compressedLengths = _compressed.Select(c => c.Length).ToArray();
        using var writer = new PackWriter(LZ4Level.L00_FAST);
        foreach (var (id, data) in _objects) writer.Add(id, data);
        _pack = writer.Build();
    }

    /// <summary>Peer: raw K4os LZ4 encode (or decode) of every object.</summary>
    [Benchmark(Baseline = true)]
    public long RawK4os()
    {
        long n = 0;
        if (Direction == "encode")
            foreach (var (_, data) in _objects) n += LZ4Codec.Encode(data, _scratch, LZ4Level.L00_FAST);
        else
            for (var i = 0; i < _compressed.Length; i++) n += LZ4Codec.Decode(_compressed[i], _scratch.AsSpan(0, _objects[i].Data.Length));
        return n;
    }

    /// <summary>The pack codec: build a whole pack (compress, order, index, name) or read every object back from it.</summary>
    [Benchmark]
    public long Pack()
    {
        long n = 0;
        if (Direction == "encode")
        {
            using var writer = new PackWriter(LZ4Level.L00_FAST);
            foreach (var (id, data) in _objects) writer.Add(id, data);
            n = writer.Build().Bytes.Length;
        }
        else
            foreach (var entry in _pack.Index.Entries) n += PackReader.ReadObject(_pack.Bytes, entry).Length;
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
