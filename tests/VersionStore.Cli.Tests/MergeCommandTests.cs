namespace VersionStore.Cli.Tests;

/// <summary><c>vstore merge</c>: a clean merge commit, a conflict (exit 4, branch unchanged), and a strategy that settles it.</summary>
public sealed class MergeCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Merge_records_a_two_parent_commit_reports_conflicts_and_settles_them_with_a_strategy()
    {
        await _cli.InitAsync();
        var f = _cli.WriteFolder("f", ("llm.json", """{"model":"gpt-4o-mini","temperature":0.2}"""), ("start.json", "{}"));
        var root = await _cli.CommitAsync("wf", "main", f, "-m", "root");
        (await _cli.RunAsync("branch", "wf", "draft", "main")).Ok();

        // Different entries on each side: a clean merge with two parents.
        var d = _cli.WriteFolder("d", ("llm.json", """{"model":"gpt-4o-mini","temperature":0.2}"""), ("start.json", """{"title":"Start"}"""));
        await _cli.CommitAsync("wf", "draft", d, "-m", "retitle start");
        var m = _cli.WriteFolder("m", ("llm.json", """{"model":"gpt-4o","temperature":0.2}"""), ("start.json", "{}"));
        await _cli.CommitAsync("wf", "main", m, "-m", "new model");
        var merged = await _cli.RunAsync("merge", "wf", "--into", "main", "--from", "draft", "--json");
        Assert.Equal(0, merged.ExitCode);
        Assert.Equal("merged", merged.Json().GetProperty("status").GetString());
        Assert.Contains("Merge: ", (await _cli.RunAsync("show", "wf", "main")).Ok());
        Assert.Equal([root], (await _cli.RunAsync("merge-base", "wf", "main~1", "draft~1")).Lines);

        // Both sides change the same field: a conflict, exit 4, and the branch does not move.
        var d2 = _cli.WriteFolder("d2", ("llm.json", """{"model":"claude","temperature":0.2}"""), ("start.json", """{"title":"Start"}"""));
        await _cli.CommitAsync("wf", "draft", d2, "-m", "claude");
        var m2 = _cli.WriteFolder("m2", ("llm.json", """{"model":"gpt-4.1","temperature":0.2}"""), ("start.json", """{"title":"Start"}"""));
        var head = await _cli.CommitAsync("wf", "main", m2, "-m", "gpt-4.1");
        var conflicted = await _cli.RunAsync("merge", "wf", "--into", "main", "--from", "draft");
        Assert.Equal(4, conflicted.ExitCode);
        Assert.Contains("CONFLICT (modify/modify) llm.json", conflicted.Stdout);
        Assert.Equal(head, (await _cli.RunAsync("log", "wf", "main", "-n", "1", "--json")).Json()[0].GetProperty("id").GetString());

        // "theirs" settles it with the other side's entry.
        (await _cli.RunAsync("merge", "wf", "--into", "main", "--from", "draft", "--strategy", "theirs")).Ok();
        var llm = Path.Combine(_cli.Root, "out");
        (await _cli.RunAsync("checkout", "wf", "main", "--to", llm)).Ok();
        Assert.Contains("claude", File.ReadAllText(Path.Combine(llm, "llm.json")));
    }
}
