using Microsoft.Extensions.Time.Testing;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Tiered.Tests;

/// <summary>Demotion (invariant 4): copy, verify, then evict; never evict without a verified durable copy.</summary>
public sealed class DemotionTests
{
    private static readonly IReadOnlyList<EncodedObject> Blobs = TestData.DifyBlobs(max: 20);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
    private readonly MemoryCacheTier _hot;
    private readonly MemoryCacheTier _durableData = new(maxBytes: null);
    private readonly ChaosStore _durable;
    private readonly TieredObjectStore _store;

    public DemotionTests()
    {
        _hot = new MemoryCacheTier(maxBytes: null, _time);
        _durable = ChaosStore.Wrap(_durableData, "durable");
        _store = new TieredObjectStore(new TieredObjectStoreOptions
        {
            Tiers = { new StorageTier("hot", _hot, TierRole.Cache), new StorageTier("durable", _durable, TierRole.Durable) },
            TimeProvider = _time,
        });
    }

    [Fact]
    public async Task Only_idle_objects_with_a_verified_durable_copy_are_evicted()
    {
        var idle = Blobs.Take(4).ToList();
        await _store.WriteAsync(idle);
        _time.Advance(TimeSpan.FromMinutes(30));
        var fresh = Blobs.Skip(4).Take(2).ToList();
        await _store.WriteAsync(fresh);

        var result = await _store.DemoteAsync(new DemotionPolicy { MaxIdle = TimeSpan.FromMinutes(10) });

        Assert.Equal(new DemotionResult(4, 0, 0), result);
        foreach (var o in idle) Assert.False(await _hot.ContainsAsync(o.Id));
        foreach (var o in fresh) Assert.True(await _hot.ContainsAsync(o.Id));
        foreach (var o in idle) Assert.True(await _durableData.ContainsAsync(o.Id));
    }

    [Fact]
    public async Task A_missing_or_corrupt_durable_copy_is_written_and_verified_before_the_eviction()
    {
        var missing = Blobs[6];
        var corrupt = Blobs[7];
        await _hot.WriteAsync([missing, corrupt]);          // only the cache holds good copies
        var bad = corrupt.Data.ToArray();
        bad[3] ^= 1;
        await _durableData.WriteAsync([new EncodedObject(corrupt.Id, bad)]);
        _time.Advance(TimeSpan.FromHours(1));

        var result = await _store.DemoteAsync(new DemotionPolicy { MaxIdle = TimeSpan.FromMinutes(1) });

        Assert.Equal(new DemotionResult(2, 2, 0), result);
        foreach (var o in new[] { missing, corrupt })
            Assert.True((await _durableData.TryReadAsync(o.Id))!.Value.Span.SequenceEqual(o.Data.Span));
        Assert.Equal(0, _hot.Count);
    }

    [Fact]
    public async Task Nothing_is_evicted_while_the_durable_tier_is_unreachable_or_the_cache_copy_is_the_only_and_corrupt_one()
    {
        var o = Blobs[8];
        var onlyCorrupt = Blobs[9];
        await _hot.WriteAsync([o]);
        var bad = onlyCorrupt.Data.ToArray();
        bad[^1] ^= 1;
        _hot.Overwrite(onlyCorrupt.Id, bad);
        _time.Advance(TimeSpan.FromHours(1));

        _durable.Down = true;
        Assert.Equal(new DemotionResult(0, 0, 2), await _store.DemoteAsync(new DemotionPolicy { MaxIdle = TimeSpan.Zero }));
        Assert.Equal(2, _hot.Count);

        _durable.Down = false;
        Assert.Equal(new DemotionResult(1, 1, 1), await _store.DemoteAsync(new DemotionPolicy { MaxIdle = TimeSpan.Zero }));
        Assert.True(await _hot.ContainsAsync(onlyCorrupt.Id)); // no verified durable copy can be made: kept
    }

    [Fact]
    public async Task A_size_limit_evicts_the_least_recently_used_first()
    {
        var objects = Blobs.Skip(10).Take(5).ToList();
        foreach (var o in objects)
        {
            await _store.WriteAsync([o]);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        await _store.ReadAsync(objects[0].Id); // touched last
        var keep = objects[0].Data.Length + objects[4].Data.Length;

        var result = await _store.DemoteAsync(new DemotionPolicy { MaxBytesPerTier = keep });

        Assert.Equal(3, result.Evicted);
        Assert.True(await _hot.ContainsAsync(objects[0].Id));
        Assert.True(await _hot.ContainsAsync(objects[4].Id));
    }
}
