namespace VersionStore.Internal;

/// <summary>
/// Applies <see cref="SnapshotChanges"/> to a base tree, rewriting only the trees along changed paths.
/// Collects the new objects to write; unchanged subtrees keep their ids (and are shared between versions).
/// </summary>
internal sealed class TreeWriter(ObjectReader reader, IObjectStore store, VersionStoreOptions options)
{
    private readonly HashSet<ObjectId> _seen = [];
    private readonly List<Tree> _newTrees = [];

    public List<EncodedObject> NewObjects { get; } = [];

    public long NewBytes { get; private set; }

    public async ValueTask<ObjectId> ApplyAsync(ObjectId? baseTree, SnapshotChanges changes, CancellationToken cancellationToken)
    {
        var root = new Node();
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, change) in changes.Items)
        {
            var node = root;
            foreach (var part in EntryNames.SplitPath(path)) node = node.Child(part);
            node.Leaf = change;
            paths.Add(path);
        }
        if (changes.ReplaceAll && baseTree is { } b)
        {
            // A whole snapshot is applied as a delta against the base, so that unchanged entries and folders keep
            // their ids and are not written again: every base entry the new snapshot lacks becomes a removal.
            await foreach (var path in BlobPathsAsync(b, "", cancellationToken).ConfigureAwait(false))
            {
                if (paths.Contains(path)) continue;
                var node = root;
                foreach (var part in path.Split('/')) node = node.Child(part);
                node.Leaf ??= new SnapshotChanges.Change(default, null, true);
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
    /// so the next commit finds its base trees without reading them back. Call only once <see cref="NewObjects"/> are stored.
    /// </summary>
    public void RememberNewTrees()
    {
        foreach (var tree in _newTrees) reader.RememberWrittenTree(tree);
    }

    private async ValueTask<ObjectId?> ApplyAsync(ObjectId? baseTree, Node node, bool isRoot, string prefix, CancellationToken cancellationToken)
    {
        Tree? baseEntries = baseTree is { } b ? await reader.GetBaseTreeAsync(b, cancellationToken).ConfigureAwait(false) : null;
        var baseCount = baseEntries?.Count ?? 0;
        // Both the base entries and the changed children are sorted by entry name: merge them in one pass.
        var entries = new List<TreeEntry>(baseCount + (node.Children?.Count ?? 0));
        var next = 0;
        foreach (var (name, child) in node.Children ?? [])
        {
            while (next < baseCount && EntryNames.Compare(baseEntries![next].Name, name) < 0) entries.Add(baseEntries[next++]);
            TreeEntry? current = next < baseCount && baseEntries![next].Name == name ? baseEntries[next++] : null;
            var path = prefix + name;
            if (child.Leaf is { IsRemoval: false } put)
            {
                if (child.HasPutBelow)
                    throw new InvalidRequestException($"Path '{path}' cannot be both an entry and a folder in one commit.");
                var unchanged = current is { Kind: ObjectKind.Blob } c ? c.Id : (ObjectId?)null;
                entries.Add(new TreeEntry(name, ObjectKind.Blob, await WriteBlobAsync(path, put, unchanged, cancellationToken).ConfigureAwait(false)));
                continue;
            }
            if (child.Children is null) continue; // removal of an entry or a whole folder
            ObjectId? subBase = child.Leaf is null && current is { Kind: ObjectKind.Tree } existing ? existing.Id : null;
            var sub = await ApplyAsync(subBase, child, isRoot: false, path + "/", cancellationToken).ConfigureAwait(false);
            if (sub is not null) entries.Add(new TreeEntry(name, ObjectKind.Tree, sub.Value));
        }
        while (next < baseCount) entries.Add(baseEntries![next++]);

        if (entries.Count == 0 && !isRoot) return null;
        if (entries.Count > options.MaxTreeEntries)
            throw new PayloadTooLargeException($"Folder '{(prefix.Length == 0 ? "/" : prefix)}' entry count", entries.Count, options.MaxTreeEntries);
        // Names are valid (base entries were decoded and checked, new ones came through SplitPath) and sorted by the merge.
        var sorted = entries.ToArray();
        var encoded = ObjectCodec.EncodeValidTree(sorted);
        var id = ObjectId.Compute(encoded);
        if (id != baseTree && Add(new EncodedObject(id, encoded))) _newTrees.Add(new Tree(id, sorted));
        return id;
    }

    private async ValueTask<ObjectId> WriteBlobAsync(string path, SnapshotChanges.Change put, ObjectId? unchanged, CancellationToken cancellationToken)
    {
        if (put.ExistingBlob is { } existing)
        {
            if (!_seen.Contains(existing) && !await store.ContainsAsync(existing, cancellationToken).ConfigureAwait(false))
                throw new ObjectNotFoundException(existing, $"blob for '{path}'");
            return existing;
        }
        if (put.Content.Length > options.MaxBlobBytes)
            throw new PayloadTooLargeException($"Entry '{path}'", put.Content.Length, options.MaxBlobBytes);
        var encoded = ObjectCodec.EncodeBlob(put.Content.Span);
        var id = ObjectId.Compute(encoded);
        if (id != unchanged) Add(new EncodedObject(id, encoded)); // the base snapshot already holds it at this path
        return id;
    }

    private sealed class Node
    {
        public SortedDictionary<string, Node>? Children;
        public SnapshotChanges.Change? Leaf;

        /// <summary>True when some change below this node (not at it) puts content; removals below a replaced entry are moot.</summary>
        public bool HasPutBelow => Children is not null && Children.Values.Any(c => c.Leaf is { IsRemoval: false } || c.HasPutBelow);

        public Node Child(string name)
        {
            Children ??= new SortedDictionary<string, Node>(EntryNames.Comparer);
            if (!Children.TryGetValue(name, out var node)) Children[name] = node = new Node();
            return node;
        }
    }
}
