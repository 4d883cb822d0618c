namespace VersionStore.Workflows;

/// <summary>How an element changed between two versions.</summary>
public enum WorkflowChangeKind
{
    /// <summary>Only in the newer version.</summary>
    Added,

    /// <summary>Only in the older version.</summary>
    Removed,

    /// <summary>In both, with different content.</summary>
    Modified,
}

/// <summary>Which part of a workflow changed.</summary>
public enum WorkflowElement
{
    /// <summary>The settings (everything but the nodes and edges: app, features, variables, viewport, …).</summary>
    Settings,

    /// <summary>The order of nodes or edges, with the same set of both.</summary>
    Order,

    /// <summary>One node.</summary>
    Node,

    /// <summary>One edge.</summary>
    Edge,

    /// <summary>An entry outside the workflow layout.</summary>
    Other,
}

/// <summary>One change between two versions of a workflow, described for people.</summary>
/// <param name="Element">Which part changed.</param>
/// <param name="Kind">How it changed.</param>
/// <param name="Path">The snapshot entry path.</param>
/// <param name="Id">The node id or edge key; null for settings and order.</param>
/// <param name="Title">The node title, or for an edge <c>source → target</c>, when known.</param>
/// <param name="NodeType">The node type (e.g. <c>llm</c>), when known.</param>
public sealed record WorkflowChange(WorkflowElement Element, WorkflowChangeKind Kind, string Path, string? Id, string? Title, string? NodeType)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var verb = Kind.ToString().ToLowerInvariant();
        return Element switch
        {
            WorkflowElement.Settings => $"settings {verb}",
            WorkflowElement.Order => "node/edge order changed",
            WorkflowElement.Node => $"node {Id}{(Title is null ? "" : $" '{Title}'")}{(NodeType is null ? "" : $" ({NodeType})")} {verb}",
            WorkflowElement.Edge => $"edge {Id}{(Title is null ? "" : $" ({Title})")} {verb}",
            _ => $"entry {Path} {verb}",
        };
    }
}

/// <summary>Turns entry-level changes between two workflow versions into node/edge/settings changes.</summary>
public static class WorkflowDiff
{
    /// <summary>The changes from <paramref name="before"/> to <paramref name="after"/> (either may be null: empty).</summary>
    public static IReadOnlyList<WorkflowChange> Compare(WorkflowDocument? before, WorkflowDocument? after)
    {
        var a = before?.ToEntries() ?? new Dictionary<string, byte[]>();
        var b = after?.ToEntries() ?? new Dictionary<string, byte[]>();
        var changes = new List<(string, WorkflowChangeKind)>();
        foreach (var (path, bytes) in a)
        {
            if (!b.TryGetValue(path, out var other)) changes.Add((path, WorkflowChangeKind.Removed));
            else if (!bytes.AsSpan().SequenceEqual(other)) changes.Add((path, WorkflowChangeKind.Modified));
        }
        foreach (var path in b.Keys)
            if (!a.ContainsKey(path)) changes.Add((path, WorkflowChangeKind.Added));
        return Describe(changes, before, after);
    }

    /// <summary>
    /// Describes entry changes (e.g. from a repository diff). Titles and types come from <paramref name="after"/>,
    /// or <paramref name="before"/> for a removed node. An index change is reported as <see cref="WorkflowElement.Order"/>
    /// only when both documents are given and hold the same nodes and edges in another order, or when they are not given.
    /// </summary>
    public static IReadOnlyList<WorkflowChange> Describe(IEnumerable<(string Path, WorkflowChangeKind Kind)> changes, WorkflowDocument? before = null, WorkflowDocument? after = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var result = new List<WorkflowChange>();
        foreach (var (path, kind) in changes)
        {
            var parsed = WorkflowPaths.TryParse(path);
            switch (parsed?.Kind)
            {
                case WorkflowEntryKind.Settings:
                    result.Add(new(WorkflowElement.Settings, kind, path, null, null, null));
                    break;
                case WorkflowEntryKind.Index:
                    if (before is null || after is null || SameSets(before, after)) result.Add(new(WorkflowElement.Order, kind, path, null, null, null));
                    break;
                case WorkflowEntryKind.Node:
                    var id = parsed.Value.Id!;
                    var node = (kind == WorkflowChangeKind.Removed ? before : after)?.FindNode(id) ?? before?.FindNode(id);
                    result.Add(new(WorkflowElement.Node, kind, path, id, node?.Title, node?.Type));
                    break;
                case WorkflowEntryKind.Edge:
                    var key = parsed.Value.Id!;
                    var doc = kind == WorkflowChangeKind.Removed ? before : after;
                    var edge = doc?.Edges.FirstOrDefault(e => e.Key == key);
                    result.Add(new(WorkflowElement.Edge, kind, path, key, edge is null ? null : $"{edge.Source} → {edge.Target}", null));
                    break;
                default:
                    result.Add(new(WorkflowElement.Other, kind, path, null, null, null));
                    break;
            }
        }
        result.Sort((x, y) => x.Element != y.Element ? x.Element.CompareTo(y.Element) : string.CompareOrdinal(x.Path, y.Path));
        return result;
    }

    /// <summary>Describes a repository diff (<see cref="Repository.DiffAsync(string, string, CancellationToken)"/>).</summary>
    public static IReadOnlyList<WorkflowChange> Describe(IEnumerable<EntryChange> changes, WorkflowDocument? before = null, WorkflowDocument? after = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return Describe(changes.Select(c => (c.Path, c.Kind switch
        {
            ChangeKind.Added => WorkflowChangeKind.Added,
            ChangeKind.Removed => WorkflowChangeKind.Removed,
            _ => WorkflowChangeKind.Modified,
        })), before, after);
    }

    private static bool SameSets(WorkflowDocument a, WorkflowDocument b)
        => a.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal).SetEquals(b.Nodes.Select(n => n.Id))
           && a.Edges.Select(e => e.Key).ToHashSet(StringComparer.Ordinal).SetEquals(b.Edges.Select(e => e.Key));
}
