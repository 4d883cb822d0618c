using Microsoft.Extensions.Time.Testing;
using VersionStore.Conformance;

namespace VersionStore.Releases.Tests;

/// <summary>
/// A workflow with three real Dify versions (ivytechnx-bnk-03-customer-inquiry 0001–0003) in an in-memory store on
/// a fake clock: v1 ("v1.4.0") published to prod and marked last-known-good, then v2 ("v1.5.0") published a minute later.
/// </summary>
public sealed class ReleaseFixture
{
    public const string History = "ivytechnx-bnk-03-customer-inquiry";
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private ReleaseFixture(FakeTimeProvider time, InMemoryObjectStore objects, InMemoryRefStore refs)
    {
        Time = time;
        Objects = objects;
        Refs = refs;
        Store = NewStore();
        Repo = Store.GetRepository("support-bot");
        Channels = new ReleaseChannels(Repo);
    }

    public FakeTimeProvider Time { get; }
    public InMemoryObjectStore Objects { get; }
    public InMemoryRefStore Refs { get; }
    public RepositoryStore Store { get; }
    public Repository Repo { get; }
    public ReleaseChannels Channels { get; }
    public ObjectId Good { get; private set; }
    public ObjectId Bad { get; private set; }
    public ObjectId Third { get; private set; }

    /// <summary>A second store over the same backends (another "process").</summary>
    public RepositoryStore NewStore() => new(Objects, Refs, new VersionStoreOptions { TimeProvider = Time });

    public static async Task<ReleaseFixture> CreateAsync(bool publishBad = true, bool markGood = true)
    {
        var f = new ReleaseFixture(new FakeTimeProvider(Start), new InMemoryObjectStore(), new InMemoryRefStore());
        var versions = TestData.HistoryVersions(History);
        f.Good = (await f.Repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(versions[0])), new CommitOptions { Author = "ana", Message = "v1.4.0" })).Id;
        await f.Repo.CreateTagAsync("v1.4.0", f.Good.ToString());
        f.Bad = (await f.Repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(versions[1])), new CommitOptions { Author = "ana", Message = "v1.5.0" })).Id;
        await f.Repo.CreateTagAsync("v1.5.0", f.Bad.ToString());
        f.Third = (await f.Repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(versions[2])), new CommitOptions { Author = "ana", Message = "v1.6.0" })).Id;
        await f.Channels.PublishAsync("prod", "v1.4.0", "ana", "release 1.4.0");
        if (markGood) await f.Channels.MarkLastKnownGoodAsync("prod", f.Good, "ana");
        f.Time.Advance(TimeSpan.FromMinutes(1));
        if (publishBad) await f.Channels.PublishAsync("prod", "v1.5.0", "ana", "release 1.5.0");
        return f;
    }

    public ReleaseGuard Guard(Action<ReleaseGuardOptions>? configure = null, string instance = "g1", RepositoryStore? store = null)
    {
        var options = new ReleaseGuardOptions { TimeProvider = Time, InstanceId = instance };
        configure?.Invoke(options);
        var channels = store is null ? Channels : new ReleaseChannels(store.GetRepository("support-bot"));
        return new ReleaseGuard(channels, "prod", options);
    }

    public async Task<ObjectId?> HeadAsync(string channel = "prod") => (await Channels.GetAsync(channel)).Head;

    public static HealthSample Requests(long total, long errors, double p99Ms = 100) => new() { Requests = total, Errors = errors, LatencyP99 = TimeSpan.FromMilliseconds(p99Ms), Source = "web-1" };
}
