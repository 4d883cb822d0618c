using System.Text;
using System.Text.Json.Nodes;
using VersionStore.Workflows.Internal;

namespace VersionStore.Workflows;

/// <summary>
/// A Dify workflow DSL document (<c>kind: app</c>, <c>kind: rag_pipeline</c> or a legacy export without
/// <c>kind</c>) held as a tree of values, and its mapping to snapshot entries: one entry per node, one per edge,
/// one for the remaining settings and one for the order of nodes and edges (see <see cref="WorkflowPaths"/>).
/// </summary>
/// <remarks>
/// Values keep their YAML/JSON meaning: strings, booleans, null, integers (any size) and floats stay apart, key
/// order is kept. Formatting and comments are not kept. Instances are not thread-safe.
/// </remarks>
public sealed class WorkflowDocument
{
    internal const string NodesPlaceholder = "@nodes";
    internal const string EdgesPlaceholder = "@edges";
    private const int IndexFormat = 1;

    private WorkflowDocument(JsonObject root, JsonObject graph)
    {
        Root = root;
        Graph = graph;
    }

    /// <summary>The whole document. Edit it freely; <see cref="ToEntries"/> validates again.</summary>
    public JsonObject Root { get; }

    /// <summary>The graph object (<c>workflow.graph</c>): <c>nodes</c>, <c>edges</c>, <c>viewport</c>.</summary>
    public JsonObject Graph { get; }

    /// <summary>The DSL <c>kind</c> (<c>app</c>, <c>rag_pipeline</c>), or null for a legacy export.</summary>
    public string? Kind => WorkflowNode.Text(Root["kind"]);

    /// <summary>The DSL <c>version</c> (e.g. <c>0.1.5</c>), or null for a legacy export.</summary>
    public string? DslVersion => WorkflowNode.Text(Root["version"]);

    /// <summary>The app mode (<c>workflow</c>, <c>advanced-chat</c>), if any.</summary>
    public string? AppMode => WorkflowNode.Text((Root["app"] as JsonObject)?["mode"]);

    /// <summary>The document's name (<c>app.name</c> or <c>rag_pipeline.name</c>), if any.</summary>
    public string? Name => WorkflowNode.Text((Root["app"] as JsonObject)?["name"]) ?? WorkflowNode.Text((Root["rag_pipeline"] as JsonObject)?["name"]);

    /// <summary>The nodes in document order (iteration/loop children and note nodes included).</summary>
    /// <exception cref="InvalidWorkflowException">The nodes were edited into an invalid state.</exception>
    public IReadOnlyList<WorkflowNode> Nodes => CollectNodes();

    /// <summary>The edges in document order (empty when the graph has no edge list).</summary>
    public IReadOnlyList<WorkflowEdge> Edges => CollectEdges();

    /// <summary>The node with id <paramref name="id"/>, or null.</summary>
    public WorkflowNode? FindNode(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>
    /// Wraps a document tree (taken over, not copied). Numbers should be <see cref="long"/> or <see cref="double"/>
    /// values; other CLR numeric types are accepted and written by their value.
    /// </summary>
    /// <exception cref="InvalidWorkflowException"><c>workflow.graph.nodes</c> is missing or not a list, a node has no id or a duplicate one, …</exception>
    public static WorkflowDocument Create(JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root["workflow"] is not JsonObject wf) throw new InvalidWorkflowException("the document has no 'workflow' mapping", "workflow");
        if (wf["graph"] is not JsonObject graph) throw new InvalidWorkflowException("the document has no 'workflow.graph' mapping", "workflow.graph");
        var doc = new WorkflowDocument(root, graph);
        doc.CollectNodes();
        doc.CollectEdges();
        return doc;
    }

    /// <summary>A deep copy.</summary>
    public WorkflowDocument Clone() => Create((JsonObject)Root.DeepClone());

    /// <summary>The snapshot entries: path → deterministic UTF-8 JSON bytes (see <see cref="WorkflowPaths"/>).</summary>
    /// <exception cref="InvalidWorkflowException">The document was edited into an invalid state, or holds a value JSON cannot hold.</exception>
    public IReadOnlyDictionary<string, byte[]> ToEntries()
    {
        var nodes = CollectNodes();
        var edges = Graph["edges"] is JsonArray ? CollectEdges() : null;
        var entries = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var n in nodes) entries.Add(WorkflowPaths.Node(n.Id), JsonModel.ToUtf8(n.Json, $"node {n.Id}"));
        if (edges is not null)
            foreach (var e in edges) entries.Add(WorkflowPaths.Edge(e.Key), JsonModel.ToUtf8(e.Json, $"edge {e.Key}"));

