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
        var stack = new Stack<(string Prefix, Tree Tree, int Index)>();
        stack.Push(("", Root, 0));
        while (stack.Count > 0)
        {
            var (prefix, tree, index) = stack.Pop();
            if (index >= tree.Count) continue;
            stack.Push((prefix, tree, index + 1));
            var entry = tree[index];
            var path = prefix + entry.Name;
            if (entry.Kind == ObjectKind.Blob)
                yield return new SnapshotEntry(path, entry.Id);
            else
                stack.Push((path + "/", await _repository.GetTreeAsync(entry.Id, cancellationToken).ConfigureAwait(false), 0));
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
        var result = new SortedDictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        await foreach (var entry in EnumerateAsync(cancellationToken).ConfigureAwait(false))
            result[entry.Path] = await _repository.GetBlobAsync(entry.BlobId, cancellationToken).ConfigureAwait(false);
        return result;
    }
}
