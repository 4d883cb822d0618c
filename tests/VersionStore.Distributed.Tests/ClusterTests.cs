using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Distributed.Tests;

/// <summary>End to end on the 3-master Redis Cluster: two application instances, ref CAS and tiered object reads.</summary>
public sealed class ClusterTests : IDisposable
{
    private readonly TempDirectory _dir = new("distributed-cluster");

    public void Dispose() => _dir.Dispose();

    private async Task<VersionStoreHost> OpenAsync(string name, string keyPrefix, string s3Prefix)
        => await TestServers.Distributed(ServerEnvironment.RedisClusterConfiguration, keyPrefix, s3Prefix, _dir.Combine(name)).UseMemoryCache().BuildAsync();

    [Fact]
    public async Task Two_instances_on_Redis_Cluster_share_refs_with_CAS_and_read_each_others_objects_through_the_tiers()
    {
        var keyPrefix = $"cl{Guid.NewGuid():N}:";
        var s3Prefix = "cl/" + Guid.NewGuid().ToString("N");
        await using var a = await OpenAsync("a", keyPrefix, s3Prefix);
        await using var b = await OpenAsync("b", keyPrefix, s3Prefix);
        var workflows = TestData.WorkflowFiles().Take(3).Select(File.ReadAllBytes).ToList();

        // Several repositories, so their hash tags land on different masters.
        foreach (var name in new[] { "support-bot", "triage", "summarizer", "router" })
        {
            var ra = a.GetRepository(name);
            var rb = b.GetRepository(name);
            var v1 = await ra.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", workflows[0]), new CommitOptions { Author = "a", Message = "v1" });

            // B sees A's commit right after its CAS, and reads its objects (Redis hot tier, else S3).
            Assert.Equal(v1.Id, await rb.ResolveAsync("main"));
            var snapshot = await rb.CheckoutAsync("main");
            Assert.True((await snapshot.ReadAsync("workflow.yml"))!.Value.Span.SequenceEqual(workflows[0]));

            // CAS: a stale expected head loses, nothing written.
            var v2 = await rb.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", workflows[1]), new CommitOptions { Author = "b", Message = "v2", ExpectedHead = v1.Id });
            await Assert.ThrowsAsync<RefConflictException>(() =>
                ra.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", workflows[2]), new CommitOptions { Author = "a", Message = "stale", ExpectedHead = v1.Id }));
            Assert.Equal(v2.Id, await ra.ResolveAsync("main"));
            var audit = new List<AuditEntry>();
            await foreach (var entry in ra.AuditAsync(RefName.Branch("main"))) audit.Add(entry);
            Assert.Equal(2, audit.Count);
        }
        Assert.True(b.Tiers!.GetStatistics("redis").Hits > 0, "B read objects A wrote from the Redis hot tier");
    }
}
