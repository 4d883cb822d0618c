using System.Text.Json;
using System.Text.Json.Nodes;
using VersionStore.Workflows;

namespace VersionStore.AspNetCore.Internal;

/// <summary>A version read as a Dify workflow for the console: graph, and node/parameter-level comparison.</summary>
internal static class WorkflowView
{
    /// <summary>Most parameters listed for one changed element (the rest is summarised).</summary>
    public const int MaxParameters = 2000;

    private const int MaxValueChars = 20_000;

    /// <summary>
    /// The workflow at <paramref name="revision"/>: the node-per-entry layout of <see cref="WorkflowRepositoryExtensions.CommitWorkflowAsync"/>,
    /// or a snapshot holding one Dify export file (<c>*.yml</c>, <c>*.yaml</c>, <c>*.json</c>).
    /// </summary>
    /// <exception cref="NotAWorkflowException">The snapshot holds neither.</exception>
    public static async Task<(Commit Commit, WorkflowDocument Document)> LoadAsync(Repository repo, string revision, CancellationToken ct)
    {
        var snapshot = await repo.CheckoutAsync(revision, ct).ConfigureAwait(false);
        var entries = await snapshot.ReadAllAsync(ct).ConfigureAwait(false);
        try
        {
            if (entries.ContainsKey(WorkflowPaths.Index)) return (snapshot.Commit, WorkflowDocument.FromEntries(entries));
            var files = entries.Where(e => e.Key.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || e.Key.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
                || e.Key.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ToList();
            if (files.Count == 1) return (snapshot.Commit, DifyWorkflowCodec.Parse(files[0].Value.Span));
        }
        catch (InvalidWorkflowException e)
        {
            throw new NotAWorkflowException($"Version {snapshot.Commit.Id.ToString(12)} is not a readable Dify workflow: {e.Reason}.");
        }
        throw new NotAWorkflowException($"Version {snapshot.Commit.Id.ToString(12)} holds no Dify workflow (neither the node-per-entry layout nor one .yml/.json export).");
    }

    public static GraphDto Graph(Commit commit, WorkflowDocument doc)
    {
        var nodes = doc.Nodes.Select((n, i) =>
        {
            var pos = n.Json["position"] as JsonObject;
            return new GraphNodeDto(n.Id, n.Title, n.Type, Number(pos?["x"]) ?? (i % 6) * 280, Number(pos?["y"]) ?? (i / 6) * 140,
                Number(n.Json["width"]) ?? 244, Number(n.Json["height"]) ?? 90, n.ParentId, Flatten(n.Json, MaxParameters));
        }).ToList();
        var edges = doc.Edges.Select(e => new GraphEdgeDto(e.Key, e.Source, e.Target)).ToList();
        return new GraphDto(commit.Id.ToString(), doc.Name, doc.Kind, doc.AppMode, nodes, edges);
    }

    public static List<CompareChangeDto> Compare(WorkflowDocument before, WorkflowDocument after)
    {
        var result = new List<CompareChangeDto>();
        foreach (var c in WorkflowDiff.Compare(before, after))
        {
            IReadOnlyList<ParameterChangeDto> parameters = c.Kind != WorkflowChangeKind.Modified ? [] : c.Element switch
            {
                WorkflowElement.Node => Parameters(before.FindNode(c.Id!)?.Json, after.FindNode(c.Id!)?.Json),
                WorkflowElement.Edge => Parameters(before.Edges.FirstOrDefault(e => e.Key == c.Id)?.Json, after.Edges.FirstOrDefault(e => e.Key == c.Id)?.Json),
                WorkflowElement.Settings => Parameters(Settings(before), Settings(after)),
                _ => [],
            };
            result.Add(new CompareChangeDto(c.Element.ToString().ToLowerInvariant(), c.Kind.ToString().ToLowerInvariant(), c.Id, c.Title, c.NodeType, c.Path, parameters));
        }
        return result;
    }

    private static JsonObject Settings(WorkflowDocument doc)
    {
        var root = (JsonObject)doc.Root.DeepClone();
        if (root["workflow"] is JsonObject w && w["graph"] is JsonObject g)
        {
            g.Remove("nodes");
            g.Remove("edges");
        }
        return root;
    }

    private static List<ParameterChangeDto> Parameters(JsonNode? before, JsonNode? after)
    {
        var a = Flatten(before, int.MaxValue);
        var b = Flatten(after, int.MaxValue);
        var list = new List<ParameterChangeDto>();
        foreach (var (path, value) in a)
        {
            b.TryGetValue(path, out var other);
            if (other != value) list.Add(new ParameterChangeDto(path, value, other));
        }
        foreach (var (path, value) in b)
            if (!a.ContainsKey(path)) list.Add(new ParameterChangeDto(path, null, value));
        list.Sort((x, y) => string.CompareOrdinal(x.Path, y.Path));
        return list.Count <= MaxParameters ? list : [.. list.Take(MaxParameters), new ParameterChangeDto("…", $"{list.Count - MaxParameters} more changes", null)];
    }

    /// <summary>Leaf values by path (<c>data.model.name</c>, <c>data.prompt_template[0].text</c>); strings as text, others as JSON.</summary>
    public static Dictionary<string, string> Flatten(JsonNode? node, int max)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(node, "", result, max, 0);
        return result;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string> into, int max, int depth)
    {
        if (into.Count >= max) return;
        switch (node)
        {
            case JsonObject o when o.Count > 0 && depth < 64:
                foreach (var (k, v) in o) Walk(v, path.Length == 0 ? k : $"{path}.{k}", into, max, depth + 1);
                break;
            case JsonArray a when a.Count > 0 && depth < 64:
                for (var i = 0; i < a.Count; i++) Walk(a[i], $"{path}[{i}]", into, max, depth + 1);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                into[path] = Cap(v.GetValue<string>());
                break;
            default:
                into[path] = Cap(node?.ToJsonString() ?? "null");
                break;
        }
    }

