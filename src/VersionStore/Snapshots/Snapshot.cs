using System.Runtime.CompilerServices;

namespace VersionStore;

/// <summary>One entry of a checked-out snapshot; its content is read on demand.</summary>
/// <param name="Path">Slash-separated path.</param>
/// <param name="BlobId">Id of the content blob.</param>
public readonly record struct SnapshotEntry(string Path, ObjectId BlobId);

/// <summary>
/// A checked-out version: the commit and its tree, with entry contents loaded lazily — listing walks only
/// tree objects, and <see cref="ReadAsync"/> loads one blob.
/// </summary>
public sealed class Snapshot
{
    private readonly Repository _repository;

    internal Snapshot(Repository repository, Commit commit, Tree root)
    {
        _repository = repository;
        Commit = commit;
        Root = root;
    }

    /// <summary>The commit checked out.</summary>
    public Commit Commit { get; }

    /// <summary>The root tree.</summary>
    public Tree Root { get; }

    /// <summary>Every blob entry, depth-first in name order.</summary>
    public async IAsyncEnumerable<SnapshotEntry> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The subtrees of a tree are read in one batch when the walk first meets the tree, then served from memory.
        var stack = new Stack<(string Prefix, Tree Tree, int Index, Dictionary<ObjectId, Tree>? Children)>();
        stack.Push(("", Root, 0, await ChildTreesAsync(Root, cancellationToken).ConfigureAwait(false)));
        while (stack.Count > 0)
        {
            var (prefix, tree, index, children) = stack.Pop();
            if (index >= tree.Count) continue;
            stack.Push((prefix, tree, index + 1, children));
            var entry = tree[index];
            var path = prefix + entry.Name;
            if (entry.Kind == ObjectKind.Blob)
            {
                yield return new SnapshotEntry(path, entry.Id);
                continue;
            }
            var child = children is not null && children.TryGetValue(entry.Id, out var t) ? t : await _repository.GetTreeAsync(entry.Id, cancellationToken).ConfigureAwait(false);
            stack.Push((path + "/", child, 0, await ChildTreesAsync(child, cancellationToken).ConfigureAwait(false)));
        }
    }

    /// <summary>Finds the entry at <paramref name="path"/>, or null.</summary>
    public async ValueTask<SnapshotEntry?> TryGetEntryAsync(string path, CancellationToken cancellationToken = default)
    {
        var parts = Internal.EntryNames.SplitPath(path);
        var tree = Root;
        for (var i = 0; i < parts.Length; i++)
        {
            if (!tree.TryGetEntry(parts[i], out var entry)) return null;
            if (i == parts.Length - 1) return entry.Kind == ObjectKind.Blob ? new SnapshotEntry(path, entry.Id) : null;
            if (entry.Kind != ObjectKind.Tree) return null;
            tree = await _repository.GetTreeAsync(entry.Id, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>The content at <paramref name="path"/>, or null when there is no such entry.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var entry = await TryGetEntryAsync(path, cancellationToken).ConfigureAwait(false);
        if (entry is null) return null;
        return await _repository.GetBlobAsync(entry.Value.BlobId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads every entry's content.</summary>
    public async Task<IReadOnlyDictionary<string, ReadOnlyMemory<byte>>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        // Breadth first: one batch read per level of trees, then one for every blob (a cold snapshot from S3 costs a
        // ranged GET per run of neighbouring pack entries, not one per object).
        var reader = _repository.Reader;
        var paths = new List<string>();
        var blobs = new List<ObjectId>();
        var level = new List<(string Prefix, Tree Tree)> { ("", Root) };
        while (level.Count > 0)
        {
            var subtrees = new List<ObjectId>();
            var prefixes = new List<string>();
            foreach (var (prefix, tree) in level)
            {
                foreach (var entry in tree.Entries)
                {
                    if (entry.Kind == ObjectKind.Blob)
                    {
                        paths.Add(prefix + entry.Name);
                        blobs.Add(entry.Id);
                    }
                    else
                    {
                        subtrees.Add(entry.Id);
                        prefixes.Add(prefix + entry.Name + "/");
                    }
                }
            }
            var next = subtrees.Count == 0 ? [] : await reader.GetTreesAsync(subtrees, cancellationToken).ConfigureAwait(false);
            level = [.. next.Select((t, i) => (prefixes[i], t))];
        }
        var contents = await reader.GetBlobsAsync(blobs, cancellationToken).ConfigureAwait(false);
        var result = new SortedDictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        for (var i = 0; i < paths.Count; i++) result[paths[i]] = contents[i];
        return result;
    }

    /// <summary>The subtrees of <paramref name="tree"/>, read in one batch; null when it has none.</summary>
    private async ValueTask<Dictionary<ObjectId, Tree>?> ChildTreesAsync(Tree tree, CancellationToken cancellationToken)
    {
        List<ObjectId>? ids = null;
        foreach (var entry in tree.Entries)
            if (entry.Kind == ObjectKind.Tree) (ids ??= []).Add(entry.Id);
        if (ids is null) return null;
        var trees = await _repository.Reader.GetTreesAsync(ids, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<ObjectId, Tree>(ids.Count);
        for (var i = 0; i < ids.Count; i++) result[ids[i]] = trees[i];
        return result;
    }
}
