using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Tiered.Tests;

/// <summary>Tiered reads, writes, repair, breakers and metrics over in-memory tiers (no server needed).</summary>
public sealed class TieredObjectStoreTests
{
    private static readonly IReadOnlyList<EncodedObject> Blobs = TestData.DifyBlobs(max: 40);

    private readonly MemoryCacheTier _hot = new(maxBytes: null);
    private readonly MemoryCacheTier _warm = new(maxBytes: null);
    private readonly MemoryCacheTier _durable = new(maxBytes: null);
    private readonly MemoryCacheTier _archive = new(maxBytes: null);

    private TieredObjectStore Create(TimeProvider? time = null, IObjectStore? warm = null, IObjectStore? durable = null, bool archive = false) => new(new TieredObjectStoreOptions
    {
        Tiers =
        [
            new StorageTier("hot", _hot, TierRole.Cache),
            new StorageTier("warm", warm ?? _warm, TierRole.Cache),
            new StorageTier("durable", durable ?? _durable, TierRole.Durable),
            .. archive ? new[] { new StorageTier("archive", _archive, TierRole.Archive) } : [],
        ],
        ArchiveOutbox = archive ? new InMemoryOutbox() : null,
        BreakerFailureThreshold = 2,
        BreakerCooldown = TimeSpan.FromSeconds(10),
        TimeProvider = time ?? TimeProvider.System,
    });

    private static bool Holds(MemoryCacheTier tier, EncodedObject o)
        => tier.TryReadAsync(o.Id).AsTask().Result is { } d && d.Span.SequenceEqual(o.Data.Span);

    [Fact]
    public async Task Read_comes_from_the_nearest_tier_that_holds_the_object()
    {
        var store = Create();
        var o = Blobs[0];
        await store.WriteAsync([o]);
        Assert.True(Holds(_hot, o) && Holds(_warm, o) && Holds(_durable, o)); // write-through

        var data = await store.ReadAsync(o.Id);
        Assert.True(data.Span.SequenceEqual(o.Data.Span));
        Assert.Equal(1, store.GetStatistics("hot").Hits);
        Assert.Equal(0, store.GetStatistics("warm").Hits + store.GetStatistics("warm").Misses);
        Assert.Equal(0, store.GetStatistics("durable").Hits + store.GetStatistics("durable").Misses);
    }

    [Fact]
    public async Task A_read_from_a_farther_tier_promotes_the_object_into_the_nearer_cache_tiers()
    {
        var store = Create();
        var o = Blobs[1];
        await _durable.WriteAsync([o]);

        Assert.True((await store.ReadAsync(o.Id)).Span.SequenceEqual(o.Data.Span));
        Assert.True(Holds(_hot, o));
        Assert.True(Holds(_warm, o));
        Assert.Equal(1, store.GetStatistics("hot").Promotions);
        Assert.Equal(1, store.GetStatistics("durable").Hits);

        await store.ReadAsync(o.Id);
        Assert.Equal(1, store.GetStatistics("hot").Hits);
        Assert.Equal(1, store.GetStatistics("durable").Hits);
    }

    [Theory]
    [InlineData("hot")]
    [InlineData("warm")]
    [InlineData("durable")]
    public async Task A_corrupt_copy_in_any_tier_is_detected_served_from_a_good_tier_and_repaired(string corruptTier)
    {
        var store = Create(archive: true);
        var o = Blobs[2];
        await store.WriteAsync([o]);
        await _archive.WriteAsync([o]);
        var tiers = new Dictionary<string, MemoryCacheTier> { ["hot"] = _hot, ["warm"] = _warm, ["durable"] = _durable };
        // Nearer tiers forget the object so the read reaches the corrupt copy.
        foreach (var (name, tier) in tiers)
        {
            if (name == corruptTier) break;
            await tier.TryEvictAsync(o.Id);
        }
        var flipped = o.Data.ToArray();
        flipped[^1] ^= 0x01;
        tiers[corruptTier].Overwrite(o.Id, flipped);

        var data = await store.ReadAsync(o.Id);

        Assert.True(data.Span.SequenceEqual(o.Data.Span));
        Assert.Equal(1, store.GetStatistics(corruptTier).Corruptions);
        Assert.True(Holds(tiers[corruptTier], o), $"{corruptTier} was repaired");
        foreach (var tier in tiers.Values) Assert.True(Holds(tier, o));
    }

    [Fact]
    public async Task When_every_copy_is_corrupt_the_read_fails_with_a_typed_error_naming_the_id()
    {
        var store = Create();
        var o = Blobs[3];
        await store.WriteAsync([o]);
        foreach (var t in new[] { _hot, _warm, _durable })
        {
            var bad = o.Data.ToArray();
            bad[5] ^= 0x40;
            t.Overwrite(o.Id, bad);
        }

        var e = await Assert.ThrowsAsync<CorruptObjectException>(async () => await store.TryReadAsync(o.Id));
        Assert.Equal(o.Id, e.ObjectId);
        Assert.Contains(o.Id.ToString(), e.Message);
        Assert.Contains("hot, warm, durable", e.Message);
    }

    [Fact]
    public async Task An_object_in_no_tier_is_not_found_with_its_id()
    {
        var store = Create();
        var id = Blobs[4].Id;
        Assert.Null(await store.TryReadAsync(id));
        Assert.False(await store.ContainsAsync(id));
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(async () => await store.ReadAsync(id));
        Assert.Equal(id, e.ObjectId);
    }

