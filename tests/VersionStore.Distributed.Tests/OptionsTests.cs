using Xunit;

namespace VersionStore.Distributed.Tests;

/// <summary>Options, JSON configuration and the CLI mapping (no server needed).</summary>
public sealed class OptionsTests
{
    [Fact]
    public void The_mode_is_inferred_from_what_is_configured()
    {
        Assert.Equal(DeploymentMode.Embedded, VersionStoreBuilder.FromOptions("/data").EffectiveMode);
        Assert.Equal(DeploymentMode.EmbeddedWithArchive, VersionStoreBuilder.FromOptions("/data", bucket: "b").EffectiveMode);
        Assert.Equal(DeploymentMode.Distributed, VersionStoreBuilder.FromOptions("/data", redis: "127.0.0.1:6379", s3Endpoint: "http://127.0.0.1:9000", bucket: "b").EffectiveMode);
    }

    [Fact]
    public void Json_configuration_is_read()
    {
        var options = DistributedStoreOptions.FromJson("""
            { // comments allowed
              "mode": "distributed", "dataPath": "/var/lib/app", "redis": "r1:6379,r2:6379",
              "redisOperationTimeout": "00:00:01", "memoryCacheBytes": 0,
              "s3": { "bucket": "vstore", "prefix": "prod", "serviceUrl": "http://127.0.0.1:4568" },
            }
            """);
        Assert.Equal(DeploymentMode.Distributed, options.EffectiveMode);
        Assert.Equal("r1:6379,r2:6379", options.Redis);
        Assert.Equal(TimeSpan.FromSeconds(1), options.RedisOperationTimeout);
        Assert.Equal(0, options.MemoryCacheBytes);
        Assert.Equal("prod", options.S3!.Prefix);
        options.Validate();
    }

    [Fact]
    public void Every_problem_is_reported_together()
    {
        var e = Assert.Throws<ArgumentException>(() => new DistributedStoreOptions { Mode = DeploymentMode.Distributed, MemoryCacheBytes = -1, BreakerFailureThreshold = 0 }.Validate());
        Assert.Contains("Redis is required", e.Message);
        Assert.Contains("S3 is required", e.Message);
        Assert.Contains("MemoryCacheBytes", e.Message);
        Assert.Contains("BreakerFailureThreshold", e.Message);
        Assert.Throws<ArgumentException>(() => DistributedStoreOptions.FromJson("{ \"mode\": \"sideways\" }"));
    }
}
