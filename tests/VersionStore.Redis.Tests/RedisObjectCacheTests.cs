using StackExchange.Redis;
using VersionStore.Conformance;
using VersionStore.Internal;
using Xunit;

namespace VersionStore.Redis.Tests;

/// <summary>Redis-specific behaviour of the object cache (against the standalone test server).</summary>
public sealed class RedisObjectCacheTests
{
    [Fact]
    public async Task Objects_above_the_size_limit_are_not_cached()
    {
        var options = RedisTestConnections.Options(ServerEnvironment.RedisEndpoint, "size");
        options.MaxCachedObjectBytes = 4096;
        options.ObjectTimeToLive = TimeSpan.FromMinutes(10);
        var cache = new RedisObjectCache(RedisTestConnections.Standalone, options);
        var blobs = TestData.DifyBlobs(60);
        var small = blobs.First(b => b.Data.Length <= 4096);
        var large = blobs.First(b => b.Data.Length > 4096);

        await cache.WriteAsync([small, large]);

        Assert.NotNull(await cache.TryReadAsync(small.Id));
        Assert.Null(await cache.TryReadAsync(large.Id));
        Assert.Equal(1, cache.Statistics.SkippedWrites);
        var ttl = await RedisTestConnections.Standalone.GetDatabase().KeyTimeToLiveAsync(new RedisKeys(options.KeyPrefix).Object(small.Id));
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }
}
