namespace VersionStore.Cli.Tests;

/// <summary>Ancestry on a DAG built with <c>--parent</c>, global options, the store location, help.</summary>
public sealed class DagAndOptionsTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Merge_base_and_is_ancestor_on_a_dag_built_with_explicit_parents()
    {
        await _cli.InitAsync();
        var f = _cli.WriteFolder("f", ("x", "0"));
        var root = await _cli.CommitAsync("dag", "main", f, "-m", "root");
        File.WriteAllText(Path.Combine(f, "x"), "a");
        var a = await _cli.CommitAsync("dag", "left", f, "--parent", root, "-m", "a");
        File.WriteAllText(Path.Combine(f, "x"), "b");
        var b = await _cli.CommitAsync("dag", "right", f, "--parent", root[..8], "-m", "b");
        File.WriteAllText(Path.Combine(f, "x"), "m");
        var merge = await _cli.CommitAsync("dag", "main", f, "--parent", "left", "--parent", "right", "-m", "merge");
        // A criss-cross: two merges of a and b in opposite parent order have two best common ancestors.
        var x1 = await _cli.CommitAsync("dag", "x1", f, "--parent", a, "--parent", b, "-m", "x1");
        var x2 = await _cli.CommitAsync("dag", "x2", f, "--parent", b, "--parent", a, "-m", "x2");

        Assert.Equal([root], (await _cli.RunAsync("merge-base", "dag", "left", "right")).Lines);
        Assert.Equal([b], (await _cli.RunAsync("merge-base", "dag", merge, "right")).Lines);
        Assert.Equal(new[] { a, b }.Order(), (await _cli.RunAsync("merge-base", "dag", "x1", "x2", "--all")).Lines.Order());
        Assert.Single((await _cli.RunAsync("merge-base", "dag", "x1", "x2")).Lines);
        var json = (await _cli.RunAsync("merge-base", "dag", x1, x2, "--all", "--json")).Json();
        Assert.Equal(2, json.GetProperty("mergeBases").GetArrayLength());

        Assert.Equal(0, (await _cli.RunAsync("is-ancestor", "dag", root, "main")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("is-ancestor", "dag", "right", "main")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("is-ancestor", "dag", "main", "main")).ExitCode);
        var no = await _cli.RunAsync("is-ancestor", "dag", "main", "left");
        Assert.Equal((1, "", ""), (no.ExitCode, no.Stdout, no.Stderr));
        Assert.Equal(1, (await _cli.RunAsync("is-ancestor", "dag", "left", "right")).ExitCode);
        var yes = await _cli.RunAsync("is-ancestor", "dag", "left", "main", "--json");
        Assert.True(yes.Json().GetProperty("isAncestor").GetBoolean());

        // Log: first-parent follows the merge's first parent (left) and skips right; the full log has all four.
        var firstParent = (await _cli.RunAsync("log", "dag", "main", "--first-parent", "--oneline")).Lines;
        Assert.Equal([$"{merge[..12]} merge", $"{a[..12]} a", $"{root[..12]} root"], firstParent);
        Assert.Equal(4, (await _cli.RunAsync("log", "dag", "main", "--oneline", "--date-order")).Lines.Length);
        Assert.Equal(6, (await _cli.RunAsync("log", "dag", "--oneline")).Lines.Length); // every branch
        Assert.Equal([$"{a[..12]} a"], (await _cli.RunAsync("log", "dag", "right..left", "--oneline")).Lines);

        var show = (await _cli.RunAsync("show", "dag", "main")).Ok();
        Assert.Contains($"Merge: {a[..12]} {b[..12]}", show);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Global_options_work_before_and_after_the_command(bool before)
    {
        var store = _cli.PathOf("elsewhere", "store");
        string[] Args(params string[] command) => before ? ["--store", store, "--json", .. command] : [.. command, "--store", store, "--json"];

        var init = (await _cli.RunAsync(Args("init"))).Json();
        Assert.Equal(store, init.GetProperty("path").GetString());
        Assert.True(init.GetProperty("created").GetBoolean());
        Assert.True(File.Exists(Path.Combine(store, "CURRENT")));
        Assert.False(Directory.Exists(_cli.DefaultStore));

        var commit = (await _cli.RunAsync(Args("commit", "r", "--branch", "main", "--from", _cli.WriteFolder("f", ("a", "1"))))).Json();
        Assert.Equal("directory", commit.GetProperty("source").GetString());
        Assert.Equal(JsonValueKindNull, commit.GetProperty("previousHead").ValueKind);
        var repos = (await _cli.RunAsync(Args("repos"))).Json();
        Assert.Equal("r", repos[0].GetProperty("name").GetString());

        // Without --store the default ./.vstore is used, which does not exist.
        (await _cli.RunAsync("repos")).Fails(3);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task The_store_comes_from_VSTORE_PATH_when_no_option_is_given_and_the_option_wins()
    {
        var fromEnv = _cli.PathOf("env-store");
        _cli.Variables["VSTORE_PATH"] = fromEnv;
        Assert.Contains(fromEnv, (await _cli.RunAsync("init")).Ok());
        Assert.True(File.Exists(Path.Combine(fromEnv, "CURRENT")));
        await _cli.CommitAsync("in-env", "main", _cli.WriteFolder("f", ("a", "1")));
        Assert.Equal(["in-env"], (await _cli.RunAsync("repos")).Lines);

        var fromOption = _cli.PathOf("option-store");
        (await _cli.RunAsync("init", "--store", fromOption)).Ok();
        Assert.Empty((await _cli.RunAsync("repos", "--store", fromOption)).Lines);

        // Relative paths resolve against the current directory.
        _cli.Variables["VSTORE_PATH"] = "env-store";
        Assert.Equal(["in-env"], (await _cli.RunAsync("repos")).Lines);
    }

    [Fact]
    public async Task The_author_defaults_to_VSTORE_AUTHOR_then_the_user_name()
    {
        await _cli.InitAsync();
        var f = _cli.WriteFolder("f", ("a", "1"));
        await _cli.CommitAsync("r", "main", f);
        _cli.Variables.Remove("VSTORE_AUTHOR");
        await _cli.CommitAsync("r", "main", f);
        var log = (await _cli.RunAsync("log", "r", "--json")).Json();
        Assert.Equal("os-user", log[0].GetProperty("author").GetString());
        Assert.Equal("test-author", log[1].GetProperty("author").GetString());
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var help = (await _cli.RunAsync("--help")).Ok();
        foreach (var command in new[] { "init", "commit", "log", "show", "checkout", "diff", "branch", "tag", "rollback", "merge-base", "is-ancestor", "audit", "verify", "repos" })
            Assert.Contains(command, help);
        Assert.Contains("--reason", (await _cli.RunAsync("rollback", "--help")).Ok());
    }

    [Fact]
    public async Task A_cancelled_run_exits_130_with_one_line()
    {
        await _cli.InitAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var run = await _cli.RunAsync(["commit", "r", "--branch", "main", "--from", _cli.WriteFolder("f", ("a", "1"))], cancelled.Token);
        Assert.Equal("vstore: error: cancelled", run.Fails(130));
        (await _cli.RunAsync("is-ancestor", "r", "main", "main")).Fails(3); // nothing was committed
    }
}
