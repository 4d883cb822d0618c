using System.Collections.Concurrent;
using VersionStore.Conformance;
using VersionStore.Internal;

namespace VersionStore.Tests.Storage;

/// <summary>
/// The object reader's batch read (a snapshot level of a cold rollback): one call to the store, answers in order,
/// absent objects null, every object hashed — the damaged object named is the first in the batch — and the store's own
/// errors come through as they are.
/// </summary>
public sealed class BatchReadVerificationTests
{
    private static readonly IReadOnlyList<EncodedObject> Blobs = TestData.DifyBlobs(300);

    /// <summary>An in-memory store that counts batch calls and serves replaced bytes for chosen ids.</summary>
    private class LocalStore : IObjectStore, IBatchObjectStore
    {
        public readonly ConcurrentDictionary<ObjectId, byte[]> Objects = new();
        public int BatchCalls;
        public Exception? Failure;

        public ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref BatchCalls);
            if (Failure is not null) throw Failure;
            var result = new ReadOnlyMemory<byte>?[ids.Count];
            for (var i = 0; i < ids.Count; i++) result[i] = Objects.TryGetValue(ids[i], out var d) ? (ReadOnlyMemory<byte>?)d : null;
            return ValueTask.FromResult(result);
        }

        public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Objects.TryGetValue(id, out var d) ? (ReadOnlyMemory<byte>?)d : null);

        public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) => ValueTask.FromResult(Objects.ContainsKey(id));

        public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
        {
            foreach (var o in objects) Objects[o.Id] = o.Data.ToArray();
            return ValueTask.CompletedTask;
        }

        public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            yield break;
        }
    }

    /// <summary>The same, reading in place: each value visited straight from the dictionary's array, counted.</summary>
    private sealed class InPlaceLocalStore : LocalStore, IInPlaceBatchObjectStore
    {
        public int InPlaceCalls;

        public ValueTask ReadManyInPlaceAsync(IReadOnlyList<ObjectId> ids, IObjectBytesVisitor visitor, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref InPlaceCalls);
            for (var i = 0; i < ids.Count; i++)
                if (Objects.TryGetValue(ids[i], out var d)) visitor.Visit(i, d);
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<(LocalStore Store, ObjectReader Reader, ObjectId[] Ids)> SetUpAsync(bool inPlace = false)
    {
        Assert.Equal(300, Blobs.Count);
        LocalStore store = inPlace ? new InPlaceLocalStore() : new LocalStore();
        await store.WriteAsync(Blobs);
        return (store, new ObjectReader(store, new VersionStoreOptions()), [.. Blobs.Select(b => b.Id)]);
    }

    [Fact]
    public async Task A_large_batch_is_read_in_one_call_in_order_with_absent_objects_null()
    {
        var (store, reader, ids) = await SetUpAsync();
        var missing = ObjectId.Compute(ObjectCodec.EncodeBlob("never stored"u8));
        var asked = ids.Take(150).Append(missing).Concat(ids.Skip(150)).Append(ids[3]).ToArray(); // 302: an absent id, a repeat

        var data = await reader.TryReadManyVerifiedAsync(asked, CancellationToken.None);

        Assert.Equal(asked.Length, data.Length);
        for (var i = 0; i < asked.Length; i++)
        {
            if (asked[i] == missing) Assert.Null(data[i]);
            else Assert.Equal(store.Objects[asked[i]], data[i]!.Value.ToArray());
        }
        Assert.Equal(1, store.BatchCalls);
    }

    [Theory]
    [InlineData(5, 290)]
    [InlineData(140, 141)]
    [InlineData(299, 299)]
    public async Task The_first_damaged_object_of_the_batch_is_named(int first, int second)
    {
        var (store, reader, ids) = await SetUpAsync();
        store.Objects[ids[second]] = ObjectCodec.EncodeBlob("tampered later in the batch"u8);
        store.Objects[ids[first]] = ObjectCodec.EncodeBlob("tampered"u8);

        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await reader.TryReadManyVerifiedAsync(ids, CancellationToken.None));

        Assert.Equal(ids[first], e.ObjectId);
    }

    /// <summary>Records what a visit-read saw: the positions visited, in order, and a copy of their bytes.</summary>
    private sealed class Recorder : IObjectBytesVisitor
    {
        public readonly List<(int Index, byte[] Bytes)> Seen = [];

        public void Visit(int index, ReadOnlySpan<byte> encoded) => Seen.Add((index, encoded.ToArray()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_visit_read_visits_every_stored_object_in_order_in_one_call(bool inPlace)
    {
        var (store, reader, ids) = await SetUpAsync(inPlace);
        var missing = ObjectId.Compute(ObjectCodec.EncodeBlob("never stored"u8));
        var asked = ids.Take(150).Append(missing).Concat(ids.Skip(150)).Append(ids[3]).ToArray();
        var recorder = new Recorder();

        await reader.VisitManyVerifiedAsync(asked, recorder, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, asked.Length).Where(i => i != 150), recorder.Seen.Select(s => s.Index));
        Assert.All(recorder.Seen, s => Assert.Equal(store.Objects[asked[s.Index]], s.Bytes));
        Assert.Equal(inPlace ? 0 : 1, store.BatchCalls);
        if (store is InPlaceLocalStore local) Assert.Equal(1, local.InPlaceCalls);
    }

    [Theory]
    [InlineData(5, 290, false)]
    [InlineData(140, 141, false)]
    [InlineData(299, 299, false)]
    [InlineData(7, 200, true)]   // the first: bytes that hash to their id but carry a malformed header
    [InlineData(200, 7, true)]   // ... and the same the other way round
    public async Task An_in_place_read_fails_on_the_same_object_with_the_same_message_as_the_copying_read(int first, int second, bool malformedFirst)
    {
        var (store, reader, ids) = await SetUpAsync(inPlace: true);
        var asked = ids.ToArray();
        store.Objects[asked[second]] = ObjectCodec.EncodeBlob("tampered later in the batch"u8);
        if (malformedFirst)
        {
            byte[] malformed = [9, 9, 1, 2, 3];
            asked[first] = ObjectId.Compute(malformed);
            store.Objects[asked[first]] = malformed;
        }
        else store.Objects[asked[first]] = ObjectCodec.EncodeBlob("tampered"u8);
        var recorder = new Recorder();

        // The same reader, both paths: the copying batch read (TryReadManyAsync) and the in-place one.
        var copied = await Assert.ThrowsAsync<CorruptObjectException>(async () => await reader.TryReadManyVerifiedAsync(asked, CancellationToken.None));
        var visited = await Assert.ThrowsAsync<CorruptObjectException>(async () => await reader.VisitManyVerifiedAsync(asked, recorder, CancellationToken.None));

        Assert.Equal(asked[Math.Min(first, second)], visited.ObjectId);
        Assert.Equal(copied.ObjectId, visited.ObjectId);
        Assert.Equal(copied.Message, visited.Message);
        Assert.Equal(Enumerable.Range(0, Math.Min(first, second)), recorder.Seen.Select(s => s.Index)); // only what passed, before it
    }

    [Fact]
    public async Task The_store_error_comes_through_unwrapped()
    {
        var (store, reader, ids) = await SetUpAsync();
        store.Failure = new BackendUnavailableException("test", "the disk went away");

        var e = await Assert.ThrowsAsync<BackendUnavailableException>(async () => await reader.TryReadManyVerifiedAsync(ids, CancellationToken.None));

        Assert.Contains("the disk went away", e.Message);
    }
}
