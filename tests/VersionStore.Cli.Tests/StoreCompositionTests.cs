namespace VersionStore.Cli.Tests;

/// <summary>The CLI opens its store through <see cref="VersionStoreBuilder"/>: embedded, a commit and a rollback are each one RocksDB write.</summary>
public sealed class StoreCompositionTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task An_embedded_commit_and_a_revert_rollback_through_the_CLI_are_one_RocksDB_write_each()
    {
        await _cli.InitAsync();
        var versions = StockAnalysis.Versions;
        var v1 = await _cli.CommitAsync("stock", "main", versions[0], "-m", "v1");

        // The parts are captured while the command's store is open (the host lets go of them when it closes).
        var opened = new List<(DeploymentMode Mode, RocksDbBackend Rocks, IObjectStore Objects)>();
        _cli.StoreOpened = host => opened.Add((host.Mode, host.Get<RocksDbBackend>()!, host.Store.Objects));
        await _cli.CommitAsync("stock", "main", versions[1], "-m", "v2");
        var (mode, rocks, objects) = Assert.Single(opened);
        Assert.Equal(DeploymentMode.Embedded, mode);
        Assert.Same(rocks, objects);
        Assert.Equal(1, rocks.WriteCount); // the command's only write: objects + ref + audit entry

        opened.Clear();
        (await _cli.RunAsync("rollback", "stock", "--branch", "main", "--to", v1, "--reason", "bad", "--actor", "oncall")).Ok();
        Assert.Equal(1, Assert.Single(opened).Rocks.WriteCount); // the revert commit, its ref move and audit entry
    }
}
