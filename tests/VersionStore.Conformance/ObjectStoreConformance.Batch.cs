using Xunit;

namespace VersionStore.Conformance;

/// <summary>
/// The batch-read contract (<see cref="IBatchObjectStore"/>, through <see cref="ObjectStoreBatchExtensions.TryReadManyAsync"/>,
/// which falls back to single reads for a store without it): answers in the order asked, null for what is not held, one
/// answer per position for duplicated ids, and exactly the bytes a single read returns.
/// </summary>
public abstract partial class ObjectStoreConformance
{
    [Fact]
    public async Task Batch_read_answers_in_order_with_null_for_missing_and_one_answer_per_duplicate()
    {
        var store = NewStore();
        var blobs = Sample(30);
        var tree = TreeAndCommit(blobs, out var commit);
        await store.WriteAsync([.. blobs, tree, commit]);
        var missing = ObjectId.Compute(ObjectCodec.EncodeBlob("never written"u8));
        ObjectId[] ids = [blobs[17].Id, missing, commit.Id, blobs[0].Id, blobs[17].Id, tree.Id, ObjectId.Zero, blobs[29].Id];

        var read = await store.TryReadManyAsync(ids);

        Assert.Equal(ids.Length, read.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            var single = await store.TryReadAsync(ids[i]);
            Assert.Equal(single is null, read[i] is null);
            if (read[i] is { } data)
            {
                Assert.Equal(ids[i], ObjectId.Compute(data.Span));
                Assert.True(data.Span.SequenceEqual(single!.Value.Span), $"answer {i} differs from a single read");
            }
        }
        Assert.Null(read[1]);
        Assert.Null(read[6]);
    }

    [Fact]
    public async Task Batch_read_of_nothing_is_empty_and_of_a_whole_snapshot_returns_every_object()
    {
        var store = NewStore();
        Assert.Empty(await store.TryReadManyAsync([]));
        var blobs = Sample(200);
        await store.WriteAsync(blobs);

        var read = await store.TryReadManyAsync([.. blobs.Select(b => b.Id)]);

        for (var i = 0; i < blobs.Count; i++) Assert.True(read[i]!.Value.Span.SequenceEqual(blobs[i].Data.Span), $"bytes of {blobs[i].Id} differ");
    }
}
