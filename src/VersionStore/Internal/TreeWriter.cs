namespace VersionStore.Internal;

/// <summary>
/// Applies <see cref="SnapshotChanges"/> to a base tree, rewriting only the trees along changed paths.
/// Collects the new objects to write; unchanged subtrees keep their ids (and are shared between versions).
/// </summary>
internal sealed class TreeWriter(ObjectReader reader, IObjectStore store, VersionStoreOptions options)
{
    private readonly HashSet<ObjectId> _seen = [];

    public List<EncodedObject> NewObjects { get; } = [];

    public long NewBytes { get; private set; }

    public async ValueTask<ObjectId> ApplyAsync(ObjectId? baseTree, SnapshotChanges changes, CancellationToken cancellationToken)
    {
        var root = new Node();
        foreach (var (path, change) in changes.Items)
        {
            var node = root;
            foreach (var part in EntryNames.SplitPath(path)) node = node.Child(part);
            node.Leaf = change;
        }
        return await ApplyAsync(changes.ReplaceAll ? null : baseTree, root, isRoot: true, "", cancellationToken).ConfigureAwait(false) ?? ObjectId.Zero;
    }

    public void Add(EncodedObject obj)
    {
        if (!_seen.Add(obj.Id)) return;
        NewObjects.Add(obj);
        NewBytes += obj.Data.Length;
    }

    private async ValueTask<ObjectId?> ApplyAsync(ObjectId? baseTree, Node node, bool isRoot, string prefix, CancellationToken cancellationToken)
    {
        var entries = new SortedList<string, TreeEntry>(EntryNames.Comparer);
        if (baseTree is { } b)
            foreach (var e in (await reader.GetTreeAsync(b, cancellationToken).ConfigureAwait(false)).Entries)
                entries.Add(e.Name, e);

        foreach (var (name, child) in node.Children ?? [])
        {
            var path = prefix + name;
            if (child.Leaf is { IsRemoval: false } put)
            {
                if (child.HasPutBelow)
                    throw new InvalidOperationArgumentException($"Path '{path}' cannot be both an entry and a folder in one commit.");
                entries[name] = new TreeEntry(name, ObjectKind.Blob, await WriteBlobAsync(path, put, cancellationToken).ConfigureAwait(false));
                continue;
            }
            if (child.Children is null)
            {
                entries.Remove(name); // removal of an entry or a whole folder
                continue;
            }
            ObjectId? subBase = child.Leaf is null && entries.TryGetValue(name, out var existing) && existing.Kind == ObjectKind.Tree ? existing.Id : null;
            var sub = await ApplyAsync(subBase, child, isRoot: false, path + "/", cancellationToken).ConfigureAwait(false);
            if (sub is null) entries.Remove(name);
            else entries[name] = new TreeEntry(name, ObjectKind.Tree, sub.Value);
        }

        if (entries.Count == 0 && !isRoot) return null;
        if (entries.Count > options.MaxTreeEntries)
            throw new PayloadTooLargeException($"Folder '{(prefix.Length == 0 ? "/" : prefix)}' entry count", entries.Count, options.MaxTreeEntries);
        var encoded = ObjectCodec.EncodeTree(entries.Values.ToArray());
        var id = ObjectId.Compute(encoded);
        if (id != baseTree) Add(new EncodedObject(id, encoded));
        return id;
    }

    private async ValueTask<ObjectId> WriteBlobAsync(string path, SnapshotChanges.Change put, CancellationToken cancellationToken)
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
        Add(new EncodedObject(id, encoded));
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
