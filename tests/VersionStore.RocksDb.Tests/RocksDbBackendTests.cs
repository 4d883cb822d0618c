using VersionStore.Conformance;
using VersionStore.RocksDb.Internal;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>Behaviour specific to the RocksDB backend: persistence across reopen, corruption, locking, options, statistics.</summary>
public sealed class RocksDbBackendTests : IDisposable
{
    private static readonly RepositoryName Repo = "support-bot";
    private static readonly RefName Main = RefName.Branch("main");
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new("rocks-backend");

    public void Dispose() => _dir.Dispose();

    private string DbPath => _dir.Combine("db");

    private static RefUpdate Update(RefState? current, ObjectId? target, long n, RefName? name = null, RepositoryName? repo = null)
    {
        var entry = new AuditEntry(name ?? Main, (current?.Sequence ?? 0) + 1, current?.Target, target, "commit", "ops@example.com",
            T0.AddMinutes(n), n % 2 == 0 ? "publish" : null, current?.AuditHash ?? ObjectId.Zero);
        return new RefUpdate(repo ?? Repo, current, entry);
    }

    [Fact]
    public async Task Everything_written_is_there_after_dispose_and_reopen()
    {
        // A real edit history: every version of a Dify workflow as a blob, the branch moved through them.
        var history = TestData.HistoryNames().First(h => TestData.HistoryVersions(h).Count >= 5);
        var versions = TestData.HistoryVersions(history).Select(p => ObjectCodec.EncodeBlob(File.ReadAllBytes(p))).Select(b => new EncodedObject(ObjectId.Compute(b), b)).ToList();
        var updates = new List<RefUpdate>();
        using (var backend = RocksDbBackend.Open(DbPath))
        {
            await backend.WriteAsync(versions);
            RefState? state = null;
            foreach (var (v, i) in versions.Select((v, i) => (v, i)))
            {
                var u = Update(state, v.Id, i);
                Assert.True(await backend.TryUpdateRefAsync(u));
                updates.Add(u);
                state = u.NewState;
            }
            Assert.True(await backend.TryUpdateRefAsync(Update(null, versions[0].Id, 99, RefName.Tag("v1.4.0"))));
            backend.RememberHead(Repo, Main, state!, T0.AddHours(1));
        }

        using (var reopened = RocksDbBackend.Open(DbPath))
        {
            foreach (var v in versions)
                Assert.True((await reopened.TryReadAsync(v.Id))!.Value.Span.SequenceEqual(v.Data.Span));
            Assert.Equal(updates[^1].NewState, await reopened.TryGetRefAsync(Repo, Main));
            var audit = await ToListAsync(reopened.ReadAuditAsync(Repo, Main));
            Assert.Equal(updates.Select(u => u.Entry.Hash).Reverse(), audit.Select(e => e.Hash));
            Assert.Equal(["refs/heads/main", "refs/tags/v1.4.0"], (await ToListAsync(reopened.ListRefsAsync(Repo))).Select(r => r.Name.FullName));
            Assert.Equal([Repo], await ToListAsync(reopened.ListRepositoriesAsync()));
            var head = reopened.TryGetRememberedHead(Repo, Main);
            Assert.NotNull(head);
            Assert.Equal(updates[^1].NewState, head.State);
            Assert.Equal(T0.AddHours(1), head.SeenAt);
        }
    }

