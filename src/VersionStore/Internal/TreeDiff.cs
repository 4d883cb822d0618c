namespace VersionStore.Internal;

/// <summary>
/// Entry-level diff of two trees by a merge walk of their sorted entries. Equal subtree ids are skipped
/// without reading them, so the cost follows the size of the change, not of the snapshot.
/// </summary>
internal static class TreeDiff
{
    public static async Task<List<EntryChange>> DiffAsync(ObjectReader reader, ObjectId? oldTree, ObjectId? newTree, CancellationToken cancellationToken)
    {
        var result = new List<EntryChange>();
        await DiffAsync(reader, oldTree, newTree, "", result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private static async Task DiffAsync(ObjectReader reader, ObjectId? oldTree, ObjectId? newTree, string prefix, List<EntryChange> result, CancellationToken ct)
    {
        if (oldTree == newTree) return;
        var a = oldTree is { } o ? (await reader.GetTreeAsync(o, ct).ConfigureAwait(false)).Entries.ToArray() : [];
        var b = newTree is { } n ? (await reader.GetTreeAsync(n, ct).ConfigureAwait(false)).Entries.ToArray() : [];
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var c = i == a.Length ? 1 : j == b.Length ? -1 : EntryNames.Compare(a[i].Name, b[j].Name);
            if (c < 0) { await EmitAsync(reader, a[i++], prefix, ChangeKind.Removed, result, ct).ConfigureAwait(false); continue; }
            if (c > 0) { await EmitAsync(reader, b[j++], prefix, ChangeKind.Added, result, ct).ConfigureAwait(false); continue; }
            var x = a[i++];
            var y = b[j++];
            if (x.Id == y.Id && x.Kind == y.Kind) continue;
            if (x.Kind == ObjectKind.Blob && y.Kind == ObjectKind.Blob)
                result.Add(new EntryChange(prefix + x.Name, ChangeKind.Modified, x.Id, y.Id));
            else if (x.Kind == ObjectKind.Tree && y.Kind == ObjectKind.Tree)
                await DiffAsync(reader, x.Id, y.Id, prefix + x.Name + "/", result, ct).ConfigureAwait(false);
            else
            {
                await EmitAsync(reader, x, prefix, ChangeKind.Removed, result, ct).ConfigureAwait(false);
                await EmitAsync(reader, y, prefix, ChangeKind.Added, result, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task EmitAsync(ObjectReader reader, TreeEntry entry, string prefix, ChangeKind kind, List<EntryChange> result, CancellationToken ct)
    {
        if (entry.Kind == ObjectKind.Blob)
        {
            result.Add(kind == ChangeKind.Added
                ? new EntryChange(prefix + entry.Name, kind, null, entry.Id)
                : new EntryChange(prefix + entry.Name, kind, entry.Id, null));
            return;
        }
        var tree = await reader.GetTreeAsync(entry.Id, ct).ConfigureAwait(false);
        foreach (var child in tree.Entries.ToArray())
            await EmitAsync(reader, child, prefix + entry.Name + "/", kind, result, ct).ConfigureAwait(false);
    }
}
