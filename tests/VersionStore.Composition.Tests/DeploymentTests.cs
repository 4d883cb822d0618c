using VersionStore.Conformance;
using VersionStore.S3;
using Xunit;

namespace VersionStore.Composition.Tests;

/// <summary>
/// What the suites over one host cannot show: several processes of one distributed deployment see each other's work
/// (through Redis and S3 only), and the archive of an embedded store ends up holding every object.
/// </summary>
public sealed class DeploymentTests
{
    private static SnapshotChanges Workflow(string history, int version)
        => new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(TestData.HistoryVersions(history)[version]));

    [Theory]
    [InlineData(StoreComposition.DistributedWithLocalCache)]
    [InlineData(StoreComposition.Distributed)]
    [InlineData(StoreComposition.DistributedOnRedisClusterWithLocalCache)]
    public async Task Two_processes_of_one_deployment_see_each_others_commits_tags_and_rollbacks(StoreComposition composition)
    {
        var history = TestData.HistoryNames()[0];
        var shared = Guid.NewGuid().ToString("N");
        await using var a = await CompositionHost.OpenAsync(composition, shared: shared);
        await using var b = await CompositionHost.OpenAsync(composition, shared: shared);
        var writer = a.Host.GetRepository("support-bot");
        var reader = b.Host.GetRepository("support-bot");

        var v1 = await writer.CommitAsync("main", Workflow(history, 0), new CommitOptions { Author = "ana", Message = "v1.4.0" });
        await writer.CreateTagAsync("v1.4.0", "main", actor: "ana");
        var v2 = await writer.CommitAsync("main", Workflow(history, 1), new CommitOptions { Author = "ana", Message = "v1.5.0" });

        Assert.Equal(v2.Id, await reader.ResolveAsync("main"));
        Assert.Equal(v1.Id, await reader.ResolveAsync("v1.4.0"));
        var content = await (await reader.CheckoutAsync("v1.4.0")).ReadAsync("workflow.yml");
        Assert.True(content!.Value.Span.SequenceEqual(File.ReadAllBytes(TestData.HistoryVersions(history)[0])));
        Assert.Equal(["M workflow.yml"], (await reader.DiffAsync("v1.4.0", "main")).Select(d => d.ToString()));
        Assert.Equal(["v1.5.0", "v1.4.0"], await reader.LogAsync("main").Select(c => c.Subject).ToListAsync());

        var rollback = await reader.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "regression", Actor = "piet" });
        Assert.Equal(RollbackStatus.Succeeded, rollback.Status);
        var head = await writer.ResolveAsync("main");
        Assert.Equal(rollback.NewHead, head);
        var back = await (await writer.CheckoutAsync("main")).ReadAsync("workflow.yml");
        Assert.True(back!.Value.Span.SequenceEqual(content.Value.Span));
        var audit = await writer.AuditAsync(RefName.Branch("main")).ToListAsync();
        Assert.Contains(audit, e => e.Actor == "piet" && e.Operation.StartsWith("rollback", StringComparison.Ordinal) && e.New == head);
    }

    [Fact]
    public async Task The_archive_of_an_embedded_store_holds_every_object_once_the_archiver_drained_the_outbox()
    {
        var history = TestData.HistoryNames()[0];
        await using var host = await CompositionHost.OpenAsync(StoreComposition.EmbeddedWithArchive);
        var repo = host.Host.GetRepository("support-bot");
        for (var i = 0; i < 3; i++) await repo.CommitAsync("main", Workflow(history, i), new CommitOptions { Author = "ana", Message = $"v{i}" });

        await host.Host.Archiver!.StopAsync();
        var run = await host.Host.Archiver.RunOnceAsync();
        Assert.True(run.Succeeded, run.Error?.Message);
        Assert.Equal(0, host.Host.Outbox!.PendingCount);

        var archive = host.Host.Tiers!.ArchiveTier!.Store;
        var local = host.Host.Get<RocksDbBackend>()!;
        var ids = await local.ListObjectsAsync().Select(o => o.Id).ToListAsync();
        Assert.True(ids.Count >= 9, $"{ids.Count} objects");
        foreach (var id in ids)
        {
            var copy = await archive.TryReadAsync(id);
            Assert.NotNull(copy);
            Assert.Equal(id, ObjectId.Compute(copy.Value.Span));
        }
        Assert.NotNull(host.Host.Get<S3PackObjectStore>());
    }
}
