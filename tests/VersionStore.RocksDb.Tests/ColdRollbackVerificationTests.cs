using VersionStore.Conformance;
using VersionStore.RocksDb.Internal;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>
/// A cold rollback (nothing verified in the process) on the embedded store reads the target's whole snapshot through the
/// row cache: damage to the stored bytes after they were read and cached, in the memtable or flushed into table files,
/// anywhere in a large level, is still found and the rollback rejected.
/// </summary>
public sealed class ColdRollbackVerificationTests : IDisposable
{
    private readonly TempDirectory _dir = new("cold-rollback");
    private readonly RefName _main = RefName.Branch("main");

    public void Dispose() => _dir.Dispose();

    /// <summary>A snapshot of 300 real Dify node-sized blobs in one folder (one level of 300), then a second version.</summary>
    private static async Task<(Repository Repo, ObjectId V1, ObjectId V2, IReadOnlyList<EncodedObject> Blobs)> PublishAsync(RepositoryStore store)
    {
        var repo = store.GetRepository("support-bot");
        var blobs = TestData.DifyBlobs(301);
        Assert.Equal(301, blobs.Count);
        var entries = blobs.Take(300).Select((b, i) => KeyValuePair.Create($"graph/nodes/n{i:D3}", b.Data[ObjectCodec.HeaderSize..].ToArray()));
        var v1 = await repo.CommitAsync("main", SnapshotChanges.FromEntries(entries), new CommitOptions { Message = "v1" });
        var edit = new SnapshotChanges();
        edit.Put("graph/nodes/n000", blobs[300].Data[ObjectCodec.HeaderSize..].ToArray());
        var v2 = await repo.CommitAsync("main", edit, new CommitOptions { Message = "v2" });
        return (repo, v1.Id, v2.Id, blobs);
    }

    private RollbackRequest Back(ObjectId target) => new() { Ref = _main, Target = target.ToString(), Reason = "error rate above threshold", Mode = RollbackMode.Reset };

    [Theory]
    [InlineData(1, false)]   // near the start of the large level, damage still in the memtable
    [InlineData(150, true)]  // in the middle, damage flushed and compacted into table files
    [InlineData(299, true)]  // the last object
    public async Task Damage_after_a_cached_read_is_found_anywhere_in_the_largest_level(int damaged, bool compact)
    {
        var backend = RocksDbBackend.Open(_dir.Combine("db"));
        await using var store = new RepositoryStore(backend, backend, new VersionStoreOptions { VerifiedSnapshotTtl = TimeSpan.Zero }, ownedBackend: backend);
        var (repo, v1, v2, blobs) = await PublishAsync(store);
        await backend.CompactAsync(); // the snapshot in table files: reads below go through (and fill) the row cache

        var first = await repo.RollbackAsync(Back(v1));
        Assert.Equal(RollbackStatus.Succeeded, first.Status);
        Assert.Equal(303, first.Verification.ObjectsVerified); // root, graph, graph/nodes, 300 blobs
        await repo.UpdateRefAsync(_main, v2, v1, "restore", "test");

        var victim = blobs[damaged].Id;
        backend.PutRaw(KeyLayout.ObjectsFamily, victim.ToByteArray(), ObjectCodec.EncodeBlob("""{"type":"llm","title":"Tampered"}"""u8));
        if (compact) await backend.CompactAsync();

        var second = await repo.RollbackAsync(Back(v1));
        Assert.Equal(RollbackStatus.Rejected, second.Status);
        Assert.Contains(victim.ToString(), second.Verification.Failure);
        Assert.Equal(v2, await repo.ResolveAsync("main"));
    }

    [Fact]
    public async Task An_object_deleted_after_a_cached_read_is_reported_missing()
    {
        var backend = RocksDbBackend.Open(_dir.Combine("db"));
        await using var store = new RepositoryStore(backend, backend, new VersionStoreOptions { VerifiedSnapshotTtl = TimeSpan.Zero }, ownedBackend: backend);
        var (repo, v1, v2, blobs) = await PublishAsync(store);
        await backend.CompactAsync();
        Assert.Equal(RollbackStatus.Succeeded, (await repo.RollbackAsync(Back(v1))).Status);
        await repo.UpdateRefAsync(_main, v2, v1, "restore", "test");

        backend.DeleteRaw(KeyLayout.ObjectsFamily, blobs[200].Id.ToByteArray());
        await backend.CompactAsync();

        var result = await repo.RollbackAsync(Back(v1));
        Assert.Equal(RollbackStatus.Rejected, result.Status);
        Assert.Contains($"blob {blobs[200].Id} at 'graph/nodes/n200' is missing", result.Verification.Failure);
        Assert.Equal(v2, await repo.ResolveAsync("main"));
    }

    [Fact]
    public async Task Values_rewritten_or_deleted_after_a_read_are_read_as_stored_now_with_and_without_the_row_cache()
    {
        foreach (var rowCache in new[] { 32L << 20, 0L })
        {
            using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = _dir.Combine($"db-{rowCache}"), RowCacheSizeBytes = rowCache });
            var blobs = TestData.DifyBlobs(200);
            await backend.WriteAsync(blobs);
            await backend.CompactAsync();
            var ids = blobs.Select(b => b.Id).ToArray();
            Assert.All(await backend.TryReadManyAsync(ids), (d, i) => Assert.Equal(blobs[i].Data.ToArray(), d!.Value.ToArray()));

            var other = ObjectCodec.EncodeBlob("rewritten"u8);
            backend.PutRaw(KeyLayout.ObjectsFamily, ids[7].ToByteArray(), other);
            backend.DeleteRaw(KeyLayout.ObjectsFamily, ids[8].ToByteArray());
            for (var round = 0; round < 2; round++)
            {
                var again = await backend.TryReadManyAsync(ids);
                Assert.Equal(other, again[7]!.Value.ToArray());
                Assert.Equal(other, (await backend.TryReadAsync(ids[7]))!.Value.ToArray());
                Assert.Null(again[8]);
                Assert.Null(await backend.TryReadAsync(ids[8]));
                Assert.Equal(blobs[9].Data.ToArray(), again[9]!.Value.ToArray());
                await backend.CompactAsync(); // second round: from new table files, the old ones (and their cached rows) gone
            }
        }
    }
}
