using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Redis.Tests;

/// <summary>
/// A private redis-server is killed (by PID) and restarted on the same port: ref operations throw
/// <see cref="BackendUnavailableException"/> within the operation timeout, cached reads miss (then the breaker
/// answers at once), and the same backend instance recovers once Redis is back.
/// </summary>
public sealed class RedisFaultTests
{
    private static readonly RepositoryName Repo = "support-bot";
    private static readonly RefName Main = RefName.Branch("main");

    [Fact]
    public async Task Killing_redis_fails_refs_fast_misses_objects_through_the_breaker_and_a_restart_recovers()
    {
        await using var server = await PrivateRedisServer.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        var options = new RedisBackendOptions
        {
            Configuration = server.Endpoint,
            KeyPrefix = "fault:",
            OperationTimeout = TimeSpan.FromMilliseconds(500),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            BreakerFailureThreshold = 2,
            BreakerCooldown = TimeSpan.FromSeconds(30),
            TimeProvider = clock,
        };
        await using var backend = await RedisBackend.ConnectAsync(options);
        var blob = TestData.DifyBlobs(3)[2];
        await backend.Objects.WriteAsync([blob]);
        Assert.NotNull(await backend.Objects.TryReadAsync(blob.Id));
        var create = Update(null, blob.Id, 1, clock);
        Assert.True(await backend.Refs.TryUpdateRefAsync(create));

        await server.KillAsync();

        var bound = options.OperationTimeout + TimeSpan.FromSeconds(1);
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await backend.Refs.TryGetRefAsync(Repo, Main));
        Assert.True(watch.Elapsed < bound, $"ref read took {watch.Elapsed}");
        watch.Restart();
        var error = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await backend.Refs.TryUpdateRefAsync(Update(create.NewState, blob.Id, 2, clock)));
        Assert.Equal("Redis", error.Backend);
        Assert.True(watch.Elapsed < bound, $"ref update took {watch.Elapsed}");
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await ToListAsync(backend.Refs.ListRepositoriesAsync()));

        // The cache never throws: two failed reads (each within the bound) open the breaker ...
        for (var i = 0; i < options.BreakerFailureThreshold; i++)
        {
            watch.Restart();
            Assert.Null(await backend.Objects.TryReadAsync(blob.Id));
            Assert.True(watch.Elapsed < bound, $"cache read took {watch.Elapsed}");
        }
        Assert.True(backend.Objects.Statistics.BreakerOpen);
        // ... and while it is open reads miss and writes are skipped without touching the network.
        watch.Restart();
        Assert.Null(await backend.Objects.TryReadAsync(blob.Id));
        Assert.False(await backend.Objects.ContainsAsync(blob.Id));
        await backend.Objects.WriteAsync([blob]);
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(100), $"bypassed calls took {watch.Elapsed}");
        Assert.Equal(2, backend.Objects.Statistics.Bypassed);
        Assert.Equal(options.BreakerFailureThreshold, backend.Objects.Statistics.Failures);

        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.Connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive) restored.TrySetResult();
        };
        await server.RestartAsync();
        await restored.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Same backend instance: refs work again (the restarted server kept no data: --save '').
        Assert.Null(await backend.Refs.TryGetRefAsync(Repo, Main));
        Assert.True(await backend.Refs.TryUpdateRefAsync(create));
        Assert.Equal(create.NewState, await backend.Refs.TryGetRefAsync(Repo, Main));
        // The breaker still answers "miss" until its cooldown is over, then the cache is used again.
        Assert.Null(await backend.Objects.TryReadAsync(blob.Id));
        clock.Advance(options.BreakerCooldown + TimeSpan.FromSeconds(1));
        await backend.Objects.WriteAsync([blob]);
        Assert.Equal(blob.Data.ToArray(), (await backend.Objects.TryReadAsync(blob.Id))!.Value.ToArray());
        Assert.False(backend.Objects.Statistics.BreakerOpen);
    }

    [Fact]
    public async Task Connecting_while_redis_is_down_succeeds_and_calls_fail_fast_with_BackendUnavailable()
    {
        await using var server = await PrivateRedisServer.StartAsync();
        await server.KillAsync();
        var options = new RedisBackendOptions
        {
            Configuration = server.Endpoint,
            OperationTimeout = TimeSpan.FromMilliseconds(300),
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
        };
        var watch = Stopwatch.StartNew();
        await using var backend = await RedisBackend.ConnectAsync(options);
        Assert.False(backend.IsConnected);
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await backend.Refs.TryGetRefAsync(Repo, Main));
        Assert.Null(await backend.Objects.TryReadAsync(ObjectId.Compute([1, 2, 3])));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    private static RefUpdate Update(RefState? current, ObjectId target, int n, FakeTimeProvider clock)
    {
        clock.Advance(TimeSpan.FromSeconds(1));
        var entry = new AuditEntry(Main, (current?.Sequence ?? 0) + 1, current?.Target, target, "commit", "ops@example.com",
            clock.GetUtcNow(), $"publish v1.{n}", current?.AuditHash ?? ObjectId.Zero);
        return new RefUpdate(Repo, current, entry);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
