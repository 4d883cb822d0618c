using K4os.Compression.LZ4;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using VersionStore.Conformance;
using VersionStore.S3.Internal;
using Xunit;

namespace VersionStore.S3.Tests;

/// <summary>
/// A listing can show a pack index whose upload is still in progress (s3rver then serves a partial object). Against a
/// real s3rver, such an index is played by a truncated object under a pack's index key, beside its complete pack: the
/// scan and sweep of garbage collection, an index refresh and opening a store all go on without it, delete nothing
/// because of it, report it, and load it once it is complete; one that still does not parse once it is old is damage.
/// </summary>
public sealed class S3IndexListingRaceTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly CapturingLoggerFactory _logs = new();

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

    /// <summary>Stores <paramref name="objects"/> as a complete pack whose index is only half uploaded; returns the pack's name and full index.</summary>
    private static async Task<(string Name, byte[] Index)> UploadHalfIndexedPackAsync(S3PackObjectStore store, IEnumerable<EncodedObject> objects)
    {
        using var writer = new PackWriter(LZ4Level.L00_FAST);
        foreach (var o in objects) writer.Add(o.Id, o.Data.Span);
        using var pack = writer.Build();
        var index = pack.IndexBytes.ToArray();
        await S3TestServer.RawPutAsync(store.PackKey(pack.Name), pack.Bytes.ToArray());
        await S3TestServer.RawPutAsync(store.IndexKey(pack.Name), index[..(index.Length / 2)]);
        return (pack.Name, index);
    }

    [Fact]
    public async Task The_GC_scan_and_sweep_skip_a_half_uploaded_index_delete_nothing_of_its_pack_and_report_it()
    {
        var options = S3TestServer.Options();
        options.LoggerFactory = _logs;
        var store = await OpenAsync(options);
        var blobs = TestData.DifyBlobs(40);
        var settled = blobs.Take(20).ToList();
        var uploading = blobs.Skip(20).ToList();
        await store.WriteAsync(settled);
        var (name, index) = await UploadHalfIndexedPackAsync(store, uploading);

        // The scan (what the collector lists): the settled objects only; the index fetched a bounded number of times.
        var gets = store.Metrics.GetRequests;
        var listed = new List<StoredObjectInfo>();
        await foreach (var o in store.ListObjectsAsync()) listed.Add(o);
        Assert.Equal(settled.Select(b => b.Id).Order(), listed.Select(o => o.Id).Order());
        Assert.Equal(S3PackObjectStore.IndexLoadAttempts, store.Metrics.GetRequests - gets);
        Assert.Equal(1, store.Metrics.IndexesSkipped);
        var warning = Assert.Single(_logs.Events);
        Assert.Equal((4003, LogLevel.Warning), (warning.Id, warning.Level));
        Assert.Contains(store.IndexKey(name), warning.Message, StringComparison.Ordinal);

        // The sweep, asked to delete every object ever written: the settled pack goes, the half-indexed one stays whole.
        var swept = await store.DeleteObjectsAsync(blobs.Select(b => b.Id).ToHashSet(), DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(settled.Count, swept.Sum(r => r.ObjectsDeleted));
        Assert.False(await S3TestServer.RawMissingAsync(store.PackKey(name)), "the pack of an unreadable index was deleted");
        Assert.False(await S3TestServer.RawMissingAsync(store.IndexKey(name)), "an unreadable index was deleted");

        // The upload completes: the next refresh loads the pack and every object reads back.
        await S3TestServer.RawPutAsync(store.IndexKey(name), index);
        Assert.Equal(1, await store.RefreshIndexAsync());
        foreach (var o in uploading) Assert.True((await store.TryReadAsync(o.Id))!.Value.Span.SequenceEqual(o.Data.Span));
    }

    [Fact]
    public async Task A_whole_garbage_collection_and_a_store_opening_meanwhile_complete_beside_a_half_uploaded_index()
    {
        var options = S3TestServer.Options();
        options.LoggerFactory = _logs;
        var objects = await OpenAsync(options);
        await using var store = new RepositoryStore(objects, new InMemoryRefStore());
        var repo = store.GetRepository("support-bot");
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", """{"model":"gpt-4o"}"""), new CommitOptions { Author = "ana" });
        var (name, _) = await UploadHalfIndexedPackAsync(objects, TestData.DifyBlobs(10));

        var result = await store.CollectGarbageAsync(new GcOptions());
        var reopened = await OpenAsync(options);

        Assert.True(result.ObjectsScanned > 0);
        Assert.Equal(objects.ObjectCount, reopened.ObjectCount);
        Assert.Equal(1, reopened.Metrics.IndexesSkipped);
        Assert.All(_logs.Events, e => Assert.Equal(4003, e.Id));
        Assert.False(await S3TestServer.RawMissingAsync(objects.PackKey(name)));
        Assert.NotNull(await repo.CheckoutAsync("main"));
    }

    [Fact]
    public async Task An_index_that_still_does_not_parse_after_the_settle_time_is_damage()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = S3TestServer.Options();
        options.TimeProvider = clock;
        var store = await OpenAsync(options);
        var (name, _) = await UploadHalfIndexedPackAsync(store, TestData.DifyBlobs(5));

        Assert.Equal(0, await store.RefreshIndexAsync()); // fresh: skipped
        Assert.Equal(1, store.Metrics.IndexesSkipped);
        clock.Advance(S3PackObjectStore.IndexSettleTime + TimeSpan.FromMinutes(1));
        var e = await Assert.ThrowsAsync<CorruptObjectException>(() => store.RefreshIndexAsync());
        Assert.Contains(store.IndexKey(name), e.Message, StringComparison.Ordinal);
        Assert.Equal(1, store.Metrics.IndexesSkipped);
    }

    /// <summary>Keeps every log event at warning level or above.</summary>
    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly Lock _lock = new();
        private readonly List<(int Id, LogLevel Level, string Message)> _events = [];

        public IReadOnlyList<(int Id, LogLevel Level, string Message)> Events
        {
            get { lock (_lock) return [.. _events]; }
        }

        public ILogger CreateLogger(string categoryName) => this;
        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lock (_lock) _events.Add((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
