using Microsoft.Extensions.Configuration;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Distributed.Tests;

/// <summary>The builder: modes as presets over the parts, configuration binding, every problem reported at once (no server needed).</summary>
public sealed class BuilderTests : IDisposable
{
    private readonly TempDirectory _dir = new("builder");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_mode_is_inferred_from_the_parts()
    {
        Assert.Equal(DeploymentMode.Embedded, new VersionStoreBuilder().UseRocksDb("/data").Builder().EffectiveMode);
        Assert.Equal(DeploymentMode.EmbeddedWithArchive, new VersionStoreBuilder().UseRocksDb("/data").UseS3(o => o.BucketName = "bucket").Builder().EffectiveMode);
        Assert.Equal(DeploymentMode.Distributed, new VersionStoreBuilder().UseRedis("127.0.0.1:6379").UseS3(o => o.BucketName = "bucket").UseRocksDb("/data").Builder().EffectiveMode);
        Assert.Equal(DeploymentMode.Distributed, new VersionStoreBuilder().UseRedis("127.0.0.1:6379").UseS3(o => o.BucketName = "bucket").Builder().EffectiveMode);
    }

    [Fact]
    public void Each_backend_binds_its_own_options_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            {
              "mode": "distributed", "memoryCacheBytes": 1048576, "breakerCooldown": "00:00:05",
              "rocksDb": { "path": "/var/lib/app", "syncWrites": true },
              "redis": { "configuration": "r1:6379,r2:6379", "operationTimeout": "00:00:01", "keyPrefix": "app:" },
              "s3": { "bucketName": "vstore", "prefix": "prod", "serviceUrl": "http://127.0.0.1:4568", "forcePathStyle": true }
            }
            """u8.ToArray())).Build();
        var builder = new VersionStoreBuilder();
        builder.Configure(configuration).UseRocksDb(configuration.GetSection("rocksDb")).UseRedis(configuration.GetSection("redis")).UseS3(configuration.GetSection("s3"));
        Assert.Empty(builder.GetProblems());
        Assert.Equal(DeploymentMode.Distributed, builder.EffectiveMode);
        Assert.Equal(1048576, builder.Options.MemoryCacheBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), builder.Options.BreakerCooldown);

        // A Redis section may also be the configuration string itself.
        var flat = new ConfigurationBuilder().AddInMemoryCollection([new("redis", "r1:6379"), new("s3:bucketName", "vstore")]).Build();
        Assert.Empty(new VersionStoreBuilder().UseRedis(flat.GetSection("redis")).UseS3(flat.GetSection("s3")).Builder().GetProblems());
    }

    [Fact]
    public async Task Every_problem_of_every_backend_is_reported_together()
    {
        var builder = new VersionStoreBuilder();
        builder.Configure(o => { o.Mode = DeploymentMode.Distributed; o.MemoryCacheBytes = -1; o.BreakerFailureThreshold = 0; })
            .UseRocksDb(o => o.WriteBufferSizeBytes = 1)
            .UseS3(o => o.BucketName = "x");
        var e = await Assert.ThrowsAsync<InvalidStoreConfigurationException>(async () => await builder.BuildAsync());
        Assert.Contains("distributed mode needs a shared ref store (UseRedis)", e.Message);
        Assert.Contains("Path is required", e.Message);
        Assert.Contains("WriteBufferSizeBytes", e.Message);
        Assert.Contains("BucketName 'x'", e.Message);
        Assert.Contains("MemoryCacheBytes", e.Message);
        Assert.Contains("BreakerFailureThreshold", e.Message);
        Assert.True(e.Problems.Count >= 5, string.Join(" | ", e.Problems));

        var unconvertible = new ConfigurationBuilder().AddInMemoryCollection([new("rocksDb:path", _dir.Path), new("rocksDb:syncWrites", "maybe")]).Build();
        var bad = Assert.Throws<InvalidStoreConfigurationException>(() => new VersionStoreBuilder().UseRocksDb(unconvertible.GetSection("rocksDb")).Builder().Build());
        Assert.Contains("RocksDbBackendOptions", bad.Message);
        Assert.Contains("maybe", bad.Message);
    }

    [Fact]
    public async Task Embedded_through_the_builder_keeps_one_RocksDB_write_per_commit_with_or_without_a_memory_cache()
    {
        foreach (var memory in new[] { false, true })
        {
            var builder = new VersionStoreBuilder().UseRocksDb(_dir.Combine($"embedded-{memory}"));
            if (memory) builder.UseMemoryCache();
            await using var host = await builder.Builder().BuildAsync();
            var rocks = host.Get<RocksDbBackend>()!;
            Assert.Equal(memory, host.Tiers is not null); // the capability survives the tiered decorator
            await WriteBatchAssert.OneWritePerCommitAsync(host.Store, rocks);
        }
    }

    [Fact]
    public async Task Embedded_with_archive_keeps_one_RocksDB_write_per_commit()
    {
        await using var host = await new VersionStoreBuilder().UseRocksDb(_dir.Combine("archive"))
            .UseS3(o => { o.BucketName = "never-opened"; o.ServiceUrl = "http://127.0.0.1:1"; })
            .Configure(o => o.RunArchiver = false).Builder().BuildAsync();
        await WriteBatchAssert.OneWritePerCommitAsync(host.Store, host.Get<RocksDbBackend>()!);
        Assert.NotNull(host.Outbox);
    }
}

internal static class BuilderTestExtensions
{
    public static VersionStoreBuilder Builder(this IVersionStoreBuilder builder) => (VersionStoreBuilder)builder;
}

/// <summary>The "one RocksDB write per commit" assertion: a commit, a tag, a revert rollback, a merge each cost exactly one write.</summary>
internal static class WriteBatchAssert
{
    public static async Task OneWritePerCommitAsync(RepositoryStore store, RocksDbBackend rocks)
    {
        var repo = store.GetRepository("wf-" + Guid.NewGuid().ToString("N")[..6]);
        var workflow = TestData.ReadWorkflow(Path.GetFileName(TestData.WorkflowFiles()[0]));
        await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", workflow).Put("nodes/a", "{}"), new CommitOptions { Author = "ana", Message = "v1" });
        var before = rocks.WriteCount;
        var v2 = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/a", """{"model":"gpt-4o"}"""), new CommitOptions { Author = "ana", Message = "v2" });
        Assert.True(v2.ObjectsWritten >= 2); // a blob, trees and the commit: objects + ref + audit entry in one batch
        Assert.Equal(1, rocks.WriteCount - before);

        before = rocks.WriteCount;
        var rollback = await repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "main~1", Reason = "bad", Actor = "oncall" });
        Assert.Equal(RollbackStatus.Succeeded, rollback.Status);
        Assert.Equal(1, rocks.WriteCount - before); // the revert commit goes through the same commit writer
        var state = await store.Refs.TryGetRefAsync(repo.Name, RefName.Branch("main"));
        Assert.Equal(rollback.NewHead, state!.Target);
        Assert.NotNull(await repo.TryGetCommitAsync(rollback.NewHead));
    }
}
