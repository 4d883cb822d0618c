using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using VersionStore.Conformance;
using VersionStore.Internal;
using Xunit;

namespace VersionStore.Redis.Tests;

/// <summary>Redis-specific behaviour of the ref store: one round trip per update, cluster slots, pub/sub, WAIT.</summary>
public sealed class RedisRefStoreTests
{
    private static readonly RepositoryName Repo = "support-bot";
    private static readonly RefName Main = RefName.Branch("main");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));

    private RefUpdate Next(RepositoryName repo, RefName name, RefState? current, int n)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var target = ObjectCodec.HashBlob(TestData.DifyBlobs(8)[n % 8].Data.Span[..64]);
        var entry = new AuditEntry(name, (current?.Sequence ?? 0) + 1, current?.Target, target, "commit", "ops@example.com",
            _clock.GetUtcNow(), $"publish v1.{n}", current?.AuditHash ?? ObjectId.Zero);
        return new RefUpdate(repo, current, entry);
    }

    private static long CommandCalls(string info, string command)
    {
        foreach (var line in info.Split('\n'))
        {
            var prefix = $"cmdstat_{command}:calls=";
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = line[prefix.Length..];
            return long.Parse(rest[..rest.IndexOf(',')], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    [Fact]
    public async Task Each_ref_update_is_exactly_one_EVALSHA_round_trip()
    {
        await using var server = await PrivateRedisServer.StartAsync();
        var options = RedisTestConnections.Options(server.Endpoint, "roundtrip");
        await using var backend = await RedisBackend.ConnectAsync(options);
        await using var adminConnection = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",allowAdmin=true");
        var admin = adminConnection.GetServer(adminConnection.GetEndPoints()[0]);
        var store = backend.Refs;

        var state = Next(Repo, Main, null, 0);
        Assert.True(await store.TryUpdateRefAsync(state)); // first use may load the script
        var current = state.NewState;
        var before = (await admin.ExecuteAsync("INFO", "commandstats")).ToString();

        const int updates = 10;
        for (var i = 1; i <= updates; i++)
        {
            var u = Next(Repo, Main, current, i);
            Assert.True(await store.TryUpdateRefAsync(u));
            current = u.NewState;
        }
        var lost = Next(Repo, Main, state.NewState, 99); // stale expected: also one call, and it loses
        Assert.False(await store.TryUpdateRefAsync(lost));

        var after = (await admin.ExecuteAsync("INFO", "commandstats")).ToString();
        Assert.Equal(updates + 1, CommandCalls(after, "evalsha") - CommandCalls(before, "evalsha"));
        Assert.Equal(0, CommandCalls(after, "eval") - CommandCalls(before, "eval"));
        Assert.Equal(0, CommandCalls(after, "multi") - CommandCalls(before, "multi"));
        // Inside the script: one HGET per call, one HSET and ZADD per applied update.
        Assert.Equal(updates + 1, CommandCalls(after, "hget") - CommandCalls(before, "hget"));
        Assert.Equal(updates, CommandCalls(after, "zadd") - CommandCalls(before, "zadd"));
        Assert.Equal(current, await store.TryGetRefAsync(Repo, Main));
        Assert.Equal(updates + 1, (await ToListAsync(store.ReadAuditAsync(Repo, Main))).Count);
    }

    [Fact]
    public async Task All_keys_of_a_repository_share_one_cluster_slot_and_repositories_spread_over_the_masters()
    {
        var connection = RedisTestConnections.Cluster;
        var options = RedisTestConnections.Options(ServerEnvironment.RedisClusterConfiguration, "slots");
        var keys = new RedisKeys(options.KeyPrefix);
        var store = new RedisRefStore(connection, options);
        var repos = Enumerable.Range(0, 24).Select(i => new RepositoryName($"workflow-{i:D2}")).ToList();

        var endpoints = new HashSet<string>();
        foreach (var repo in repos)
        {
            var slot = connection.HashSlot(keys.Refs(repo));
            Assert.Equal(slot, connection.HashSlot(keys.Audit(repo, Main)));
            Assert.Equal(slot, connection.HashSlot(keys.Audit(repo, RefName.Channel("production"))));
            var first = Next(repo, Main, null, 1);
            Assert.True(await store.TryUpdateRefAsync(first));
            Assert.True(await store.TryUpdateRefAsync(Next(repo, Main, first.NewState, 2)));
            endpoints.Add(connection.GetServer(keys.Refs(repo)).EndPoint.ToString()!);
        }

        Assert.True(endpoints.Count >= 2, $"24 repositories should land on several masters, got {string.Join(", ", endpoints)}");
        Assert.Equal(repos.Select(r => r.Value).Order(StringComparer.Ordinal), (await ToListAsync(store.ListRepositoriesAsync())).Select(r => r.Value));
        Assert.Equal(2, (await ToListAsync(store.ReadAuditAsync(repos[7], Main))).Count);
    }

    [Fact]
    public async Task A_ref_change_is_published_on_the_repository_channel()
    {
        var options = RedisTestConnections.Options(ServerEnvironment.RedisEndpoint, "pubsub");
        var store = new RedisRefStore(RedisTestConnections.Standalone, options);
        var received = new TaskCompletionSource<RefName>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await store.SubscribeAsync(Repo, name => received.TrySetResult(name)))
        {
            var channel = RefName.Channel("production");
            Assert.True(await store.TryUpdateRefAsync(Next(Repo, channel, null, 3)));
            Assert.Equal(channel, await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public async Task WaitForReplicas_confirms_with_a_replica_and_throws_without_one_while_the_update_stays_applied()
    {
        await using var primary = await PrivateRedisServer.StartAsync();
        await using var replica = await PrivateRedisServer.StartAsync("--replicaof", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture));
        await replica.WaitForLogAsync("MASTER <-> REPLICA sync: Finished with success").WaitAsync(TimeSpan.FromSeconds(20));

        var options = RedisTestConnections.Options(primary.Endpoint, "wait");
        options.WaitForReplicas = 1;
        options.WaitForReplicasTimeout = TimeSpan.FromMilliseconds(300);
        await using var backend = await RedisBackend.ConnectAsync(options);

        var first = Next(Repo, Main, null, 1);
        Assert.True(await backend.Refs.TryUpdateRefAsync(first));
        await using (var direct = await ConnectionMultiplexer.ConnectAsync(replica.Endpoint))
        {
            // WAIT returned 1, so the replica already holds the new state.
            var onReplica = await direct.GetDatabase().HashGetAsync(new RedisKeys(options.KeyPrefix).Refs(Repo), Main.FullName);
            Assert.Equal(first.NewState, RefState.Decode((byte[])onReplica!));
        }

        await replica.KillAsync();
        var second = Next(Repo, Main, first.NewState, 2);
        var error = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await backend.Refs.TryUpdateRefAsync(second));
        Assert.Contains("replicas", error.Message, StringComparison.Ordinal);
        Assert.Equal(Main.FullName, error.Ref);
        // The primary applied it: the documented way to learn the outcome is to re-read.
        Assert.Equal(second.NewState, await backend.Refs.TryGetRefAsync(Repo, Main));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
