using VersionStore.Workflows;

namespace VersionStore.Cli;

/// <summary>The CLI's use of the Dify adapter: which files are workflows, which snapshots hold one.</summary>
internal static class WorkflowSupport
{
    public const string Format = "dify-workflow";

    public static bool IsWorkflowFile(string path)
        => Path.GetExtension(path).ToLowerInvariant() is ".yml" or ".yaml" or ".json";

    /// <summary>The snapshot entries of a Dify export (one per node, one per edge, settings, index).</summary>
    public static IReadOnlyDictionary<string, byte[]> ReadEntries(byte[] document) => DifyWorkflowCodec.Parse(document).ToEntries();

    /// <summary>True when the snapshot's root has the workflow layout (<c>settings</c>, <c>index</c>, <c>nodes/</c>, <c>edges/</c>).</summary>
    public static bool IsWorkflowSnapshot(Snapshot snapshot)
    {
        bool settings = false, index = false;
        for (var i = 0; i < snapshot.Root.Count; i++)
        {
            var entry = snapshot.Root[i];
            switch (entry.Name)
            {
                case WorkflowPaths.Settings when entry.Kind == ObjectKind.Blob: settings = true; break;
                case WorkflowPaths.Index when entry.Kind == ObjectKind.Blob: index = true; break;
                case WorkflowPaths.NodesFolder or WorkflowPaths.EdgesFolder when entry.Kind == ObjectKind.Tree: break;
                default: return false;
            }
        }
        return settings && index;
    }

    /// <summary>The workflow a snapshot holds, or null when it does not have the workflow layout.</summary>
    public static async Task<WorkflowDocument?> TryLoadAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        if (!IsWorkflowSnapshot(snapshot)) return null;
        return WorkflowDocument.FromEntries(await snapshot.ReadAllAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>What an entry path is in the workflow layout: ("node", id), ("edge", key), ("settings", null), …; nulls when outside it.</summary>
    public static (string? Item, string? Id) Describe(string path) => WorkflowPaths.TryParse(path) switch
    {
        { Kind: WorkflowEntryKind.Node } p => ("node", p.Id),
        { Kind: WorkflowEntryKind.Edge } p => ("edge", p.Id),
        { Kind: WorkflowEntryKind.Settings } => ("settings", null),
        { Kind: WorkflowEntryKind.Index } => ("order", null),
        _ => (null, null),
    };
}
