using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VersionStore.Conformance;
using Xunit.Abstractions;

namespace VersionStore.Releases.Tests;

/// <summary>
/// <see cref="LiveChannel"/>: answers from memory, follows publishes, rollbacks and gray changes by push (embedded
/// RocksDB, in process), prefetches content before switching, starts stale from the head cache when the store is down.
/// </summary>
public sealed class LiveChannelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("live-channel");

    public void Dispose() => _dir.Dispose();

    private static async Task<(ObjectId V1, ObjectId V2)> SeedAsync(Repository repo)
    {
        var versions = TestData.HistoryVersions(ReleaseFixture.History);
        var v1 = (await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(versions[0])), new CommitOptions { Author = "ana", Message = "v1.4.0" })).Id;
        var v2 = (await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(versions[1])), new CommitOptions { Author = "ana", Message = "v1.5.0" })).Id;
        return (v1, v2);
    }

    [Fact]
    public async Task An_embedded_live_channel_follows_publish_gray_and_rollback_by_push_with_the_content_prefetched()
    {
        using var backend = RocksDbBackend.Open(_dir.Combine("db"));
        var store = new RepositoryStore(backend, backend);
        var repo = store.GetRepository("support-bot");
        var (v1, v2) = await SeedAsync(repo);
        var channels = new ReleaseChannels(repo);
        await channels.PublishAsync("prod", v1.ToString(), "ana", "1.4.0");

        await using var live = await LiveChannel.StartAsync(store, "support-bot", "prod");
        Assert.Equal(v1, live.Version);
        Assert.False(live.Current.IsStale);
        Assert.True(live.Current.StableContent!.ContainsKey("workflow.yml"));
        var events = new List<LiveChannelChange>();
        live.Changed += (_, c) => { lock (events) events.Add(c); };
        using var streamStop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var streamed = Task.Run(async () =>
        {
            var seen = new List<long>();
            await foreach (var c in live.ChangesAsync(streamStop.Token)) { seen.Add(c.Current.Sequence); if (seen.Count == 3) break; }
            return seen;
        });
        await Task.Delay(20); // let the stream reader subscribe

        var delays = new List<double>();
        async Task<TimeSpan> TimeAsync(Func<Task> move, Func<LiveChannelSnapshot, bool> arrived)
        {
            var sw = Stopwatch.StartNew();
            await move();
            var acked = sw.Elapsed;
            while (!arrived(live.Current)) { if (sw.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException("no update"); Thread.SpinWait(20); }
            return sw.Elapsed - acked;
        }
        delays.Add((await TimeAsync(() => channels.PublishAsync("prod", v2.ToString(), "ana", "1.5.0"), s => s.Version == v2)).TotalMilliseconds);
        Assert.Equal(v2, live.Version);
        Assert.NotNull(live.Current.StableContent);
        delays.Add((await TimeAsync(() => channels.PublishAsync("prod", v1.ToString(), 25, "ana", "gray back"), s => s.State.Canary == v1)).TotalMilliseconds);
        Assert.Equal(25, live.Current.State.CanaryPercent);
        Assert.NotNull(live.Current.CanaryContent);
        delays.Add((await TimeAsync(() => channels.RollbackAsync("prod", v1.ToString(), "incident", "ops"), s => s.Version == v1 && s.State.Canary is null)).TotalMilliseconds);
        output.WriteLine($"in-process writer ack -> live channel visible: {string.Join(", ", delays.Select(d => d.ToString("0.000") + " ms"))}");

        Assert.Equal([2L, 3, 4], await streamed);
        lock (events) Assert.Equal(3, events.Count);
        Assert.Equal(v1, events[^1].Current.Version);
        Assert.Equal(v2, events[^1].Previous.Version);
    }

    [Fact]
    public void The_hot_path_read_allocates_nothing()
    {
        var state = new ChannelState { Stable = ObjectId.Compute([1]), Canary = ObjectId.Compute([2]), CanaryBasisPoints = 1000, RolloutId = 42, Sequence = 3 };
        var snapshot = new LiveChannelSnapshot(state, DateTimeOffset.UnixEpoch, false, null, null, null);
        ObjectId? sink = null;
        for (var i = 0; i < 1000; i++) sink = snapshot.Resolve("user-123");
        // The fewest bytes of five measured passes: an allocation of the read itself recurs in every pass, while a
        // one-off of the runtime on this thread (seen once in CI with the suite running in parallel: 120 bytes in a
        // pass while tiered compilation was still settling) does not.
        var fewest = long.MaxValue;
        for (var pass = 0; pass < 5 && fewest > 0; pass++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100_000; i++)
            {
                sink = snapshot.Version;
                sink = snapshot.Resolve("user-123");
            }
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
        Assert.NotNull(sink);
    }

    [Fact]
    public async Task Started_while_the_store_is_down_it_serves_the_remembered_head_marked_stale_then_switches_when_the_store_returns()
    {
        var refs = ChaosStore.Wrap(new InMemoryRefStore(), "test");
        var store = new RepositoryStore(new InMemoryObjectStore(), refs);
        var repo = store.GetRepository("support-bot");
        var (v1, v2) = await SeedAsync(repo);
        var channels = new ReleaseChannels(repo);
        await channels.PublishAsync("prod", v1.ToString(), "ana", "1.4.0");
        var cache = new InMemoryHeadCache();
        await using (var first = await LiveChannel.StartAsync(store, "support-bot", "prod", new LiveChannelOptions { HeadCache = cache }))
            Assert.Equal(v1, first.Version); // remembered

        await channels.PublishAsync("prod", v2.ToString(), "ana", "1.5.0"); // happens while this process is away
        refs.Down = true;
        await Assert.ThrowsAsync<BackendUnavailableException>(() => LiveChannel.StartAsync(store, "support-bot", "prod")); // no head cache: fails loudly

        var options = new LiveChannelOptions { HeadCache = cache, Watch = new RefWatchOptions { RetryDelay = TimeSpan.FromMilliseconds(20) } };
        await using var live = await LiveChannel.StartAsync(store, "support-bot", "prod", options);
        Assert.True(live.Current.IsStale);
        Assert.Equal(v1, live.Version);
        Assert.Contains("test is unavailable", live.Current.Problem); // the store's own one-line error
        Assert.True(live.Current.Age(TimeProvider.System) >= TimeSpan.Zero);

        refs.Down = false;
        var sw = Stopwatch.StartNew();
        while (live.Current.IsStale && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(10);
        Assert.False(live.Current.IsStale);
        Assert.Equal(v2, live.Version);
    }

    [Fact]
    public async Task The_hosted_service_starts_registered_channels_and_stops_them()
    {
        var store = RepositoryStore.CreateInMemory();
        var repo = store.GetRepository("support-bot");
        var (v1, _) = await SeedAsync(repo);
        await new ReleaseChannels(repo).PublishAsync("prod", v1.ToString(), "ana", "1.4.0");
        var services = new ServiceCollection().AddSingleton(store).AddLiveChannel("support-bot", "prod");
        await using var provider = services.BuildServiceProvider();
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        await hosted.StartAsync(CancellationToken.None);
        var live = provider.GetRequiredService<LiveChannels>().Get("support-bot", "prod");
        Assert.Equal(v1, live.Version);
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<LiveChannels>().Get("support-bot", "staging"));
        await hosted.StopAsync(CancellationToken.None);
    }
}
