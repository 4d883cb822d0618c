using CsCheck;
using VersionStore.Tests.Encoding;

namespace VersionStore.Tests.Operations;

/// <summary>Diff laws over random snapshots: diff(a, a) is empty; applying diff(a, b) to a gives b.</summary>
public sealed class DiffLawTests
{
    private static readonly Gen<Dictionary<string, byte[]>> Snapshot =
        Gen.Select(CodecPropertyTests.EntryName.Array[1, 3].Select(p => string.Join('/', p)), Gen.Byte.Array[0, 24]).Array[0, 25]
            .Select(pairs =>
            {
                var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var (path, content) in pairs)
                {
                    // A path cannot be both an entry and a folder: skip any that would clash.
                    if (result.Keys.Any(k => k.StartsWith(path + "/", StringComparison.Ordinal) || path.StartsWith(k + "/", StringComparison.Ordinal))) continue;
                    result[path] = content;
                }
                return result;
            });

    [Fact]
    public void Diff_of_a_snapshot_with_itself_is_empty_and_applying_a_diff_reproduces_the_target()
        => Gen.Select(Snapshot, Snapshot).Sample(pair =>
        {
            var (a, b) = pair;
            RunAsync(a, b).GetAwaiter().GetResult();
        }, seed: CodecPropertyTests.Seed, iter: 150, threads: 1);

    private static async Task RunAsync(Dictionary<string, byte[]> a, Dictionary<string, byte[]> b)
    {
        var store = RepositoryStore.CreateInMemory();
        var repo = store.GetRepository("laws");
        var ca = await repo.CommitAsync("a", SnapshotChanges.FromEntries(a));
        var cb = await repo.CommitAsync("b", SnapshotChanges.FromEntries(b));
        Assert.Empty(await repo.DiffAsync(ca.Id, ca.Id));

        var diff = await repo.DiffAsync(ca.Id, cb.Id);
        var changes = new SnapshotChanges();
        foreach (var change in diff)
        {
            if (change.Kind == ChangeKind.Removed) changes.Remove(change.Path);
            else changes.PutExisting(change.Path, change.NewId!.Value);
        }
        var applied = await repo.CommitAsync("a", changes);
        Assert.Equal(cb.Commit.Tree, applied.Commit.Tree);

        // Each change names an entry whose presence and content agree with the two snapshots.
        foreach (var change in diff)
        {
            Assert.Equal(change.Kind != ChangeKind.Added, a.ContainsKey(change.Path));
            Assert.Equal(change.Kind != ChangeKind.Removed, b.ContainsKey(change.Path));
        }
        Assert.Equal(a.Keys.Union(b.Keys).Count(k => !a.ContainsKey(k) || !b.ContainsKey(k) || !a[k].AsSpan().SequenceEqual(b[k])), diff.Count);
    }
}