    [Fact]
    public async Task A_garbage_ref_state_reads_as_CorruptObjectException()
    {
        using var backend = RocksDbBackend.Open(DbPath);
        Assert.True(await backend.TryUpdateRefAsync(Update(null, ObjectId.Compute("x"u8), 1)));
        backend.PutRaw(KeyLayout.RefsFamily, KeyLayout.Ref(Repo, Main), "not a ref state"u8.ToArray());

        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await backend.TryGetRefAsync(Repo, Main));
        Assert.Equal(Repo.Value, e.Repository);
        Assert.Equal(Main.FullName, e.Ref);
        await Assert.ThrowsAsync<CorruptObjectException>(async () => await ToListAsync(backend.ListRefsAsync(Repo)));
        // A CAS against garbage never matches a well-formed expected state.
        Assert.False(await backend.TryUpdateRefAsync(Update(null, ObjectId.Compute("y"u8), 2)));
    }

    [Fact]
    public async Task A_garbage_audit_entry_reads_as_CorruptObjectException()
    {
        using var backend = RocksDbBackend.Open(DbPath);
        var first = Update(null, ObjectId.Compute("x"u8), 1);
        Assert.True(await backend.TryUpdateRefAsync(first));
        var second = Update(first.NewState, ObjectId.Compute("y"u8), 2);
        Assert.True(await backend.TryUpdateRefAsync(second));
        backend.PutRaw(KeyLayout.AuditFamily, KeyLayout.Audit(KeyLayout.Ref(Repo, Main), 1), [1, 0x41, 0xFF]);

        await Assert.ThrowsAsync<CorruptObjectException>(async () => await ToListAsync(backend.ReadAuditAsync(Repo, Main)));
        // Entries newer than the corrupt one still read.
        var newest = await FirstAsync(backend.ReadAuditAsync(Repo, Main));
        Assert.Equal(second.Entry.Hash, newest.Hash);
    }

    [Fact]
    public async Task An_audit_entry_stored_under_another_sequence_is_detected()
    {
        using var backend = RocksDbBackend.Open(DbPath);
        var first = Update(null, ObjectId.Compute("x"u8), 1);
        Assert.True(await backend.TryUpdateRefAsync(first));
        // A well-formed entry moved to the wrong key (a replay) is corruption, not a second history.
        backend.PutRaw(KeyLayout.AuditFamily, KeyLayout.Audit(KeyLayout.Ref(Repo, Main), 2), first.Entry.Encoded.ToArray());

        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await ToListAsync(backend.ReadAuditAsync(Repo, Main)));
        Assert.Contains("@{2}", e.Message);
    }

    [Fact]
    public async Task A_garbage_remembered_head_reads_as_CorruptObjectException()
    {
        using var backend = RocksDbBackend.Open(DbPath);
        backend.PutRaw(KeyLayout.HeadsFamily, KeyLayout.Ref(Repo, Main), new byte[RefState.EncodedSize + 8]);
        Assert.Throws<CorruptObjectException>(() => backend.TryGetRememberedHead(Repo, Main));
        Assert.Null(backend.TryGetRememberedHead(Repo, RefName.Channel("prod")));
        await Task.CompletedTask;
    }

    [Fact]
    public void A_second_open_of_a_locked_database_is_BackendUnavailable()
    {
        using var first = RocksDbBackend.Open(DbPath);

        var e = Assert.Throws<BackendUnavailableException>(() => RocksDbBackend.Open(DbPath));

        Assert.Equal("RocksDB", e.Backend);
        Assert.Contains(Path.GetFullPath(DbPath), e.Message);
        Assert.IsType<VersionStore.RocksDb.Internal.Native.RocksDbException>(e.InnerException);
    }

    [Fact]
    public async Task A_read_only_open_reads_beside_a_writer_and_refuses_writes()
    {
        using var writer = RocksDbBackend.Open(DbPath);
        var blob = ObjectCodec.EncodeBlob("read-only"u8);
        var id = ObjectId.Compute(blob);
        await writer.WriteAsync([new EncodedObject(id, blob)]);

        using var reader = RocksDbBackend.Open(new RocksDbBackendOptions { Path = DbPath, ReadOnly = true, CreateIfMissing = false });

        Assert.True(await reader.ContainsAsync(id));
        Assert.Equal(blob, (await reader.TryReadAsync(id))!.Value.ToArray());
        var e = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await reader.WriteAsync([new EncodedObject(id, blob)]));
        Assert.Equal("RocksDB", e.Backend);
    }

    [Fact]
    public void A_read_only_open_of_a_missing_folder_is_BackendUnavailable()
    {
        var e = Assert.Throws<BackendUnavailableException>(() => RocksDbBackend.Open(new RocksDbBackendOptions { Path = DbPath, ReadOnly = true }));
        Assert.Contains("read-only", e.Message);
        Assert.False(Directory.Exists(DbPath));
    }

    [Fact]
    public async Task Closing_after_a_bulk_load_leaves_no_large_log_to_replay()
    {
        var blobs = new List<EncodedObject>();
        using (var backend = RocksDbBackend.Open(DbPath))
        {
            for (var i = 0; i < 4_000; i++)
            {
                var blob = ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes($"{i}:" + new string('x', 2_000)));
                blobs.Add(new EncodedObject(ObjectId.Compute(blob), blob));
            }
            await backend.WriteAsync(blobs);
            Assert.True(backend.GetStatistics().WalBytes > 4 * 1024 * 1024);
        }

        using var reopened = RocksDbBackend.Open(DbPath);
        Assert.True(reopened.GetStatistics().WalBytes < 1024 * 1024, $"WAL after reopen: {reopened.GetStatistics().WalBytes} bytes");
        foreach (var o in blobs.Take(50)) Assert.True(await reopened.ContainsAsync(o.Id));
    }

    [Fact]
    public async Task Closing_after_a_few_commits_leaves_them_to_the_log_and_writes_no_table_file()
    {
        // A CLI call's few writes (objects, write times, ref, audit entry, head): a flush at close would cost more than
        // the next open's replay and leave table files per call. The decision is on the log's bytes, not on the
        // memtables' memory (arenas and filters are allocated with each memtable a write touches, so that figure
        // exceeds a small threshold after a single commit).
        var heads = new List<ObjectId>();
        var backend = RocksDbBackend.Open(DbPath);
        await using (var store = new RepositoryStore(backend, backend, new VersionStoreOptions(), ownedBackend: backend))
        {
            var repo = store.GetRepository("r");
            for (var i = 0; i < 12; i++)
                heads.Add((await repo.CommitAsync("main", new SnapshotChanges().Put("a", System.Text.Encoding.UTF8.GetBytes($"version {i}")), new CommitOptions { Author = "w" })).Id);
        }
        Assert.Empty(Directory.GetFiles(DbPath, "*.sst"));
        Assert.True(new FileInfo(Directory.GetFiles(DbPath, "*.log").Single()).Length > 0, "the commits are in the log");
        using var reopened = RocksDbBackend.Open(DbPath);
        Assert.Equal(heads[^1], (await reopened.TryGetRefAsync(new RepositoryName("r"), RefName.Branch("main")))?.Target);
    }

    [Fact]
    public async Task Reopening_appends_to_the_recovered_manifest_and_keeps_every_write()
    {
        // The CLI opens the store once per call: each read-write open must not leave a new MANIFEST (and CURRENT
        // switch) behind, and every write of every earlier process-lifetime must survive the reopen.
        var written = new List<EncodedObject>();
        string? manifest = null;
        for (var round = 0; round < 12; round++)
        {
            using (var backend = RocksDbBackend.Open(DbPath))
            {
                foreach (var o in written) Assert.True(await backend.ContainsAsync(o.Id), $"round {round}: {o.Id} lost");
                var blob = ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes($"round {round}"));
                var encoded = new EncodedObject(ObjectId.Compute(blob), blob);
                await backend.WriteAsync([encoded]);
                written.Add(encoded);
            }
            var manifests = Directory.GetFiles(DbPath, "MANIFEST-*");
            Assert.Single(manifests);
            if (round >= 1) Assert.Equal(manifest, manifests[0]);
            manifest = manifests[0];
        }
        Assert.True(Directory.GetFiles(DbPath, "*.log").Length <= 2, string.Join(", ", Directory.GetFiles(DbPath, "*.log").Select(Path.GetFileName)));
    }

    [Fact]
    public async Task The_manifest_stays_small_however_many_times_the_store_is_reopened()
    {
        // Appending to the recovered MANIFEST (above) must not let it grow with every open for ever: each open replays
        // all of it. Past 64 KiB RocksDB writes a fresh, compacted MANIFEST once and appends to that. 150 read-write
        // opens that each write (~110 CLI calls fill 64 KiB; without the limit it reaches ~85 KB here) — and every
        // write must still be there.
        var written = new List<EncodedObject>();
        var names = new HashSet<string>();
        long largest = 0;
        for (var round = 0; round < 150; round++)
        {
            using (var backend = RocksDbBackend.Open(DbPath))
            {
                var blob = ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes($"round {round}"));
                var encoded = new EncodedObject(ObjectId.Compute(blob), blob);
                await backend.WriteAsync([encoded]);
                written.Add(encoded);
            }
            var manifest = Assert.Single(Directory.GetFiles(DbPath, "MANIFEST-*"));
            names.Add(Path.GetFileName(manifest));
            largest = Math.Max(largest, new FileInfo(manifest).Length);
        }
        Assert.True(names.Count >= 2, "the MANIFEST was never rewritten");
        Assert.True(largest <= 72 * 1024, $"the MANIFEST reached {largest:N0} bytes");
        using var reopened = RocksDbBackend.Open(new RocksDbBackendOptions { Path = DbPath, ReadOnly = true });
        foreach (var o in written) Assert.True(await reopened.ContainsAsync(o.Id), $"{o.Id} lost");
    }

    [Fact]
    public void The_native_library_can_be_preloaded_from_any_thread_before_an_open()
    {
        var results = new bool[4];
        var threads = Enumerable.Range(0, results.Length).Select(i => new Thread(() => results[i] = RocksDbBackend.PreloadNativeLibrary())).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.All(results, Assert.True);
        Assert.True(RocksDbBackend.PreloadNativeLibrary()); // idempotent
        using var backend = RocksDbBackend.Open(DbPath);
        Assert.Equal(DbPath, backend.Path);
    }

    [Fact]
    public void Opening_a_missing_database_without_CreateIfMissing_is_BackendUnavailable()
    {
        var e = Assert.Throws<BackendUnavailableException>(() => RocksDbBackend.Open(new RocksDbBackendOptions { Path = DbPath, CreateIfMissing = false }));
        Assert.Equal("RocksDB", e.Backend);
    }

    [Fact]
    public void A_database_of_an_unknown_layout_version_is_refused()
    {
        using (var backend = RocksDbBackend.Open(DbPath))
            backend.PutRaw("default", KeyLayout.FormatKey, [KeyLayout.FormatVersion + 1]);

        // Its own exception, not "backend unavailable": retrying will not help, upgrading VersionStore will.
        var e = Assert.Throws<UnsupportedFormatException>(() => RocksDbBackend.Open(DbPath));
        Assert.Equal("RocksDB", e.Backend);
        Assert.Equal("3", e.Found);
        Assert.Equal(KeyLayout.FormatVersion, e.Supported);
        Assert.Contains("format version 3; this build of VersionStore reads version 2", e.Message);
        // The refused open released the database: a second attempt reads the format again instead of hitting the lock.
        Assert.Equal("3", Assert.Throws<UnsupportedFormatException>(() => RocksDbBackend.Open(DbPath)).Found);
    }

    [Fact]
    public async Task Calls_after_dispose_throw_ObjectDisposedException_and_dispose_is_idempotent()
    {
        var backend = RocksDbBackend.Open(DbPath);
        backend.Dispose();
        backend.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await backend.TryReadAsync(ObjectId.Zero));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await backend.TryGetRefAsync(Repo, Main));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await ToListAsync(backend.ListRepositoriesAsync()));
        // The file lock is released: the same folder opens again.
        using var again = RocksDbBackend.Open(DbPath);
    }

    [Fact]
    public void Validate_lists_every_invalid_option()
    {
        var options = new RocksDbBackendOptions { Path = " ", BlockCacheSizeBytes = -1, RowCacheSizeBytes = -1, WriteBufferSizeBytes = 1024, MaxOpenFiles = 3, RefLockStripes = 12, WalRecovery = (RocksDbWalRecovery)7 };

        var e = Assert.Throws<ArgumentException>(options.Validate);

        foreach (var name in new[] { "Path", "BlockCacheSizeBytes", "RowCacheSizeBytes", "WriteBufferSizeBytes", "MaxOpenFiles", "RefLockStripes", "WalRecovery" })
            Assert.Contains(name, e.Message);
        Assert.Throws<ArgumentException>(() => RocksDbBackend.Open(options));
        new RocksDbBackendOptions { Path = DbPath }.Validate();
        new RocksDbBackendOptions { Path = DbPath, WalRecovery = RocksDbWalRecovery.PointInTime }.Validate();
    }

    [Fact]
    public async Task SyncWrites_and_no_block_cache_and_no_compression_work()
    {
        using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = DbPath, SyncWrites = true, BlockCacheSizeBytes = 0, RowCacheSizeBytes = 0, CompressFiles = false, MaxOpenFiles = 64, RefLockStripes = 1 });
        var blobs = TestData.DifyBlobs(10);
        await backend.WriteAsync(blobs);
        Assert.True(await backend.TryUpdateRefAsync(Update(null, blobs[0].Id, 1)));
        Assert.True(await backend.ContainsAsync(blobs[9].Id));
    }

    [Fact]
    public async Task Compaction_and_statistics_report_the_bytes_stored()
    {
        using var backend = RocksDbBackend.Open(DbPath);
        var blobs = TestData.DifyBlobs(500);
        await backend.WriteAsync(blobs);
        RefState? state = null;
        for (var i = 0; i < 20; i++)
        {
            var u = Update(state, blobs[i].Id, i);
            Assert.True(await backend.TryUpdateRefAsync(u));
            state = u.NewState;
        }
        var before = backend.GetStatistics();
        Assert.True(before.WalBytes > 0, "unflushed writes live in the WAL");

        await backend.CompactAsync();

        var after = backend.GetStatistics();
        Assert.True(after.SstBytes > 0);
        Assert.Equal(after.SstBytes + after.WalBytes, backend.GetStorageBytes());
        Assert.InRange(after.EstimatedObjects, 400, 600);
        Assert.InRange(after.EstimatedAuditEntries, 15, 25);
        // LZ4 on YAML: the files hold less than the raw payloads.
        var payloadBytes = blobs.Sum(b => (long)b.Data.Length);
        Assert.True(after.SstBytes < payloadBytes, $"SST {after.SstBytes} B for {payloadBytes} B of payload");
        Assert.Equal(blobs.Count, (await ToListAsync(backend.FindByPrefixAsync("", 10_000))).Count);
    }

    [Fact]
    public async Task Remembered_heads_are_kept_per_repository_and_ref()
    {
        using var backend = RocksDbBackend.Open(DbPath);
        var a = Update(null, ObjectId.Compute("a"u8), 1).NewState;
        var b = Update(null, ObjectId.Compute("b"u8), 2).NewState;
        backend.RememberHead("wf", RefName.Channel("prod"), a, T0);
        backend.RememberHead("wf-1", RefName.Channel("prod"), b, T0.AddSeconds(5));

        Assert.Equal(a, backend.TryGetRememberedHead("wf", RefName.Channel("prod"))!.State);
        Assert.Equal(b, backend.TryGetRememberedHead("wf-1", RefName.Channel("prod"))!.State);
        Assert.Null(backend.TryGetRememberedHead("wf", RefName.Branch("prod")));
        // Remembered heads are a cache beside the refs, never refs themselves.
        Assert.Null(await backend.TryGetRefAsync("wf", RefName.Channel("prod")));
        Assert.Empty(await ToListAsync(backend.ListRepositoriesAsync()));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }

    private static async Task<T> FirstAsync<T>(IAsyncEnumerable<T> source)
    {
        await foreach (var item in source) return item;
        throw new InvalidOperationException("empty");
    }
}
