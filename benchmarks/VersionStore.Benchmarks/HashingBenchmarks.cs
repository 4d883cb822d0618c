using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using VersionStore.Workflows;

namespace VersionStore.Benchmarks;

/// <summary>
/// Goal "hashing": encode + hash of a node-sized blob (a real Dify node, ~1.5 KB) and of a commit,
/// against raw <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> on the same encoded bytes.
/// Goal: ≤ 1.1× and zero allocations for <see cref="ObjectCodec.HashBlob"/>.
/// </summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    private byte[] _node = [];
    private byte[] _encodedNode = [];
    private byte[] _encodedCommit = [];
    private readonly byte[] _hash = new byte[32];
    private ObjectId _tree;
    private ObjectId[] _parents = [];
    private readonly DateTimeOffset _time = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly Trailer[] _trailers = [new("Reason", "model output degraded")];

    [Params("node", "commit")]
    public string Shape { get; set; } = "node";

    [GlobalSetup]
    public void Setup()
    {
        var doc = DifyWorkflowCodec.Parse(File.ReadAllText(BenchData.Workflow(BenchData.LargestWorkflow)));
        // The node whose JSON is closest to 1.5 KB.
        _node = doc.ToEntries().Where(e => e.Key.StartsWith("nodes/", StringComparison.Ordinal))
            .Select(e => e.Value).OrderBy(v => Math.Abs(v.Length - 1536)).First();
        _encodedNode = ObjectCodec.EncodeBlob(_node);
        _tree = ObjectCodec.HashBlob(_node);
        _parents = [ObjectId.Compute("p1"u8)];
        _encodedCommit = EncodeCommit();
    }

    private byte[] EncodeCommit() => ObjectCodec.EncodeCommit(_tree, _parents, 42, _time, "ana@example.com", "tune the LLM node prompt", _trailers);

    /// <summary>Peer: raw SHA-256 over the already-encoded bytes.</summary>
    [Benchmark(Baseline = true)]
    public byte RawSha256()
    {
        SHA256.HashData(Shape == "node" ? _encodedNode : _encodedCommit, _hash);
        return _hash[0];
    }

    /// <summary>Encode + hash without allocating: <see cref="ObjectCodec.HashBlob"/> for a node, <see cref="ObjectCodec.HashCommit"/> for a commit.</summary>
    [Benchmark]
    public ObjectId EncodeAndHash() => Shape == "node"
        ? ObjectCodec.HashBlob(_node)
        : ObjectCodec.HashCommit(_tree, _parents, 42, _time, "ana@example.com", "tune the LLM node prompt", _trailers);

    /// <summary>The allocating path a store write takes for a commit: <see cref="ObjectCodec.EncodeCommit"/> (the bytes to keep) + <see cref="ObjectId.Compute"/>.</summary>
    [Benchmark]
    public ObjectId EncodeToArrayAndHash() => Shape == "node" ? ObjectId.Compute(ObjectCodec.EncodeBlob(_node)) : ObjectId.Compute(EncodeCommit());
}
