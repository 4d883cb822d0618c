using CsCheck;

namespace VersionStore.Tests.Operations;

/// <summary>
/// The tree writer's law: a commit of changes (puts and removals, recorded in any order, on nested paths whose names
/// sort differently by UTF-16 and by code point) yields exactly the tree of a whole-snapshot commit of the resulting
/// entries — same root id — so the incremental path (sorted child lists, pooled merge buffer) never changes a snapshot.
/// </summary>
public sealed class TreeWriterLawTests
{
    // Names chosen so ordinal UTF-16 order and code-point order disagree ("\uFF61" < "😀" by code point, not by UTF-16),
    // with folders at several depths and a name that is both a prefix and a sibling ("a", "a-b", "a/b").
    private static readonly string[] Paths =
        ["a", "a-b", "b/a", "b/\uFF61", "b/😀", "b/c/d", "b/c/e", "n/0/x", "n/0/y", "n/f/z", "zz"];

    /// <summary>Each path: untouched (0), removed (1) or set to one of two contents (2, 3).</summary>
    private static readonly Gen<(int[] Base, int[] Change, int[] Order)> GenCase =
        Gen.Select(Gen.Int[0, 2].Array[Paths.Length], Gen.Int[0, 3].Array[Paths.Length], Gen.Int[0, 1000].Array[Paths.Length]);

    [Fact]
    public void ChangesOnABase_EqualTheWholeSnapshotOfTheResult()
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository("law");
        var branch = 0;
        GenCase.Sample(c =>
        {
            var (baseValues, change, order) = c;
            var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < Paths.Length; i++) if (baseValues[i] > 0) state[Paths[i]] = $"base {baseValues[i]}";
            var name = "b" + branch++;
            if (state.Count > 0) repo.CommitAsync(name, SnapshotChanges.FromEntries(Utf8(state)), new CommitOptions { AllowEmpty = true }).GetAwaiter().GetResult();

            var changes = new SnapshotChanges();
            foreach (var i in Enumerable.Range(0, Paths.Length).OrderBy(i => order[i]))
            {
                if (change[i] == 1) { changes.Remove(Paths[i]); state.Remove(Paths[i]); }
                else if (change[i] >= 2) { changes.Put(Paths[i], $"new {change[i]}"); state[Paths[i]] = $"new {change[i]}"; }
            }
            var delta = repo.CommitAsync(name, changes, new CommitOptions { AllowEmpty = true }).GetAwaiter().GetResult();
            var whole = repo.CommitAsync("w" + name, SnapshotChanges.FromEntries(Utf8(state)), new CommitOptions { AllowEmpty = true }).GetAwaiter().GetResult();
            return delta.Commit.Tree == whole.Commit.Tree;
        }, iter: 300, seed: "0Q8d6fGz3Wl1");
    }

    private static IEnumerable<KeyValuePair<string, byte[]>> Utf8(IDictionary<string, string> entries)
        => entries.Select(e => KeyValuePair.Create(e.Key, System.Text.Encoding.UTF8.GetBytes(e.Value)));

    [Fact]
    public async Task WrittenTreeMemory_KeepsTheNewestSnapshotOnly_AndABranchLeftBehindStillCommitsCorrectly()
    {
        var store = RepositoryStore.CreateInMemory();
        var repo = store.GetRepository("memory");
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 64; i++) entries[$"nodes/{i % 8}/n{i}"] = $"v0 {i}";
        var first = await repo.CommitAsync("main", SnapshotChanges.FromEntries(Utf8(entries)));
        await repo.CreateBranchAsync("draft", first.Commit.Id.ToString());
        var afterFirst = store.ObjectReader.WrittenTreeCount;

        for (var n = 1; n <= 200; n++)
            await repo.CommitAsync("main", new SnapshotChanges().Put($"nodes/{n % 8}/n{n % 64}", $"v{n}"));
        // Each commit replaces the trees on its path: the memory holds one snapshot's trees (root, nodes, 8 buckets), not 200 commits' worth.
        Assert.InRange(store.ObjectReader.WrittenTreeCount, 1, afterFirst);

        // draft still stands on the first snapshot, whose replaced trees are no longer in memory: read back from the store.
        var draft = await repo.CommitAsync("draft", new SnapshotChanges().Put("nodes/3/n3", "draft").Remove("nodes/5"));
        var expected = new SortedDictionary<string, string>(entries.Where(e => !e.Key.StartsWith("nodes/5/", StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal) { ["nodes/3/n3"] = "draft" };
        var whole = await repo.CommitAsync("expected", SnapshotChanges.FromEntries(Utf8(expected)));
        Assert.Equal(whole.Commit.Tree, draft.Commit.Tree);
    }
}
