namespace VersionStore.Internal;

/// <summary>
/// Entry-level diff of two trees by a merge walk of their sorted entries. Equal subtree ids are skipped
/// without reading them, so the cost follows the size of the change, not of the snapshot.
/// </summary>
/// <remarks>
/// Two passes: the trees the walk will need are first read breadth first, one batch read per level
/// (<see cref="ObjectReader.GetTreesAsync"/>), then the depth-first merge walk runs over them in memory, so the
/// changes come out in the walk's order and a cold diff costs one batch per level instead of one read per tree.
/// </remarks>
internal static class TreeDiff
{
    public static async Task<List<EntryChange>> DiffAsync(ObjectReader reader, ObjectId? oldTree, ObjectId? newTree, CancellationToken cancellationToken)
    {
        var trees = await PrefetchAsync(reader, oldTree, newTree, cancellationToken).ConfigureAwait(false);
        var result = new List<EntryChange>();
        await DiffAsync(reader, trees, oldTree, newTree, "", result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Reads, level by level in one batch each, every tree the merge walk of the two trees visits.</summary>
    private static async Task<Dictionary<ObjectId, Tree>> PrefetchAsync(ObjectReader reader, ObjectId? oldTree, ObjectId? newTree, CancellationToken ct)
    {
        var trees = new Dictionary<ObjectId, Tree>();
        if (oldTree == newTree) return trees;
        // Pairs still to compare (one side null: a whole subtree added or removed).
        var pairs = new List<(ObjectId? Old, ObjectId? New)> { (oldTree, newTree) };
        while (pairs.Count > 0)
        {
            var wanted = new List<ObjectId>();
            foreach (var (o, n) in pairs)
            {
                if (o is { } a && !trees.ContainsKey(a)) wanted.Add(a);
                if (n is { } b && !trees.ContainsKey(b)) wanted.Add(b);
            }
            var distinct = wanted.Distinct().ToList();
            var read = await reader.GetTreesAsync(distinct, ct).ConfigureAwait(false);
            for (var i = 0; i < distinct.Count; i++) trees[distinct[i]] = read[i];
            var next = new List<(ObjectId? Old, ObjectId? New)>();
            foreach (var (o, n) in pairs) Expand(o is { } a ? trees[a] : null, n is { } b ? trees[b] : null, next);
            pairs = next;
        }
        return trees;
    }

    /// <summary>The subtree pairs the merge walk of <paramref name="a"/> and <paramref name="b"/> descends into.</summary>
    private static void Expand(Tree? a, Tree? b, List<(ObjectId? Old, ObjectId? New)> next)
    {
        var x = a is null ? [] : a.Entries;
        var y = b is null ? [] : b.Entries;
        int i = 0, j = 0;
        while (i < x.Length || j < y.Length)
        {
            var c = i == x.Length ? 1 : j == y.Length ? -1 : EntryNames.Compare(x[i].Name, y[j].Name);
            if (c < 0) { if (x[i].Kind == ObjectKind.Tree) next.Add((x[i].Id, null)); i++; continue; }
            if (c > 0) { if (y[j].Kind == ObjectKind.Tree) next.Add((null, y[j].Id)); j++; continue; }
            var (p, q) = (x[i++], y[j++]);
            if (p.Id == q.Id && p.Kind == q.Kind) continue;
            if (p.Kind == ObjectKind.Tree && q.Kind == ObjectKind.Tree) next.Add((p.Id, q.Id));
            else if (p.Kind == ObjectKind.Tree) next.Add((p.Id, null));
            else if (q.Kind == ObjectKind.Tree) next.Add((null, q.Id));
        }
    }

    private static ValueTask<Tree> GetTreeAsync(ObjectReader reader, Dictionary<ObjectId, Tree> trees, ObjectId id, CancellationToken ct)
        => trees.TryGetValue(id, out var tree) ? ValueTask.FromResult(tree) : reader.GetTreeAsync(id, ct);

    private static async Task DiffAsync(ObjectReader reader, Dictionary<ObjectId, Tree> trees, ObjectId? oldTree, ObjectId? newTree, string prefix, List<EntryChange> result, CancellationToken ct)
    {
        if (oldTree == newTree) return;
        var a = oldTree is { } o ? (await GetTreeAsync(reader, trees, o, ct).ConfigureAwait(false)).Entries.ToArray() : [];
        var b = newTree is { } n ? (await GetTreeAsync(reader, trees, n, ct).ConfigureAwait(false)).Entries.ToArray() : [];
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var c = i == a.Length ? 1 : j == b.Length ? -1 : EntryNames.Compare(a[i].Name, b[j].Name);
            if (c < 0) { await EmitAsync(reader, trees, a[i++], prefix, ChangeKind.Removed, result, ct).ConfigureAwait(false); continue; }
            if (c > 0) { await EmitAsync(reader, trees, b[j++], prefix, ChangeKind.Added, result, ct).ConfigureAwait(false); continue; }
            var x = a[i++];
            var y = b[j++];
            if (x.Id == y.Id && x.Kind == y.Kind) continue;
            if (x.Kind == ObjectKind.Blob && y.Kind == ObjectKind.Blob)
                result.Add(new EntryChange(prefix + x.Name, ChangeKind.Modified, x.Id, y.Id));
            else if (x.Kind == ObjectKind.Tree && y.Kind == ObjectKind.Tree)
                await DiffAsync(reader, trees, x.Id, y.Id, prefix + x.Name + "/", result, ct).ConfigureAwait(false);
            else
            {
                await EmitAsync(reader, trees, x, prefix, ChangeKind.Removed, result, ct).ConfigureAwait(false);
                await EmitAsync(reader, trees, y, prefix, ChangeKind.Added, result, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task EmitAsync(ObjectReader reader, Dictionary<ObjectId, Tree> trees, TreeEntry entry, string prefix, ChangeKind kind, List<EntryChange> result, CancellationToken ct)
    {
        if (entry.Kind == ObjectKind.Blob)
        {
            result.Add(kind == ChangeKind.Added
                ? new EntryChange(prefix + entry.Name, kind, null, entry.Id)
                : new EntryChange(prefix + entry.Name, kind, entry.Id, null));
            return;
        }
        var tree = await GetTreeAsync(reader, trees, entry.Id, ct).ConfigureAwait(false);
        foreach (var child in tree.Entries.ToArray())
            await EmitAsync(reader, trees, child, prefix + entry.Name + "/", kind, result, ct).ConfigureAwait(false);
    }
}
