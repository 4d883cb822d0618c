using VersionStore.Conformance;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace VersionStore.Composition.Tests;

/// <summary>
/// Garbage collection through the tiers of a composition, with caches that keep promoting an unreferenced object: what
/// the durable tier deleted, no cache keeps answering for, and the same content committed again lands in the durable tier.
/// </summary>
public sealed class GcAcrossTiersTests
{
    [Theory]
    [InlineData(StoreComposition.DistributedWithLocalCache)]
    [InlineData(StoreComposition.EmbeddedWithMemoryCache)]
    [InlineData(StoreComposition.EmbeddedWithArchive)]
    [InlineData(StoreComposition.DistributedWithMemoryAndLocalCache)]
    public async Task An_object_collected_from_the_durable_tier_is_not_kept_by_a_cache_that_promoted_it_later(StoreComposition composition)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        await using var host = await CompositionHost.OpenAsync(composition, new VersionStoreOptions { TimeProvider = clock });
        var repo = host.Host.GetRepository("support-bot");
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", """{"model":"gpt-4o"}"""), new CommitOptions { Author = "ana" });
        var content = """{"type":"code","title":"abandoned"}"""u8.ToArray();
        var orphan = TestData.Blob(content);
        await host.Host.Objects.WriteAsync([orphan]);           // e.g. a commit that crashed before its ref moved

        if (host.Host.Archiver is { } archiver)
        {
            // Archived first, then collected with the archiver stopped: a scan that lists the archive while the archiver
            // uploads an index has read it half-written from s3rver ("not a pack index"; see the session report).
            await archiver.StopAsync();
            Assert.True((await archiver.RunOnceAsync()).Succeeded);
        }
        var tiers = host.Host.Tiers!;
        var durable = tiers.DurableTier.Store;
        var gc = new GcOptions { GracePeriod = TimeSpan.FromHours(1) };
        for (var run = 0; run < 4; run++)
        {
            clock.Advance(TimeSpan.FromMinutes(61));
            // Reads keep the orphan warm in the caches (a prefix lookup, a stale reader): promoted again, young there.
            foreach (var cache in tiers.Tiers.Where(t => t.Role == TierRole.Cache))
                if (cache.Store is ISweepableObjectStore s) await s.DeleteObjectsAsync([orphan.Id], new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero));
                else if (cache.Store is IObjectEviction e) await e.TryEvictAsync(orphan.Id);
            if (await durable.ContainsAsync(orphan.Id)) Assert.NotNull(await host.Host.Objects.TryReadAsync(orphan.Id));
            await host.Host.Store.CollectGarbageAsync(gc);
        }

        var inDurable = await durable.ContainsAsync(orphan.Id);
        var anywhere = await host.Host.Objects.ContainsAsync(orphan.Id);
        // A copy promoted into a cache counts as young (the collector is conservative: the orphan may outlive runs while it
        // is read); what must never happen is a cache answering for an object the durable tier deleted.
        Assert.True(inDurable == anywhere, $"durable holds the orphan: {inDurable}; the store answers: {anywhere}");

        // The same content committed again must end up in the durable tier, whatever a cache still holds.
        var again = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/code", content), new CommitOptions { Author = "ana" });
        Assert.True(await durable.ContainsAsync(orphan.Id), "a ref names a blob the durable tier does not hold");
        Assert.Equal(again.Id, await repo.ResolveAsync("main"));
    }
}
