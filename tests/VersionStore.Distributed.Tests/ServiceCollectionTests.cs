using Xunit;
using Microsoft.Extensions.DependencyInjection;
using VersionStore.Conformance;

namespace VersionStore.Distributed.Tests;

/// <summary><c>services.AddVersionStore(b => b.UseRocksDb(…))</c>: the embedded mode through DI, one write per commit, disposed by the container, data kept.</summary>
public sealed class ServiceCollectionTests : IDisposable
{
    private readonly TempDirectory _dir = new("di");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AddVersionStore_registers_the_host_and_its_store_and_the_container_closes_them()
    {
        var path = _dir.Combine("store");
        ObjectId committed;
        await using (var provider = new ServiceCollection().AddVersionStore(b => b.UseRocksDb(path)).BuildServiceProvider())
        {
            var store = provider.GetRequiredService<RepositoryStore>();
            var host = provider.GetRequiredService<VersionStoreHost>();
            Assert.Same(host.Store, store);
            Assert.Equal(DeploymentMode.Embedded, host.Mode);
            await WriteBatchAssert.OneWritePerCommitAsync(store, host.Get<RocksDbBackend>()!);
            committed = (await store.GetRepository("wf").CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{}"))).Id;
        }

        // The container disposed the host (RocksDB closed, its lock released): a new one opens the same data.
        await using var again = new ServiceCollection().AddVersionStore(b => b.UseRocksDb(path)).BuildServiceProvider();
        Assert.Equal(committed, await again.GetRequiredService<RepositoryStore>().GetRepository("wf").ResolveAsync("main"));
    }

    [Fact]
    public void Invalid_options_fail_when_the_store_is_first_resolved()
    {
        using var provider = new ServiceCollection().AddVersionStore(b => b.UseRedis("127.0.0.1:1")).BuildServiceProvider();
        var error = Assert.Throws<InvalidStoreConfigurationException>(() => provider.GetRequiredService<RepositoryStore>());
        Assert.Contains("UseS3", error.Message);
    }
}
