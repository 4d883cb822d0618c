using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using VersionStore.Conformance;
using VersionStore.Internal;
using Xunit;

namespace VersionStore.Redis.Tests;

/// <summary>Tests that need no Redis server: options, key layout, circuit breaker.</summary>
public sealed class RedisUnitTests
{
    [Fact]
    public void Options_report_every_error_at_once()
    {
        var options = new RedisBackendOptions
        {
            KeyPrefix = "bad{prefix}*",
            OperationTimeout = TimeSpan.Zero,
            MaxCachedObjectBytes = -1,
            WaitForReplicas = 1,
            WaitForReplicasTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.Zero,
        };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        foreach (var name in new[] { "KeyPrefix", "OperationTimeout", "MaxCachedObjectBytes", "WaitForReplicasTimeout", "ConnectTimeout" })
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        new RedisBackendOptions().Validate();
    }

    [Fact]
    public void Built_configuration_bounds_every_timeout_and_fails_fast_while_disconnected()
    {
        var config = new RedisBackendOptions { Configuration = "127.0.0.1:1", OperationTimeout = TimeSpan.FromMilliseconds(750) }.BuildConfiguration();
        Assert.False(config.AbortOnConnectFail);
        Assert.Equal(750, config.AsyncTimeout);
        Assert.Equal(750, config.SyncTimeout);
        Assert.Equal(2000, config.ConnectTimeout);
        Assert.Same(BacklogPolicy.FailFast, config.BacklogPolicy);
        Assert.Throws<ArgumentException>(() => new RedisBackendOptions().BuildConfiguration());
    }

    [Fact]
    public void Keys_carry_the_repository_hash_tag_and_repositories_with_prefix_names_stay_apart()
    {
        var keys = new RedisKeys("vstore:");
        Assert.Equal("vstore:{vs:bot}:refs", (string)keys.Refs("bot")!);
        Assert.Equal("vstore:{vs:bot}:audit:refs/heads/main", (string)keys.Audit("bot", RefName.Branch("main"))!);
        Assert.Equal("vstore:{vs:bot}:changes", keys.ChangesName("bot"));
        Assert.NotEqual(keys.Refs("bot"), keys.Refs("bot-2"));
        Assert.Equal(RedisKeys_Slot("vstore:{vs:bot}:refs"), RedisKeys_Slot("vstore:{vs:bot}:audit:refs/tags/v1.5.0"));
        Assert.Equal(new RepositoryName("bot-2"), keys.RepositoryOfRefsKey("vstore:{vs:bot-2}:refs"));
        Assert.Null(keys.RepositoryOfRefsKey("vstore:{vs:bot}:audit:refs/heads/main"));
        Assert.Null(keys.RepositoryOfRefsKey("other:{vs:bot}:refs"));
        Assert.StartsWith("vstore:obj:", (string)keys.Object(ObjectId.Compute([1]))!, StringComparison.Ordinal);
    }

    // CRC16 hash slot as Redis Cluster computes it, using the hash tag when present.
    private static int RedisKeys_Slot(string key)
    {
        var open = key.IndexOf('{');
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1) key = key[(open + 1)..close];
        }
        ushort crc = 0;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(key))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++) crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
        }
        return crc % 16384;
    }
}
