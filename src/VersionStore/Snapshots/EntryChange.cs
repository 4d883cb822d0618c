namespace VersionStore;

/// <summary>How an entry differs between two snapshots.</summary>
public enum ChangeKind
{
    /// <summary>Only in the new snapshot.</summary>
    Added,
    /// <summary>Only in the old snapshot.</summary>
    Removed,
    /// <summary>In both, with different content.</summary>
    Modified,
}

/// <summary>One entry that differs between two snapshots.</summary>
/// <param name="Path">Slash-separated entry path.</param>
/// <param name="Kind">Added, removed or modified.</param>
/// <param name="OldId">Blob id in the old snapshot (null when added).</param>
/// <param name="NewId">Blob id in the new snapshot (null when removed).</param>
public sealed record EntryChange(string Path, ChangeKind Kind, ObjectId? OldId, ObjectId? NewId)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind switch { ChangeKind.Added => 'A', ChangeKind.Removed => 'D', _ => 'M' }} {Path}";
}
