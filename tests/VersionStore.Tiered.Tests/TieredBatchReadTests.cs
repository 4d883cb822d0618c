using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Tiered.Tests;

/// <summary>Batch reads through the tiered store over in-memory tiers: each tier is asked once, only for what is still missing.</summary>
public sealed class TieredBatchReadTests
{
    private static readonly IReadOnlyList<EncodedObject> Blobs = TestData.DifyBlobs(max: 40);

    private readonly MemoryCacheTier _hot = new(maxBytes: null);
    private readonly MemoryCacheTier _warm = new(maxBytes: null);
    private readonly MemoryCacheTier _durable = new(maxBytes: null);
    private readonly MemoryCacheTier _archive = new(maxBytes: null);

    private TieredObjectStore Create(IObjectStore? warm = null, IObjectStore? durable = null, bool archive = false) => new(new TieredObjectStoreOptions
    {
        Tiers =
        [
            new StorageTier("hot", _hot, TierRole.Cache),
            new StorageTier("warm", warm ?? _warm, TierRole.Cache),
            new StorageTier("durable", durable ?? _durable, TierRole.Durable),
            .. archive ? new[] { new StorageTier("archive", _archive, TierRole.Archive) } : [],
        ],
        ArchiveOutbox = archive ? new InMemoryOutbox() : null,
    });

    private static bool Holds(MemoryCacheTier tier, EncodedObject o)
        => tier.TryReadAsync(o.Id).AsTask().Result is { } d && d.Span.SequenceEqual(o.Data.Span);

    private static byte[] Flipped(EncodedObject o)
    {
        var bad = o.Data.ToArray();
        bad[^1] ^= 0x01;
        return bad;
    }

    [Fact]
    public async Task Each_tier_is_asked_once_for_what_nearer_tiers_missed_and_the_finds_are_promoted()
    {
        var warm = ChaosStore.Wrap(_warm, "warm");
        var durable = ChaosStore.Wrap(_durable, "durable");
        var store = Create(warm, durable);
        Assert.IsAssignableFrom<IBatchObjectStore>(store);
        var (a, b, c) = (Blobs[0], Blobs[1], Blobs[2]);
        await _hot.WriteAsync([a]);
        await _warm.WriteAsync([b]);
        await _durable.WriteAsync([a, b, c]);
        var missing = Blobs[3].Id;

        var read = await store.TryReadManyAsync([c.Id, a.Id, missing, b.Id, c.Id]);

        Assert.True(read[0]!.Value.Span.SequenceEqual(c.Data.Span));
        Assert.True(read[1]!.Value.Span.SequenceEqual(a.Data.Span));
        Assert.Null(read[2]);
        Assert.True(read[3]!.Value.Span.SequenceEqual(b.Data.Span));
        Assert.True(read[4]!.Value.Span.SequenceEqual(c.Data.Span));
        Assert.Equal(1, warm.Calls(ChaosOperation.ReadMany));
        Assert.Equal(1, durable.Calls(ChaosOperation.ReadMany));
        Assert.True(Holds(_hot, b) && Holds(_hot, c), "hot got what it missed");
        Assert.True(Holds(_warm, c), "warm got what it missed");
        Assert.Equal(2, store.GetStatistics("hot").Promotions);
        Assert.Equal(1, store.GetStatistics("warm").Promotions);
        Assert.Equal(1, store.GetStatistics("hot").Hits);
    }

    [Fact]
    public async Task A_corrupt_copy_in_a_batch_is_detected_served_from_a_good_tier_and_repaired()
    {
        var store = Create();
        var (good, victim) = (Blobs[4], Blobs[5]);
        await store.WriteAsync([good, victim]);
        _hot.Overwrite(victim.Id, Flipped(victim));

        var read = await store.TryReadManyAsync([good.Id, victim.Id]);

        Assert.True(read[0]!.Value.Span.SequenceEqual(good.Data.Span));
        Assert.True(read[1]!.Value.Span.SequenceEqual(victim.Data.Span));
        Assert.Equal(1, store.GetStatistics("hot").Corruptions);
        Assert.True(Holds(_hot, victim), "the hot copy was repaired");
    }

    [Fact]
    public async Task When_every_copy_of_one_object_is_corrupt_the_batch_fails_naming_it()
    {
        var store = Create();
        var (good, victim) = (Blobs[6], Blobs[7]);
        await store.WriteAsync([good, victim]);
        foreach (var t in new[] { _hot, _warm, _durable }) t.Overwrite(victim.Id, Flipped(victim));

        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await store.TryReadManyAsync([good.Id, victim.Id]));
        Assert.Equal(victim.Id, e.ObjectId);
        Assert.Contains("hot, warm, durable", e.Message);
    }

    [Fact]
    public async Task A_tier_that_verifies_by_itself_and_rejects_one_object_of_a_batch_loses_only_that_object()
    {
        var verifying = new SelfVerifyingStore(_durable);
        var store = Create(durable: verifying, archive: true);
        var objects = Blobs.Skip(8).Take(3).ToList();
        await _durable.WriteAsync(objects);
        await _archive.WriteAsync(objects);
        _durable.Overwrite(objects[1].Id, Flipped(objects[1]));

        var read = await store.TryReadManyAsync([.. objects.Select(o => o.Id)]);

        for (var i = 0; i < objects.Count; i++) Assert.True(read[i]!.Value.Span.SequenceEqual(objects[i].Data.Span));
        Assert.Equal(1, store.GetStatistics("durable").Corruptions);
        Assert.Equal(1, store.GetStatistics("archive").Hits);
        Assert.True(Holds(_durable, objects[1]), "the durable copy was repaired from the archive");
    }

    [Fact]
    public async Task With_the_durable_tier_down_cached_objects_are_served_and_the_rest_fails_typed()
    {
        var durable = ChaosStore.Wrap(_durable, "durable");
        var store = Create(durable: durable);
        var (cached, cold) = (Blobs[12], Blobs[13]);
        await store.WriteAsync([cached]);
        await _durable.WriteAsync([cold]);
        durable.Down = true;

        var read = await store.TryReadManyAsync([cached.Id]);
        Assert.True(read[0]!.Value.Span.SequenceEqual(cached.Data.Span));
        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await store.TryReadManyAsync([cached.Id, cold.Id]));
    }

    /// <summary>Like the S3 pack store: verifies what it returns and reports a bad copy by throwing (for the whole batch).</summary>
    private sealed class SelfVerifyingStore(MemoryCacheTier inner) : IObjectStore, IBatchObjectStore, IVerifyingObjectStore
    {
        public bool ReturnsVerifiedBytes => true;

        public async ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
        {
            var data = await inner.TryReadAsync(id, cancellationToken);
            if (data is { } d) ObjectCodec.Verify(id, d.Span);
            return data;
        }

        public async ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
        {
            var data = await inner.TryReadManyAsync(ids, cancellationToken);
            for (var i = 0; i < ids.Count; i++)
                if (data[i] is { } d) ObjectCodec.Verify(ids[i], d.Span);
            return data;
        }

        public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) => inner.ContainsAsync(id, cancellationToken);

        public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default) => inner.WriteAsync(objects, cancellationToken);

        public IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default) => inner.FindByPrefixAsync(hexPrefix, limit, cancellationToken);
    }
}
