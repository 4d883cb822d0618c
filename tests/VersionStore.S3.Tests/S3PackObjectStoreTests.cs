using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using VersionStore.Conformance;
using VersionStore.S3.Internal;
using Xunit;

namespace VersionStore.S3.Tests;

/// <summary>The S3 cold tier against a real s3rver (<c>VSTORE_TEST_S3_ENDPOINT</c>), with real Dify workflows as payloads.</summary>
public sealed class S3PackObjectStoreTests : IAsyncLifetime
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

    /// <summary>Every workflow file of shared/data/dify/workflows as one blob each.</summary>
    private static List<EncodedObject> WorkflowBlobs()
    {
        var blobs = TestData.WorkflowFiles().Select(f =>
        {
            var encoded = ObjectCodec.EncodeBlob(File.ReadAllBytes(f));
            return new EncodedObject(ObjectId.Compute(encoded), encoded);
        }).DistinctBy(b => b.Id).ToList();
        Assert.True(blobs.Count >= 20, $"expected the real workflow set, found {blobs.Count} files");
        return blobs;
    }

    /// <summary>Writes <paramref name="blobs"/> 15 at a time: one small pack per write.</summary>
    private static async Task WriteInPacksOf15Async(S3PackObjectStore store, IReadOnlyList<EncodedObject> blobs)
    {
        for (var i = 0; i < blobs.Count; i += 15) await store.WriteAsync(blobs.Skip(i).Take(15).ToList());
    }

    /// <summary>The raw bytes of each named pack and its index, to put back later (a crash before a cleanup's deletes).</summary>
    private static async Task<List<(string Key, byte[] Bytes)>> SavePacksAsync(S3PackObjectStore store, IEnumerable<string> packs)
    {
        var saved = new List<(string Key, byte[] Bytes)>();
        foreach (var name in packs)
        {
            saved.Add((store.PackKey(name), await S3TestServer.RawGetAsync(store.PackKey(name))));
            saved.Add((store.IndexKey(name), await S3TestServer.RawGetAsync(store.IndexKey(name))));
        }
        return saved;
    }

    private static async Task AssertReadsBackAsync(IObjectStore store, IEnumerable<EncodedObject> objects)
    {
        foreach (var o in objects)
        {
            var read = await store.TryReadAsync(o.Id);
            Assert.NotNull(read);
            Assert.True(read.Value.Span.SequenceEqual(o.Data.Span), $"bytes of {o.Id} differ");
        }
    }

    [Fact]
    public async Task Real_workflows_round_trip_and_their_pack_is_compressed()
    {
        var store = await OpenAsync(S3TestServer.Options());
        var blobs = WorkflowBlobs();

        await store.WriteAsync(blobs);

        Assert.Equal(1, store.PackCount); // one write, one pack (under the size target)
        Assert.Equal(blobs.Count, store.ObjectCount);
        await AssertReadsBackAsync(store, blobs);
        var packBytes = (await S3TestServer.RawGetAsync(store.PackKey(store.PackNames[0]))).Length;
        var raw = blobs.Sum(b => b.Data.Length);
        Assert.True(packBytes < raw * 0.6, $"pack of {packBytes} B for {raw} B of workflow YAML");
    }

    [Fact]
    public async Task A_cold_read_from_a_freshly_opened_store_is_exactly_one_GET()
    {
        var options = S3TestServer.Options();
        options.ReadAheadBytes = 0; // each read fetches its own entry (read-ahead has its own tests: S3BatchReadTests)
        var writer = await OpenAsync(options);
        var blobs = WorkflowBlobs();
        await writer.WriteAsync(blobs);

        var reader = await OpenAsync(options);
        Assert.Equal(blobs.Count, reader.ObjectCount);
        foreach (var b in blobs)
        {
            var before = reader.Metrics.GetRequests;
            var listsBefore = reader.Metrics.ListRequests;
            var read = await reader.TryReadAsync(b.Id);
            Assert.True(read!.Value.Span.SequenceEqual(b.Data.Span));
            Assert.Equal(1, reader.Metrics.GetRequests - before);
            Assert.Equal(listsBefore, reader.Metrics.ListRequests);
            Assert.True(reader.TryLocate(b.Id, out _, out var entry));
            Assert.True(reader.Metrics.BytesDownloaded > 0);
            Assert.True(entry.StoredLength < b.Data.Length, "the GET fetched the compressed entry only");
        }
        // Contains and prefix search cost no request at all.
        var gets = reader.Metrics.GetRequests;
        Assert.True(await reader.ContainsAsync(blobs[0].Id));
        Assert.Contains(blobs[0].Id, await ToListAsync(reader.FindByPrefixAsync(blobs[0].Id.ToString(8), 10)));
        Assert.Equal(gets, reader.Metrics.GetRequests);
    }

    [Fact]
    public async Task Stored_packs_are_byte_exact_no_aws_chunked_framing_or_trailers()
    {
        var store = await OpenAsync(S3TestServer.Options());
        var blobs = WorkflowBlobs();
        await store.WriteAsync(blobs.Take(10).ToList());
        await store.WriteAsync(blobs.Skip(10).ToList());

        Assert.Equal(2, store.PackCount);
        foreach (var name in store.PackNames)
        {
            // A plain GET sees what the server stored: it must hash to the pack's content address.
            var pack = await S3TestServer.RawGetAsync(store.PackKey(name));
            Assert.Equal(name, Convert.ToHexStringLower(SHA256.HashData(pack)));
            Assert.Equal("VSPK"u8.ToArray(), pack[..4]);
            var index = PackReader.ReadIndex(pack, name);
            var idx = await S3TestServer.RawGetAsync(store.IndexKey(name));
            Assert.Equal(index.Encode(), idx);
            foreach (var e in index.Entries)
                Assert.Equal(e.Id, ObjectId.Compute(PackReader.ReadObject(pack, e)));
        }
    }

    [Fact]
    public async Task Without_S3_compatible_mode_the_ETag_check_turns_silent_corruption_into_a_failed_write()
    {
        // AWS SDK 4 sends aws-chunked bodies with checksum trailers; s3rver stores them verbatim.
        var options = S3TestServer.Options();
        options.S3CompatibleMode = false;
        var store = await OpenAsync(options);
        var blob = WorkflowBlobs()[0];

        var e = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await store.WriteAsync([blob]));
        Assert.Contains("S3CompatibleMode", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.ObjectCount);
    }

    [Fact]
    public async Task A_new_instance_loads_every_index_from_the_bucket_and_reads_everything()
    {
        var options = S3TestServer.Options();
        var blobs = TestData.DifyBlobs(300);
        var first = await OpenAsync(options);
        for (var i = 0; i < blobs.Count; i += 50) await first.WriteAsync(blobs.Skip(i).Take(50).ToList());
        Assert.Equal(6, first.PackCount);

        var second = await OpenAsync(options);
        Assert.Equal(6, second.PackCount);
        Assert.Equal(blobs.Count, second.ObjectCount);
        Assert.Equal(1, second.Metrics.ListRequests);
        Assert.Equal(6, second.Metrics.GetRequests); // one GET per index
        await AssertReadsBackAsync(second, blobs);
        Assert.Equal(blobs.Select(b => b.Id).Order().ToList(), await ToListAsync(second.FindByPrefixAsync("", 10_000)));
    }

    [Fact]
    public async Task With_an_index_cache_a_restart_fetches_no_index()
    {
        using var cache = new TempDirectory("s3-index-cache");
        var options = S3TestServer.Options();
        options.IndexCacheDirectory = cache.Path;
        var blobs = TestData.DifyBlobs(60);
        var first = await OpenAsync(options);
        await first.WriteAsync(blobs.Take(30).ToList());
        await first.WriteAsync(blobs.Skip(30).ToList());

        var second = await OpenAsync(options);
        Assert.Equal(0, second.Metrics.GetRequests);
        Assert.Equal(blobs.Count, second.ObjectCount);
        await AssertReadsBackAsync(second, blobs);
    }

    [Fact]
    public async Task Another_instance_sees_new_packs_after_a_miss()
    {
        var options = S3TestServer.Options();
        options.MissRefreshInterval = TimeSpan.Zero;
        var a = await OpenAsync(options);
        var b = await OpenAsync(options);
        var blob = WorkflowBlobs()[3];

        await a.WriteAsync([blob]);

        Assert.True(await b.ContainsAsync(blob.Id));
        Assert.True((await b.TryReadAsync(blob.Id))!.Value.Span.SequenceEqual(blob.Data.Span));
    }

    [Fact]
    public async Task Concurrent_writers_share_packs_and_every_write_is_durable_when_it_returns()
    {
        var options = S3TestServer.Options();
        var store = await OpenAsync(options);
        var blobs = TestData.DifyBlobs(160);

        await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++) await store.WriteAsync([blobs[w * 10 + i]]);
        })));

        Assert.True(store.PackCount < 160, $"{store.PackCount} packs for 160 single-object writes");
        var fresh = await OpenAsync(options);
        Assert.Equal(160, fresh.ObjectCount);
        await AssertReadsBackAsync(fresh, blobs);
    }

    [Fact]
    public async Task A_write_larger_than_the_pack_target_is_split_over_several_packs()
    {
        var options = S3TestServer.Options();
        options.PackSizeTarget = 16 * 1024;
        var store = await OpenAsync(options);
        var blobs = WorkflowBlobs();

        await store.WriteAsync(blobs);

        Assert.True(store.PackCount > 2, $"{store.PackCount} packs");
        await AssertReadsBackAsync(await OpenAsync(options), blobs);
    }

    [Fact]
    public async Task Compaction_merges_small_packs_keeps_every_object_readable_and_removes_the_old_packs()
    {
        var options = S3TestServer.Options();
        var store = await OpenAsync(options);
        var blobs = TestData.DifyBlobs(120);
        await WriteInPacksOf15Async(store, blobs);
        var oldPacks = store.PackNames;
        Assert.Equal(8, oldPacks.Count);
        var other = await OpenAsync(options); // holds the old index: must still read after compaction

        var result = await store.CompactAsync();

        Assert.Equal((8, 1, 120), (result.PacksMerged, result.PacksWritten, result.ObjectsRewritten));
        Assert.True(result.BytesAfter < result.BytesBefore, $"{result.BytesAfter} >= {result.BytesBefore}");
        Assert.Equal(1, store.PackCount);
        await AssertReadsBackAsync(store, blobs);
        foreach (var old in oldPacks)
        {
            Assert.True(await S3TestServer.RawMissingAsync(store.PackKey(old)), $"old pack {old} still stored");
            Assert.True(await S3TestServer.RawMissingAsync(store.IndexKey(old)), $"old index {old} still stored");
        }
        await AssertReadsBackAsync(other, blobs); // stale index: 404 → refresh → new pack
        Assert.Equal(1, other.PackCount);
        var reopened = await OpenAsync(options);
        Assert.Equal(1, reopened.PackCount);
        await AssertReadsBackAsync(reopened, blobs);

        var again = await store.CompactAsync();
        Assert.Equal(0, again.PacksMerged);
    }

    [Fact]
    public async Task A_compaction_rerun_after_a_crash_before_its_deletes_uploads_nothing_again_and_finishes_the_cleanup()
    {
        var options = S3TestServer.Options();
        var store = await OpenAsync(options);
        var blobs = TestData.DifyBlobs(60);
        await WriteInPacksOf15Async(store, blobs);
        var oldPacks = store.PackNames;
        var saved = await SavePacksAsync(store, oldPacks);
        Assert.Equal((4, 1), ((await store.CompactAsync()).PacksMerged, store.PackCount));
        var merged = Assert.Single(store.PackNames);
        var mergedBytes = await S3TestServer.RawGetAsync(store.PackKey(merged));

        // The crash: the merged pack and its index landed, the inputs were never deleted.
        foreach (var (key, bytes) in saved) await S3TestServer.RawPutAsync(key, bytes);
        var rerun = await OpenAsync(options);
        Assert.Equal(5, rerun.PackCount);
        var puts = rerun.Metrics.PutRequests;

        var result = await rerun.CompactAsync();

        // The rerun rebuilds exactly the merged pack: it is not uploaded again (a PUT of it would rewrite a pack that
        // is indexed and being read), and the inputs it replaces are deleted.
        Assert.Equal(puts, rerun.Metrics.PutRequests);
        Assert.Equal((4, 0), (result.PacksMerged, result.PacksWritten));
        Assert.Equal([merged], rerun.PackNames);
        foreach (var old in oldPacks) Assert.True(await S3TestServer.RawMissingAsync(store.PackKey(old)), $"old pack {old} still stored");
        Assert.Equal(mergedBytes, await S3TestServer.RawGetAsync(store.PackKey(merged)));
        await AssertReadsBackAsync(rerun, blobs);
        await AssertReadsBackAsync(await OpenAsync(options), blobs);
    }

    [Fact]
    public async Task A_damaged_copy_is_served_from_another_pack_that_holds_a_good_one()
    {
        // Two packs hold the same objects (a compaction interrupted before its deletes); the copy a lookup picks is
        // damaged: the read serves the good copy of the other pack, and only damage everywhere fails.
        var options = S3TestServer.Options();
        var store = await OpenAsync(options);
        var blobs = TestData.DifyBlobs(30);
        await WriteInPacksOf15Async(store, blobs);
        var saved = await SavePacksAsync(store, store.PackNames);
        await store.CompactAsync();
        Assert.Single(store.PackNames);
        foreach (var (key, data) in saved) await S3TestServer.RawPutAsync(key, data);
        var reader = await OpenAsync(options);
        Assert.Equal(3, reader.PackCount);
        var victim = blobs[7];
        // Damage the copy the lookup picks (the merged pack or the restored input: whichever the listing made newest).
        Assert.True(reader.TryLocate(victim.Id, out var picked, out var entry));
        var bytes = await S3TestServer.RawGetAsync(reader.PackKey(picked));
        bytes[entry.Offset + entry.StoredLength / 2] ^= 0x10;
        await S3TestServer.RawPutAsync(reader.PackKey(picked), bytes);

        var read = await reader.TryReadAsync(victim.Id);
        Assert.NotNull(read);
        Assert.True(read.Value.Span.SequenceEqual(victim.Data.Span));
        await AssertReadsBackAsync(reader, blobs);

        // With every copy damaged, the damage is reported, naming the object.
        foreach (var name in reader.PackNames)
        {
            var copy = await S3TestServer.RawGetAsync(reader.PackKey(name));
            for (var i = 64; i < copy.Length - 64; i += 97) copy[i] ^= 0x10; // the whole pack body
            await S3TestServer.RawPutAsync(reader.PackKey(name), copy);
        }
        var last = await OpenAsync(options);
        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await last.TryReadAsync(victim.Id));
        Assert.Equal(victim.Id, e.ObjectId);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_stored_pack_is_detected_on_read()
    {
        var options = S3TestServer.Options();
        var store = await OpenAsync(options);
        var blobs = WorkflowBlobs();
        await store.WriteAsync(blobs);
        var victim = blobs[5];
        Assert.True(store.TryLocate(victim.Id, out var pack, out var entry));

        var bytes = await S3TestServer.RawGetAsync(store.PackKey(pack));
        bytes[entry.Offset + entry.StoredLength / 2] ^= 0x04;
        await S3TestServer.RawPutAsync(store.PackKey(pack), bytes);

        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await store.TryReadAsync(victim.Id));
        Assert.Equal(victim.Id, e.ObjectId);
        // Its neighbours are untouched.
        await AssertReadsBackAsync(store, blobs.Where(b => b.Id != victim.Id));
        // And compaction refuses to carry a damaged pack forward.
        var second = await OpenAsync(options);
        await second.WriteAsync([TestData.DifyBlobs(200)[150]]);
        await Assert.ThrowsAsync<CorruptObjectException>(() => second.CompactAsync());
        Assert.False(await S3TestServer.RawMissingAsync(store.PackKey(pack)));
    }

    [Fact]
    public async Task Stores_with_different_prefixes_do_not_see_each_other()
    {
        var a = await OpenAsync(S3TestServer.Options());
        var b = await OpenAsync(S3TestServer.Options());
        var blobs = WorkflowBlobs();
        await a.WriteAsync(blobs.Take(5).ToList());
        await b.WriteAsync(blobs.Skip(5).Take(5).ToList());

        foreach (var o in blobs.Take(5))
        {
            Assert.Null(await b.TryReadAsync(o.Id));
            Assert.False(await b.ContainsAsync(o.Id));
        }
        foreach (var o in blobs.Skip(5).Take(5)) Assert.Null(await a.TryReadAsync(o.Id));
        Assert.Equal(5, (await ToListAsync(a.FindByPrefixAsync("", 100))).Count);
        Assert.Equal(5, (await ToListAsync(b.FindByPrefixAsync("", 100))).Count);
    }

    [Fact]
    public async Task A_server_that_goes_down_gives_BackendUnavailable_within_the_timeout()
    {
        var proxy = new LoopbackProxy(S3TestServer.Endpoint);
        _owned.Add(proxy);
        var options = S3TestServer.Options(serviceUrl: proxy.Url);
        options.Timeout = TimeSpan.FromSeconds(5);
        var store = await OpenAsync(options);
        var blobs = WorkflowBlobs();
        await store.WriteAsync(blobs.Take(3).ToList());

        await proxy.DisposeAsync(); // the port is closed: connection refused

        var clock = Stopwatch.StartNew();
        var read = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await store.TryReadAsync(blobs[0].Id));
        var write = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await store.WriteAsync([blobs[4]]));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2 * 5 + 1), $"took {clock.Elapsed}");
        Assert.Equal("S3", read.Backend);
        Assert.Equal("S3", write.Backend);
        Assert.False(store.TryLocate(blobs[4].Id, out _, out _)); // a failed write is not visible
    }

    [Fact]
    public async Task A_server_that_hangs_gives_BackendUnavailable_when_the_timeout_passes()
    {
        var proxy = new LoopbackProxy(S3TestServer.Endpoint);
        _owned.Add(proxy);
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-03-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = S3TestServer.Options(serviceUrl: proxy.Url);
        options.TimeProvider = time;
        options.Timeout = TimeSpan.FromSeconds(30);
        var store = await OpenAsync(options);
        var blob = WorkflowBlobs()[0];
        await store.WriteAsync([blob]);

        proxy.Stall();
        var clock = Stopwatch.StartNew();
        var pending = store.TryReadAsync(blob.Id).AsTask();
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(31));

        var e = await Assert.ThrowsAsync<BackendUnavailableException>(() => pending);
        Assert.Contains("did not complete within 30 s", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed} of real time");
    }

    [Fact]
    public async Task Opening_against_an_unreachable_endpoint_fails_with_BackendUnavailable()
    {
        var proxy = new LoopbackProxy(S3TestServer.Endpoint);
        var url = proxy.Url;
        await proxy.DisposeAsync();
        var options = S3TestServer.Options(serviceUrl: url);
        options.Timeout = TimeSpan.FromSeconds(5);

        var e = await Assert.ThrowsAsync<BackendUnavailableException>(() => S3PackObjectStore.OpenAsync(options));
        Assert.Equal("S3", e.Backend);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
