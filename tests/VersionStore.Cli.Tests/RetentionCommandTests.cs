namespace VersionStore.Cli.Tests;

/// <summary><c>vstore retention</c>, <c>pin</c>, <c>unpin</c>, <c>branch --delete</c> and <c>gc</c> on a real embedded store.</summary>
public sealed class RetentionCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Retention_pins_and_gc_prune_old_snapshots_keep_the_held_ones_and_report_what_was_freed()
    {
        await _cli.InitAsync();
        var folder = _cli.WriteFolder("wf", ("nodes/llm.json", "{\"v\":0}"));
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            File.WriteAllText(Path.Combine(folder, "nodes", "llm.json"), $"{{\"v\":{i},\"pad\":\"{new string('x', 500)}\"}}");
            ids.Add(await _cli.CommitAsync("bot", "main", folder, "-m", $"v{i}"));
        }
        (await _cli.RunAsync("branch", "bot", "tmp", "main~1")).Ok();
        Assert.Contains("deleted refs/heads/tmp", (await _cli.RunAsync("branch", "bot", "--delete", "tmp")).Ok());
        Assert.Equal("bot: keep every version", (await _cli.RunAsync("retention", "bot")).Ok().Trim());
        var policy = (await _cli.RunAsync("retention", "bot", "--keep-last", "2", "--reason", "space", "--json")).Json();
        Assert.Equal(2, policy.GetProperty("keepLast").GetInt32());
        (await _cli.RunAsync("pin", "bot", ids[0])).Fails(ExitCodes.Usage); // a pin needs a reason
        (await _cli.RunAsync("pin", "bot", ids[0], "--reason", "legal hold")).Ok();
        Assert.Contains("legal hold", (await _cli.RunAsync("pin", "bot")).Ok());

        var dry = (await _cli.RunAsync("gc", "--grace", "0", "--dry-run", "--json")).Json();
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        long deleted = 0, freed = 0;
        for (var i = 0; i < 3; i++)
        {
            var run = (await _cli.RunAsync("gc", "--grace", "0", "--json")).Json();
            deleted += run.GetProperty("objectsDeleted").GetInt64();
            freed += run.GetProperty("bytesFreed").GetInt64();
        }
        Assert.True(deleted >= 3 && freed > 1500, $"deleted {deleted} objects, {freed} bytes");
        Assert.Contains("objects", (await _cli.RunAsync("gc", "--grace", "0")).Ok());

        var refused = (await _cli.RunAsync("rollback", "bot", "--branch", "main", "--to", ids[2], "--reason", "bad")).Fails(ExitCodes.NotFoundOrInvalid);
        Assert.Contains("pruned by retention", refused);
        Assert.Contains(ids[2][..12], (await _cli.RunAsync("log", "bot", "main", "--oneline")).Ok()); // history stays
        (await _cli.RunAsync("checkout", "bot", ids[0], "--to", _cli.PathOf("out0"))).Ok(); // pinned
        (await _cli.RunAsync("checkout", "bot", "main~1", "--to", _cli.PathOf("out1"))).Ok(); // kept by the policy
        (await _cli.RunAsync("verify")).Ok();
        (await _cli.RunAsync("unpin", "bot", ids[0])).Ok();
        (await _cli.RunAsync("gc", "--grace", "soon")).Fails(ExitCodes.Usage);
    }
}
