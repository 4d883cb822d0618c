using VersionStore.Conformance;
using VersionStore.RocksDb.Internal;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>
/// A cold rollback (nothing verified in the process) on the embedded store reads the target's whole snapshot through the
/// row cache: damage to the stored bytes after they were read and cached, in the memtable or flushed into table files,
/// anywhere in a large level, is still found and the rollback rejected. The verification reads in place
/// (<see cref="IInPlaceBatchObjectStore"/>: each object hashed in RocksDB's pinned buffer, only trees copied); what it
/// reports is the same as through the copying batch read.
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

    /// <summary>The stored tree at <paramref name="path"/> ("" for the root) of commit <paramref name="commit"/>.</summary>
    private static async Task<ObjectId> TreeAtAsync(RocksDbBackend backend, Repository repo, ObjectId commit, string path)
    {
        var id = (await repo.GetCommitAsync(commit)).Tree;
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            id = ObjectCodec.DecodeTree(id, (await backend.TryReadAsync(id))!.Value.Span).Single(e => e.Name == name).Id;
        return id;
    }

    [Theory]
    [InlineData("graph/nodes", false)] // the 300-entry tree, damage still in the memtable
    [InlineData("graph/nodes", true)]  // ... flushed and compacted into table files
    [InlineData("", true)]             // the root tree
    public async Task Damage_to_a_tree_is_found_by_the_in_place_read(string path, bool compact)
    {
        var backend = RocksDbBackend.Open(_dir.Combine("db"));
        var observed = new InPlaceReads(backend);
        await using var store = new RepositoryStore(observed, backend, new VersionStoreOptions { VerifiedSnapshotTtl = TimeSpan.Zero }, ownedBackend: backend);
        var (repo, v1, v2, _) = await PublishAsync(store);
        await backend.CompactAsync();
        Assert.Equal(RollbackStatus.Succeeded, (await repo.RollbackAsync(Back(v1))).Status);
        await repo.UpdateRefAsync(_main, v2, v1, "restore", "test");

        var victim = await TreeAtAsync(backend, repo, v1, path);
        backend.PutRaw(KeyLayout.ObjectsFamily, victim.ToByteArray(), ObjectCodec.EncodeTree([new TreeEntry("tampered", ObjectKind.Blob, victim)]));
        if (compact) await backend.CompactAsync();
        var (inPlace, copied) = (observed.InPlaceCalls, observed.CopyingCalls);

        var result = await repo.RollbackAsync(Back(v1));

        Assert.Equal(RollbackStatus.Rejected, result.Status);
        Assert.Contains(victim.ToString(), result.Verification.Failure);
        Assert.Equal(v2, await repo.ResolveAsync("main"));
        Assert.True(observed.InPlaceCalls > inPlace, "the verification read in place");
        Assert.Equal(copied, observed.CopyingCalls);
    }

    [Theory]
    [InlineData("intact", false)]
    [InlineData("blob damaged", false)]
    [InlineData("blob damaged", true)]
    [InlineData("tree damaged", false)]
    [InlineData("tree damaged", true)]
    [InlineData("blob deleted", true)]
    [InlineData("tree deleted", false)]
    [InlineData("two blobs damaged", true)]
    public async Task The_in_place_read_reports_what_the_copying_read_reports(string damage, bool compact)
    {
        var backend = RocksDbBackend.Open(_dir.Combine("db"));
        var options = new VersionStoreOptions { VerifiedSnapshotTtl = TimeSpan.Zero };
        var inPlaceReads = new InPlaceReads(backend);
        var copyingReads = new CopyingReads(backend);
        await using var store = new RepositoryStore(inPlaceReads, backend, options, ownedBackend: backend);
        await using var copying = new RepositoryStore(copyingReads, backend, options);
        var (repo, v1, v2, blobs) = await PublishAsync(store);
        await backend.CompactAsync();
        var nodes = await TreeAtAsync(backend, repo, v1, "graph/nodes");
        var tampered = ObjectCodec.EncodeBlob("""{"type":"llm","title":"Tampered"}"""u8);
        switch (damage)
        {
            case "blob damaged": backend.PutRaw(KeyLayout.ObjectsFamily, blobs[120].Id.ToByteArray(), tampered); break;
            case "tree damaged": backend.PutRaw(KeyLayout.ObjectsFamily, nodes.ToByteArray(), tampered); break;
            case "blob deleted": backend.DeleteRaw(KeyLayout.ObjectsFamily, blobs[42].Id.ToByteArray()); break;
            case "tree deleted": backend.DeleteRaw(KeyLayout.ObjectsFamily, nodes.ToByteArray()); break;
            case "two blobs damaged":
                backend.PutRaw(KeyLayout.ObjectsFamily, blobs[250].Id.ToByteArray(), tampered);
                backend.PutRaw(KeyLayout.ObjectsFamily, blobs[9].Id.ToByteArray(), tampered);
                break;
        }
        if (compact) await backend.CompactAsync();

        var results = new List<(RollbackStatus, int, string?)>();
        foreach (var s in new[] { store, copying })
        {
            var r = await s.GetRepository("support-bot").RollbackAsync(Back(v1));
            results.Add((r.Status, r.Verification.ObjectsVerified, r.Verification.Failure));
            if (r.Status == RollbackStatus.Succeeded) await repo.UpdateRefAsync(_main, v2, v1, "restore", "test");
        }

        Assert.Equal(results[0], results[1]);
        Assert.Equal(damage == "intact" ? RollbackStatus.Succeeded : RollbackStatus.Rejected, results[0].Item1);
        Assert.True(inPlaceReads.InPlaceCalls > 0 && inPlaceReads.CopyingCalls == 0, "one store read in place");
        Assert.True(copyingReads.CopyingCalls > 0, "the other through the copying batch read");
        if (damage == "two blobs damaged") Assert.Contains(blobs[9].Id.ToString(), results[0].Item3); // the first in the level
    }

    /// <summary>The backend's objects through the copying batch read only (no <see cref="IInPlaceBatchObjectStore"/>), counting batch calls.</summary>
    private class CopyingReads(RocksDbBackend backend) : IObjectStore, IBatchObjectStore
    {
        protected RocksDbBackend Backend => backend;
        public int CopyingCalls;

        public ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref CopyingCalls);
            return backend.TryReadManyAsync(ids, cancellationToken);
        }

        public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default) => backend.TryReadAsync(id, cancellationToken);
        public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) => backend.ContainsAsync(id, cancellationToken);
        public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default) => backend.WriteAsync(objects, cancellationToken);
        public IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default) => backend.FindByPrefixAsync(hexPrefix, limit, cancellationToken);
    }

    /// <summary>The same, with the backend's in-place batch read, counted too.</summary>
    private sealed class InPlaceReads(RocksDbBackend backend) : CopyingReads(backend), IInPlaceBatchObjectStore
    {
        public int InPlaceCalls;

        public ValueTask ReadManyInPlaceAsync(IReadOnlyList<ObjectId> ids, IObjectBytesVisitor visitor, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref InPlaceCalls);
            return Backend.ReadManyInPlaceAsync(ids, visitor, cancellationToken);
        }
    }
}
