using Xunit;

namespace VersionStore.Workflows.Tests;

public sealed class DiffTests
{
    public static IEnumerable<object[]> Pairs()
    {
        if (!DifyData.Found) return [["<Dify test data not found>", ""]];
        return DifyData.Histories().Values.SelectMany(v => v.Zip(v.Skip(1), (a, b) => new object[] { a, b }));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Diff_of_consecutive_history_versions_names_exactly_the_changed_nodes(string older, string newer)
    {
        var a = DifyWorkflowCodec.Parse(DifyData.Read(older));
        var b = DifyWorkflowCodec.Parse(DifyData.Read(newer));

        // Independent expectation: compare each node's value fingerprint by id.
        var fa = a.Nodes.ToDictionary(n => n.Id, n => Convert.ToHexString(Fingerprint.Bytes(n.Json)));
        var fb = b.Nodes.ToDictionary(n => n.Id, n => Convert.ToHexString(Fingerprint.Bytes(n.Json)));
        var added = fb.Keys.Except(fa.Keys).Order(StringComparer.Ordinal).ToList();
        var removed = fa.Keys.Except(fb.Keys).Order(StringComparer.Ordinal).ToList();
        var modified = fa.Keys.Intersect(fb.Keys).Where(k => fa[k] != fb[k]).Order(StringComparer.Ordinal).ToList();

        var changes = WorkflowDiff.Compare(a, b);
        List<string> Ids(WorkflowChangeKind k) => changes.Where(c => c.Element == WorkflowElement.Node && c.Kind == k).Select(c => c.Id!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(added, Ids(WorkflowChangeKind.Added));
        Assert.Equal(removed, Ids(WorkflowChangeKind.Removed));
        Assert.Equal(modified, Ids(WorkflowChangeKind.Modified));
        foreach (var c in changes.Where(c => c.Element == WorkflowElement.Node))
        {
            var node = (c.Kind == WorkflowChangeKind.Removed ? a : b).FindNode(c.Id!)!;
            Assert.Equal(node.Title, c.Title);
            Assert.Equal(node.Type, c.NodeType);
            Assert.Contains(c.Id!, c.ToString(), StringComparison.Ordinal);
        }
        if (Fingerprint.Bytes(a.Root).AsSpan().SequenceEqual(Fingerprint.Bytes(b.Root))) Assert.Empty(changes);
    }

    [Fact]
    public void A_one_parameter_edit_is_reported_as_one_modified_node_with_title_and_type()
    {
        var a = DifyWorkflowCodec.Parse(DifyData.Read("workflows/Yuta-95__dify-dsl-templates__line-daigen-v1.0.0.yml"));
        var b = a.Clone();
        var llm = b.Nodes.First(n => n.Type == "llm");
        llm.Data!["model"]!["completion_params"] = new System.Text.Json.Nodes.JsonObject { ["temperature"] = 0.2 };
        var change = Assert.Single(WorkflowDiff.Compare(a, b));
        Assert.Equal(new WorkflowChange(WorkflowElement.Node, WorkflowChangeKind.Modified, WorkflowPaths.Node(llm.Id), llm.Id, llm.Title, "llm"), change);
    }

    [Fact]
    public void Reordering_nodes_is_an_order_change_only()
    {
        var a = DifyWorkflowCodec.Parse(DifyData.Read("workflows/svcvit__Awesome-Dify-Workflow__File_read.yml"));
        var b = a.Clone();
        var nodes = b.Graph["nodes"]!.AsArray();
        var first = nodes[0]!;
        nodes.RemoveAt(0);
        nodes.Add(first);
        var change = Assert.Single(WorkflowDiff.Compare(a, b));
        Assert.Equal(WorkflowElement.Order, change.Element);
        Assert.Equal(b.Nodes.Select(n => n.Id), WorkflowDocument.FromEntries(b.ToEntries()).Nodes.Select(n => n.Id));
    }
}
