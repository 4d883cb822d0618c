using System.Text.Json.Nodes;
using Xunit;

namespace VersionStore.Workflows.Tests;

public sealed class MalformedInputTests
{
    private const string Minimal = """
        app:
          mode: workflow
          name: t
        kind: app
        version: 0.1.5
        workflow:
          graph:
            edges: []
            nodes:
            - id: 'a'
              data: {type: start, title: Start}
        """;

    [Theory]
    [InlineData("key: [unclosed")]
    [InlineData("a: b\n c: d\n- e")]
    [InlineData("\t- not: yaml: at all")]
    public void Text_that_is_not_yaml_is_rejected(string text)
    {
        var ex = Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(text));
        Assert.IsAssignableFrom<VersionStoreException>(ex);
    }

    [Theory]
    [InlineData("just a string")]
    [InlineData("- a\n- b")]
    [InlineData("app:\n  name: x\n")]
    [InlineData("workflow:\n  features: {}\n")]
    [InlineData("workflow:\n  graph:\n    edges: []\n")]
    [InlineData("workflow:\n  graph:\n    nodes: {a: 1}\n")]
    [InlineData("workflow:\n  graph:\n    nodes:\n    - 1\n")]
    [InlineData("{\"workflow\": {\"graph\": {\"edges\": []}}}")]
    [InlineData("")]
    [InlineData("---\na: 1\n---\nb: 2\n")]
    public void Yaml_without_a_graph_is_rejected(string text)
        => Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(text));

    [Fact]
    public void Duplicate_node_ids_are_rejected()
    {
        var text = Minimal + "\n    - id: a\n      data: {type: end}\n";
        var ex = Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(text));
        Assert.Contains("'a'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_and_string_ids_with_the_same_text_are_duplicates()
        => Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(Minimal.Replace("id: 'a'", "id: '1'", StringComparison.Ordinal) + "\n    - id: 1\n"));

    [Theory]
    [InlineData("\n    - data: {type: end}\n")]
    [InlineData("\n    - id: ''\n")]
    [InlineData("\n    - id: null\n")]
    [InlineData("\n    - id: [1]\n")]
    [InlineData("\n    - id: true\n")]
    public void Node_without_a_usable_id_is_rejected(string extra)
        => Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(Minimal + extra));

    [Fact]
    public void Oversized_input_is_rejected_with_the_configured_limit()
    {
        var options = new WorkflowCodecOptions { MaxInputBytes = 100 };
        var ex = Assert.Throws<PayloadTooLargeException>(() => DifyWorkflowCodec.Parse(Minimal, options));
        Assert.Equal(100, ex.Limit);
        Assert.True(ex.Size > 100);
        Assert.IsAssignableFrom<VersionStoreException>(ex);
        Assert.Throws<PayloadTooLargeException>(() => DifyWorkflowCodec.Parse(System.Text.Encoding.UTF8.GetBytes(Minimal), options));
        var entries = DifyWorkflowCodec.Parse(Minimal).ToEntries();
        Assert.Throws<PayloadTooLargeException>(() => WorkflowDocument.FromEntries(entries, options));
        Assert.Single(DifyWorkflowCodec.Parse(Minimal, new WorkflowCodecOptions { MaxInputBytes = 4096 }).Nodes);
    }

    [Fact]
    public void Multibyte_text_counts_in_utf8_bytes()
    {
        var text = Minimal + "\n      x: '" + new string('語', 40) + "'\n"; // 40 chars, 120 UTF-8 bytes
        var limit = text.Length + 10;
        Assert.Throws<PayloadTooLargeException>(() => DifyWorkflowCodec.Parse(text, new WorkflowCodecOptions { MaxInputBytes = limit }));
    }

    [Fact]
    public void Alias_bombs_and_deep_nesting_are_rejected()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
                   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(bomb));
        var deep = "workflow: " + new string('[', 300) + new string(']', 300);
        Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(deep));
    }

    [Fact]
    public void Non_finite_numbers_and_unknown_tags_are_rejected()
    {
        Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(Minimal + "\n      t: .inf\n"));
        Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(Minimal + "\n      t: !!python/object:os.system ls\n"));
    }

    [Fact]
    public void Inconsistent_entries_are_rejected()
    {
        var entries = DifyWorkflowCodec.Parse(Minimal).ToEntries();
        Assert.Throws<InvalidWorkflowException>(() => WorkflowDocument.FromEntries(Without(entries, WorkflowPaths.Settings)));
        Assert.Throws<InvalidWorkflowException>(() => WorkflowDocument.FromEntries(Without(entries, WorkflowPaths.Index)));
        Assert.Throws<InvalidWorkflowException>(() => WorkflowDocument.FromEntries(Without(entries, WorkflowPaths.Node("a"))));
        var extra = new Dictionary<string, byte[]>(entries) { [WorkflowPaths.Node("zz")] = "{\"id\":\"zz\"}"u8.ToArray() };
        Assert.Throws<InvalidWorkflowException>(() => WorkflowDocument.FromEntries(extra));
        var broken = new Dictionary<string, byte[]>(entries) { [WorkflowPaths.Node("a")] = "{not json"u8.ToArray() };
        Assert.Throws<InvalidWorkflowException>(() => WorkflowDocument.FromEntries(broken));
        var badIndex = new Dictionary<string, byte[]>(entries) { [WorkflowPaths.Index] = "{\"format\":9,\"nodes\":[]}"u8.ToArray() };
        Assert.Throws<InvalidWorkflowException>(() => WorkflowDocument.FromEntries(badIndex));
    }

    [Fact]
    public void Edits_that_break_the_document_are_caught_when_writing_entries()
    {
        var doc = DifyWorkflowCodec.Parse(Minimal);
        doc.Graph["nodes"]!.AsArray().Add(new JsonObject { ["id"] = "a" });
        Assert.Throws<InvalidWorkflowException>(() => doc.ToEntries());
    }

    private static Dictionary<string, byte[]> Without(IReadOnlyDictionary<string, byte[]> entries, string path)
        => entries.Where(p => p.Key != path).ToDictionary(p => p.Key, p => p.Value);
}
