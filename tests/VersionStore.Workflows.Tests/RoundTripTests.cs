using Xunit;

namespace VersionStore.Workflows.Tests;

/// <summary>Round trips over every real Dify file in shared/data/dify (single workflows and every history version).</summary>
public sealed class RoundTripTests
{
    public static IEnumerable<object[]> Files() => DifyData.FileRows();

    [Fact]
    public void Test_data_is_present()
    {
        Assert.True(DifyData.Found, "Dify test data not found: " + Record.Exception(() => DifyData.Root)?.Message);
        Assert.True(DifyData.AllFiles().Count >= 72, $"expected at least 72 DSL files, found {DifyData.AllFiles().Count}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Parse_reads_the_same_values_as_PyYAML(string file)
    {
        var doc = DifyWorkflowCodec.Parse(DifyData.Read(file));
        var expected = DifyData.PyYamlFingerprints();
        Assert.True(expected.ContainsKey(file), $"{file} has no PyYAML fingerprint: regenerate Data/pyyaml-fingerprints.txt");
        Assert.Equal(expected[file].Sha, Fingerprint.Sha256(doc.Root));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Node_and_edge_counts_match_the_manifest(string file)
    {
        var doc = DifyWorkflowCodec.Parse(DifyData.Read(file));
        var manifest = DifyData.ManifestCounts();
        Assert.True(manifest.ContainsKey(file), $"{file} is not in MANIFEST.md");
        Assert.Equal(manifest[file].Nodes, doc.Nodes.Count);
        Assert.Equal(manifest[file].Edges, doc.Edges.Count);
        var entries = doc.ToEntries();
        Assert.Equal(manifest[file].Nodes, entries.Keys.Count(k => WorkflowPaths.TryParse(k)?.Kind == WorkflowEntryKind.Node));
        Assert.Equal(manifest[file].Edges, entries.Keys.Count(k => WorkflowPaths.TryParse(k)?.Kind == WorkflowEntryKind.Edge));
        Assert.Equal(manifest[file].Nodes + manifest[file].Edges + 2, entries.Count);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Entries_round_trip_keeps_meaning_and_bytes(string file)
    {
        var original = DifyWorkflowCodec.Parse(DifyData.Read(file));
        var expected = Fingerprint.Bytes(original.Root);

        var entries = original.ToEntries();
        foreach (var path in entries.Keys) Assert.NotNull(WorkflowPaths.TryParse(path));
        var rebuilt = WorkflowDocument.FromEntries(entries);
        TreeDiff.AssertSame(original.Root, rebuilt.Root, "entries round trip");
        Assert.Equal(expected, Fingerprint.Bytes(rebuilt.Root));
        Assert.Equal(original.Nodes.Select(n => n.Id), rebuilt.Nodes.Select(n => n.Id));

        // Deterministic: the rebuilt document maps to byte-identical entries.
        var again = rebuilt.ToEntries();
        Assert.Equal(entries.Keys, again.Keys);
        foreach (var (path, bytes) in entries) Assert.True(bytes.AsSpan().SequenceEqual(again[path]), $"entry {path} differs after a round trip");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Yaml_and_json_exports_read_back_to_the_same_values(string file)
    {
        var original = DifyWorkflowCodec.Parse(DifyData.Read(file));
        var expected = Fingerprint.Bytes(original.Root);
        var rebuilt = WorkflowDocument.FromEntries(original.ToEntries());

        var yaml = rebuilt.ToYaml();
        Assert.Equal(WorkflowFormat.Yaml, DifyWorkflowCodec.DetectFormat(yaml));
        var fromYaml = DifyWorkflowCodec.Parse(yaml);
        TreeDiff.AssertSame(original.Root, fromYaml.Root, "YAML export");
        Assert.Equal(expected, Fingerprint.Bytes(fromYaml.Root));

        var json = rebuilt.ToJson();
        Assert.Equal(WorkflowFormat.Json, DifyWorkflowCodec.DetectFormat(json));
        var fromJson = DifyWorkflowCodec.Parse(json);
        TreeDiff.AssertSame(original.Root, fromJson.Root, "JSON export");
        Assert.Equal(expected, Fingerprint.Bytes(fromJson.Root));
        Assert.Equal(expected, Fingerprint.Bytes(DifyWorkflowCodec.Parse(rebuilt.ToJson(indented: true)).Root));
    }
}
