using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BenchmarkDotNet.Attributes;
using VersionStore.S3;

namespace VersionStore.Benchmarks;

/// <summary>
/// Goal "cold read": one cold <c>S3PackObjectStore.TryReadAsync</c> of a real Dify node blob (the 200-node
/// workflow's nodes, written as one pack) through a fresh store whose index is loaded, against a raw AWSSDK ranged
/// <c>GetObject</c> of the same stored bytes (baseline). The server is s3rver on loopback; <see cref="LatencyMs"/>
/// puts a proxy in front that holds every request for that long (a remote region's round trip; 0 = no proxy).
/// The store keeps no object cache, so every read is cold. One s3rver serves every case (started once per run). Goal: one GET per object — checked from the store's
/// <c>Metrics</c> in setup (must be exactly 1 per read, else the run fails) and over the whole run at cleanup.
/// </summary>
[MemoryDiagnoser]
public class ColdReadBenchmarks
{
    private const string Bucket = "vstore-bench";
    private S3Server _server = null!;
    private DelayingProxy? _proxy;
    private S3PackObjectStore _store = null!;
    private AmazonS3Client _raw = null!;
    private ObjectId[] _ids = [];
    private (string Key, long Offset, int Length)[] _ranges = [];
    private int _next;
    private long _storeReads, _getsAtStart;

    /// <summary>Latency the proxy adds to each request: 20 ms (a remote region) and, in full runs, 0 (no proxy: the
    /// store's own cost over the raw GET is visible). Quick runs measure 20 ms only, 3 iterations of ~1 read.</summary>
    [ParamsSource(nameof(Latencies))]
    public int LatencyMs { get; set; }

    public static IEnumerable<int> Latencies => BenchSettings.Quick ? [20] : [0, 20];

    [GlobalSetup]
    public async Task Setup()
    {
        _server = S3Server.Shared();
        var prefix = "cold-" + Guid.NewGuid().ToString("N")[..8];
        var fixture = new WorkflowFixture();
        var objects = fixture.NodePaths.Select(p => ObjectCodec.EncodeBlob(fixture.Entries[p]))
            .Select(b => new EncodedObject(ObjectId.Compute(b), b)).DistinctBy(o => o.Id).ToArray();
        // Written directly (no delay): the pack and its index are one upload each.
        await using (var writer = await S3PackObjectStore.OpenAsync(Options(prefix, _server.Endpoint.ToString().TrimEnd('/'))))
            await writer.WriteAsync(objects);

        string url = _server.Endpoint.ToString().TrimEnd('/');
        if (LatencyMs > 0)
        {
            _proxy = new DelayingProxy(_server.Endpoint, TimeSpan.FromMilliseconds(LatencyMs));
            url = _proxy.Url;
        }
        // A fresh store: opening it lists the packs and loads their indexes (not measured).
        _store = await S3PackObjectStore.OpenAsync(Options(prefix, url));
        if (_store.ObjectCount != objects.Length) throw new InvalidOperationException($"fresh store indexed {_store.ObjectCount} of {objects.Length} objects");
        _ids = objects.Select(o => o.Id).ToArray();
        _ranges = _ids.Select(id =>
        {
            if (!_store.TryLocate(id, out var pack, out var entry)) throw new InvalidOperationException("object not indexed");
            return (_store.PackKey(pack), entry.Offset, entry.StoredLength);
        }).ToArray();
        _raw = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
        {
            ServiceURL = url,
            AuthenticationRegion = "us-east-1",
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

        // GETs per cold read, from the store's own counters: must be exactly one.
        var before = _store.Metrics.GetRequests;
        var sample = Math.Min(_ids.Length, 20);
        for (var i = 0; i < sample; i++)
        {
            var bytes = await _store.TryReadAsync(_ids[i]) ?? throw new InvalidOperationException("cold read missed");
            if (ObjectId.Compute(bytes.Span) != _ids[i]) throw new InvalidOperationException("cold read returned other bytes");
            if ((await RawRangedGet(i)) != _ranges[i].Length) throw new InvalidOperationException("raw ranged GET length differs");
        }
        var perRead = (_store.Metrics.GetRequests - before) / (double)sample;
        Console.WriteLine($"// cold read ({LatencyMs} ms proxy): {perRead:N2} S3 GET per TryReadAsync over {sample} reads of {objects.Length} packed node blobs");
        if (perRead != 1) throw new InvalidOperationException($"cold read costs {perRead} GETs, expected 1");
        _getsAtStart = _store.Metrics.GetRequests;
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        var gets = _store.Metrics.GetRequests - _getsAtStart;
        Console.WriteLine($"// cold read ({LatencyMs} ms proxy), whole run: {gets} GETs for {_storeReads} TryReadAsync calls ({(_storeReads == 0 ? 0 : gets / (double)_storeReads):N2} per read)");
        await _store.DisposeAsync();
        _raw.Dispose();
        if (_proxy is not null) await _proxy.DisposeAsync();
        // The server is shared by every case of the run and stopped at process exit.
    }

    private static S3PackStoreOptions Options(string prefix, string url) => new()
    {
        BucketName = Bucket,
        Prefix = prefix,
        ServiceUrl = url,
        ForcePathStyle = true,
        S3CompatibleMode = true,
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        CreateBucketIfMissing = true,
        // Reads only here: never re-list on a miss during the measurement.
        MissRefreshInterval = Timeout.InfiniteTimeSpan,
        // One ranged GET of one entry per read (the figure measured), not a read-ahead of the whole small pack.
        ReadAheadBytes = 0,
    };

    private async Task<int> RawRangedGet(int i)
    {
        var (key, offset, length) = _ranges[i];
        using var response = await _raw.GetObjectAsync(new GetObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            ByteRange = new ByteRange(offset, offset + length - 1),
        });
        var buffer = GC.AllocateUninitializedArray<byte>(length);
        await response.ResponseStream.ReadExactlyAsync(buffer);
        return buffer.Length;
    }

    private int Next() => _next = (_next + 1) % _ids.Length;

    /// <summary>Peer: raw AWSSDK ranged GetObject of the object's stored (compressed) bytes.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> RawRangedGetObject() => RawRangedGet(Next());

    /// <summary>Cold read: ranged GET, LZ4 decode, SHA-256 check against the id.</summary>
    [Benchmark]
    public async Task<int> StoreTryRead()
    {
        _storeReads++;
        return (await _store.TryReadAsync(_ids[Next()]))!.Value.Length;
    }
}
