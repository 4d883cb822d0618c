namespace VersionStore.Cli.Tests;

/// <summary>A store with an incomplete closure: verify, show and rollback report corrupt data (exit 6).</summary>
public sealed class CorruptStoreTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_ref_to_a_commit_whose_tree_is_missing_fails_verification_and_rollback()
    {
        await _cli.InitAsync();
        var good = await _cli.CommitAsync("r", "main", _cli.WriteFolder("f", ("a", "1")));
        (await _cli.RunAsync("verify")).Ok();

        // Store a commit whose tree was never written, and point a branch at it (the library checks only that the commit exists).
        using (var backend = RocksDbBackend.Open(_cli.DefaultStore))
        {
            var store = new RepositoryStore(backend, backend);
            var missingTree = ObjectId.Compute(ObjectCodec.EncodeBlob("never stored"u8));
            var encoded = ObjectCodec.EncodeCommit(missingTree, [ObjectId.Parse(good)], 2, DateTimeOffset.UnixEpoch, "mallory", "broken", []);
            var broken = ObjectId.Compute(encoded);
            await backend.WriteAsync([new EncodedObject(broken, encoded)]);
            await store.GetRepository("r").UpdateRefAsync(RefName.Branch("broken"), broken, null, "test", "mallory");
        }

        var verify = await _cli.RunAsync("verify", "r");
        Assert.Contains("FAIL r", verify.Stdout);
        Assert.Contains("missing tree", verify.Fails(6) + verify.Stdout);
        Assert.False((await _cli.RunAsync("verify", "--json")).Stdout.Contains("\"healthy\": true", StringComparison.Ordinal));

        (await _cli.RunAsync("show", "r", "broken")).Fails(6);
        (await _cli.RunAsync("checkout", "r", "broken", "--to", _cli.PathOf("out"))).Fails(6);

        // Rolling main back to the broken commit is rejected before the ref moves.
        var rollback = await _cli.RunAsync("rollback", "r", "--branch", "main", "--to", "broken", "--reason", "test");
        Assert.Contains("rejected", rollback.Fails(6));
        Assert.Contains("status:    rejected", rollback.Stdout);
        Assert.Equal(good, (await _cli.RunAsync("log", "r", "main", "-n", "1", "--json")).Json()[0].GetProperty("id").GetString());
    }
}
