namespace VersionStore.Tests.Dag;

/// <summary>Ancestry and log walks over the commit graph, checked against brute force on random skewed DAGs.</summary>
public sealed class LogAndAncestryTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task Log_TopologicalAndDateOrder_NeverShowAParentBeforeItsChild(int seed)
    {
        var dag = RandomDag.Create(seed, 150);
        var repo = RepositoryStore.CreateInMemory().GetRepository("log");
        var ids = await dag.BuildAsync(repo);
        var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var anc = dag.Ancestors();
        var tip = ids[^1].ToString();
        foreach (var order in new[] { LogOrder.Topological, LogOrder.Date })
        {
            var seen = new List<int>();
            await foreach (var c in repo.LogAsync(new LogOptions { IncludeReachableFrom = [tip], Order = order })) seen.Add(index[c.Id]);
            var expected = Enumerable.Range(0, dag.Count).Where(i => anc[dag.Count - 1][i]).ToHashSet();
            Assert.Equal(expected.Count, seen.Count);
            Assert.True(expected.SetEquals(seen));
            var position = seen.Select((c, k) => (c, k)).ToDictionary(x => x.c, x => x.k);
            foreach (var c in seen)
                foreach (var p in dag.Parents[c])
                    Assert.True(position[p] > position[c], $"{order}: parent c{p} shown before child c{c}");
            if (order == LogOrder.Date)
            {
                // Among commits whose children are all shown, the newest is shown next: check the first one is the newest root of the walk's frontier.
                Assert.Equal(dag.Count - 1, seen[0]);
            }
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task Log_Range_IsReachableFromBNotFromA(int seed)
    {
        var dag = RandomDag.Create(seed, 160);
        var repo = RepositoryStore.CreateInMemory().GetRepository("range");
        var ids = await dag.BuildAsync(repo);
        var anc = dag.Ancestors();
        var rng = new Random(seed);
        for (var k = 0; k < 40; k++)
        {
            var a = rng.Next(dag.Count);
            var b = rng.Next(dag.Count);
            var expected = Enumerable.Range(0, dag.Count).Where(i => anc[b][i] && !anc[a][i]).Select(i => ids[i]).ToHashSet();
            foreach (var order in new[] { LogOrder.Topological, LogOrder.Date })
            {
                var got = new List<ObjectId>();
                await foreach (var c in repo.LogAsync(new LogOptions { IncludeReachableFrom = [ids[b].ToString()], ExcludeReachableFrom = [ids[a].ToString()], Order = order }))
                    got.Add(c.Id);
                Assert.Equal(expected.Count, got.Count);
                Assert.True(expected.SetEquals(got));
            }
        }
    }

    [Fact]
    public async Task Log_FirstParentAndMaxCount()
    {
        var dag = RandomDag.Create(31, 120);
        var repo = RepositoryStore.CreateInMemory().GetRepository("fp");
        var ids = await dag.BuildAsync(repo);
        var chain = new List<int>();
        for (var c = dag.Count - 1; ; c = dag.Parents[c][0])
        {
            chain.Add(c);
            if (dag.Parents[c].Length == 0) break;
        }
        var got = new List<ObjectId>();
        await foreach (var c in repo.LogAsync(new LogOptions { IncludeReachableFrom = [ids[^1].ToString()], FirstParentOnly = true })) got.Add(c.Id);
        Assert.Equal(chain.Select(c => ids[c]), got);
        var limited = 0;
        await foreach (var _ in repo.LogAsync(new LogOptions { IncludeReachableFrom = [ids[^1].ToString()], MaxCount = 5, Order = LogOrder.Date })) limited++;
        Assert.Equal(5, limited);
    }

    [Fact]
    public async Task IsAncestor_MatchesBruteForce_AndNegativeByGenerationNeedsNoWalk()
    {
        var dag = RandomDag.Create(41, 200);
        var store = RepositoryStore.CreateInMemory();
        var repo = store.GetRepository("anc");
        var ids = await dag.BuildAsync(repo);
        var anc = dag.Ancestors();
        var rng = new Random(41);
        for (var k = 0; k < 2000; k++)
        {
            var a = rng.Next(dag.Count);
            var d = rng.Next(dag.Count);
            Assert.Equal(anc[d][a], await repo.IsAncestorAsync(ids[a], ids[d]));
        }
        // The graph was fed by the commits themselves: no commit object was read back to answer.
        var graph = Graph.CommitGraph.For(store);
        Assert.Equal(dag.Count, graph.Count);
    }

    [Fact]
    public async Task Graph_LoadsLazily_FromAnotherStoreInstance()
    {
        var objects = new InMemoryObjectStore();
        var refs = new InMemoryRefStore();
        var writer = new RepositoryStore(objects, refs).GetRepository("lazy");
        var dag = RandomDag.Create(51, 120);
        var ids = await dag.BuildAsync(writer);
        var reader = new RepositoryStore(objects, refs).GetRepository("lazy"); // a new process: empty graph
        var anc = dag.Ancestors();
        var rng = new Random(51);
        for (var k = 0; k < 300; k++)
        {
            var a = rng.Next(dag.Count);
            var b = rng.Next(dag.Count);
            Assert.Equal(anc[b][a], await reader.IsAncestorAsync(ids[a], ids[b]));
            var bases = (await reader.MergeBasesAsync(ids[a], ids[b])).Select(id => Array.IndexOf(ids, id)).Order();
            Assert.Equal(dag.BestCommonAncestors(anc, a, b), bases);
        }
    }
}
