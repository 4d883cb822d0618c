using Microsoft.Extensions.Time.Testing;

namespace VersionStore.Releases.Tests;

public sealed class RunEventStoreTests
{
    public static TheoryData<string> Stores => ["memory", "repository"];

    private static IRunEventStore Create(string kind, RunSnapshotPolicy policy)
        => kind == "memory" ? new InMemoryRunEventStore(policy)
            : new RepositoryRunEventStore(RepositoryStore.CreateInMemory(new VersionStoreOptions { TimeProvider = new FakeTimeProvider(ReleaseFixture.Start) }).GetRepository("support-bot"), policy);

    /// <summary>A run of the real workflow's nodes over 20 minutes: each node starts and finishes, one retries, then the run completes.</summary>
    private static List<RunEvent> Events()
    {
        var yaml = File.ReadAllText(VersionStore.Conformance.TestData.HistoryVersions(ReleaseFixture.History)[0]);
        var nodes = System.Text.RegularExpressions.Regex.Matches(yaml, @"^\s+id: '?([0-9a-z_-]+)'?\s*$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Distinct().Take(12).ToList();
        Assert.True(nodes.Count >= 5);
        var t = ReleaseFixture.Start;
        var events = new List<RunEvent> { new(RunEvent.RunNodeId, "running", t, "v1.5.0") };
        foreach (var n in nodes)
        {
            t += TimeSpan.FromSeconds(40);
            events.Add(new(n, "running", t, "v1.5.0"));
            t += TimeSpan.FromSeconds(50);
            events.Add(new(n, n == nodes[2] ? "failed" : "succeeded", t, "v1.5.0"));
        }
        t += TimeSpan.FromSeconds(5);
        events.Add(new(nodes[2], "succeeded", t, "v1.5.0"));
        events.Add(new(RunEvent.RunNodeId, "completed", t + TimeSpan.FromSeconds(1), "v1.5.0"));
        return events;
    }

    private static Dictionary<string, string> Naive(List<RunEvent> events, DateTimeOffset at)
    {
        var d = new Dictionary<string, string>();
        foreach (var e in events.Where(e => e.Timestamp <= at)) d[e.NodeId] = e.Status;
        return d;
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task State_at_any_time_equals_replaying_every_event_and_uses_snapshots(string kind)
    {
        var store = Create(kind, new RunSnapshotPolicy { Interval = TimeSpan.FromMinutes(5) });
        var events = Events();
        foreach (var batch in events.Chunk(3)) await store.AppendAsync("run-42", batch);

        Assert.Equal(events, await store.ReadEventsAsync("run-42").ToListAsync());
        var end = events[^1].Timestamp;
        for (var at = ReleaseFixture.Start; at <= end + TimeSpan.FromMinutes(1); at += TimeSpan.FromSeconds(37))
        {
            var state = await store.GetStateAsync("run-42", at);
            Assert.NotNull(state);
            Assert.Equal(Naive(events, at), state.Nodes.ToDictionary(kv => kv.Key, kv => kv.Value.Status));
            if (at >= ReleaseFixture.Start + TimeSpan.FromMinutes(6))
            {
                Assert.NotNull(state.SnapshotTime);
                Assert.True(state.EventsApplied < events.Count / 2, $"{state.EventsApplied} events replayed at {at:O}");
            }
        }
        var final = await store.GetStateAsync("run-42", end);
        Assert.Equal("completed", final!.Status);
        Assert.Equal(end, final.SnapshotTime);   // the terminal status forced a snapshot
        Assert.Equal(0, final.EventsApplied);
        Assert.Null(await store.GetStateAsync("run-unknown", end));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Events_must_be_appended_in_time_order(string kind)
    {
        var store = Create(kind, new RunSnapshotPolicy());
        await store.AppendAsync("r1", [new RunEvent("llm", "running", ReleaseFixture.Start, "v1")]);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync("r1", [new RunEvent("llm", "succeeded", ReleaseFixture.Start.AddSeconds(-1), "v1")]));
        await Assert.ThrowsAsync<InvalidNameException>(async () => await store.AppendAsync("bad..id", [new RunEvent("llm", "running", ReleaseFixture.Start, "v1")]));
    }

    [Fact]
    public async Task Repository_store_keeps_each_run_as_an_audited_branch()
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository("support-bot");
        var store = new RepositoryRunEventStore(repo);
        await store.AppendAsync("run-7", [new RunEvent("start", "running", ReleaseFixture.Start, "v1"), new RunEvent(RunEvent.RunNodeId, "failed", ReleaseFixture.Start.AddSeconds(3), "v1")]);
        var head = await repo.TryGetRefAsync(RepositoryRunEventStore.RunRef("run-7"));
        Assert.NotNull(head);
        var commit = await repo.GetCommitAsync(head.Target);
        Assert.Equal("true", commit.GetTrailer("Snapshot"));
        Assert.Equal("commit", (await repo.AuditAsync(RepositoryRunEventStore.RunRef("run-7")).FirstAsync()).Operation);
    }
}
