using StackExchange.Redis;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Distributed.Tests;

/// <summary>
/// A flipped byte in the stored copy of an object in each real tier (Redis, local RocksDB, S3 pack) is detected; the
/// read is served from a good tier and the bad copy repaired, else it fails with a typed error naming the id.
/// </summary>
public sealed class CorruptionTests : IDisposable
{
    private readonly TempDirectory _dir = new("distributed-corruption");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_flipped_byte_in_each_tier_is_detected_and_served_from_a_good_tier_else_a_typed_error_names_the_id()
    {
        var keyPrefix = $"cor{Guid.NewGuid():N}:";
        var s3Prefix = "cor/" + Guid.NewGuid().ToString("N");
        // No memory L1 and no S3 read-ahead cache (which would keep serving the good pack it fetched in step 2): every
        // read reaches the real tiers.
        await using var host = await TestServers.Distributed(ServerEnvironment.RedisEndpoint, keyPrefix, s3Prefix, _dir.Combine("local"),
            s3Options: o => o.ReadAheadBytes = 0).BuildAsync();
        var tiers = host.Tiers!;
        var local = host.Get<RocksDbBackend>()!;
        await using var raw = await ConnectionMultiplexer.ConnectAsync(ServerEnvironment.RedisEndpoint);
        var db = raw.GetDatabase();
        var good = ObjectCodec.EncodeBlob(TestData.ReadWorkflow(Path.GetFileName(TestData.WorkflowFiles()[1])));
        var id = ObjectId.Compute(good);
        await host.Objects.WriteAsync([new EncodedObject(id, good)]); // one pack holding just this object, plus Redis and RocksDB copies
        var redisKey = (RedisKey)(keyPrefix + "obj:" + id);
        var flipped = good.ToArray();
        flipped[good.Length / 2] ^= 0x20;

        // 1. Redis copy corrupt → served from RocksDB, Redis repaired.
        Assert.True(await db.StringSetAsync(redisKey, flipped));
        Assert.True((await tiers.ReadAsync(id)).Span.SequenceEqual(good));
        Assert.Equal(1, tiers.GetStatistics("redis").Corruptions);
        Assert.True(((byte[])(await db.StringGetAsync(redisKey))!).AsSpan().SequenceEqual(good));

        // 2. Redis lost it, RocksDB copy corrupt → served from S3, RocksDB repaired and Redis refilled.
        await db.KeyDeleteAsync(redisKey);
        await local.WriteAsync([new EncodedObject(id, flipped)]);
        Assert.True((await tiers.ReadAsync(id)).Span.SequenceEqual(good));
        Assert.Equal(1, tiers.GetStatistics("rocksdb").Corruptions);
        Assert.True((await local.TryReadAsync(id))!.Value.Span.SequenceEqual(good));
        Assert.True(await db.KeyExistsAsync(redisKey));

        // 3. The S3 pack corrupt too (a byte flipped at rest), and the nearer copies bad or gone → typed error naming the id.
        var pack = (await TestServers.ListKeysAsync(s3Prefix + "/packs/")).Single(k => !k.EndsWith(".idx", StringComparison.Ordinal));
        var packBytes = await TestServers.RawGetAsync(pack);
        packBytes[16] ^= 0x55; // inside the only object's stored bytes (header is 5 bytes)
        await TestServers.RawPutAsync(pack, packBytes);
        await db.KeyDeleteAsync(redisKey);
        await local.WriteAsync([new EncodedObject(id, flipped)]);

        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await tiers.ReadAsync(id));
        Assert.Equal(id, e.ObjectId);
        Assert.Contains(id.ToString(), e.Message);
        Assert.Contains("rocksdb, s3", e.Message);
        Assert.True(tiers.GetStatistics("s3").Corruptions >= 1);

        // And through the repository API the same typed error surfaces (never wrong bytes).
        var blobRead = await Assert.ThrowsAsync<CorruptObjectException>(async () => await host.GetRepository("any").GetBlobAsync(id));
        Assert.Equal(id, blobRead.ObjectId);
    }
}
