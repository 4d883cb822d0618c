using System.Text.Json.Nodes;
using Xunit;

namespace VersionStore.Workflows.Tests;

/// <summary>Scalar typing (as PyYAML reads Dify DSL), layout, paths and the JSON envelope.</summary>
public sealed class CodecBehaviourTests
{
    private static JsonObject Data(string yamlScalars)
    {
        var text = "workflow:\n  graph:\n    nodes:\n    - id: n1\n      data:\n" + string.Join("", yamlScalars.Split('\n').Select(l => "        " + l + "\n"));
        return DifyWorkflowCodec.Parse(text).Nodes[0].Data!;
    }

    [Fact]
    public void Plain_scalars_are_typed_like_PyYAML_and_quoted_ones_stay_strings()
    {
        var d = Data("v: '0.1.0'\ns: '123'\nb: true\nyes: yes\noff: Off\ni: 123\nneg: -7\nhex: 0x1F\noct: 017\nsex: 1:30\nbig: 123456789012345678901234567890\nf: 0.7\nf1: 1.0\nexp: 1.5e+3\nnoexp: 1e3\nn1: null\nn2: ~\nn3:\nts: 2024-01-02\nq: \"true\"\nver: 0.1.5\nl: |\n  line1\n  line2\n");
        Assert.Equal("0.1.0", d["v"]!.GetValue<string>());
        Assert.Equal("123", d["s"]!.GetValue<string>());
        Assert.True(d["b"]!.GetValue<bool>());
        Assert.True(d["yes"]!.GetValue<bool>());
        Assert.False(d["off"]!.GetValue<bool>());
        Assert.Equal(123L, d["i"]!.GetValue<long>());
        Assert.Equal(-7L, d["neg"]!.GetValue<long>());
        Assert.Equal(31L, d["hex"]!.GetValue<long>());
        Assert.Equal(15L, d["oct"]!.GetValue<long>());
        Assert.Equal(90L, d["sex"]!.GetValue<long>());
        Assert.Equal("123456789012345678901234567890", d["big"]!.ToJsonString());
        Assert.Equal(0.7, d["f"]!.GetValue<double>());
        Assert.Equal(1.0, d["f1"]!.GetValue<double>());
        Assert.Equal(1500.0, d["exp"]!.GetValue<double>());
        Assert.Equal("1e3", d["noexp"]!.GetValue<string>()); // YAML 1.1 floats need a '.'
        Assert.Null(d["n1"]);
        Assert.Null(d["n2"]);
        Assert.True(d.ContainsKey("n3") && d["n3"] is null);
        Assert.Equal("2024-01-02", d["ts"]!.GetValue<string>()); // documented: timestamps stay strings
        Assert.Equal("true", d["q"]!.GetValue<string>());
        Assert.Equal("0.1.5", d["ver"]!.GetValue<string>());
        Assert.Equal("line1\nline2\n", d["l"]!.GetValue<string>());
    }

