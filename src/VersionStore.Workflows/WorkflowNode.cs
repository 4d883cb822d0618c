using System.Text.Json.Nodes;

namespace VersionStore.Workflows;

/// <summary>A view of one node of a workflow graph. Changes made through <see cref="Json"/> change the document.</summary>
public sealed class WorkflowNode
{
    internal WorkflowNode(string id, JsonObject json)
    {
        Id = id;
        Json = json;
    }

    /// <summary>The node id as text (an integer id written without quotes in YAML reads as its digits).</summary>
    public string Id { get; }

    /// <summary>The node object itself (<c>id</c>, <c>data</c>, <c>position</c>, …), live in the document.</summary>
    public JsonObject Json { get; }

    /// <summary>The node type (<c>data.type</c>, e.g. <c>llm</c>, <c>start</c>, <c>iteration</c>; a note node's top-level <c>type</c>), if any.</summary>
    public string? Type => Text(Data?["type"]) is { Length: > 0 } t ? t : Text(Json["type"]);

    /// <summary>The node title (<c>data.title</c>), if any.</summary>
    public string? Title => Text(Data?["title"]);

    /// <summary>The node's <c>data</c> object, if any.</summary>
    public JsonObject? Data => Json["data"] as JsonObject;

    /// <summary>The id of the container (iteration/loop) holding this node (<c>parentId</c>), if any.</summary>
    public string? ParentId => Text(Json["parentId"]);

    /// <inheritdoc />
    public override string ToString() => Title is null ? $"node {Id}" : $"node {Id} '{Title}'";

    internal static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>A view of one edge of a workflow graph. Changes made through <see cref="Json"/> change the document.</summary>
public sealed class WorkflowEdge
{
    internal WorkflowEdge(string key, JsonObject json)
    {
        Key = key;
        Json = json;
    }

    /// <summary>
    /// The key the edge is stored under: its <c>id</c>; without one, <c>source-sourceHandle-target-targetHandle</c>;
    /// a key already taken in the document gets <c>~2</c>, <c>~3</c>, … appended.
    /// </summary>
    public string Key { get; }

    /// <summary>The edge object itself, live in the document.</summary>
    public JsonObject Json { get; }

    /// <summary>The source node id, if any.</summary>
    public string? Source => WorkflowDocument.IdText(Json["source"]);

    /// <summary>The target node id, if any.</summary>
    public string? Target => WorkflowDocument.IdText(Json["target"]);

    /// <inheritdoc />
    public override string ToString() => $"edge {Key} ({Source} → {Target})";
}
