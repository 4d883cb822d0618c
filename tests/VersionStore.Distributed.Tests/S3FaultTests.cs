using VersionStore.Conformance;
using VersionStore.S3;
using Xunit;
using Xunit.Abstractions;

namespace VersionStore.Distributed.Tests;

/// <summary>Embedded + archive mode with S3 behind a loopback proxy that a test closes and reopens.</summary>
public sealed class S3FaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("distributed-s3-fault");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Commits_continue_while_S3_is_down_and_the_archiver_catches_up_when_it_returns()
    {
        await using var proxy = new RestartableProxy(ServerEnvironment.S3Endpoint);
        proxy.Start();
        var prefix = "sf/" + Guid.NewGuid().ToString("N");
        var workflows = TestData.WorkflowFiles().Take(6).Select(File.ReadAllBytes).ToList();
        await using var host = await new VersionStoreBuilder()
            .UseRocksDb(_dir.Combine("db"))
            .UseS3(TestServers.S3(prefix, proxy.Url))
            .Configure(o => o.RunArchiver = false) // the test drives the archiver
            .BuildAsync();
        Assert.Equal(DeploymentMode.EmbeddedWithArchive, host.Mode);
        var repo = host.GetRepository("support-bot");
        for (var i = 0; i < 3; i++)
            await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", workflows[i]), new CommitOptions { Author = "ana", Message = $"v{i + 1}" });
        var first = await host.Archiver!.RunOnceAsync();
        Assert.True(first.Succeeded, first.Error?.Message);
        Assert.True(first.Archived > 0);
        Assert.Equal(0, first.Pending);

        await proxy.StopAsync(); // S3 is down
        for (var i = 3; i < 6; i++)
            await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", workflows[i]), new CommitOptions { Author = "ana", Message = $"v{i + 1}" });
        var down = await host.Archiver.RunOnceAsync();
        output.WriteLine($"archiver with S3 down: {down.Error?.GetType().Name}: {down.Error?.Message}; pending {down.Pending}");
        Assert.False(down.Succeeded);
        Assert.IsType<BackendUnavailableException>(down.Error);
        Assert.True(down.Pending > 0);
        var snapshot = await repo.CheckoutAsync("main"); // reads never needed S3
        Assert.True((await snapshot.ReadAsync("workflow.yml"))!.Value.Span.SequenceEqual(workflows[5]));

        proxy.Start(); // S3 is back on the same address
        var caughtUp = await host.Archiver.RunOnceAsync();
        output.WriteLine($"archiver after S3 returned: archived {caughtUp.Archived}, pending {caughtUp.Pending}");
        Assert.True(caughtUp.Succeeded, caughtUp.Error?.Message);
        Assert.Equal(down.Pending, caughtUp.Archived);
        Assert.Equal(0, caughtUp.Pending);

        // Nothing lost: every object of every commit is in S3, read by a separate store straight from s3rver.
        await using var cold = await S3PackObjectStore.OpenAsync(new S3PackStoreOptions
        {
            BucketName = TestServers.Bucket, Prefix = prefix, ServiceUrl = TestServers.S3Url, ForcePathStyle = true, S3CompatibleMode = true,
            AccessKey = ServerEnvironment.S3AccessKey, SecretKey = ServerEnvironment.S3SecretKey,
        });
        var closure = new HashSet<ObjectId>();
        await foreach (var c in repo.LogAsync("main"))
        {
            closure.Add(c.Id);
            await AddTreeAsync(repo, c.Tree, closure);
        }
        foreach (var id in closure)
        {
            var data = await cold.TryReadAsync(id);
            Assert.True(data is not null, $"object {id} is not in the archive");
            ObjectCodec.Verify(id, data.Value.Span);
        }
        output.WriteLine($"{closure.Count} objects of 6 commits verified in the archive");
    }

    private static async Task AddTreeAsync(Repository repo, ObjectId treeId, HashSet<ObjectId> closure)
    {
        if (!closure.Add(treeId)) return;
        foreach (var e in await repo.GetTreeAsync(treeId))
        {
            if (e.Kind == ObjectKind.Tree) await AddTreeAsync(repo, e.Id, closure);
            else closure.Add(e.Id);
        }
    }
}
