using System.Diagnostics;
using System.Text.RegularExpressions;
using VersionStore.Cli.Commands;

namespace VersionStore.Cli.Tests;

/// <summary>
/// The CLI in a terminal (Spectre.Console): <c>log --graph</c> draws the DAG, diffs are coloured, lists are tables and
/// long work shows a progress bar — and none of it when output is redirected (plain text) or with <c>--json</c>.
/// </summary>
public sealed partial class TerminalOutputTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>root ← main1 ← main2 ← merge(main2, side) ← after; side ← root.</summary>
    private async Task MergeHistoryAsync()
    {
        await _cli.InitAsync();
        await _cli.CommitAsync("wf", "main", _cli.WriteFolder("v0", ("a.txt", "a")), "-m", "root");
        (await _cli.RunAsync("branch", "wf", "side", "main")).Ok();
        await _cli.CommitAsync("wf", "main", _cli.WriteFolder("v1", ("a.txt", "a"), ("b.txt", "b")), "-m", "main work 1");
        await _cli.CommitAsync("wf", "side", _cli.WriteFolder("s1", ("a.txt", "a"), ("x.txt", "x")), "-m", "side work");
        await _cli.CommitAsync("wf", "main", _cli.WriteFolder("v2", ("a.txt", "a"), ("b.txt", "b"), ("c.txt", "c")), "-m", "main work 2");
        (await _cli.RunAsync("merge", "wf", "--into", "main", "--from", "side", "-m", "Merge side")).Ok();
        await _cli.CommitAsync("wf", "main", _cli.WriteFolder("v3", ("a.txt", "a"), ("b.txt", "b"), ("c.txt", "c"), ("e.txt", "e")), "-m", "after merge");
    }

    [GeneratedRegex("[0-9a-f]{12} ")]
    private static partial Regex ShortId();

    [Fact]
    public async Task Log_graph_draws_the_merge_and_the_join()
    {
        await MergeHistoryAsync();
        var text = (await _cli.RunAsync("log", "wf", "main", "--graph", "--oneline")).Ok();
        var lines = ShortId().Replace(text, "").TrimEnd('\n').Split('\n');
        Assert.Equal(
        [
            "* after merge",
            "* Merge side",
            "|\\",
            "* | main work 2",
            "| * side work",
            "* | main work 1",
            "|/",
            "* root",
        ], lines);
        Assert.DoesNotContain('\u001b', text); // redirected: no colour

        // --json is unchanged by --graph: the parents are the graph.
        var json = (await _cli.RunAsync("log", "wf", "main", "--graph", "--json")).Json();
        Assert.Equal(6, json.GetArrayLength());
        Assert.Equal(2, json[1].GetProperty("parents").GetArrayLength());
    }

    [Fact]
    public async Task Log_graph_full_format_prefixes_every_line_with_the_open_columns()
    {
        await MergeHistoryAsync();
        var lines = (await _cli.RunAsync("log", "wf", "main", "--graph")).Ok().Split('\n');
        var merge = Array.FindIndex(lines, l => l.StartsWith("* commit ", StringComparison.Ordinal) && lines[Array.IndexOf(lines, l) + 2].Contains("Merge: "));
        Assert.True(merge > 0, string.Join('\n', lines));
        Assert.Equal("|\\", lines[merge + 1]);
        Assert.StartsWith("| | Merge: ", lines[merge + 2]);
        Assert.Contains(lines, l => l == "| |     side work");
        Assert.Contains(lines, l => l == "|/");
        Assert.Equal("    root", lines.Last(l => l.Length > 0)); // the root ends every column: no prefix left
    }

    [Fact]
    public void Graph_of_an_octopus_merge_opens_two_columns_and_joins_them_back()
    {
        // a ← b, a ← c, a ← d; m = merge(b, c, d).
        var (a, b, c, d, m) = (Id("a"), Id("b"), Id("c"), Id("d"), Id("m"));
        var rows = Draw(new() { [a] = [], [b] = [a], [c] = [a], [d] = [a], [m] = [b, c, d] }, [m, d, c, b, a],
            new() { [a] = "a", [b] = "b", [c] = "c", [d] = "d", [m] = "m" });
        Assert.Equal(["* m", "|\\ \\", "| | * d", "| * | c", "| |/", "* | b", "|/", "* a"], rows);
    }

    [Fact]
    public void Graph_joins_a_far_column_across_the_one_between_and_ends_a_root_column()
    {
        // Three branch heads: t1 and t3 on a, t2 on its own root z.
        var (a, z, t1, t2, t3) = (Id("a"), Id("z"), Id("t1"), Id("t2"), Id("t3"));
        var rows = Draw(new() { [a] = [], [z] = [], [t1] = [a], [t2] = [z], [t3] = [a] }, [t1, t2, t3, z, a],
            new() { [a] = "a", [z] = "z", [t1] = "t1", [t2] = "t2", [t3] = "t3" });
        Assert.Equal(["* t1", "| * t2", "| | * t3", "|_|/", "| * z", "* a"], rows);
    }

    private static List<string> Draw(Dictionary<ObjectId, ObjectId[]> parents, ObjectId[] order, Dictionary<ObjectId, string> names)
    {
        var graph = new LogGraph(parents.Keys.ToHashSet());
        var rows = new List<string>();
        foreach (var commit in order)
        {
            var (row, opens, _, joins) = graph.Next(commit, parents[commit], firstParentOnly: false);
            rows.Add(row + " " + names[commit]);
            rows.AddRange(opens);
            rows.AddRange(joins);
        }
        return rows;
    }

    private static ObjectId Id(string name) => ObjectId.Compute(System.Text.Encoding.UTF8.GetBytes(name));

    [Fact]
    public async Task Diff_is_coloured_only_in_a_terminal()
    {
        await MergeHistoryAsync();
        var plain = (await _cli.RunAsync("diff", "wf", "main~1", "main")).Ok();
        Assert.Equal("A e.txt\nD x.txt\n", plain);

        _cli.Variables["VSTORE_COLOR"] = "always";
        var coloured = (await _cli.RunAsync("diff", "wf", "side", "main")).Ok();
        Assert.Contains("\u001b[32mA b.txt\u001b[0m", coloured);   // added: green
        Assert.Contains("\u001b[91mD x.txt\u001b[0m", coloured);   // removed: red
        Assert.DoesNotContain('\u001b', (await _cli.RunAsync("diff", "wf", "side", "main", "--json")).Ok()); // --json never styled

        _cli.Variables["VSTORE_COLOR"] = "auto";
        _cli.Variables["NO_COLOR"] = "1";
        Assert.DoesNotContain('\u001b', (await _cli.RunAsync("diff", "wf", "side", "main")).Ok());
    }

    [Fact]
    public async Task Branch_list_is_a_table_in_a_terminal_and_plain_lines_when_redirected()
    {
        await MergeHistoryAsync();
        var plain = (await _cli.RunAsync("branch", "wf")).Ok();
        Assert.Matches(new Regex("^main  [0-9a-f]{12} after merge\nside  [0-9a-f]{12} side work\n$"), plain);

        _cli.Variables["VSTORE_COLOR"] = "always";
        var table = (await _cli.RunAsync("branch", "wf")).Ok();
        Assert.Contains("╭", table);
        Assert.Contains("branch", table);
        Assert.Contains("side work", table);
    }

    [Fact]
    public async Task Verify_draws_a_progress_bar_on_an_interactive_stderr_and_keeps_stdout_plain()
    {
        await MergeHistoryAsync();
        _cli.Variables["VSTORE_COLOR"] = "always";
        _cli.ErrorIsTerminal = true;
        var run = await _cli.RunAsync("verify", "wf");
        Assert.Equal(0, run.ExitCode);
        // A live progress display ran on stderr: it hides the cursor when it starts and shows it again when it ends (its
        // frames are drawn on a refresh timer, so which frames appear depends on timing; the start and end do not).
        Assert.StartsWith("\u001b[?25l", run.Stderr);
        Assert.Contains("\u001b[?25h", run.Stderr);
        Assert.Contains("wf: 2 refs", run.Stdout); // the results stay on stdout
        Assert.DoesNotContain("wf: 2 refs", run.Stderr);
    }

    [Fact]
    public async Task Bash_completion_script_completes_commands_and_options_from_the_installed_vstore()
    {
        var script = (await _cli.RunAsync("completion", "bash")).Ok();
        Assert.Contains("complete -o default -F _vstore_complete vstore", script);
        (await _cli.RunAsync("completion", "tcsh")).Fails(ExitCodes.Usage);

        // A real bash, with `vstore` on PATH running this build: the completion function fills COMPREPLY.
        var bin = _cli.PathOf("bin");
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "vstore");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "vstore.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(_cli.PathOf("completion.bash"), script);
        Assert.Equal(["log"], await CompleteAsync(bin, "vstore lo", ["vstore", "lo"]));
        Assert.Contains("--first-parent", await CompleteAsync(bin, "vstore log wf --fi", ["vstore", "log", "wf", "--fi"]));
    }

    private async Task<string[]> CompleteAsync(string bin, string line, string[] words)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"source '{_cli.PathOf("completion.bash")}'; COMP_LINE='{line}'; COMP_POINT={line.Length}; " +
            $"COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}; _vstore_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        info.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
