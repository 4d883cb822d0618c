namespace VersionStore.Cli.Tests;

/// <summary>Expected failures: a one-line <c>vstore: error:</c> on stderr, no stack trace, and a distinct exit code.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<string> SetUpAsync()
    {
        await _cli.InitAsync();
        return await _cli.CommitAsync("r", "main", _cli.WriteFolder("f", ("a", "1")));
    }

    [Fact]
    public async Task Unknown_revision_is_not_found()
    {
        await SetUpAsync();
        var line = (await _cli.RunAsync("show", "r", "no-such-branch")).Fails(3);
        Assert.Contains("no-such-branch", line);
        (await _cli.RunAsync("diff", "r", "main", "main~5")).Fails(3);
        (await _cli.RunAsync("rollback", "r", "--branch", "main", "--to", "v9", "--reason", "x")).Fails(3);
        (await _cli.RunAsync("log", "nope")).Fails(3); // unknown repository
    }

    [Fact]
    public async Task Invalid_names_are_invalid_input()
    {
        var line = (await _cli.RunAsync("init")).Ok();
        Assert.Contains("Initialized", line);
        var f = _cli.WriteFolder("f", ("a", "1"));
        Assert.Contains("bad..name", (await _cli.RunAsync("commit", "r", "--branch", "bad..name", "--from", f)).Fails(3));
        (await _cli.RunAsync("commit", "bad/repo", "--branch", "main", "--from", f)).Fails(3);
        await _cli.CommitAsync("r", "main", f);
        (await _cli.RunAsync("tag", "r", "-bad", "main")).Fails(2); // option-like: a usage error, as git says "unknown switch"
        (await _cli.RunAsync("tag", "r", "--", "-bad", "main")).Fails(3); // after '--' it is a name, and an invalid one
    }

    [Fact]
    public async Task Tag_overwrite_needs_force()
    {
        var first = await SetUpAsync();
        (await _cli.RunAsync("tag", "r", "v1", "main")).Ok();
        File.WriteAllText(_cli.PathOf("f", "a"), "2");
        var second = await _cli.CommitAsync("r", "main", _cli.PathOf("f"));
        var line = (await _cli.RunAsync("tag", "r", "v1", "main")).Fails(4);
        Assert.Contains("refs/tags/v1", line);
        Assert.Contains(first, (await _cli.RunAsync("tag", "r")).Ok()[..0] + (await _cli.RunAsync("tag", "r", "--json")).Ok());
        (await _cli.RunAsync("tag", "r", "v1", "main", "--force")).Ok();
        Assert.Contains(second, (await _cli.RunAsync("tag", "r", "--json")).Ok());
        (await _cli.RunAsync("tag", "r", "v2")).Fails(2); // a name without a revision
    }

    [Fact]
    public async Task Stale_expected_head_is_a_conflict_and_writes_nothing()
    {
        var first = await SetUpAsync();
        File.WriteAllText(_cli.PathOf("f", "a"), "2");
        var second = await _cli.CommitAsync("r", "main", _cli.PathOf("f"), "--expected-head", first);
        File.WriteAllText(_cli.PathOf("f", "a"), "3");
        var line = (await _cli.RunAsync("commit", "r", "--branch", "main", "--from", _cli.PathOf("f"), "--expected-head", first)).Fails(4);
        Assert.Contains("refs/heads/main", line);
        Assert.Equal(second, (await _cli.RunAsync("log", "r", "-n", "1", "--json")).Json()[0].GetProperty("id").GetString());
        // "none": the branch must not exist yet.
        (await _cli.RunAsync("commit", "r", "--branch", "main", "--from", _cli.PathOf("f"), "--expected-head", "none")).Fails(4);
        await _cli.CommitAsync("r", "fresh", _cli.PathOf("f"), "--expected-head", "none");
        (await _cli.RunAsync("rollback", "r", "--branch", "main", "--to", first, "--reason", "x", "--expected-head", first)).Fails(4);
    }

    [Fact]
    public async Task Missing_from_path_is_not_found()
    {
        await _cli.InitAsync();
        var line = (await _cli.RunAsync("commit", "r", "--branch", "main", "--from", "does-not-exist")).Fails(3);
        Assert.Contains("does-not-exist", line);
        File.WriteAllText(_cli.PathOf("notes.txt"), "x");
        (await _cli.RunAsync("commit", "r", "--branch", "main", "--from", "notes.txt")).Fails(3);
        File.WriteAllText(_cli.PathOf("broken.yml"), "app: [unclosed");
        (await _cli.RunAsync("commit", "r", "--branch", "main", "--from", "broken.yml")).Fails(3);
    }

    [Fact]
    public async Task Usage_errors_exit_2()
    {
        await SetUpAsync();
        (await _cli.RunAsync("commit", "r", "--from", "f")).Fails(2); // --branch missing
        (await _cli.RunAsync("frobnicate")).Fails(2);
        (await _cli.RunAsync("repos", "--no-such-option")).Fails(2);
        (await _cli.RunAsync("show", "r", "main", "extra")).Fails(2);
        (await _cli.RunAsync()).Fails(2);
        (await _cli.RunAsync("rollback", "r", "--branch", "main", "--channel", "prod", "--to", "main", "--reason", "x")).Fails(2);
        (await _cli.RunAsync("rollback", "r", "--branch", "main", "--to", "main", "--reason", "x", "--mode", "sideways")).Fails(2);
        (await _cli.RunAsync("rollback", "r", "--branch", "main", "--to", "main")).Fails(2); // --reason missing
        (await _cli.RunAsync("checkout", "r", "main")).Fails(2); // neither --to nor --as-workflow
    }

    [Fact]
    public async Task A_missing_store_is_not_found_and_a_locked_store_is_unavailable_to_writes_but_readable()
    {
        var line = (await _cli.RunAsync("log", "r")).Fails(3);
        Assert.Contains("vstore init", line);
        await SetUpAsync();
        using (RocksDbBackend.Open(_cli.DefaultStore))
        {
            (await _cli.RunAsync("branch", "r", "b2", "main")).Fails(5);
            (await _cli.RunAsync("log", "r")).Ok(); // read-only commands open read-only, beside the writer
        }
        (await _cli.RunAsync("branch", "r", "b2", "main")).Ok();
    }

    [Fact]
    public async Task An_empty_rollback_reason_is_invalid_input()
    {
        await SetUpAsync();
        (await _cli.RunAsync("rollback", "r", "--branch", "main", "--to", "main", "--reason", " ")).Fails(3);
        (await _cli.RunAsync("rollback", "r", "--channel", "prod", "--to", "main", "--reason", "x")).Fails(3); // no such channel
    }
}
