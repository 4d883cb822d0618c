using System.Diagnostics;
using VersionStore.Conformance;
using Xunit;
using Xunit.Abstractions;

namespace VersionStore.Distributed.Tests;

/// <summary>Redis stopped mid-run (a private redis-server killed by its PID) and restarted on the same port.</summary>
public sealed class RedisFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("distributed-redis-fault");
    private readonly RedisServerProcess _redis = new();

    public void Dispose()
    {
        _redis.Dispose();
        _dir.Dispose();
    }

    private VersionStoreBuilder Options(string s3Prefix)
    {
        var builder = TestServers.Distributed(_redis.Endpoint, "vstore:", s3Prefix, _dir.Combine("local"), o => o.OperationTimeout = TimeSpan.FromMilliseconds(500));
        builder.UseMemoryCache().Configure(o => o.BreakerCooldown = TimeSpan.FromSeconds(1));
        return builder;
    }

    [Fact]
    public async Task Reads_fail_static_and_writes_fail_fast_while_Redis_is_down_and_everything_recovers_when_it_returns()
    {
        await _redis.StartAsync();
        var s3Prefix = "rf/" + Guid.NewGuid().ToString("N");
        var workflow = TestData.ReadWorkflow(Path.GetFileName(TestData.WorkflowFiles()[0]));
        var main = RefName.Branch("main");
        ObjectId v2;
        {
            await using var host = await Options(s3Prefix).BuildAsync();
            var repo = host.GetRepository("support-bot");
            await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", workflow), new CommitOptions { Author = "ana", Message = "v1" });
            v2 = (await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{\"model\":\"gpt-4o\"}"), new CommitOptions { Author = "ana", Message = "v2" })).Id;
            var fresh = await host.FailStatic!.TryGetRefWithFreshnessAsync(repo.Name, main);
            Assert.False(fresh!.IsStale);
        }

        _redis.Kill();

        // The application restarts while Redis is down: it starts, and loads the version it should run.
        await using (var host = await Options(s3Prefix).BuildAsync())
        {
            var repo = host.GetRepository("support-bot");
            var stale = await host.FailStatic!.TryGetRefWithFreshnessAsync(repo.Name, main);
            Assert.NotNull(stale);
            Assert.True(stale.IsStale);
            Assert.Equal(v2, stale.State.Target);

            var staleEvents = 0;
            host.FailStatic.StaleRead += (_, _) => staleEvents++;
            var snapshot = await repo.CheckoutAsync("main"); // ref: remembered head; objects: local warm tier / S3
            Assert.Equal(v2, snapshot.Commit.Id);
            Assert.True((await snapshot.ReadAsync("workflow.yml"))!.Value.Span.SequenceEqual(workflow));
            Assert.True(staleEvents >= 1);
            Assert.True(host.Tiers!.GetStatistics("rocksdb").Hits > 0);

            var sw = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<BackendUnavailableException>(() =>
                repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{\"model\":\"o3\"}"), new CommitOptions { Author = "ana", Message = "v3" }));
            output.WriteLine($"commit with Redis down failed after {sw.ElapsedMilliseconds} ms: {e.Message}");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"write took {sw.Elapsed}");
            Assert.Equal(v2, (await host.FailStatic.TryGetRefWithFreshnessAsync(repo.Name, main))!.State.Target); // nothing pretended

            // Redis comes back on the same port: the same application recovers without a restart.
            await _redis.StartAsync();
            var recovered = Stopwatch.StartNew();
            RefReadResult? read = null;
            while (recovered.Elapsed < TimeSpan.FromSeconds(20))
            {
                read = await host.FailStatic.TryGetRefWithFreshnessAsync(repo.Name, main);
                if (read is { IsStale: false }) break;
                await Task.Delay(50);
            }
            output.WriteLine($"fresh ref reads again {recovered.ElapsedMilliseconds} ms after Redis restarted");
            Assert.False(read!.IsStale);
            Assert.Equal(v2, read.State.Target);
            var v3 = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{\"model\":\"o3\"}"), new CommitOptions { Author = "ana", Message = "v3" });
            Assert.Equal(v2, v3.PreviousHead);
            Assert.Equal(v3.Id, await repo.ResolveAsync("main"));
        }
    }

    [Fact]
    public async Task Without_a_remembered_head_a_ref_read_fails_with_the_backend_named()
    {
        await _redis.StartAsync();
        await using var host = await Options("rf/" + Guid.NewGuid().ToString("N")).BuildAsync();
        _redis.Kill();
        var e = await Assert.ThrowsAsync<BackendUnavailableException>(async () =>
            await host.FailStatic!.TryGetRefWithFreshnessAsync(new RepositoryName("never-seen"), RefName.Branch("main")));
        Assert.Equal("Redis", e.Backend);
    }
}
