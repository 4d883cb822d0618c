namespace VersionStore;

/// <summary>
/// The content of a commit, as changes to a base snapshot (the first parent's, by default) or, with
/// <see cref="ReplaceAll"/>, as a whole new snapshot. Paths are slash-separated (<c>graph/nodes/llm-1</c>) and
/// become nested trees, so a change rewrites only the trees along its path and a diff skips unchanged folders.
/// </summary>
public sealed class SnapshotChanges
{
    private readonly Dictionary<string, Change> _changes = new(StringComparer.Ordinal);

    /// <summary>When true the base is empty: the snapshot holds exactly the entries put here.</summary>
    public bool ReplaceAll { get; init; }

    /// <summary>Number of changes recorded.</summary>
    public int Count => _changes.Count;

    /// <summary>Sets <paramref name="path"/> to <paramref name="content"/>.</summary>
    /// <exception cref="InvalidNameException">The path is invalid.</exception>
    public SnapshotChanges Put(string path, ReadOnlyMemory<byte> content)
    {
        _changes[path] = new Change(content, null, false, Internal.EntryNames.SplitPath(path));
        return this;
    }

    /// <summary>Sets <paramref name="path"/> to UTF-8 <paramref name="text"/>.</summary>
    public SnapshotChanges Put(string path, string text) => Put(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Sets <paramref name="path"/> to an existing stored blob (no bytes copied; the blob must exist).</summary>
    public SnapshotChanges PutExisting(string path, ObjectId blobId)
    {
        _changes[path] = new Change(default, blobId, false, Internal.EntryNames.SplitPath(path));
        return this;
    }

    /// <summary>Removes <paramref name="path"/> (an entry, or a whole folder). Removing a missing path is no error.</summary>
    public SnapshotChanges Remove(string path)
    {
        _changes[path] = new Change(default, null, true, Internal.EntryNames.SplitPath(path));
        return this;
    }

    /// <summary>A whole snapshot from path/content pairs (<see cref="ReplaceAll"/> = true).</summary>
    public static SnapshotChanges FromEntries(IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> entries)
    {
        var changes = new SnapshotChanges { ReplaceAll = true };
        foreach (var (path, content) in entries) changes.Put(path, content);
        return changes;
    }

    /// <summary>A whole snapshot from path/content pairs (<see cref="ReplaceAll"/> = true).</summary>
    public static SnapshotChanges FromEntries(IEnumerable<KeyValuePair<string, byte[]>> entries)
        => FromEntries(entries.Select(e => KeyValuePair.Create(e.Key, (ReadOnlyMemory<byte>)e.Value)));

    /// <summary>The recorded changes in no particular order (for callers that sort by themselves, such as the tree writer).</summary>
    internal Dictionary<string, Change>.ValueCollection Unordered => _changes.Values;

    /// <summary>One change; <see cref="Parts"/> is the path split and validated once, when the change was recorded.</summary>
    internal readonly record struct Change(ReadOnlyMemory<byte> Content, ObjectId? ExistingBlob, bool IsRemoval, string[] Parts);
}
