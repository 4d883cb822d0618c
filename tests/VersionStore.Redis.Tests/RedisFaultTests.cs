using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Redis.Tests;

/// <summary>
/// A private redis-server is killed (by PID) and restarted on the same port: ref operations throw
/// <see cref="BackendUnavailableException"/> within the operation timeout, so do object-cache calls (the breaker is the
/// tier's: <see cref="OneBreakerTests"/>), and the same backend instance recovers once Redis is back.
/// </summary>
public sealed class RedisFaultTests
{
    private static readonly RepositoryName Repo = "support-bot";
    private static readonly RefName Main = RefName.Branch("main");

    [Fact]
    public async Task Killing_redis_fails_refs_and_cached_objects_fast_and_a_restart_recovers()
    {
        await using var server = await PrivateRedisServer.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        var options = new RedisBackendOptions
        {
            Configuration = server.Endpoint,
            KeyPrefix = "fault:",
            OperationTimeout = TimeSpan.FromMilliseconds(500),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
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

        // The cache reports each failure to its caller (the tier accessor), each within the bound.
        watch.Restart();
        Assert.Equal("Redis", (await Assert.ThrowsAsync<BackendUnavailableException>(async () => await backend.Objects.TryReadAsync(blob.Id))).Backend);
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await backend.Objects.ContainsAsync(blob.Id));
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await backend.Objects.WriteAsync([blob]));
        Assert.True(watch.Elapsed < 3 * bound, $"three cache calls took {watch.Elapsed}");
        Assert.Equal(3, backend.Objects.Statistics.Failures);

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
        // The cache works again (the restarted server kept nothing).
        Assert.Null(await backend.Objects.TryReadAsync(blob.Id));
        await backend.Objects.WriteAsync([blob]);
        Assert.Equal(blob.Data.ToArray(), (await backend.Objects.TryReadAsync(blob.Id))!.Value.ToArray());
        Assert.Equal(3, backend.Objects.Statistics.Failures);
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
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await backend.Objects.TryReadAsync(ObjectId.Compute([1, 2, 3])));
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
