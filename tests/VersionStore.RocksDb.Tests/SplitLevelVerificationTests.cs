using VersionStore.Conformance;
using VersionStore.RocksDb.Internal;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>
/// A cold rollback's large level (300 blobs in one folder) is read in chunks by the calling thread and a thread-pool
/// helper. Whatever the order in which the two finish their chunks, the rollback reports what a serial read of the same
/// damaged store reports (the first damaged object in the level's order; a missing object only when nothing in the level
/// is damaged), and a cancellation in the middle of the level stops it before the ref moves. The interleavings are forced
/// through the reader's chunk hooks, so each case runs the order it names.
/// </summary>
public sealed class SplitLevelVerificationTests : IDisposable
{
    private const int ChunkObjects = 16;
    private const int LeafChunks = (300 + ChunkObjects - 1) / ChunkObjects; // 19
    private static readonly TimeSpan HelperWait = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new("split-level");
    private readonly RefName _main = RefName.Branch("main");

    public void Dispose() => _dir.Dispose();

    private sealed record Stores(RocksDbBackend Backend, RepositoryStore Split, RepositoryStore Serial) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Serial.DisposeAsync();
            await Split.DisposeAsync();
        }
    }

    /// <summary>One RocksDB store seen through two repository stores: one splitting large levels (16 objects a chunk), one reading every level on the calling thread.</summary>
    private Stores Open()
    {
        var backend = RocksDbBackend.Open(_dir.Combine("db"));
        var options = new VersionStoreOptions { VerifiedSnapshotTtl = TimeSpan.Zero };
        var split = new RepositoryStore(backend, backend, options, ownedBackend: backend);
        split.ObjectReader.SplitMinObjects = 96;
        split.ObjectReader.SplitChunkObjects = ChunkObjects;
        var serial = new RepositoryStore(backend, backend, options);
        serial.ObjectReader.SplitMinObjects = int.MaxValue;
        return new Stores(backend, split, serial);
    }

    /// <summary>300 real Dify node-sized blobs in one folder (blob i is graph/nodes/n{i:D3}, position i of the leaf level), then a second version.</summary>
    private static async Task<(ObjectId V1, ObjectId V2, IReadOnlyList<EncodedObject> Blobs)> PublishAsync(RepositoryStore store)
    {
        var repo = store.GetRepository("support-bot");
        var blobs = TestData.DifyBlobs(301);
        var entries = blobs.Take(300).Select((b, i) => KeyValuePair.Create($"graph/nodes/n{i:D3}", b.Data[ObjectCodec.HeaderSize..].ToArray()));
        var v1 = await repo.CommitAsync("main", SnapshotChanges.FromEntries(entries), new CommitOptions { Message = "v1" });
        var edit = new SnapshotChanges();
        edit.Put("graph/nodes/n000", blobs[300].Data[ObjectCodec.HeaderSize..].ToArray());
        var v2 = await repo.CommitAsync("main", edit, new CommitOptions { Message = "v2" });
        return (v1.Id, v2.Id, blobs);
    }

    private RollbackRequest Back(ObjectId target) => new() { Ref = _main, Target = target.ToString(), Reason = "error rate above threshold", Mode = RollbackMode.Reset };

    /// <summary>
    /// Forces one order of the split's chunks. "helper stops first": the caller holds the level's first chunk until the
    /// helper has stopped (it read a damaged chunk, or every other chunk). "caller stops first": the helper holds the first
    /// chunk it takes (the second of the level: the caller holds the first until the helper has started) until the caller
    /// has stopped. Records whether the helper took part.
    /// </summary>
    private sealed class Interleaving
    {
        private readonly ManualResetEventSlim _helperStarted = new();
        private readonly ManualResetEventSlim _helperStopped = new();
        private readonly ManualResetEventSlim _callerStopped = new();
        private int _finished;
        private int _callerFirst = -1;
        private int _helperFirst = -1;

        public bool HelperTookPart => _helperStarted.IsSet;

        public void Install(VersionStore.Internal.ObjectReader reader, string order)
        {
            reader.SplitChunkStarting = (chunk, helper) =>
            {
                if (helper)
                {
                    _helperStarted.Set();
                    if (Interlocked.CompareExchange(ref _helperFirst, chunk, -1) == -1 && order == "caller stops first")
                        Wait(_callerStopped, "the caller to stop");
                }
                else if (Interlocked.CompareExchange(ref _callerFirst, chunk, -1) == -1)
                {
                    Wait(order == "helper stops first" ? _helperStopped : _helperStarted, order == "helper stops first" ? "the helper to stop" : "the helper to start");
                }
            };
            reader.SplitChunkFinished = (chunk, helper, failed) =>
            {
                // Every chunk but the one the other side holds is done, or this side stopped at a damaged chunk.
                var done = Interlocked.Increment(ref _finished) == LeafChunks - 1;
                if (helper && (failed || done)) _helperStopped.Set();
                if (!helper && (failed || done)) _callerStopped.Set();
            };
        }

        private static void Wait(ManualResetEventSlim e, string what)
        {
            if (!e.Wait(HelperWait)) throw new TimeoutException($"waited {HelperWait.TotalSeconds} s for {what}");
        }
    }

    [Theory]
    [InlineData("intact", "helper stops first")]
    [InlineData("intact", "caller stops first")]
    [InlineData("blobs 20, 130, 250 damaged", "helper stops first")]
    [InlineData("blobs 20, 130, 250 damaged", "caller stops first")]
    [InlineData("blobs 9, 130, 250 damaged", "helper stops first")]
    [InlineData("blobs 9, 130, 250 damaged", "caller stops first")]
    [InlineData("blobs 42, 150, 290 deleted", "helper stops first")]
    [InlineData("blobs 42, 150, 290 deleted", "caller stops first")]
    [InlineData("blob 5 deleted, blobs 120, 200 damaged", "helper stops first")]
    [InlineData("blob 5 deleted, blobs 120, 200 damaged", "caller stops first")]
    public async Task The_split_level_reports_the_first_failure_a_serial_read_reports(string damage, string order)
    {
        await using var stores = Open();
        var (v1, v2, blobs) = await PublishAsync(stores.Split);
        await stores.Backend.CompactAsync();
        var tampered = ObjectCodec.EncodeBlob("""{"type":"llm","title":"Tampered"}"""u8);
        var (damaged, deleted) = damage switch
        {
            "intact" => (new int[0], new int[0]),
            "blobs 20, 130, 250 damaged" => (new[] { 250, 130, 20 }, new int[0]),
            "blobs 9, 130, 250 damaged" => (new[] { 250, 130, 9 }, new int[0]),
            "blobs 42, 150, 290 deleted" => (new int[0], new[] { 290, 150, 42 }),
            "blob 5 deleted, blobs 120, 200 damaged" => (new[] { 200, 120 }, new[] { 5 }),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        foreach (var i in damaged) stores.Backend.PutRaw(KeyLayout.ObjectsFamily, blobs[i].Id.ToByteArray(), tampered);
        foreach (var i in deleted) stores.Backend.DeleteRaw(KeyLayout.ObjectsFamily, blobs[i].Id.ToByteArray());

        var serial = await stores.Serial.GetRepository("support-bot").RollbackAsync(Back(v1));
        if (serial.Status == RollbackStatus.Succeeded) await stores.Serial.GetRepository("support-bot").UpdateRefAsync(_main, v2, v1, "restore", "test");

        var interleaving = new Interleaving();
        interleaving.Install(stores.Split.ObjectReader, order);
        var split = await stores.Split.GetRepository("support-bot").RollbackAsync(Back(v1));

        Assert.True(interleaving.HelperTookPart, "the helper read part of the level");
        Assert.Equal((serial.Status, serial.Verification.ObjectsVerified, serial.Verification.Failure),
            (split.Status, split.Verification.ObjectsVerified, split.Verification.Failure));
        var expected = damage switch
        {
            "intact" => null,
            "blobs 20, 130, 250 damaged" => blobs[20].Id.ToString(),
            "blobs 9, 130, 250 damaged" => blobs[9].Id.ToString(),
            "blobs 42, 150, 290 deleted" => $"blob {blobs[42].Id} at 'graph/nodes/n042' is missing",
            _ => blobs[120].Id.ToString(), // damage comes before absence within a level, as in the serial read
        };
        if (expected is null)
        {
            Assert.Equal(RollbackStatus.Succeeded, split.Status);
            Assert.Equal(303, split.Verification.ObjectsVerified);
        }
        else
        {
            Assert.Equal(RollbackStatus.Rejected, split.Status);
            Assert.Contains(expected, split.Verification.Failure);
            Assert.Equal(v2, await stores.Split.GetRepository("support-bot").ResolveAsync("main"));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cancellation_in_the_middle_of_the_split_level_stops_the_rollback_before_the_ref_moves(bool byHelper)
    {
        await using var stores = Open();
        var (v1, v2, _) = await PublishAsync(stores.Split);
        await stores.Backend.CompactAsync();
        var repo = stores.Split.GetRepository("support-bot");
        var reader = stores.Split.ObjectReader;
        using var cts = new CancellationTokenSource();
        using var helperDidTwo = new ManualResetEventSlim();
        using var cancelled = new ManualResetEventSlim();
        using var callerStarted = new ManualResetEventSlim();
        var helperStarted = 0;
        var helperFinished = 0;
        var chunksAfterCancel = 0;
        var callerFirst = true;
        // The helper's first chunk waits until the caller holds one (so a helper that comes first cannot take them all);
        // the caller holds its first chunk while the helper reads on: the helper has read two chunks when the caller
        // cancels (or cancels itself as it starts its third); the caller's own first read then meets the cancelled token.
        reader.SplitChunkStarting = (chunk, helper) =>
        {
            if (cts.IsCancellationRequested) Interlocked.Increment(ref chunksAfterCancel);
            if (helper)
            {
                var started = Interlocked.Increment(ref helperStarted);
                if (started == 1 && !callerStarted.Wait(HelperWait)) throw new TimeoutException("the caller never took a chunk");
                if (started == 3 && byHelper)
                {
                    cts.Cancel();
                    cancelled.Set();
                }
            }
            else if (callerFirst)
            {
                callerFirst = false;
                callerStarted.Set();
                if (!(byHelper ? cancelled : helperDidTwo).Wait(HelperWait)) throw new TimeoutException("the helper did not read on");
                if (!byHelper) cts.Cancel();
            }
        };
        reader.SplitChunkFinished = (chunk, helper, failed) =>
        {
            if (helper && Interlocked.Increment(ref helperFinished) == 2) helperDidTwo.Set();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => repo.RollbackAsync(Back(v1), cts.Token));
        Assert.Equal(v2, await repo.ResolveAsync("main"));
        Assert.True(helperFinished >= 2, "the helper read part of the level before the cancellation");
        Assert.InRange(chunksAfterCancel, 0, 1); // at most the helper's next chunk was started, and found the token cancelled

        // The split is reusable after a cancelled read: the next rollback verifies the whole level and moves the ref.
        reader.SplitChunkStarting = null;
        reader.SplitChunkFinished = null;
        var done = await repo.RollbackAsync(Back(v1));
        Assert.Equal(RollbackStatus.Succeeded, done.Status);
        Assert.Equal(303, done.Verification.ObjectsVerified);
        Assert.Equal(v1, await repo.ResolveAsync("main"));
    }
}
