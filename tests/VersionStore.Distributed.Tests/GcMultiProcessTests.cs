using System.Collections.Concurrent;
using System.Diagnostics;
using VersionStore.Conformance;
using Xunit;
using Xunit.Abstractions;

namespace VersionStore.Distributed.Tests;

/// <summary>
/// Garbage collection in distributed mode (real Redis and s3rver) while another process commits: the collector runs again
/// and again with a short grace period (real clock), deleting garbage this process keeps producing (abandoned branches),
/// and every commit the other process acknowledged keeps every object — checked from a fresh reader afterwards.
/// </summary>
public sealed class GcMultiProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Commits = 30;
    private readonly TempDirectory _dir = new("distributed-gc");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task No_acknowledged_commit_of_a_concurrent_process_loses_an_object_while_gc_sweeps()
    {
        var redis = ServerEnvironment.RedisEndpoint;
        var s3Prefix = "gc/" + Guid.NewGuid().ToString("N");
        var keyPrefix = $"gc{Guid.NewGuid():N}:";
        const string repoName = "support-bot";
        await using var host = await new VersionStoreBuilder()
            .UseRedis(o => { o.Configuration = redis; o.KeyPrefix = keyPrefix; })
            .UseS3(o => { TestServers.S3(s3Prefix)(o); o.Timeout = TimeSpan.FromSeconds(30); o.MaxErrorRetry = 2; })
            .UseRocksDb(_dir.Combine("gc-cache"))
            .BuildAsync();
        var repo = host.GetRepository(repoName);
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/start", "{}"), new CommitOptions { Author = "t", Message = "root" });

        var gc = new GcOptions { GracePeriod = TimeSpan.FromSeconds(2) };
        var lines = new ConcurrentQueue<string>();
        using var worker = WorkerProcess.Start(["commit", redis, TestServers.S3Url, TestServers.Bucket, s3Prefix, keyPrefix, _dir.Combine("worker"), repoName, "main",
            Commits.ToString(System.Globalization.CultureInfo.InvariantCulture), "w0"], lines);
        long deleted = 0, freed = 0;
        var runs = 0;
        var sw = Stopwatch.StartNew();
        try
        {
            for (var round = 0; !lines.Any(l => l.StartsWith("DONE", StringComparison.Ordinal)); round++)
            {
                Assert.False(worker.HasExited && !lines.Any(l => l.StartsWith("DONE", StringComparison.Ordinal)), "worker died: " + string.Join('\n', lines));
                Assert.True(sw.Elapsed < TimeSpan.FromMinutes(3), "the committer did not finish in 3 minutes");
                // Garbage made here: an abandoned branch per round.
                var branch = $"tmp{round}";
                await repo.CreateBranchAsync(branch, "main");
                await repo.CommitAsync(branch, new SnapshotChanges().Put($"nodes/tmp{round}", $"{{\"round\":{round}}}"), new CommitOptions { Author = "t", Message = "tmp" });
                await repo.DeleteRefAsync(RefName.Branch(branch), "t", "abandoned");
                var result = await host.Store.CollectGarbageAsync(gc);
                runs++;
                deleted += result.ObjectsDeleted;
                freed += result.BytesFreed;
            }
            await WorkerProcess.WaitForLineAsync(worker, lines, "DONE", TimeSpan.FromSeconds(10));
            // Sweep after the committer finished: an unreached object is planned once it is older than the grace period and
            // deleted by a later run once the plan is older than it too, so on a fast machine (few rounds, all within one
            // grace period) that takes two more runs, a grace period apart (real clock: the worker is another process).
            for (var tailRun = 0; tailRun < 2 && deleted == 0; tailRun++)
            {
                await Task.Delay(gc.GracePeriod + TimeSpan.FromSeconds(1.5));
                var tail = await host.Store.CollectGarbageAsync(gc);
                runs++;
                deleted += tail.ObjectsDeleted;
                freed += tail.BytesFreed;
            }
        }
        finally
        {
            if (!worker.HasExited) worker.StandardInput.Close();
        }

        var acked = lines.Where(l => l.StartsWith("ACK ", StringComparison.Ordinal)).Select(l => ObjectId.Parse(l.Substring(4))).ToList();
        Assert.Equal(Commits, acked.Count);
        output.WriteLine($"{Commits} commits acknowledged by the other process during {runs} GC runs (grace {gc.GracePeriod.TotalSeconds} s): {deleted} objects / {freed} bytes deleted");
        Assert.True(deleted > 0, "the collector deleted nothing: the test did not exercise a sweep");

        // A fresh reader (own connections, own S3 index, no local cache): every acknowledged version, every object.
        await using var reader = await TestServers.Distributed(redis, keyPrefix, s3Prefix, dataPath: null).BuildAsync();
        var check = reader.GetRepository(repoName);
        foreach (var id in acked)
        {
            var snapshot = await check.CheckoutAsync(id.ToString());
            var all = await snapshot.ReadAllAsync();
            var steps = all.Keys.Where(k => k.StartsWith("workers/w0/", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(steps);
            foreach (var path in steps)
            {
                var step = int.Parse(path.AsSpan("workers/w0/step-".Length), System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal($"{{\"worker\":\"w0\",\"step\":{step}}}", System.Text.Encoding.UTF8.GetString(all[path].Span));
            }
        }
        var report = await check.VerifyAsync();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
    }
}
