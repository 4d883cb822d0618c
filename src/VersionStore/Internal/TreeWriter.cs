using System.Buffers;

namespace VersionStore.Internal;

/// <summary>
/// Applies <see cref="SnapshotChanges"/> to a base tree, rewriting only the trees along changed paths.
/// Collects the new objects to write; unchanged subtrees keep their ids (and are shared between versions).
/// </summary>
internal sealed class TreeWriter(ObjectReader reader, IObjectStore store, VersionStoreOptions options)
{
    private readonly HashSet<ObjectId> _seen = [];
    private readonly List<Tree> _newTrees = [];
    private readonly List<ObjectId> _replacedTrees = [];

    public List<EncodedObject> NewObjects { get; } = [];

    public long NewBytes { get; private set; }

    public async ValueTask<ObjectId> ApplyAsync(ObjectId? baseTree, SnapshotChanges changes, CancellationToken cancellationToken)
    {
        var root = new Node();
        foreach (var change in changes.Unordered)
        {
            var node = root;
            foreach (var part in change.Parts) node = node.Child(part);
            node.Leaf = change;
        }
        if (changes.ReplaceAll && baseTree is { } b)
        {
            // A whole snapshot is applied as a delta against the base, so that unchanged entries and folders keep
            // their ids and are not written again: every base entry the new snapshot lacks becomes a removal.
            await foreach (var path in BlobPathsAsync(b, "", cancellationToken).ConfigureAwait(false))
            {
                var node = root;
                foreach (var part in path.Split('/')) node = node.Child(part);
                node.Leaf ??= new SnapshotChanges.Change(default, null, true, []);
            }
        }
        return await ApplyAsync(baseTree, root, isRoot: true, "", cancellationToken).ConfigureAwait(false) ?? ObjectId.Zero;
    }

