using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using VersionStore.Conformance;
using VersionStore.RocksDb.Internal;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>
/// The write times garbage collection's grace period rests on (docs/FORMAT-rocksdb.md, layout 2): one batch record per
/// write batch, legacy per-object entries of layout 1 still read, the upgrade from 1 to 2, and damaged entries, which must
/// never make an object look old.
/// </summary>
public sealed class WriteTimeTests : IDisposable
{
    private static readonly DateTimeOffset T = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);

    private readonly TempDirectory _dir = new("rocks-written");
    private readonly FakeTimeProvider _clock = new(T);

    public void Dispose() => _dir.Dispose();

    private string DbPath => _dir.Combine("db");

    private RocksDbBackend Open(bool readOnly = false) => RocksDbBackend.Open(new RocksDbBackendOptions { Path = DbPath, TimeProvider = _clock, ReadOnly = readOnly });

    private static EncodedObject Blob(string content) => TestData.Blob(System.Text.Encoding.UTF8.GetBytes(content));

    private static long Micros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static byte[] RecordKey(DateTimeOffset t, long disambiguator)
    {
        var key = new byte[KeyLayout.WriteRecordKeySize];
        KeyLayout.WriteRecordKey(key, Micros(t), disambiguator);
        return key;
    }

    private static byte[] LegacyValue(DateTimeOffset t)
    {
        var value = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, Micros(t));
        return value;
    }

    private static async Task<Dictionary<ObjectId, DateTimeOffset?>> ListAsync(RocksDbBackend backend)
    {
        var listed = new Dictionary<ObjectId, DateTimeOffset?>();
        await foreach (var o in backend.ListObjectsAsync()) listed.Add(o.Id, o.WrittenAt);
        return listed;
    }

    private static async Task<long> SweepAsync(RocksDbBackend backend, IReadOnlyCollection<ObjectId> ids, DateTimeOffset cutoff)
        => (await backend.DeleteObjectsAsync(ids, cutoff)).Sum(r => r.ObjectsDeleted);

    [Fact]
    public async Task A_write_batch_puts_one_write_time_record_naming_all_its_objects()
    {
        using var backend = Open();
        var objects = Enumerable.Range(0, 10).Select(i => Blob($"node {i}")).ToList();
        await backend.WriteAsync(objects);

        var record = Assert.Single(backend.ReadRaw(KeyLayout.WrittenFamily));
        Assert.Equal(KeyLayout.WriteRecordKeySize, record.Key.Length);
        Assert.Equal(Micros(T), BinaryPrimitives.ReadInt64BigEndian(record.Key));
        Assert.Equal(objects.SelectMany(o => o.Id.ToByteArray()).ToArray(), record.Value);

        // A commit (objects + ref + audit, one batch) adds one record too; a batch of more than 4,096 objects one per 4,096.
        var commitObjects = new[] { Blob("tree"), Blob("commit") };
        var entry = new AuditEntry(RefName.Branch("main"), 1, null, commitObjects[1].Id, "commit", "ana", T, null, ObjectId.Zero);
        Assert.True(await backend.WriteObjectsAndTryUpdateRefAsync(commitObjects, new RefUpdate("support-bot", null, entry)));
        Assert.Equal(2, backend.ReadRaw(KeyLayout.WrittenFamily).Count);
        var bulk = Enumerable.Range(0, 5_000).Select(i => Blob($"bulk {i}")).ToList();
        await backend.WriteAsync(bulk);
        var records = backend.ReadRaw(KeyLayout.WrittenFamily);
        Assert.Equal(4, records.Count);
        Assert.Equal(bulk.SelectMany(o => o.Id.ToByteArray()).ToArray(), records.Skip(2).SelectMany(r => r.Value).ToArray());
        Assert.Equal(4096 * ObjectId.Size, records[2].Value.Length);
        Assert.All(await ListAsync(backend), o => Assert.Equal(T, o.Value));
    }

    [Fact]
    public async Task Within_the_grace_period_nothing_is_swept_before_it_is_and_a_rewrite_refreshes()
    {
        using var backend = Open();
        var old = Blob("old");
        var rewritten = Blob("rewritten");
        var atCutoff = Blob("written exactly at the cut-off");
        await backend.WriteAsync([old, rewritten]);
        _clock.Advance(TimeSpan.FromMinutes(60));
        await backend.WriteAsync([atCutoff]);
        _clock.Advance(TimeSpan.FromMinutes(60));
        var young = Blob("young");
        await backend.WriteAsync([young]);
        await backend.WriteAsync([rewritten]);

        var now = _clock.GetUtcNow();
        var listed = await ListAsync(backend);
        Assert.Equal(T, listed[old.Id]);
        Assert.Equal(now, listed[rewritten.Id]); // the newest write
        Assert.Equal(now, listed[young.Id]);
        Assert.Equal(T + Grace, listed[atCutoff.Id]);

        Assert.Equal(1, await SweepAsync(backend, [old.Id, rewritten.Id, young.Id, atCutoff.Id, Blob("never written").Id], now - Grace));
        Assert.False(await backend.ContainsAsync(old.Id));
        Assert.True(await backend.ContainsAsync(rewritten.Id));
        Assert.True(await backend.ContainsAsync(young.Id));
        Assert.True(await backend.ContainsAsync(atCutoff.Id)); // "written at or after the cut-off" is young
        // The record older than the cut-off was trimmed; those at or after it stay.
        Assert.Equal([Micros(T + Grace), Micros(now), Micros(now)],
            backend.ReadRaw(KeyLayout.WrittenFamily).Select(r => BinaryPrimitives.ReadInt64BigEndian(r.Key)).ToArray());

        // Once the grace period has passed for them too, they go.
        _clock.Advance(Grace + TimeSpan.FromMicroseconds(1));
        Assert.Equal(3, await SweepAsync(backend, [rewritten.Id, young.Id, atCutoff.Id], _clock.GetUtcNow() - Grace));
        Assert.Empty(backend.ReadRaw(KeyLayout.WrittenFamily));
        Assert.Empty(await ListAsync(backend));
    }

    [Fact]
    public async Task Writers_during_sweeps_lose_nothing_and_batches_of_the_same_microsecond_never_share_a_record()
    {
        using var backend = Open();
        var objects = Enumerable.Range(0, 400).Select(i => Blob($"object {i}")).ToArray();
        await backend.WriteAsync(objects);
        _clock.Advance(TimeSpan.FromHours(2)); // all old now; the clock stays put, so every write below has the same microsecond
        var ids = objects.Select(o => o.Id).ToArray();
        var cutoff = _clock.GetUtcNow() - Grace;
        Assert.Equal(objects.Length, await SweepAsync(backend, ids, cutoff)); // the long first sweep (and its compaction) out of the way

        // Each writer writes again half of its own quarter, each object once, in batches of 1–5: once its write is
        // acknowledged an object is young for every sweep below (same cut-off, fixed clock), so it must never be deleted. A
        // sweep that checked the write times apart from its delete would delete one rewritten between the check and the delete.
        const int writers = 4;
        using var done = new CancellationTokenSource();
        var sweeps = 0;
        var swept = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sweeper = Task.Run(async () =>
        {
            try
            {
                while (!done.IsCancellationRequested)
                {
                    await backend.DeleteObjectsAsync(ids, cutoff);
                    sweeps++;
                    Interlocked.Exchange(ref swept, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
                }
            }
            finally { swept.TrySetResult(); }
        });
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var quarter = objects.Skip(w * objects.Length / writers).Take(objects.Length / writers).ToArray();
            var mine = quarter.Where((_, i) => i % 2 == 0).OrderBy(_ => random.Next()).ToList();
            var batches = 0;
            for (var next = 0; next < mine.Count; batches++)
            {
                // One batch per sweep at most, so the writes spread over many sweeps and land at any point of one.
                await Volatile.Read(ref swept).Task;
                var batch = mine.GetRange(next, Math.Min(1 + random.Next(5), mine.Count - next));
                await backend.WriteAsync(batch);
                next += batch.Count;
            }
            return (Rewritten: mine.Select(o => o.Id), Batches: batches);
        })));
        await done.CancelAsync();
        await sweeper; // (a failed sweep fails the test here)

        var rewritten = results.SelectMany(r => r.Rewritten).ToHashSet();
        var lost = 0;
        foreach (var id in rewritten)
            if (!await backend.ContainsAsync(id)) lost++;
        Assert.True(lost == 0, $"{lost} of {rewritten.Count} objects were rewritten, acknowledged, then deleted ({sweeps} sweeps)");
        // Every batch kept its own record: the same microsecond, distinct keys, none overwritten.
        var records = backend.ReadRaw(KeyLayout.WrittenFamily);
        Assert.Equal(results.Sum(r => r.Batches), records.Count);
        Assert.Equal(records.Count, records.Select(r => Convert.ToHexString(r.Key)).Distinct().Count());
        Assert.Equal(rewritten.Count, records.Sum(r => r.Value.Length / ObjectId.Size));
        // The ones never rewritten are gone; a last sweep deletes nothing more.
        Assert.Equal(0, await SweepAsync(backend, ids, cutoff));
        foreach (var id in ids) Assert.Equal(rewritten.Contains(id), await backend.ContainsAsync(id));
    }

    /// <summary>A layout-1 store as that build wrote it: version 1, objects, and one legacy write-time entry per object.</summary>
    private void WriteLayout1Store(params (EncodedObject Object, DateTimeOffset? WrittenAt)[] objects)
    {
        using var backend = Open();
        backend.PutRaw("default", KeyLayout.FormatKey, [KeyLayout.LegacyFormatVersion]);
        foreach (var (o, at) in objects)
        {
            backend.PutRaw(KeyLayout.ObjectsFamily, o.Id.ToByteArray(), o.Data.ToArray());
            if (at is { } t) backend.PutRaw(KeyLayout.WrittenFamily, o.Id.ToByteArray(), LegacyValue(t));
        }
        Assert.All(backend.ReadRaw(KeyLayout.WrittenFamily), e => Assert.Equal(KeyLayout.LegacyWrittenKeySize, e.Key.Length));
    }

    private byte[] StoredFormat()
    {
        using var backend = Open(readOnly: true);
        return backend.GetRaw("default", KeyLayout.FormatKey) ?? [];
    }

    [Fact]
    public async Task A_layout_1_store_is_read_as_it_is_upgraded_by_a_read_write_open_and_swept_right_for_both_kinds_of_entries()
    {
        var old = Blob("legacy, old");
        var young = Blob("legacy, young");
        var rewritten = Blob("legacy, old, rewritten after the upgrade");
        var untimed = Blob("legacy, no entry (trimmed long ago)");
        WriteLayout1Store((old, T - TimeSpan.FromHours(2)), (young, T - TimeSpan.FromMinutes(10)), (rewritten, T - TimeSpan.FromHours(2)), (untimed, null));

        // Read-only: read as layout 1, not upgraded.
        using (var readOnly = Open(readOnly: true))
        {
            var listed = await ListAsync(readOnly);
            Assert.Equal(T - TimeSpan.FromHours(2), listed[old.Id]);
            Assert.Equal(T - TimeSpan.FromMinutes(10), listed[young.Id]);
            Assert.Null(listed[untimed.Id]);
            await Assert.ThrowsAsync<BackendUnavailableException>(async () => await readOnly.DeleteObjectsAsync([old.Id], T - Grace));
        }
        Assert.Equal([KeyLayout.LegacyFormatVersion], StoredFormat());

        // Read-write: upgraded to 2 at open, before anything else is written.
        using (var backend = Open())
        {
            Assert.Equal([KeyLayout.FormatVersion], backend.GetRaw("default", KeyLayout.FormatKey) ?? []);
            Assert.Equal(3, backend.ReadRaw(KeyLayout.WrittenFamily).Count); // the legacy entries, untouched by the upgrade
            await backend.WriteAsync([rewritten]);
            var listed = await ListAsync(backend);
            Assert.Equal(T, listed[rewritten.Id]); // the batch record is newer than its legacy entry
            Assert.Equal(T - TimeSpan.FromMinutes(10), listed[young.Id]);

            Assert.Equal(2, await SweepAsync(backend, [old.Id, young.Id, rewritten.Id, untimed.Id], T - Grace));
            Assert.False(await backend.ContainsAsync(old.Id));
            Assert.False(await backend.ContainsAsync(untimed.Id));
            Assert.True(await backend.ContainsAsync(young.Id));
            Assert.True(await backend.ContainsAsync(rewritten.Id));
            // Legacy entries older than the cut-off trimmed; the young one and the new record kept.
            var left = backend.ReadRaw(KeyLayout.WrittenFamily);
            Assert.Equal(2, left.Count);
            Assert.Contains(left, e => e.Key.AsSpan().SequenceEqual(young.Id.ToByteArray()));
            Assert.Contains(left, e => e.Key.Length == KeyLayout.WriteRecordKeySize);
        }
        Assert.Equal([KeyLayout.FormatVersion], StoredFormat());
        using (var reopened = Open())
        {
            _clock.Advance(TimeSpan.FromHours(2));
            Assert.Equal(2, await SweepAsync(reopened, [young.Id, rewritten.Id], _clock.GetUtcNow() - Grace));
            Assert.Empty(reopened.ReadRaw(KeyLayout.WrittenFamily));
        }
    }

    [Fact]
    public async Task A_layout_1_store_collected_through_the_repository_keeps_young_legacy_objects_and_reachable_ones()
    {
        var youngOrphan = Blob("legacy orphan, young");
        var oldOrphan = Blob("legacy orphan, old");
        WriteLayout1Store((youngOrphan, T - TimeSpan.FromMinutes(30)), (oldOrphan, T - TimeSpan.FromDays(1)));
        using var backend = Open();
        var store = new RepositoryStore(backend, backend, new VersionStoreOptions { TimeProvider = _clock });
        var repo = store.GetRepository("support-bot");
        var head = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", """{"model":"gpt-4o"}"""u8.ToArray()), new CommitOptions { Author = "ana" });
        var gc = new GcOptions { GracePeriod = Grace };

        await store.CollectGarbageAsync(gc);            // plans: the old orphan only (the young one is within the grace period)
        _clock.Advance(TimeSpan.FromMinutes(61));
        var second = await store.CollectGarbageAsync(gc); // sweeps the plan; plans the young orphan, old by now
        Assert.Equal(1, second.ObjectsDeleted);
        Assert.False(await backend.ContainsAsync(oldOrphan.Id));
        Assert.True(await backend.ContainsAsync(youngOrphan.Id));
        _clock.Advance(TimeSpan.FromMinutes(61));
        Assert.True((await store.CollectGarbageAsync(gc)).ObjectsDeleted >= 1); // and the first run's superseded plan
        Assert.False(await backend.ContainsAsync(youngOrphan.Id));
        Assert.Equal(head.Id, await repo.ResolveAsync("main"));
        Assert.NotNull(await repo.CheckoutAsync("main"));
    }

    [Fact]
    public async Task A_store_of_an_unknown_layout_is_refused_with_the_typed_error_and_is_not_changed()
    {
        using (var backend = Open()) backend.PutRaw("default", KeyLayout.FormatKey, [3]);
        foreach (var readOnly in new[] { false, true })
        {
            var e = Assert.Throws<UnsupportedFormatException>(() => Open(readOnly));
            Assert.Equal("3", e.Found);
            Assert.Equal(2, e.Supported);
        }
        using (var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = _dir.Combine("other") }))
            backend.PutRaw("default", KeyLayout.FormatKey, [1, 2]);
        Assert.Equal("(malformed)", Assert.Throws<UnsupportedFormatException>(() => RocksDbBackend.Open(_dir.Combine("other"))).Found);
    }

    /// <summary>Values of a batch record whose ids cannot be read.</summary>
    public static TheoryData<string, byte[]> DamagedRecordValues => new()
    {
        { "empty", [] },
        { "one byte short of an id", new byte[31] },
        { "one id and one byte", new byte[33] },
        { "two ids and a half", new byte[80] },
    };

    [Theory]
    [MemberData(nameof(DamagedRecordValues))]
    public async Task A_batch_record_whose_ids_cannot_be_read_counts_as_a_write_of_every_object_at_its_time(string name, byte[] value)
    {
        using var backend = Open();
        var old = Blob("old " + name);
        await backend.WriteAsync([old]);
        _clock.Advance(TimeSpan.FromHours(2));
        var damagedAt = _clock.GetUtcNow();
        backend.PutRaw(KeyLayout.WrittenFamily, RecordKey(damagedAt, 42), value);

        // It might have named any object: every object counts as written at its time, so nothing is deleted on doubt…
        Assert.Equal(damagedAt, (await ListAsync(backend))[old.Id]);
        Assert.Equal(0, await SweepAsync(backend, [old.Id], damagedAt - Grace));
        Assert.True(await backend.ContainsAsync(old.Id));
        // (the old object's own record, older than the cut-off, is trimmed as usual; the damaged one stays)
        Assert.Equal(RecordKey(damagedAt, 42), Assert.Single(backend.ReadRaw(KeyLayout.WrittenFamily)).Key);

        // …until the cut-off passes its time: then whatever it named is old, it is trimmed, and the sweep goes on.
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await SweepAsync(backend, [old.Id], _clock.GetUtcNow() - Grace));
        Assert.Empty(backend.ReadRaw(KeyLayout.WrittenFamily));
    }

    /// <summary>Keys of the written family no layout writes.</summary>
    public static TheoryData<string, byte[]> UnknownKeys => new()
    {
        { "empty", [] },
        { "5 bytes", [1, 2, 3, 4, 5] },
        { "15 bytes", new byte[15] },
        { "17 bytes", new byte[17] },
        { "31 bytes", new byte[31] },
        { "33 bytes", new byte[33] },
        { "16 bytes, negative time", [0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1] },
    };

    [Theory]
    [MemberData(nameof(UnknownKeys))]
    public async Task A_write_time_key_of_no_layout_fails_listing_and_sweep_and_nothing_is_deleted(string name, byte[] key)
    {
        using var backend = Open();
        var old = Blob("old " + name);
        await backend.WriteAsync([old]);
        _clock.Advance(TimeSpan.FromHours(2));
        backend.PutRaw(KeyLayout.WrittenFamily, key, new byte[32]);
        var before = backend.ReadRaw(KeyLayout.WrittenFamily);

        var listing = await Assert.ThrowsAsync<CorruptObjectException>(async () => await ListAsync(backend));
        Assert.Contains($"a key of {key.Length} bytes", listing.Message);
        var sweep = await Assert.ThrowsAsync<CorruptObjectException>(async () => await SweepAsync(backend, [old.Id], _clock.GetUtcNow() - Grace));
        Assert.Contains("'written'", sweep.Message);
        Assert.True(await backend.ContainsAsync(old.Id));
        Assert.Equal(before.Count, backend.ReadRaw(KeyLayout.WrittenFamily).Count); // not even the old record was trimmed
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(9)]
    public async Task A_legacy_entry_without_a_readable_time_keeps_its_object(int valueLength)
    {
        var kept = Blob("legacy, damaged time");
        var old = Blob("legacy, old");
        WriteLayout1Store((kept, null), (old, T - TimeSpan.FromDays(1)));
        using (var raw = Open()) raw.PutRaw(KeyLayout.WrittenFamily, kept.Id.ToByteArray(), new byte[valueLength]);
        using var backend = Open();
        Assert.Equal(DateTimeOffset.MaxValue, (await ListAsync(backend))[kept.Id]);
        Assert.Equal(1, await SweepAsync(backend, [kept.Id, old.Id], T.AddYears(100)));
        Assert.True(await backend.ContainsAsync(kept.Id));
        Assert.False(await backend.ContainsAsync(old.Id));
        Assert.Equal(kept.Id.ToByteArray(), Assert.Single(backend.ReadRaw(KeyLayout.WrittenFamily)).Key);
    }
}