        var index = new JsonObject
        {
            ["format"] = IndexFormat,
            ["nodes"] = new JsonArray(nodes.Select(n => (JsonNode?)JsonValue.Create(n.Id)).ToArray()),
            ["edges"] = edges is null ? null : new JsonArray(edges.Select(e => (JsonNode?)JsonValue.Create(e.Key)).ToArray()),
        };
        entries.Add(WorkflowPaths.Index, JsonModel.ToUtf8(index, WorkflowPaths.Index));
        entries.Add(WorkflowPaths.Settings, SettingsBytes(edges is not null));
        return entries;
    }

    private byte[] SettingsBytes(bool edgesAsEntries)
    {
        // Write the root with the two lists replaced by placeholders, without copying the rest.
        var nodes = Graph["nodes"];
        var edges = Graph["edges"];
        var sb = new StringBuilder();
        try
        {
            Graph["nodes"] = NodesPlaceholder;
            if (edgesAsEntries) Graph["edges"] = EdgesPlaceholder;
            JsonModel.Write(sb, Root, WorkflowPaths.Settings, false, 0);
        }
        finally
        {
            Graph["nodes"] = nodes;
            if (edgesAsEntries) Graph["edges"] = edges;
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Rebuilds a document from the entries made by <see cref="ToEntries"/>.</summary>
    /// <exception cref="InvalidWorkflowException">An entry is missing, unreadable, or not part of the layout.</exception>
    /// <exception cref="PayloadTooLargeException">The entries together exceed <see cref="WorkflowCodecOptions.MaxInputBytes"/>.</exception>
    public static WorkflowDocument FromEntries(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> entries, WorkflowCodecOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        options ??= WorkflowCodecOptions.Default;
        options.Validate();
        var total = entries.Values.Sum(v => (long)v.Length);
        if (total > options.MaxInputBytes) throw new PayloadTooLargeException("Workflow snapshot entries", total, options.MaxInputBytes);

        var root = Read(entries, WorkflowPaths.Settings, options) as JsonObject
            ?? throw new InvalidWorkflowException("the settings entry is not a JSON object", WorkflowPaths.Settings);
        var index = Read(entries, WorkflowPaths.Index, options) as JsonObject
            ?? throw new InvalidWorkflowException("the index entry is not a JSON object", WorkflowPaths.Index);
        if (index["format"] is not JsonValue fv || !fv.TryGetValue<long>(out var format) || format != IndexFormat)
            throw new InvalidWorkflowException($"the index entry has an unknown format (expected {IndexFormat})", WorkflowPaths.Index);
        if ((root["workflow"] as JsonObject)?["graph"] is not JsonObject graph)
            throw new InvalidWorkflowException("the settings entry has no 'workflow.graph' mapping", WorkflowPaths.Settings);

        var used = new HashSet<string>(StringComparer.Ordinal) { WorkflowPaths.Settings, WorkflowPaths.Index };
        graph["nodes"] = Collect(index["nodes"], NodesPlaceholder, graph["nodes"], WorkflowPaths.Node, "nodes");
        if (index["edges"] is not null) graph["edges"] = Collect(index["edges"], EdgesPlaceholder, graph["edges"], WorkflowPaths.Edge, "edges");
        else if (WorkflowNode.Text(graph["edges"]) == EdgesPlaceholder)
            throw new InvalidWorkflowException("the settings entry expects edge entries but the index lists none", WorkflowPaths.Index);

        foreach (var path in entries.Keys)
            if (!used.Contains(path)) throw new InvalidWorkflowException("entry is not part of the workflow (not listed in the index)", path);
        return Create(root);

        JsonArray Collect(JsonNode? list, string placeholder, JsonNode? current, Func<string, string> pathOf, string what)
        {
            if (list is not JsonArray ids) throw new InvalidWorkflowException($"the index entry has no '{what}' list", WorkflowPaths.Index);
            if (WorkflowNode.Text(current) != placeholder)
                throw new InvalidWorkflowException($"the settings entry has no '{placeholder}' placeholder for workflow.graph.{what}", WorkflowPaths.Settings);
            var result = new JsonArray();
            foreach (var idNode in ids)
            {
                var id = WorkflowNode.Text(idNode) ?? throw new InvalidWorkflowException($"the index lists a non-string {what} key", WorkflowPaths.Index);
                var path = pathOf(id);
                if (!used.Add(path)) throw new InvalidWorkflowException($"the index lists '{WorkflowPaths.Show(id)}' twice", WorkflowPaths.Index);
                result.Add((JsonNode)(Read(entries, path, options) as JsonObject
                    ?? throw new InvalidWorkflowException("entry is not a JSON object", path)));
            }
            return result;
        }
    }

    /// <summary>Rebuilds a document from the entries made by <see cref="ToEntries"/>.</summary>
    /// <exception cref="InvalidWorkflowException">An entry is missing, unreadable, or not part of the layout.</exception>
    public static WorkflowDocument FromEntries(IReadOnlyDictionary<string, byte[]> entries, WorkflowCodecOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return FromEntries(entries.ToDictionary(p => p.Key, p => (ReadOnlyMemory<byte>)p.Value, StringComparer.Ordinal), options);
    }

    private static JsonNode? Read(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> entries, string path, WorkflowCodecOptions options)
    {
        if (!entries.TryGetValue(path, out var bytes)) throw new InvalidWorkflowException("entry is missing", path);
        return JsonModel.Parse(bytes.Span, path, options);
    }

    /// <summary>The document as YAML that Dify (PyYAML) reads to the same values: strings that would read as another type are quoted, multi-line strings are literal blocks.</summary>
    public string ToYaml()
    {
        CollectNodes();
        return YamlModel.Write(Root);
    }

    /// <summary>The document as JSON (UTF-8 text), compact or indented.</summary>
    public string ToJson(bool indented = false)
    {
        CollectNodes();
        var sb = new StringBuilder();
        JsonModel.Write(sb, Root, "$", indented, 0);
        if (indented) sb.Append('\n');
        return sb.ToString();
    }

    internal static string? IdText(JsonNode? n)
    {
        if (n is not JsonValue v) return null;
        if (v.TryGetValue<string>(out var s)) return s;
        if (v.TryGetValue<long>(out var l)) return l.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (v.TryGetValue<int>(out var i)) return i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }

    private List<WorkflowNode> CollectNodes()
    {
        if (Graph["nodes"] is not JsonArray list) throw new InvalidWorkflowException("'workflow.graph.nodes' is missing or not a list", "workflow.graph.nodes");
        var result = new List<WorkflowNode>(list.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var where = $"workflow.graph.nodes[{i}]";
            if (list[i] is not JsonObject node) throw new InvalidWorkflowException("a node is not a mapping", where);
            if (!node.TryGetPropertyValue("id", out var idNode)) throw new InvalidWorkflowException("a node has no 'id'", where);
            var id = IdText(idNode);
            if (string.IsNullOrEmpty(id)) throw new InvalidWorkflowException("a node id must be a non-empty string or an integer", where);
            if (!seen.TryAdd(id, i)) throw new InvalidWorkflowException($"node id '{WorkflowPaths.Show(id)}' is used by nodes {seen[id]} and {i}", where);
            WorkflowPaths.EncodeName(id); // validates length
            result.Add(new WorkflowNode(id, node));
        }
        return result;
    }

    private List<WorkflowEdge> CollectEdges()
    {
        var edgesNode = Graph["edges"];
        if (edgesNode is null) return [];
        if (edgesNode is not JsonArray list) throw new InvalidWorkflowException("'workflow.graph.edges' is not a list", "workflow.graph.edges");
        var result = new List<WorkflowEdge>(list.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var where = $"workflow.graph.edges[{i}]";
            if (list[i] is not JsonObject edge) throw new InvalidWorkflowException("an edge is not a mapping", where);
            var key = IdText(edge["id"]);
            if (string.IsNullOrEmpty(key))
                key = $"{IdText(edge["source"])}-{IdText(edge["sourceHandle"]) ?? "source"}-{IdText(edge["target"])}-{IdText(edge["targetHandle"]) ?? "target"}";
            var unique = key;
            for (var n = 2; !seen.Add(unique); n++) unique = $"{key}~{n}";
            WorkflowPaths.EncodeName(unique);
            result.Add(new WorkflowEdge(unique, edge));
        }
        return result;
    }
}
