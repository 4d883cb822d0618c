using VersionStore.Conformance;
using Xunit;

namespace VersionStore.S3.Tests;

/// <summary>
/// Batch reads and read-ahead of the S3 pack store against a real s3rver, counted in GET requests: a cold snapshot
/// read costs one GET per run of neighbouring pack entries, and one GET per pack with read-ahead.
/// </summary>
public sealed class S3BatchReadTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_owned)) await d.DisposeAsync();
    }

    private async Task<S3PackObjectStore> OpenAsync(S3PackStoreOptions options)
    {
        var store = await S3PackObjectStore.OpenAsync(options);
        _owned.Add(store);
        return store;
    }

    /// <summary>A workflow snapshot from real Dify exports: 120 node entries, 30 edge entries and one settings entry.</summary>
    private static SnapshotChanges Workflow(int version)
    {
        var chunks = TestData.DifyBlobs(151);
        var changes = new SnapshotChanges();
        for (var i = 0; i < chunks.Count; i++)
        {
            var content = chunks[i].Data[ObjectCodec.HeaderSize..].ToArray();
            if (i < 3 && version > 1) content = [.. content, .. System.Text.Encoding.UTF8.GetBytes($"\n# edit {version}")];
            var path = i < 120 ? $"nodes/n-{i:D3}" : i < 150 ? $"edges/e-{i - 120:D2}" : "settings";
            changes.Put(path, content);
        }
        return changes;
    }

    [Fact]
    public async Task A_batch_answers_in_order_with_null_for_missing_ids_and_costs_one_GET_per_run_of_neighbours()
    {
        var options = S3TestServer.Options();
        options.ReadAheadBytes = 0;
        options.BatchReadGapBytes = 0;
        var writer = await OpenAsync(options);
        var blobs = TestData.DifyBlobs(60);
        await writer.WriteAsync(blobs);
        Assert.Equal(1, writer.PackCount);

        var reader = await OpenAsync(options);
        var missing = ObjectId.Compute(ObjectCodec.EncodeBlob("not stored"u8));
        ObjectId[] ids = [.. blobs.Select(b => b.Id).Reverse(), missing, blobs[7].Id];
        var before = reader.Metrics.GetRequests;
        var read = await reader.TryReadManyAsync(ids);

        Assert.Equal(1, reader.Metrics.GetRequests - before); // every entry of the pack, adjacent: one ranged GET
        Assert.Equal(ids.Length, read.Length);
        for (var i = 0; i < blobs.Count; i++)
            Assert.True(read[i]!.Value.Span.SequenceEqual(blobs[blobs.Count - 1 - i].Data.Span), $"answer {i} is not its id's bytes");
        Assert.Null(read[blobs.Count]);
        Assert.True(read[^1]!.Value.Span.SequenceEqual(blobs[7].Data.Span));

        // Every other entry (by pack offset), no gap allowed: one GET per entry asked for.
        var located = blobs.Select(b => (b, Entry: reader.TryLocate(b.Id, out _, out var e) ? e : throw new InvalidOperationException())).OrderBy(x => x.Entry.Offset).ToList();
        var everyOther = located.Where((_, i) => i % 2 == 0).Select(x => x.b.Id).ToList();
        before = reader.Metrics.GetRequests;
        await reader.TryReadManyAsync(everyOther);
        Assert.Equal(everyOther.Count, reader.Metrics.GetRequests - before);
    }

    [Fact]
    public async Task Gaps_up_to_the_limit_are_read_through_in_one_GET()
    {
        var options = S3TestServer.Options();
        options.ReadAheadBytes = 0;
        options.BatchReadGapBytes = 1024 * 1024;
        var writer = await OpenAsync(options);
        var blobs = TestData.DifyBlobs(60);
        await writer.WriteAsync(blobs);

        var reader = await OpenAsync(options);
        var everyThird = blobs.Where((_, i) => i % 3 == 0).ToList();
        var before = reader.Metrics.GetRequests; // opening GETs the pack's index
        var read = await reader.TryReadManyAsync([.. everyThird.Select(b => b.Id)]);
        Assert.Equal(1, reader.Metrics.GetRequests - before);
        for (var i = 0; i < everyThird.Count; i++) Assert.True(read[i]!.Value.Span.SequenceEqual(everyThird[i].Data.Span));
    }

    [Fact]
    public async Task A_flipped_byte_is_detected_in_a_batch_and_names_the_object()
    {
        var options = S3TestServer.Options();
        var writer = await OpenAsync(options);
        var blobs = TestData.DifyBlobs(40);
        await writer.WriteAsync(blobs);
        var victim = blobs[11];
        Assert.True(writer.TryLocate(victim.Id, out var pack, out var entry));
        var bytes = await S3TestServer.RawGetAsync(writer.PackKey(pack));
        bytes[entry.Offset + entry.StoredLength / 2] ^= 0x10;
        await S3TestServer.RawPutAsync(writer.PackKey(pack), bytes);

        var reader = await OpenAsync(options); // read-ahead on: the whole pack comes in one GET, every object is still verified
        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await reader.TryReadManyAsync([.. blobs.Select(b => b.Id)]));
        Assert.Equal(victim.Id, e.ObjectId);
        var others = blobs.Where(b => b.Id != victim.Id).ToList();
        var read = await reader.TryReadManyAsync([.. others.Select(b => b.Id)]);
        for (var i = 0; i < others.Count; i++) Assert.True(read[i]!.Value.Span.SequenceEqual(others[i].Data.Span));
        await Assert.ThrowsAsync<CorruptObjectException>(async () => await reader.TryReadAsync(victim.Id));
    }

    [Fact]
    public async Task A_cold_checkout_is_one_GET_and_a_cold_verified_rollback_one_GET_per_pack()
    {
        var options = S3TestServer.Options();
        var refs = new InMemoryRefStore();
        var writer = await OpenAsync(options);
        var repo = new RepositoryStore(writer, refs).GetRepository("wf");
        var v1 = await repo.CommitAsync("main", Workflow(1), new CommitOptions { Message = "v1", Author = "ops@example.com" });
        var packsOfV1 = writer.PackCount;
        Assert.Equal(1, packsOfV1); // one commit, one write, one pack
        await repo.CommitAsync("main", Workflow(2), new CommitOptions { Message = "v2", Author = "ops@example.com" });

        // Checkout + materialise v1 from a store that has only loaded the pack indexes.
        var cold = await OpenAsync(options);
        var coldRepo = new RepositoryStore(cold, refs).GetRepository("wf");
        var opened = cold.Metrics.GetRequests; // the pack indexes, fetched at open
        var snapshot = await coldRepo.CheckoutAsync(v1.Id.ToString());
        var entries = await snapshot.ReadAllAsync();
        Assert.Equal(151, entries.Count);
        Assert.Equal(1, cold.Metrics.GetRequests - opened); // commit, root tree, both subtrees and 151 blobs: one GET

        // A rollback to v1 verifying its whole snapshot (no verification cache): the head's pack and v1's pack.
        var coldForRollback = await OpenAsync(options);
        opened = coldForRollback.Metrics.GetRequests;
        var rollbackRepo = new RepositoryStore(coldForRollback, refs, new VersionStoreOptions { VerifiedSnapshotTtl = TimeSpan.Zero }).GetRepository("wf");
        var result = await rollbackRepo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = v1.Id.ToString(), Reason = "bad output", Actor = "ops" });
        Assert.Equal(RollbackStatus.Succeeded, result.Status);
        Assert.True(result.Verification.ObjectsVerified >= 154, $"verified {result.Verification.ObjectsVerified} objects");
        Assert.Equal(2, coldForRollback.Metrics.GetRequests - opened);
    }

    [Fact]
    public async Task Without_read_ahead_a_cold_snapshot_costs_one_GET_per_tree_level_not_one_per_object()
    {
        var options = S3TestServer.Options();
        options.ReadAheadBytes = 0;
        options.BatchReadGapBytes = 1024 * 1024;
        var refs = new InMemoryRefStore();
        var writer = await OpenAsync(options);
        var v1 = await new RepositoryStore(writer, refs).GetRepository("wf").CommitAsync("main", Workflow(1), new CommitOptions { Message = "v1", Author = "ops@example.com" });

        var cold = await OpenAsync(options);
        var opened = cold.Metrics.GetRequests; // the pack index, fetched at open
        var snapshot = await new RepositoryStore(cold, refs).GetRepository("wf").CheckoutAsync(v1.Id.ToString());
        var afterCheckout = cold.Metrics.GetRequests;
        Assert.Equal(2, afterCheckout - opened); // the commit and the root tree
        var entries = await snapshot.ReadAllAsync();
        Assert.Equal(151, entries.Count);
        Assert.Equal(2, cold.Metrics.GetRequests - afterCheckout); // the level of subtrees, then every blob
    }
}
