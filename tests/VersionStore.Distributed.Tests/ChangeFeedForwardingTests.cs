using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Distributed.Tests;

/// <summary>Decorators of a ref store forward its change feed (an optional capability), so watches stay pushed.</summary>
public sealed class ChangeFeedForwardingTests : IDisposable
{
    private readonly TempDirectory _dir = new("feed-forwarding");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_fail_static_decorator_forwards_the_feed_of_the_store_it_wraps()
    {
        using var local = RocksDbBackend.Open(_dir.Combine("local"));
        var inner = new InMemoryRefStore();
        var refs = new FailStaticRefStore(inner, local);
        var store = new RepositoryStore(new InMemoryObjectStore(), refs);
        Assert.Same(refs, store.ChangeFeed);
        var repo = store.GetRepository("support-bot");
        var name = RefName.Channel("prod");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var watch = repo.WatchAsync(name, cancellationToken: stop.Token).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync()); // initial: does not exist yet
        var id = ObjectId.Compute([1]);
        var entry = new AuditEntry(name, 1, null, id, "publish", "ana", DateTimeOffset.UtcNow, null, ObjectId.Zero);
        Assert.True(await refs.TryUpdateRefAsync(new RefUpdate("support-bot", null, entry)));
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((RefChangeSource.Notice, (ObjectId?)id), (watch.Current.Source, watch.Current.Target)); // pushed, not polled

        var noFeed = new FailStaticRefStore(new RefStoreWithoutFeed(inner), local);
        await Assert.ThrowsAsync<NotSupportedException>(async () => await noFeed.SubscribeAsync("support-bot", new NullListener()));
    }

    private sealed class NullListener : IRefChangeListener
    {
        public void OnChanged(RepositoryName repository, AuditEntry entry) { }

        public void OnGap(string reason) { }
    }
}