    private static string Cap(string s) => s.Length <= MaxValueChars ? s : string.Concat(s.AsSpan(0, MaxValueChars), "…");

    // The codec keeps integers as whole numbers of any size and floats as doubles: read either through its JSON text.
    private static double? Number(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && double.TryParse(v.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    /// <summary>The short display name of a version: its first tag, else its 12-digit id.</summary>
    public static string Label(ObjectId id, IReadOnlyDictionary<ObjectId, List<string>> tags)
        => tags.TryGetValue(id, out var t) && t.Count > 0 ? t[0] : id.ToString(12);
}

/// <summary>The version is not a workflow the console can draw (HTTP 422).</summary>
internal sealed class NotAWorkflowException(string message) : Exception(message);

/// <summary>The signed-in identity may not do this (HTTP 403).</summary>
internal sealed class ForbiddenException(string message) : Exception(message);

internal sealed record GraphNodeDto(string Id, string? Title, string? Type, double X, double Y, double Width, double Height, string? Parent, IReadOnlyDictionary<string, string> Parameters);

internal sealed record GraphEdgeDto(string Key, string? Source, string? Target);

internal sealed record GraphDto(string Version, string? Name, string? Kind, string? Mode, IReadOnlyList<GraphNodeDto> Nodes, IReadOnlyList<GraphEdgeDto> Edges);

internal sealed record ParameterChangeDto(string Path, string? Before, string? After);

internal sealed record CompareChangeDto(string Element, string Change, string? Id, string? Title, string? NodeType, string Path, IReadOnlyList<ParameterChangeDto> Parameters);

internal sealed record CompareDto(string From, string To, IReadOnlyList<CompareChangeDto> Changes);

internal sealed record MeDto(string Name, string Role, bool CanPublish, bool CanMoveProtectedChannels, IReadOnlyList<string> ProtectedChannels, string DefaultChannel);

internal sealed record WorkflowDto(string Id);

internal sealed record RefDto(string Name, string Target, long Sequence);

internal sealed record ChannelDto(string Name, string? Head, string? LastKnownGood, DateTimeOffset? ChangedAt, long Sequence, bool Protected);

internal sealed record RefsDto(IReadOnlyList<RefDto> Branches, IReadOnlyList<RefDto> Tags, IReadOnlyList<ChannelDto> Channels);
