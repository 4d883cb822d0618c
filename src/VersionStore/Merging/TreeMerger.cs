using System.Text;
using VersionStore.Internal;

namespace VersionStore.Merging;

/// <summary>
/// Entry-level three-way merge of snapshot trees. Both sides are diffed against the base (cost follows the
/// changes, not the snapshot); the result is our tree with their changes applied. An entry changed on one
/// side takes that side; changed alike on both is no conflict; changed differently (modify/modify,
/// modify/delete, add/add with different content) or an entry on one side where the other has a folder is a
/// conflict, which a resolver chosen by path may settle.
/// </summary>
internal static class TreeMerger
{
    /// <summary>Content of a virtual-base entry whose bases disagree: it equals neither side, so any difference between the sides conflicts (git writes conflict markers there).</summary>
    internal static readonly byte[] VirtualBaseConflict = Encoding.UTF8.GetBytes("vstore: conflicting merge bases\n");

    public static async Task<TreeMergeResult> MergeAsync(ObjectReader reader, IObjectStore store, VersionStoreOptions options,
        ObjectId? baseTree, ObjectId oursTree, ObjectId theirsTree, IReadOnlyList<MergeResolverRule> rules, CancellationToken ct)
    {
        if (oursTree == theirsTree || theirsTree == baseTree) return new TreeMergeResult(oursTree, [], []);
        if (oursTree == baseTree) return new TreeMergeResult(theirsTree, [], []);

        var ours = await TreeDiff.DiffAsync(reader, baseTree, oursTree, ct).ConfigureAwait(false);
        var theirs = await TreeDiff.DiffAsync(reader, baseTree, theirsTree, ct).ConfigureAwait(false);
        var oursByPath = new Dictionary<string, EntryChange>(ours.Count, StringComparer.Ordinal);
        foreach (var o in ours) oursByPath[o.Path] = o;
        var oursBlobs = new HashSet<string>(StringComparer.Ordinal);      // paths ours added or modified
        foreach (var o in ours) if (o.NewId is not null) oursBlobs.Add(o.Path);
        var oursBlobsSorted = oursBlobs.Order(StringComparer.Ordinal).ToArray();
        var theirsBlobs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in theirs) if (t.NewId is not null) theirsBlobs.Add(t.Path);

        var changes = new SnapshotChanges();
        var conflicts = new List<MergeConflict>();
        var resolved = new List<string>();
        foreach (var t in theirs)
        {
            if (oursByPath.TryGetValue(t.Path, out var o))
            {
                if (o.NewId == t.NewId) continue; // the same change on both sides (or both removed)
                var kind = (o.Kind, t.Kind) switch
                {
                    (ChangeKind.Added, ChangeKind.Added) => MergeConflictKind.BothAdded,
                    (ChangeKind.Modified, ChangeKind.Removed) => MergeConflictKind.ModifiedDeleted,
                    (ChangeKind.Removed, ChangeKind.Modified) => MergeConflictKind.DeletedModified,
                    _ => MergeConflictKind.BothModified,
                };
                var conflict = new MergeConflict(t.Path, kind, t.OldId, o.NewId, t.NewId);
                var resolution = await ResolveAsync(reader, conflict, rules, ct).ConfigureAwait(false);
                switch (resolution.Kind)
                {
                    case MergeResolutionKind.Unresolved: conflicts.Add(conflict); continue;
                    case MergeResolutionKind.Ours: break;
                    case MergeResolutionKind.Theirs: Apply(changes, t.Path, t.NewId); break;
                    case MergeResolutionKind.Delete: changes.Remove(t.Path); break;
                    case MergeResolutionKind.Content: changes.Put(t.Path, resolution.Content); break;
                }
                resolved.Add(t.Path);
                continue;
            }
            if (t.NewId is not null && CollidesWithFolderOrFile(t.Path, oursBlobs, oursBlobsSorted))
            {
                conflicts.Add(new MergeConflict(t.Path, MergeConflictKind.FileFolder, t.OldId, null, t.NewId));
                continue;
            }
            Apply(changes, t.Path, t.NewId);
        }
        // Ours put an entry where theirs put a folder (the reverse of the check above, from our side).
        var theirsSorted = theirsBlobs.Order(StringComparer.Ordinal).ToArray();
        foreach (var o in ours)
            if (o.NewId is not null && !theirsBlobs.Contains(o.Path) && CollidesWithFolderOrFile(o.Path, theirsBlobs, theirsSorted)
                && !conflicts.Any(c => c.Path == o.Path))
                conflicts.Add(new MergeConflict(o.Path, MergeConflictKind.FileFolder, o.OldId, o.NewId, null));

        if (conflicts.Count > 0)
        {
            conflicts.Sort((a, b) => EntryNames.Compare(a.Path, b.Path));
            return new TreeMergeResult(null, conflicts, resolved);
        }
        if (changes.Count == 0) return new TreeMergeResult(oursTree, [], resolved);
        var writer = new TreeWriter(reader, store, options);
        var tree = await writer.ApplyAsync(oursTree, changes, ct).ConfigureAwait(false);
        if (writer.NewObjects.Count > 0) await store.WriteAsync(writer.NewObjects, ct).ConfigureAwait(false);
        return new TreeMergeResult(tree, [], resolved);
    }

    private static void Apply(SnapshotChanges changes, string path, ObjectId? newId)
    {
        if (newId is { } id) changes.PutExisting(path, id);
        else changes.Remove(path);
    }

    /// <summary>True when <paramref name="path"/> lies under an entry of <paramref name="blobs"/>, or an entry of it lies under <paramref name="path"/>.</summary>
    private static bool CollidesWithFolderOrFile(string path, HashSet<string> blobs, string[] sorted)
    {
        for (var i = path.IndexOf('/'); i >= 0; i = path.IndexOf('/', i + 1))
            if (blobs.Contains(path[..i])) return true;
        var prefix = path + "/";
        var at = Array.BinarySearch(sorted, prefix, StringComparer.Ordinal);
        if (at < 0) at = ~at;
        return at < sorted.Length && sorted[at].StartsWith(prefix, StringComparison.Ordinal);
    }

    private static async ValueTask<MergeResolution> ResolveAsync(ObjectReader reader, MergeConflict conflict, IReadOnlyList<MergeResolverRule> rules, CancellationToken ct)
    {
        IMergeResolver? resolver = null;
        foreach (var rule in rules)
            if (PathPattern.IsMatch(rule.PathPattern, conflict.Path)) { resolver = rule.Resolver; break; }
        if (resolver is null) return MergeResolution.Unresolved;
        var input = new EntryMergeInput(conflict.Path, conflict.Kind, conflict.Base, conflict.Ours, conflict.Theirs,
            await ReadAsync(conflict.Base).ConfigureAwait(false), await ReadAsync(conflict.Ours).ConfigureAwait(false), await ReadAsync(conflict.Theirs).ConfigureAwait(false));
        return await resolver.ResolveAsync(input, ct).ConfigureAwait(false);

        async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(ObjectId? id) => id is { } i ? await reader.GetBlobAsync(i, ct).ConfigureAwait(false) : null;
    }
}
