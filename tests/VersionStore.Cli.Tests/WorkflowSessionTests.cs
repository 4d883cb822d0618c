using System.Text.Json;
using VersionStore.Workflows;

namespace VersionStore.Cli.Tests;

/// <summary>End-to-end sessions on a real Dify edit history: commit, log, show, diff, tag, rollback, audit, checkout.</summary>
public sealed class WorkflowSessionTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<string[]> CommitHistoryAsync(string repo = "stock")
    {
        await _cli.InitAsync();
        var ids = new List<string>();
        for (var i = 0; i < StockAnalysis.Versions.Count; i++)
            ids.Add(await _cli.CommitAsync(repo, "main", StockAnalysis.Versions[i], "-m", $"v{i + 1}", "--author", "ana"));
        Assert.Equal(3, ids.Count);
        return [.. ids];
    }

    [Fact]
    public async Task Log_lists_the_three_versions_newest_first()
    {
        var ids = await CommitHistoryAsync();
        var oneline = (await _cli.RunAsync("log", "stock", "--oneline")).Ok().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([$"{ids[2][..12]} v3", $"{ids[1][..12]} v2", $"{ids[0][..12]} v1"], oneline);

        var full = (await _cli.RunAsync("log", "stock", "main")).Ok();
        Assert.Contains($"commit {ids[2]}", full);
        Assert.Contains("Author: ana", full);

        var json = (await _cli.RunAsync("log", "stock", "main", "--json", "-n", "2")).Json();
        Assert.Equal(2, json.GetArrayLength());
        Assert.Equal(ids[2], json[0].GetProperty("id").GetString());
        Assert.Equal(ids[1], json[0].GetProperty("parents")[0].GetString());
        Assert.Equal("v3", json[0].GetProperty("message").GetString());
        Assert.Equal(3, json[0].GetProperty("generation").GetInt64());

        var range = (await _cli.RunAsync("log", "stock", $"{ids[0]}..main", "--json")).Json();
        Assert.Equal([ids[2], ids[1]], range.EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task Show_prints_metadata_and_the_entries_of_the_workflow()
    {
        var ids = await CommitHistoryAsync();
        var document = DifyWorkflowCodec.Parse(File.ReadAllBytes(StockAnalysis.Versions[1]));

        var text = (await _cli.RunAsync("show", "stock", "main~1")).Ok();
        Assert.Contains($"commit {ids[1]}", text);
        Assert.Contains("Dify workflow", text);
        Assert.Contains("settings", text);

        var json = (await _cli.RunAsync("show", "stock", ids[1][..10], "--json")).Json();
        Assert.Equal(ids[1], json.GetProperty("commit").GetProperty("id").GetString());
        Assert.Equal("dify-workflow", json.GetProperty("format").GetString());
        var entries = json.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(document.ToEntries().Count, entries.Count);
        var nodeIds = entries.Where(e => e.GetProperty("item").GetString() == "node").Select(e => e.GetProperty("itemId").GetString()).ToHashSet();
        Assert.True(nodeIds.SetEquals(document.Nodes.Select(n => n.Id)));
    }

    [Fact]
    public async Task Diff_names_the_node_that_changed()
    {
        var ids = await CommitHistoryAsync();
        var expected = WorkflowDiff.Compare(
            DifyWorkflowCodec.Parse(File.ReadAllBytes(StockAnalysis.Versions[1])),
            DifyWorkflowCodec.Parse(File.ReadAllBytes(StockAnalysis.Versions[2])));
        var node = Assert.Single(expected, c => c.Element == WorkflowElement.Node);

        var lines = (await _cli.RunAsync("diff", "stock", ids[1], ids[2])).Lines;
        Assert.Contains("M settings", lines);
        Assert.Contains($"M node {node.Id} '{node.Title}' (http-request)", lines);

        var json = (await _cli.RunAsync("diff", "stock", "main~1", "main", "--json")).Json();
        var changed = json.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("item").GetString() == "node");
        Assert.Equal(node.Id, changed.GetProperty("itemId").GetString());
        Assert.Equal("modified", changed.GetProperty("change").GetString());
        Assert.Equal("http-request", changed.GetProperty("nodeType").GetString());
        Assert.Equal(node.Path, changed.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Rollback_to_a_tag_is_audited_with_actor_and_reason_and_restores_the_document()
    {
        var ids = await CommitHistoryAsync();
        (await _cli.RunAsync("tag", "stock", "v1.0", ids[0])).Ok();
        var tags = (await _cli.RunAsync("tag", "stock", "--json")).Json();
        Assert.Equal("v1.0", tags[0].GetProperty("name").GetString());
        Assert.Equal(ids[0], tags[0].GetProperty("target").GetString());

        var rollback = (await _cli.RunAsync("rollback", "stock", "--branch", "main", "--to", "v1.0", "--reason", "error rate 7% after v3", "--actor", "oncall-bob")).Ok();
        Assert.Contains("status:    succeeded", rollback);
        Assert.Contains($"from:      {ids[2]}", rollback);
        Assert.Contains($"to:        {ids[0]}", rollback);
        Assert.Contains("elapsed:", rollback);
        Assert.Contains("effective:", rollback);

        var head = (await _cli.RunAsync("show", "stock", "main", "--json")).Json().GetProperty("commit");
        Assert.Equal(ids[2], head.GetProperty("parents")[0].GetString());
        var trailers = head.GetProperty("trailers").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("value").GetString());
        Assert.Equal(ids[0], trailers["Rollback-Of"]);
        Assert.Equal("error rate 7% after v3", trailers["Reason"]);

        var audit = (await _cli.RunAsync("audit", "stock", "main")).Lines;
        Assert.Contains("rollback.revert", audit[0]);
        Assert.Contains("by oncall-bob", audit[0]);
        Assert.Contains("reason: error rate 7% after v3", audit[0]);

        var auditJson = (await _cli.RunAsync("audit", "stock", "--json", "--verify")).Json();
        var newest = auditJson.GetProperty("entries")[0];
        Assert.Equal("oncall-bob", newest.GetProperty("actor").GetString());
        Assert.Equal("error rate 7% after v3", newest.GetProperty("reason").GetString());
        Assert.All(auditJson.GetProperty("verification").EnumerateArray(), v => Assert.True(v.GetProperty("intact").GetBoolean()));

        // The snapshot served now is v1's: nothing changed between the tag and the head, and the document round-trips.
        Assert.Equal("", (await _cli.RunAsync("diff", "stock", "v1.0", "main")).Ok());
        var file = _cli.PathOf("restored.yml");
        (await _cli.RunAsync("checkout", "stock", "main", "--as-workflow", file)).Ok();
        var restored = DifyWorkflowCodec.Parse(File.ReadAllBytes(file)).ToEntries();
        var original = DifyWorkflowCodec.Parse(File.ReadAllBytes(StockAnalysis.Versions[0])).ToEntries();
        Assert.Equal(original.Keys.Order(), restored.Keys.Order());
        Assert.All(original, kv => Assert.Equal(kv.Value, restored[kv.Key]));

        // Again: already there, nothing moves.
        var again = (await _cli.RunAsync("rollback", "stock", "--branch", "main", "--to", "v1.0", "--reason", "again", "--json")).Json();
        Assert.Equal("already-at-target", again.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Rollback_reset_moves_the_branch_to_the_target()
    {
        var ids = await CommitHistoryAsync();
        var json = (await _cli.RunAsync("rollback", "stock", "-b", "main", "--to", "main~2", "--reason", "bad deploy", "--mode", "reset", "--json")).Json();
        Assert.Equal("succeeded", json.GetProperty("status").GetString());
        Assert.Equal(ids[0], json.GetProperty("newHead").GetString());
        Assert.True(json.GetProperty("verification").GetProperty("passed").GetBoolean());
        Assert.True(json.GetProperty("elapsedMilliseconds").GetDouble() >= 0);
        var branches = (await _cli.RunAsync("branch", "stock", "--json")).Json();
        Assert.Equal(ids[0], branches[0].GetProperty("target").GetString());
        var audit = (await _cli.RunAsync("audit", "stock", "main", "--json")).Json().GetProperty("entries")[0];
        Assert.Equal("test-actor", audit.GetProperty("actor").GetString()); // from VSTORE_ACTOR
        Assert.Equal("rollback.reset", audit.GetProperty("operation").GetString());
    }

    [Fact]
    public async Task Checkout_to_a_directory_writes_one_file_per_entry_and_a_directory_round_trips()
    {
        await _cli.InitAsync();
        var folder = _cli.WriteFolder("site", ("README.md", "hello\n"), ("nodes/llm-1.json", "{\"model\":\"gpt-4o\"}"), (".hidden", "x"));
        var id = await _cli.CommitAsync("plain", "main", folder);
        var show = (await _cli.RunAsync("show", "plain", id, "--json")).Json();
        Assert.Equal([".hidden", "README.md", "nodes/llm-1.json"], show.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Null, show.GetProperty("format").ValueKind);

        var target = _cli.PathOf("out");
        (await _cli.RunAsync("checkout", "plain", "main", "--to", target)).Ok();
        Assert.Equal("{\"model\":\"gpt-4o\"}", File.ReadAllText(Path.Combine(target, "nodes", "llm-1.json")));
        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(target, "README.md")));

        // A second checkout into the now non-empty folder needs --force.
        (await _cli.RunAsync("checkout", "plain", "main", "--to", target)).Fails(3);
        (await _cli.RunAsync("checkout", "plain", "main", "--to", target, "--force")).Ok();

        // Edit, commit, diff at entry level.
        File.WriteAllText(Path.Combine(folder, "README.md"), "changed\n");
        File.Delete(Path.Combine(folder, ".hidden"));
        File.WriteAllText(Path.Combine(folder, "new.txt"), "n");
        var second = await _cli.CommitAsync("plain", "main", folder);
        var lines = (await _cli.RunAsync("diff", "plain", id, second)).Lines;
        Assert.Equal(["D .hidden", "M README.md", "A new.txt"], lines);

        // A directory snapshot has no workflow to write back.
        (await _cli.RunAsync("checkout", "plain", "main", "--as-workflow", _cli.PathOf("x.yml"))).Fails(3);
    }

    [Fact]
    public async Task Commit_from_a_folder_skips_the_store_inside_it()
    {
        await _cli.InitAsync();
        File.WriteAllText(_cli.PathOf("a.txt"), "a");
        var id = await _cli.CommitAsync("self", "main", ".");
        var entries = (await _cli.RunAsync("show", "self", id, "--json")).Json().GetProperty("entries");
        Assert.Equal("a.txt", Assert.Single(entries.EnumerateArray()).GetProperty("path").GetString());
    }

    [Fact]
    public async Task Branch_verify_and_repos()
    {
        var ids = await CommitHistoryAsync();
        var created = (await _cli.RunAsync("branch", "stock", "gray", "main~1", "--json")).Json();
        Assert.Equal("refs/heads/gray", created.GetProperty("fullName").GetString());
        Assert.Equal(ids[1], created.GetProperty("target").GetString());
        var list = (await _cli.RunAsync("branch", "stock")).Lines;
        Assert.Equal(2, list.Length);
        Assert.StartsWith("gray", list[0]);
        Assert.Contains("v2", list[0]);
        (await _cli.RunAsync("branch", "stock", "gray", "main")).Fails(4);

        await _cli.CommitAsync("other", "main", _cli.WriteFolder("o", ("f", "1")));
        Assert.Equal(["other", "stock"], (await _cli.RunAsync("repos")).Lines);
        var repos = (await _cli.RunAsync("repos", "--json")).Json();
        Assert.Equal("other", repos[0].GetProperty("name").GetString());

        var verify = (await _cli.RunAsync("verify")).Lines;
        Assert.Equal(2, verify.Length);
        Assert.All(verify, l => Assert.StartsWith("ok", l));
        var one = (await _cli.RunAsync("verify", "stock", "--json")).Json();
        Assert.True(one[0].GetProperty("healthy").GetBoolean());
        Assert.True(one[0].GetProperty("objectsChecked").GetInt32() > 3);
    }
}
