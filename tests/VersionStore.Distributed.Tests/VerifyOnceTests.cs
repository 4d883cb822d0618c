using VersionStore.Conformance;
using VersionStore.Internal;
using Xunit;
using Xunit.Abstractions;

namespace VersionStore.Distributed.Tests;

/// <summary>Bytes are verified once, where they enter the process: one SHA-256 per cold (S3) and per warm (local RocksDB) read, on real servers.</summary>
public sealed class VerifyOnceTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("verify-once");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_cold_read_and_a_warm_read_each_compute_one_SHA256()
    {
        var s3Prefix = "vo/" + Guid.NewGuid().ToString("N");
        var blob = TestData.ReadWorkflow(Path.GetFileName(TestData.WorkflowFiles()[2]));
        var id = ObjectId.Compute(ObjectCodec.EncodeBlob(blob));
        await using (var writer = await TestServers.Distributed(ServerEnvironment.RedisEndpoint, $"vo{Guid.NewGuid():N}:", s3Prefix, _dir.Combine("writer")).BuildAsync())
            await writer.GetRepository("wf").CommitAsync("main", new SnapshotChanges().Put("workflow.yml", blob));

        // Cold: a fresh local store and another Redis key prefix, so only S3 holds the object.
        var local = _dir.Combine("reader");
        long cold, warm;
        await using (var reader = await TestServers.Distributed(ServerEnvironment.RedisEndpoint, $"vo{Guid.NewGuid():N}:", s3Prefix, local).BuildAsync())
        {
            using var hashes = HashCounter.Begin();
            var read = await reader.GetRepository("wf").GetBlobAsync(id);
            cold = hashes.Take();
            Assert.True(read.Span.SequenceEqual(blob));
            Assert.Equal(1, reader.Tiers!.GetStatistics("s3").Hits);
        }
        // Warm: the same local store (the cold read promoted the object into it), Redis missing again.
        await using (var reader = await TestServers.Distributed(ServerEnvironment.RedisEndpoint, $"vo{Guid.NewGuid():N}:", s3Prefix, local).BuildAsync())
        {
            using var hashes = HashCounter.Begin();
            var read = await reader.GetRepository("wf").GetBlobAsync(id);
            warm = hashes.Take();
            Assert.True(read.Span.SequenceEqual(blob));
            Assert.Equal(1, reader.Tiers!.GetStatistics("rocksdb").Hits);
        }
        output.WriteLine($"SHA-256 computations: cold read {cold}, warm read {warm}");
        Assert.Equal(1, cold);
        Assert.Equal(1, warm);
    }
}
