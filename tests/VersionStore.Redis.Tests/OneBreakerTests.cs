using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Redis.Tests;

/// <summary>
/// One breaker per remote tier (issue 8): a private redis-server is killed under a tiered store (Redis cache over a
/// durable tier); every failure reaches the tier accessor, which opens the one breaker, reports it in the tier's
/// statistics, and skips Redis without touching the network until a probe after the cooldown succeeds.
/// </summary>
public sealed class OneBreakerTests
{
    [Fact]
    public async Task A_Redis_failure_opens_exactly_one_breaker_the_tiers_and_the_tier_reports_it()
    {
        await using var server = await PrivateRedisServer.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        await using var redis = await RedisBackend.ConnectAsync(new RedisBackendOptions
        {
            // Generous bounds: on a loaded machine a 0.5 s connect or first call before the kill timed out (a failure counted
            // before the test's own two). After the kill no call waits for them: the dead server's socket is closed, and
            // with the fail-fast backlog every call fails at once.
            Configuration = server.Endpoint, KeyPrefix = "breaker:", OperationTimeout = TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(10),
        });
        Assert.True(redis.Connection.IsConnected, "not connected to the private redis-server before the test");
        var durable = new InMemoryObjectStore();
        var tiered = new TieredObjectStore(new TieredObjectStoreOptions
        {
            Tiers = [new StorageTier("redis", redis.Objects, TierRole.Cache), new StorageTier("durable", durable, TierRole.Durable)],
            BreakerFailureThreshold = 2,
            BreakerCooldown = TimeSpan.FromSeconds(30),
            TimeProvider = clock,
        });
        var blob = TestData.DifyBlobs(3)[2];
        await tiered.WriteAsync([blob]);
        Assert.NotNull(await redis.Objects.TryReadAsync(blob.Id)); // written through

        await server.KillAsync();

        // Each failure reaches the tier (the read falls through to the durable tier); the second opens its breaker.
        for (var i = 0; i < 2; i++) Assert.Equal(blob.Data.ToArray(), (await tiered.TryReadAsync(blob.Id))!.Value.ToArray());
        var stats = tiered.GetStatistics("redis");
        Assert.Equal((2L, true, 1L), (stats.Failures, stats.BreakerOpen, stats.BreakerOpenCount));
        Assert.Equal(2, redis.Objects.Statistics.Failures); // the backend saw the same two failures: nothing swallowed below the tier
        Assert.Single(tiered.GetStatistics(), s => s.BreakerOpen); // exactly one breaker opened

        // While open, Redis is skipped without a network call: the backend sees no further failure.
        Assert.NotNull(await tiered.TryReadAsync(blob.Id));
        Assert.False(await tiered.ContainsAsync(ObjectId.Compute("absent"u8)));
        stats = tiered.GetStatistics("redis");
        Assert.Equal(2, stats.Failures);
        Assert.True(stats.Skipped >= 2, $"skipped {stats.Skipped}"); // the read, the contains check (and a promotion of the read, when it ran by then)
        Assert.Equal(2, redis.Objects.Statistics.Failures);

        // Redis back and the cooldown over: one probe closes the breaker.
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        redis.Connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive) restored.TrySetResult();
        };
        await server.RestartAsync();
        await restored.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.NotNull(await tiered.TryReadAsync(blob.Id));
        stats = tiered.GetStatistics("redis");
        Assert.Equal((false, 1L, 2L), (stats.BreakerOpen, stats.BreakerOpenCount, stats.Failures));
    }
}