    [Fact]
    public void Writers_keep_types_that_plain_text_would_change()
    {
        var doc = DifyWorkflowCodec.Parse("workflow:\n  graph:\n    nodes:\n    - id: n1\n      data: {}\n");
        var data = doc.Nodes[0].Data!;
        data["s1"] = "true"; data["s2"] = "123"; data["s3"] = "1.0"; data["s4"] = "null"; data["s5"] = "";
        data["s6"] = " padded "; data["s7"] = "a\r\nb"; data["s8"] = "2024-01-02"; data["s9"] = "~"; data["s10"] = "on";
        data["s11"] = "multi\nline\n"; data["s12"] = "汉字 and \u00e9 and emoji 😀"; data["s13"] = "tab\there"; data["s14"] = "<<"; data["s15"] = "- x";
        data["f"] = 1.0; data["f2"] = 1e-5; data["f3"] = 1.5e20; data["i"] = 5L; data["b"] = false; data["n"] = null;
        var expected = Fingerprint.Bytes(doc.Root);
        Assert.Equal(expected, Fingerprint.Bytes(DifyWorkflowCodec.Parse(doc.ToYaml()).Root));
        Assert.Equal(expected, Fingerprint.Bytes(DifyWorkflowCodec.Parse(doc.ToJson()).Root));
        Assert.Equal(expected, Fingerprint.Bytes(WorkflowDocument.FromEntries(doc.ToEntries()).Root));
        Assert.Contains("1.0e-05", doc.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_input_and_the_api_envelope_are_read()
    {
        var inner = "workflow:\n  graph:\n    nodes:\n    - id: x\n      data: {title: T, type: llm}\n";
        var envelope = new JsonObject { ["data"] = inner }.ToJsonString();
        var doc = DifyWorkflowCodec.Parse(envelope);
        Assert.Equal("T", doc.Nodes[0].Title);
        Assert.Equal("llm", doc.Nodes[0].Type);
        var json = DifyWorkflowCodec.Parse("{\"workflow\":{\"graph\":{\"nodes\":[{\"id\":\"x\",\"v\":1.0,\"w\":1}]}}}");
        Assert.Equal(WorkflowFormat.Json, DifyWorkflowCodec.DetectFormat(json.ToJson()));
        Assert.Equal(1.0, json.Nodes[0].Json["v"]!.GetValue<double>());
        Assert.Equal(1L, json.Nodes[0].Json["w"]!.GetValue<long>());
        Assert.Equal("{\"id\":\"x\",\"v\":1.0,\"w\":1}", System.Text.Encoding.UTF8.GetString(json.ToEntries()[WorkflowPaths.Node("x")]));
    }

    [Theory]
    [InlineData("1733391400000", "1733391400000")]
    [InlineData("llm-1", "llm-1")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("100%", "100%25")]
    [InlineData(".", "%2E")]
    [InlineData("..", "%2E%2E")]
    [InlineData("...", "...")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("节点-一", "节点-一")]
    [InlineData("\u0085", "%C2%85")]
    public void Ids_encode_to_valid_entry_names_and_back(string id, string name)
    {
        Assert.Equal(name, WorkflowPaths.EncodeName(id));
        Assert.True(WorkflowPaths.TryDecodeName(name, out var back));
        Assert.Equal(id, back);
        var path = WorkflowPaths.Node(id);
        Assert.Equal(new WorkflowEntryPath(WorkflowEntryKind.Node, id), WorkflowPaths.TryParse(path));
        Assert.Equal(new WorkflowEntryPath(WorkflowEntryKind.Edge, id), WorkflowPaths.TryParse(WorkflowPaths.Edge(id)));
        Assert.Matches("^nodes/[0-9a-f]/", path);
    }

    [Theory]
    [InlineData("%41")]
    [InlineData("%2f")]
    [InlineData("%")]
    [InlineData("%ZZ")]
    [InlineData(".")]
    [InlineData("%FF")]
    public void Non_canonical_names_do_not_decode(string name) => Assert.False(WorkflowPaths.TryDecodeName(name, out _));

    [Fact]
    public void Paths_outside_the_layout_do_not_parse()
    {
        Assert.Null(WorkflowPaths.TryParse("nodes/x"));
        Assert.Null(WorkflowPaths.TryParse("other/a/b"));
        var good = WorkflowPaths.Node("abc");
        var wrongBucket = "nodes/" + (good[6] == '0' ? '1' : '0') + good[7..];
        Assert.Null(WorkflowPaths.TryParse(wrongBucket));
        Assert.Equal(WorkflowEntryKind.Settings, WorkflowPaths.TryParse("settings")!.Value.Kind);
        Assert.Throws<InvalidWorkflowException>(() => WorkflowPaths.EncodeName(new string('x', 256)));
        Assert.Throws<InvalidWorkflowException>(() => WorkflowPaths.EncodeName(""));
    }
}
