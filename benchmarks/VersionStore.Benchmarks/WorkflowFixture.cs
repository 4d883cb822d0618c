using System.Text.Json.Nodes;
using VersionStore.Workflows;

namespace VersionStore.Benchmarks;

/// <summary>
/// The 200-node workflow of the commit benchmark: the largest real Dify workflow (104 nodes) with nodes
/// duplicated under new ids until there are 200, split into snapshot entries by the Workflows adapter.
/// Edits are deterministic: 1–5 node entries per commit, each rewritten with a new revision field.
/// </summary>
public sealed class WorkflowFixture
{
    /// <summary>Node count of the benchmark workflow.</summary>
    public const int NodeCount = 200;

    private readonly Random _random = new(20250601);
    private int _revision;

    /// <summary>Builds the fixture from the shared data.</summary>
    public WorkflowFixture()
    {
        var doc = DifyWorkflowCodec.Parse(File.ReadAllText(BenchData.Workflow(BenchData.LargestWorkflow)));
        var nodes = (JsonArray)doc.Graph["nodes"]!;
        var originals = nodes.Select(n => n!.DeepClone()).ToList();
        for (var copy = 1; nodes.Count < NodeCount; copy++)
        {
            foreach (var original in originals)
            {
                if (nodes.Count >= NodeCount) break;
                var clone = (JsonObject)original.DeepClone();
                clone["id"] = $"{clone["id"]!.GetValue<string>()}-copy{copy}";
                nodes.Add(clone);
            }
        }
        Document = WorkflowDocument.Create(doc.Root);
        Entries = Document.ToEntries();
        NodePaths = Entries.Keys.Where(p => p.StartsWith(WorkflowPaths.NodesFolder + "/", StringComparison.Ordinal)).ToArray();
        if (NodePaths.Length != NodeCount) throw new InvalidOperationException($"expected {NodeCount} node entries, got {NodePaths.Length}");
    }

    /// <summary>The 200-node document.</summary>
    public WorkflowDocument Document { get; }

    /// <summary>Its snapshot entries (path → JSON bytes).</summary>
    public IReadOnlyDictionary<string, byte[]> Entries { get; }

    /// <summary>Paths of the node entries.</summary>
    public string[] NodePaths { get; }

    /// <summary>Total bytes of all entries (the "full document" size).</summary>
    public long TotalBytes => Entries.Values.Sum(v => (long)v.Length);

    /// <summary>The next edit: 1–5 distinct node entries with new content (real node JSON plus a revision field).</summary>
    public (string Path, byte[] Content)[] NextEdit()
    {
        var count = _random.Next(1, 6);
        var edit = new (string, byte[])[count];
        var used = new HashSet<int>();
        for (var i = 0; i < count; i++)
        {
            int k;
            do k = _random.Next(NodePaths.Length); while (!used.Add(k));
            var path = NodePaths[k];
            edit[i] = (path, Revise(Entries[path], ++_revision));
        }
        return edit;
    }

    private static byte[] Revise(byte[] json, int revision)
    {
        // {"_rev":N, + the rest of the original object: still the real node, new content.
        var prefix = System.Text.Encoding.UTF8.GetBytes($"{{\"_rev\":{revision},");
        var result = new byte[prefix.Length + json.Length - 1];
        prefix.CopyTo(result, 0);
        json.AsSpan(1).CopyTo(result.AsSpan(prefix.Length));
        return result;
    }
}