    [Fact]
    public async Task A_write_is_acknowledged_only_when_the_durable_tier_has_it()
    {
        var durable = ChaosStore.Wrap(_durable, "durable").Fail(ChaosOperation.All);
        var store = Create(durable: durable);
        var o = Blobs[5];

        await Assert.ThrowsAsync<BackendUnavailableException>(async () => await store.WriteAsync([o]));
        Assert.False(await _hot.ContainsAsync(o.Id)); // caches are written only after the durable tier acknowledged
        Assert.False(await _durable.ContainsAsync(o.Id));

        durable.Down = false;
        await store.WriteAsync([o]);
        Assert.True(Holds(_durable, o));
    }

    [Fact]
    public async Task A_failing_cache_tier_does_not_fail_writes_or_reads()
    {
        var warm = ChaosStore.Wrap(_warm, "warm").Fail(ChaosOperation.All);
        var store = Create(warm: warm);
        var o = Blobs[6];

        await store.WriteAsync([o]);
        await _hot.TryEvictAsync(o.Id);
        Assert.True((await store.ReadAsync(o.Id)).Span.SequenceEqual(o.Data.Span));
        Assert.True(store.GetStatistics("warm").Failures >= 1);
        Assert.True(Holds(_durable, o));
    }

    [Fact]
    public async Task The_breaker_skips_a_failing_tier_for_the_cooldown_then_probes_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        var warm = ChaosStore.Wrap(_warm, "warm").Fail(ChaosOperation.All);
        var store = Create(time, warm: warm);
        foreach (var o in Blobs.Take(6)) await _durable.WriteAsync([o]);

        await store.ReadAsync(Blobs[0].Id);
        await store.ReadAsync(Blobs[1].Id); // second consecutive failure opens the breaker
        Assert.True(store.GetStatistics("warm").BreakerOpen);
        var callsWhenOpened = warm.Calls();

        await store.ReadAsync(Blobs[2].Id);
        await store.ReadAsync(Blobs[3].Id);
        Assert.Equal(callsWhenOpened, warm.Calls());           // skipped: not called at all
        Assert.Equal(2, store.GetStatistics("warm").Skipped);

        time.Advance(TimeSpan.FromSeconds(9));
        await store.ReadAsync(Blobs[4].Id);
        Assert.Equal(callsWhenOpened, warm.Calls());           // still cooling down

        warm.Down = false;
        time.Advance(TimeSpan.FromSeconds(2));
        await store.ReadAsync(Blobs[5].Id);                  // half-open probe succeeds
        Assert.True(warm.Calls() > callsWhenOpened);
        Assert.False(store.GetStatistics("warm").BreakerOpen);
        Assert.True(await _warm.ContainsAsync(Blobs[5].Id)); // promoted again once healthy
    }

    [Fact]
    public async Task The_durable_tier_is_never_skipped_and_its_failure_is_reported()
    {
        var durable = ChaosStore.Wrap(_durable, "durable");
        var store = Create(durable: durable);
        var o = Blobs[7];
        await _durable.WriteAsync([o]);
        durable.Down = true;
        for (var i = 0; i < 4; i++)
            await Assert.ThrowsAsync<BackendUnavailableException>(async () => await store.TryReadAsync(o.Id));
        Assert.Equal(4, durable.Calls());
        Assert.Equal(0, store.GetStatistics("durable").Skipped);
    }

    [Fact]
    public async Task Prefix_search_asks_the_durable_tier()
    {
        var store = Create();
        await store.WriteAsync(Blobs.Take(10).ToList());
        var id = Blobs[8].Id;
        var found = new List<ObjectId>();
        await foreach (var f in store.FindByPrefixAsync(id.ToString(8), 10)) found.Add(f);
        Assert.Contains(id, found);
    }

    [Fact]
    public async Task Metrics_carry_the_tier_tag()
    {
        var seen = new List<(string Instrument, string? Tier)>();
        using var listener = new MeterListener();
        var store = Create();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == VersionStoreDiagnostics.Name && instrument.Name.StartsWith("vstore.tiered.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            string? tier = null;
            foreach (var t in tags) if (t.Key == "tier") tier = t.Value as string;
            lock (seen) seen.Add((instrument.Name, tier));
        });
        listener.Start();
        var o = Blobs[9];
        await _durable.WriteAsync([o]);
        await store.ReadAsync(o.Id);
        listener.Dispose();
        lock (seen)
        {
            Assert.Contains(("vstore.tiered.misses", "hot"), seen);
            Assert.Contains(("vstore.tiered.hits", "durable"), seen);
            Assert.Contains(("vstore.tiered.promotions", "warm"), seen);
        }
    }

    [Fact]
    public void Options_report_every_problem_together()
    {
        var e = Assert.Throws<ArgumentException>(() => new TieredObjectStore(new TieredObjectStoreOptions
        {
            Tiers = { new StorageTier("a", new MemoryCacheTier(), TierRole.Archive), new StorageTier("a", new MemoryCacheTier(), TierRole.Cache) },
            BreakerFailureThreshold = 0,
        }));
        Assert.Contains("exactly one tier", e.Message);
        Assert.Contains("ordered", e.Message);
        Assert.Contains("used twice", e.Message);
        Assert.Contains("ArchiveOutbox", e.Message);
        Assert.Contains("BreakerFailureThreshold", e.Message);
    }
}