    private async IAsyncEnumerable<string> BlobPathsAsync(ObjectId tree, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var e in (await reader.GetBaseTreeAsync(tree, cancellationToken).ConfigureAwait(false)).Entries.ToArray())
        {
            if (e.Kind == ObjectKind.Blob) yield return prefix + e.Name;
            else
                await foreach (var p in BlobPathsAsync(e.Id, prefix + e.Name + "/", cancellationToken).ConfigureAwait(false))
                    yield return p;
        }
    }

    public bool Add(EncodedObject obj)
    {
        if (!_seen.Add(obj.Id)) return false;
        NewObjects.Add(obj);
        NewBytes += obj.Data.Length;
        return true;
    }

    /// <summary>
    /// Hands the trees this writer built to the reader's written-tree memory (<see cref="ObjectReader.GetBaseTreeAsync"/>),
    /// so the next commit finds its base trees without reading them back, and drops from it the base trees they replace:
    /// a writer builds on the newest snapshot, so a replaced tree is rarely a base again (when it is — another branch
    /// still at the old snapshot — it is read and verified from the store), and dropping it lets it die young instead of
    /// being copied by every garbage collection until the memory fills. Call only once <see cref="NewObjects"/> are stored.
    /// </summary>
    public void RememberNewTrees()
    {
        foreach (var id in _replacedTrees) reader.ForgetWrittenTree(id);
        foreach (var tree in _newTrees) reader.RememberWrittenTree(tree);
    }

    private async ValueTask<ObjectId?> ApplyAsync(ObjectId? baseTree, Node node, bool isRoot, string prefix, CancellationToken cancellationToken)
    {
        Tree? baseEntries = baseTree is { } b ? await reader.GetBaseTreeAsync(b, cancellationToken).ConfigureAwait(false) : null;
        var baseCount = baseEntries?.Count ?? 0;
        var children = node.Children;
        var childCount = children?.Count ?? 0;
        // Both the base entries and the changed children are sorted by entry name: merge them in one pass, into a
        // pooled buffer (at most every base entry plus every child), copied once to the tree's exact-size array.
        var buffer = ArrayPool<TreeEntry>.Shared.Rent(Math.Max(1, baseCount + childCount));
        var count = 0;
        try
        {
            var next = 0;
            for (var c = 0; c < childCount; c++)
            {
                var (name, child) = children![c];
                while (next < baseCount && EntryNames.Compare(baseEntries![next].Name, name) < 0) buffer[count++] = baseEntries[next++];
                TreeEntry? current = next < baseCount && baseEntries![next].Name == name ? baseEntries[next++] : null;
                if (child.Leaf is { IsRemoval: false } put)
                {
                    if (child.HasPutBelow)
                        throw new InvalidRequestException($"Path '{prefix + name}' cannot be both an entry and a folder in one commit.");
                    var unchanged = current is { Kind: ObjectKind.Blob } existingBlob ? existingBlob.Id : (ObjectId?)null;
                    buffer[count++] = new TreeEntry(name, ObjectKind.Blob, await WriteBlobAsync(prefix, name, put, unchanged, cancellationToken).ConfigureAwait(false));
                    continue;
                }
                if (child.Children is null) continue; // removal of an entry or a whole folder
                ObjectId? subBase = child.Leaf is null && current is { Kind: ObjectKind.Tree } existing ? existing.Id : null;
                var sub = await ApplyAsync(subBase, child, isRoot: false, prefix + name + "/", cancellationToken).ConfigureAwait(false);
                if (sub is not null) buffer[count++] = new TreeEntry(name, ObjectKind.Tree, sub.Value);
            }
            while (next < baseCount) buffer[count++] = baseEntries![next++];

            if (count == 0 && !isRoot) return null;
            if (count > options.MaxTreeEntries)
                throw new PayloadTooLargeException($"Folder '{(prefix.Length == 0 ? "/" : prefix)}' entry count", count, options.MaxTreeEntries);
            // Names are valid (base entries were decoded and checked, new ones came through SplitPath) and sorted by the merge.
            var sorted = buffer.AsSpan(0, count).ToArray();
            var encoded = ObjectCodec.EncodeValidTree(sorted);
            var id = ObjectId.Compute(encoded);
            if (baseTree is { } replaced && id != replaced) _replacedTrees.Add(replaced);
            if (id != baseTree && Add(new EncodedObject(id, encoded))) _newTrees.Add(new Tree(id, sorted));
            return id;
        }
        finally
        {
            buffer.AsSpan(0, count).Clear(); // entries hold names: do not keep them alive through the pool
            ArrayPool<TreeEntry>.Shared.Return(buffer);
        }
    }

    private async ValueTask<ObjectId> WriteBlobAsync(string prefix, string name, SnapshotChanges.Change put, ObjectId? unchanged, CancellationToken cancellationToken)
    {
        if (put.ExistingBlob is { } existing)
        {
            if (!_seen.Contains(existing) && !await store.ContainsAsync(existing, cancellationToken).ConfigureAwait(false))
                throw new ObjectNotFoundException(existing, $"blob for '{prefix + name}'");
            return existing;
        }
        if (put.Content.Length > options.MaxBlobBytes)
            throw new PayloadTooLargeException($"Entry '{prefix + name}'", put.Content.Length, options.MaxBlobBytes);
        var encoded = ObjectCodec.EncodeBlob(put.Content.Span);
        var id = ObjectId.Compute(encoded);
        if (id != unchanged) Add(new EncodedObject(id, encoded)); // the base snapshot already holds it at this path
        return id;
    }

    /// <summary>A folder or entry of the change set; children kept sorted by entry name (a commit touches few, so a sorted list beats a tree map).</summary>
    private sealed class Node
    {
        public List<(string Name, Node Node)>? Children;
        public SnapshotChanges.Change? Leaf;

        /// <summary>True when some change below this node (not at it) puts content; removals below a replaced entry are moot.</summary>
        public bool HasPutBelow
        {
            get
            {
                if (Children is null) return false;
                foreach (var (_, c) in Children)
                    if (c.Leaf is { IsRemoval: false } || c.HasPutBelow) return true;
                return false;
            }
        }

        public Node Child(string name)
        {
            Children ??= new List<(string, Node)>(2);
            // Binary search by entry-name order; appends (already-sorted input, the common case) cost one comparison.
            int lo = 0, hi = Children.Count - 1;
            if (hi >= 0 && EntryNames.Compare(Children[hi].Name, name) < 0) lo = hi + 1;
            else
            {
                while (lo <= hi)
                {
                    var mid = (lo + hi) >>> 1;
                    var order = EntryNames.Compare(Children[mid].Name, name);
                    if (order == 0) return Children[mid].Node;
                    if (order < 0) lo = mid + 1;
                    else hi = mid - 1;
                }
            }
            var node = new Node();
            Children.Insert(lo, (name, node));
            return node;
        }
    }
}
