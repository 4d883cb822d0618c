namespace VersionStore.Tests.Dag;

/// <summary>
/// A fresh process over a persisted commit graph answers short walks (<c>main~1</c>, <c>main^2</c>) and negative
/// is-ancestor from the commits' own headers, without attaching (mapping and checking) the whole file; the answers are
/// the graph's, and a whole-history question still attaches it.
/// </summary>
public sealed class FreshGraphShortcutTests : IDisposable
{
    private readonly string _graphFile = Path.Combine(Path.GetTempPath(), $"vstore-fresh-graph-{Guid.NewGuid():N}.vscg");

    public void Dispose() => File.Delete(_graphFile);

    private static SnapshotChanges Edit(int i) => new SnapshotChanges().Put("nodes/llm.json", $"{{\"model\":\"m{i}\"}}");

    [Fact]
    public async Task Short_walks_and_negative_is_ancestor_do_not_attach_the_file_and_agree_with_the_graph()
    {
        var first = RepositoryStore.CreateInMemory(new VersionStoreOptions { CommitGraphPath = _graphFile });
        var repo = first.GetRepository("wf");
        var commits = new List<ObjectId>();
        for (var i = 0; i < 120; i++) commits.Add((await repo.CommitAsync("main", Edit(i), new CommitOptions { Message = $"v{i}" })).Commit.Id);
        await repo.CreateTagAsync("v1", commits[0].ToString());
        await repo.CreateBranchAsync("side", commits[60].ToString());
        await repo.CommitAsync("side", new SnapshotChanges().Put("nodes/start.json", "{}"u8.ToArray()), new CommitOptions { Message = "side work" });
        var merge = (await repo.MergeAsync("main", "side", new MergeOptions { Message = "merge side" })).Head;
        var expected = new Dictionary<string, ObjectId?>();
        foreach (var rev in new[] { "main~1", "main~2", "main^1", "main^2", "main~64", "main~1^0", "main~100" })
            expected[rev] = await repo.TryResolveAsync(rev);
        (string A, string D)[] ancestry = [("main", "v1"), ("main~3", "main~1"), ("side", "main~2"), ("v1", "main"), ("main", "main")];
        var expectedLog = new List<ObjectId>();
        await foreach (var c in repo.LogAsync(new LogOptions { IncludeReachableFrom = ["main~1"], MaxCount = 10 })) expectedLog.Add(c.Id);
        var expectedMergeLog = new List<ObjectId>();
        await foreach (var c in repo.LogAsync(new LogOptions { IncludeReachableFrom = ["main"], MaxCount = 10 })) expectedMergeLog.Add(c.Id);
        var expectedAncestry = new List<bool>();
        foreach (var (a, d) in ancestry) expectedAncestry.Add(await repo.IsAncestorAsync(a, d));
        await first.DisposeAsync(); // appends the commit graph to its file
        Assert.True(new FileInfo(_graphFile).Length > 0);

        var fresh = new RepositoryStore(first.Objects, first.Refs, new VersionStoreOptions { CommitGraphPath = _graphFile });
        var again = fresh.GetRepository("wf");
        var graph = Graph.CommitGraph.For(fresh);
        Assert.True(graph.AttachPending);
        Assert.Equal(merge, await again.ResolveAsync("main"));
        foreach (var rev in new[] { "main~1", "main~2", "main^1", "main^2", "main~64", "main~1^0" })
            Assert.Equal(expected[rev], await again.ResolveAsync(rev));
        Assert.False(await again.IsAncestorAsync("main", "v1"));   // negative: generations
        Assert.True(await again.IsAncestorAsync("main", "main"));
        Assert.True(await again.IsAncestorAsync("main~3", "main~1"));      // a short walk finds it
        Assert.True(await again.IsAncestorAsync("side", "main"));          // through the merge's second parent
        Assert.False(await again.IsAncestorAsync("side", "main~2"));       // the walk runs out above side's generation
        var newest = new List<ObjectId>();
        await foreach (var c in again.LogAsync(new LogOptions { IncludeReachableFrom = ["main~1"], MaxCount = 10 })) newest.Add(c.Id);
        Assert.Equal(expectedLog, newest);
        Assert.True(graph.AttachPending, "a short walk, a short log or a negative answer attached the whole file");
        await Assert.ThrowsAsync<RevisionNotFoundException>(async () => await again.ResolveAsync("v1~1"));
        Assert.True(graph.AttachPending);

        // A merge among the newest commits: the graph walk decides the order.
        var mergeLog = new List<ObjectId>();
        await foreach (var c in again.LogAsync(new LogOptions { IncludeReachableFrom = ["main"], MaxCount = 10 })) mergeLog.Add(c.Id);
        Assert.Equal(expectedMergeLog, mergeLog);
        Assert.False(graph.AttachPending);
        await fresh.DisposeAsync();
        fresh = new RepositoryStore(first.Objects, first.Refs, new VersionStoreOptions { CommitGraphPath = _graphFile });
        again = fresh.GetRepository("wf");
        graph = Graph.CommitGraph.For(fresh);

        // Past the short-walk limit, and positive or undecided ancestry: the graph (attached now) answers.
        Assert.Equal(expected["main~100"], await again.ResolveAsync("main~100"));
        Assert.False(graph.AttachPending);
        for (var i = 0; i < ancestry.Length; i++)
            Assert.Equal(expectedAncestry[i], await again.IsAncestorAsync(ancestry[i].A, ancestry[i].D));
        await fresh.DisposeAsync();
    }
}
