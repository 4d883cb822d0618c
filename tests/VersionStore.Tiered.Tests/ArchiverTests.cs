using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Tiered.Tests;

/// <summary>Outbox-driven archiving (warm → cold): crash safety with the file outbox, reopen, torn tails.</summary>
public sealed class ArchiverTests : IDisposable
{
    private static readonly IReadOnlyList<EncodedObject> Blobs = TestData.DifyBlobs(max: 60);
    private readonly TempDirectory _dir = new("tiered-outbox");
    private readonly MemoryCacheTier _durable = new(maxBytes: null);
    private readonly MemoryCacheTier _archiveData = new(maxBytes: null);

    public void Dispose() => _dir.Dispose();

    private TieredObjectStore Create(IOutbox outbox, IObjectStore archive, IObjectStore? durable = null) => new(new TieredObjectStoreOptions
    {
        Tiers =
        {
            new StorageTier("rocksdb", durable ?? _durable, TierRole.Durable),
            new StorageTier("s3", archive, TierRole.Archive),
        },
        ArchiveOutbox = outbox,
    });

    [Fact]
    public async Task Writes_never_wait_on_the_archive_and_the_archiver_copies_everything()
    {
        var archive = ChaosStore.Wrap(_archiveData, "s3").Fail(ChaosOperation.All);
        using var outbox = FileOutbox.Open(_dir.Combine("outbox"));
        var store = Create(outbox, archive);
        await store.WriteAsync(Blobs.Take(20).ToList()); // archive down: the write still succeeds
        Assert.Equal(0, archive.Calls());
        Assert.Equal(20, outbox.PendingCount);

        var archiver = new ArchiverService(store, new ArchiverOptions { BatchSize = 8 });
        var failed = await archiver.RunOnceAsync();
        Assert.False(failed.Succeeded);
        Assert.Equal(20, failed.Pending);

        archive.Down = false;
        var ok = await archiver.RunOnceAsync();
        Assert.True(ok.Succeeded);
        Assert.Equal(20, ok.Archived);
        Assert.Equal(0, ok.Pending);
        foreach (var o in Blobs.Take(20)) Assert.True((await _archiveData.TryReadAsync(o.Id))!.Value.Span.SequenceEqual(o.Data.Span));
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_archiving_loses_nothing_after_a_restart()
    {
        var path = _dir.Combine("outbox");
        var all = Blobs.Take(50).ToList();
        {
            var archive = ChaosStore.Wrap(_archiveData, "s3").Fail(ChaosOperation.Write, after: 2); // the "process" dies during the 3rd batch
            var outbox = FileOutbox.Open(path);
            var store = Create(outbox, archive);
            for (var i = 0; i < all.Count; i += 10) await store.WriteAsync(all.Skip(i).Take(10).ToList());
            var run = await new ArchiverService(store, new ArchiverOptions { BatchSize = 10 }).RunOnceAsync();
            Assert.Equal(20, run.Archived);
            Assert.Equal(30, run.Pending);
            outbox.Dispose(); // the process is gone; the file is all that survives
        }
        // A torn last record of the crash (half a record written).
        await using (var f = new FileStream(path, FileMode.Append)) f.Write(new byte[17]);

        using var reopened = FileOutbox.Open(path);
        Assert.Equal(1, reopened.TruncatedRecords);
        Assert.Equal(30, reopened.PendingCount);
        var restarted = Create(reopened, _archiveData);
        var resumed = await new ArchiverService(restarted).RunOnceAsync();
        Assert.True(resumed.Succeeded);
        Assert.Equal(30, resumed.Archived);
        Assert.Equal(0, reopened.PendingCount);
        foreach (var o in all) Assert.True((await _archiveData.TryReadAsync(o.Id))!.Value.Span.SequenceEqual(o.Data.Span));

        using var again = OpenAfterDispose(reopened, path);
        Assert.Equal(0, again.PendingCount); // completions were durable too
    }

    private static FileOutbox OpenAfterDispose(FileOutbox outbox, string path)
    {
        outbox.Dispose();
        return FileOutbox.Open(path);
    }

    [Fact]
    public async Task Ids_whose_durable_write_failed_are_dropped_not_archived()
    {
        var durable = ChaosStore.Wrap(_durable, "rocksdb").Fail(ChaosOperation.All);
        using var outbox = FileOutbox.Open(_dir.Combine("outbox"));
        var store = Create(outbox, _archiveData, durable);
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await store.WriteAsync(Blobs.Take(3).ToList()));
        Assert.Equal(3, outbox.PendingCount); // the outbox is written first, so it may name unacknowledged objects

        durable.Down = false;
        var run = await new ArchiverService(store).RunOnceAsync();
        Assert.Equal(0, run.Archived);
        Assert.Equal(3, run.Dropped);
        Assert.Equal(0, _archiveData.Count);
    }

    [Fact]
    public async Task A_corrupt_source_copy_stays_in_the_outbox_and_is_not_archived()
    {
        using var outbox = FileOutbox.Open(_dir.Combine("outbox"));
        var store = Create(outbox, _archiveData);
        var objects = Blobs.Take(3).ToList();
        await store.WriteAsync(objects);
        var bad = objects[1].Data.ToArray();
        bad[^1] ^= 0xff;
        _durable.Overwrite(objects[1].Id, bad);

        var run = await new ArchiverService(store).RunOnceAsync();
        Assert.Equal(2, run.Archived);
        Assert.Equal(1, run.Stuck);
        Assert.Equal(1, outbox.PendingCount);
        Assert.False(await _archiveData.ContainsAsync(objects[1].Id));
    }

    [Fact]
    public void The_outbox_file_is_held_exclusively()
    {
        var path = _dir.Combine("outbox");
        using var first = FileOutbox.Open(path);
        var e = Assert.Throws<BackendUnavailableException>(() => FileOutbox.Open(path));
        Assert.Equal("outbox", e.Backend);
    }

    [Fact]
    public async Task Compaction_keeps_exactly_the_pending_ids()
    {
        var path = _dir.Combine("outbox");
        var ids = Blobs.Select(b => b.Id).ToList();
        using (var outbox = FileOutbox.Open(path, compactionThreshold: 8))
        {
            await outbox.AppendAsync(ids);
            await outbox.CompleteAsync(ids.Take(ids.Count - 3).ToList()); // triggers a rewrite
            Assert.Equal(3, outbox.PendingCount);
        }
        Assert.True(new FileInfo(path).Length < 8 + 10 * 37);
        using var reopened = FileOutbox.Open(path);
        Assert.Equal(ids.TakeLast(3), await reopened.PeekAsync(10));
    }
}
