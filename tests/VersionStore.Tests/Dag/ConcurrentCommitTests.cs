using System.Text;

namespace VersionStore.Tests.Dag;

/// <summary>
/// Concurrent commits to one branch: committers of one store queue (no one starves on a busy machine), committers of
/// two stores over one backend race and auto-rebase combines their disjoint edits; none is ever lost.
/// </summary>
public sealed class ConcurrentCommitTests
{
    [Fact]
    public async Task EightConcurrentCommitters_OnDifferentEntries_AllLand()
    {
        const int writers = 8, commitsEach = 12;
        var repo = RepositoryStore.CreateInMemory().GetRepository("race");
        await repo.CommitAsync("main", new SnapshotChanges().Put("settings", "s0"));
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            start.Wait();
            for (var k = 0; k < commitsEach; k++)
                await repo.CommitAsync("main", new SnapshotChanges().Put($"nodes/w{w}", $"w{w} v{k}").Put($"log/w{w}-{k}", "x"),
                    new CommitOptions { Author = $"w{w}", Message = $"w{w} {k}" });
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        var all = await (await repo.CheckoutAsync("main")).ReadAllAsync();
        for (var w = 0; w < writers; w++)
        {
            Assert.Equal($"w{w} v{commitsEach - 1}", System.Text.Encoding.UTF8.GetString(all[$"nodes/w{w}"].Span));
            for (var k = 0; k < commitsEach; k++) Assert.True(all.ContainsKey($"log/w{w}-{k}"), $"lost update w{w}-{k}");
        }
        var count = 0;
        await foreach (var _ in repo.LogAsync("main")) count++;
        Assert.Equal(1 + writers * commitsEach, count); // linear history: every commit landed exactly once
    }

    [Fact]
    public async Task TwoStoresOverOneBackend_RaceTheirCommits_AndRebaseEveryOneIn()
    {
        // Two stores over the same objects and refs stand for two processes: their committers race the ref's
        // compare-and-swap (within one store they queue), and automatic rebase lands every commit.
        const int writersPerStore = 2, commitsEach = 12;
        var first = RepositoryStore.CreateInMemory();
        var second = new RepositoryStore(first.Objects, first.Refs);
        await first.GetRepository("race").CommitAsync("main", new SnapshotChanges().Put("settings", "s0"));
        using var start = new ManualResetEventSlim();
        var tasks = new[] { first, second }.SelectMany((store, s) => Enumerable.Range(0, writersPerStore).Select(w => (Store: store, Name: $"s{s}w{w}")))
            .Select(writer => Task.Run(async () =>
            {
                start.Wait();
                var repo = writer.Store.GetRepository("race");
                for (var k = 0; k < commitsEach; k++)
                    await repo.CommitAsync("main", new SnapshotChanges().Put($"nodes/{writer.Name}", $"{writer.Name} v{k}").Put($"log/{writer.Name}-{k}", "x"),
                        new CommitOptions { Author = writer.Name, Message = $"{writer.Name} {k}" });
            })).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        var all = await (await first.GetRepository("race").CheckoutAsync("main")).ReadAllAsync();
        for (var s = 0; s < 2; s++)
            for (var w = 0; w < writersPerStore; w++)
            {
                Assert.Equal($"s{s}w{w} v{commitsEach - 1}", System.Text.Encoding.UTF8.GetString(all[$"nodes/s{s}w{w}"].Span));
                for (var k = 0; k < commitsEach; k++) Assert.True(all.ContainsKey($"log/s{s}w{w}-{k}"), $"lost update s{s}w{w}-{k}");
            }
        var count = 0;
        await foreach (var _ in second.GetRepository("race").LogAsync("main")) count++;
        Assert.Equal(1 + 2 * writersPerStore * commitsEach, count);
    }

    [Fact]
    public async Task SameEntryConcurrentEdits_ThrowTypedConflict_NamingTheEntry()
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository("same");
        var v1 = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "v1").Put("edges", "e"));
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "v2 by ana"));
        // Bob edited on top of v1 (he saw v1) with auto-rebase asked for: same entry → typed conflict.
        var ex = await Assert.ThrowsAsync<MergeConflictException>(() => repo.CommitCoreAsync("main", new SnapshotChanges().Put("nodes/llm", "v2 by bob"),
            new CommitOptions { ExpectedHead = v1.Id }, new RebaseOptions { AutoRebase = true }));
        Assert.Equal(["nodes/llm"], ex.Conflicts.Select(c => c.Path));
        // A different entry rebases cleanly.
        var ok = await repo.CommitCoreAsync("main", new SnapshotChanges().Put("edges", "e2"), new CommitOptions { ExpectedHead = v1.Id }, new RebaseOptions { AutoRebase = true });
        var all = await (await repo.CheckoutAsync("main")).ReadAllAsync();
        Assert.Equal("v2 by ana", System.Text.Encoding.UTF8.GetString(all["nodes/llm"].Span));
        Assert.Equal("e2", System.Text.Encoding.UTF8.GetString(all["edges"].Span));
        Assert.Single(ok.Commit.Parents);
        // Default: an explicit stale expected head is strict.
        await Assert.ThrowsAsync<RefConflictException>(() => repo.CommitAsync("main", new SnapshotChanges().Put("edges", "e3"), new CommitOptions { ExpectedHead = v1.Id }));
    }

    [Fact]
    public async Task ConcurrentSameEntryEdits_NeverLoseAnUpdate()
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository("hot");
        await repo.CommitAsync("main", new SnapshotChanges().Put("counter", "0"));
        using var start = new ManualResetEventSlim();
        var landed = 0;
        var conflicted = 0;
        var tasks = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                await repo.CommitAsync("main", new SnapshotChanges().Put("counter", $"w{w}"));
                Interlocked.Increment(ref landed);
            }
            catch (MergeConflictException e)
            {
                Assert.Equal("counter", Assert.Single(e.Conflicts).Path);
                Interlocked.Increment(ref conflicted);
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks);
        Assert.Equal(8, landed + conflicted);
        var count = 0;
        await foreach (var _ in repo.LogAsync("main")) count++;
        Assert.Equal(1 + landed, count); // each success is a commit in history; no silent overwrite
    }

    [Fact]
    public async Task AutoRebaseOff_LostRace_ThrowsRefConflict()
    {
        var store = RepositoryStore.CreateInMemory();
        var repo = store.GetRepository("off");
        var v1 = await repo.CommitAsync("main", new SnapshotChanges().Put("a", "1"));
        await repo.CommitAsync("main", new SnapshotChanges().Put("b", "1"));
        await Assert.ThrowsAsync<RefConflictException>(() => repo.CommitCoreAsync("main", new SnapshotChanges().Put("c", "1"),
            new CommitOptions { ExpectedHead = v1.Id }, new RebaseOptions { AutoRebase = false }));
    }
}
