using System.Buffers.Binary;
using VersionStore.Graph;
using VersionStore.Internal;

namespace VersionStore.Tests.Dag;

/// <summary>
/// The walk cores run synchronously over loaded nodes and go async only to load missing ones: these tests make
/// every query start on a cold or partly loaded graph (so walks stop and resume at load points), and run long
/// chains, wide octopus merges and far-apart splits built directly in the graph.
/// </summary>
public sealed class GraphWalkTests
{
    [Fact]
    public async Task Walks_OnColdAndPartlyLoadedGraphs_MatchBruteForce()
    {
        var objects = new InMemoryObjectStore();
        var refs = new InMemoryRefStore();
        var dag = RandomDag.Create(61, 160);
        Assert.Contains(dag.Parents, p => p.Length > 2); // octopus merges are part of the test
        var ids = await dag.BuildAsync(new RepositoryStore(objects, refs).GetRepository("cold"));
        var anc = dag.Ancestors();
        var rng = new Random(61);
        for (var k = 0; k < 60; k++)
        {
            // A new store per query: an empty graph, loaded only as far as this walk needs.
            var cold = new RepositoryStore(objects, refs).GetRepository("cold");
            var a = rng.Next(dag.Count);
            var b = rng.Next(dag.Count);
            if (k % 2 == 0)
            {
                Assert.Equal(anc[b][a], await cold.IsAncestorAsync(ids[a], ids[b]));
                Assert.Equal(dag.BestCommonAncestors(anc, a, b), Bases(await cold.MergeBasesAsync(ids[a], ids[b])));
            }
            else
            {
                Assert.Equal(dag.BestCommonAncestors(anc, a, b), Bases(await cold.MergeBasesAsync(ids[a], ids[b])));
                Assert.Equal(anc[b][a], await cold.IsAncestorAsync(ids[a], ids[b]));
            }
            // Partly loaded now: more queries from other starting points on the same graph.
            for (var j = 0; j < 4; j++)
            {
                var c = rng.Next(dag.Count);
                var d = rng.Next(dag.Count);
                Assert.Equal(anc[d][c], await cold.IsAncestorAsync(ids[c], ids[d]));
                Assert.Equal(dag.BestCommonAncestors(anc, c, d), Bases(await cold.MergeBasesAsync(ids[c], ids[d])));
            }
        }

        SortedSet<int> Bases(IReadOnlyList<ObjectId> found) => [.. found.Select(id => Array.IndexOf(ids, id))];
    }

    [Fact]
    public async Task Log_OnAColdGraph_MatchesTheWarmGraph_InEveryMode()
    {
        var objects = new InMemoryObjectStore();
        var refs = new InMemoryRefStore();
        var dag = RandomDag.Create(71, 150);
        var warm = new RepositoryStore(objects, refs).GetRepository("log");
        var ids = await dag.BuildAsync(warm);
        var rng = new Random(71);
        for (var k = 0; k < 40; k++)
        {
            var options = new LogOptions
            {
                IncludeReachableFrom = [ids[rng.Next(dag.Count)].ToString()],
                ExcludeReachableFrom = k % 3 == 0 ? [ids[rng.Next(dag.Count)].ToString()] : [],
                FirstParentOnly = k % 4 == 1,
                Order = k % 2 == 0 ? LogOrder.Topological : LogOrder.Date,
                MaxCount = k % 5 == 2 ? 7 : null,
            };
            var expected = await Ids(warm, options);
            // A new store: the walk stops at every unloaded node and resumes after loading it.
            var cold = new RepositoryStore(objects, refs).GetRepository("log");
            Assert.Equal(expected, await Ids(cold, options));
            if (options.MaxCount is null) Assert.Equal(expected.Count, await cold.LogAsync(options).CountAsync());
        }
        // Stopping early disposes the walk; a second enumeration of the same query starts over.
        var query = new LogOptions { IncludeReachableFrom = [ids[^1].ToString()] };
        var log = warm.LogAsync(query);
        var firstThree = new List<ObjectId>();
        await foreach (var c in log)
        {
            firstThree.Add(c.Id);
            if (firstThree.Count == 3) break;
        }
        Assert.Equal((await Ids(warm, query)).Take(3), firstThree);

        static async Task<List<ObjectId>> Ids(Repository repo, LogOptions options)
        {
            var list = new List<ObjectId>();
            await foreach (var c in repo.LogAsync(options)) list.Add(c.Id);
            return list;
        }
    }

    [Fact]
    public async Task LongChain_FarApartSplit_AndWideOctopus()
    {
        // root ← c1 ← … ← c(N-1) (main line); a side commit on the root; a fork at F with its own 50-commit line;
        // an octopus on top of main merging 300 one-commit branches forked at different depths.
        const int N = 30_000, F = 20_000;
        var g = new Built();
        var main = new int[N];
        main[0] = g.Add([]);
        for (var i = 1; i < N; i++) main[i] = g.Add([main[i - 1]]);
        var side = g.Add([main[0]]);
        var fork = main[F];
        for (var i = 0; i < 50; i++) fork = g.Add([fork]);
        var arms = Enumerable.Range(0, 300).Select(i => g.Add([main[(i * 97) % N]])).ToArray();
        var octopus = g.Add([main[N - 1], .. arms]);
        var graph = g.Graph;
        var ct = CancellationToken.None;

        Assert.Equal(new[] { main[0] }, await History.MergeBasesAsync(graph, main[N - 1], side, ct));
        Assert.Equal(new[] { main[0] }, await History.MergeBasesAsync(graph, side, octopus, ct));
        Assert.Equal(new[] { main[F] }, await History.MergeBasesAsync(graph, fork, main[N - 1], ct));
        Assert.Equal(new[] { main[F] }, await History.MergeBasesAsync(graph, octopus, fork, ct));
        Assert.Equal(new[] { arms[7] }, await History.MergeBasesAsync(graph, octopus, arms[7], ct));
        Assert.Equal(new[] { main[(7 * 97) % N] }, await History.MergeBasesAsync(graph, arms[7], main[N - 1], ct));
        // Two arms forked from one line: the lower fork point is the only base.
        Assert.Equal(new[] { main[Math.Min(5 * 97 % N, 6 * 97 % N)] }, await History.MergeBasesAsync(graph, arms[5], arms[6], ct));

        Assert.True(await History.IsAncestorAsync(graph, main[0], octopus, ct));
        Assert.True(await History.IsAncestorAsync(graph, main[1], main[N - 1], ct));
        Assert.True(await History.IsAncestorAsync(graph, arms[299], octopus, ct));
        Assert.True(await History.IsAncestorAsync(graph, main[F], fork, ct));
        Assert.False(await History.IsAncestorAsync(graph, side, octopus, ct));
        Assert.False(await History.IsAncestorAsync(graph, fork, octopus, ct));
        Assert.False(await History.IsAncestorAsync(graph, main[F + 1], fork, ct));
        Assert.False(await History.IsAncestorAsync(graph, octopus, main[0], ct));
    }

    [Fact]
    public async Task CancelledWalk_Throws_AndLeavesTheGraphUsable()
    {
        const int N = 200_000;
        var g = new Built();
        var prev = g.Add([]);
        var root = prev;
        for (var i = 1; i < N; i++) prev = g.Add([prev]);
        var side = g.Add([root]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await History.MergeBasesAsync(g.Graph, prev, side, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await History.IsAncestorAsync(g.Graph, side, prev, cts.Token));
        Assert.Equal(new[] { root }, await History.MergeBasesAsync(g.Graph, prev, side, CancellationToken.None));
        Assert.False(await History.IsAncestorAsync(g.Graph, side, prev, CancellationToken.None));
    }

    /// <summary>A graph fed directly (no object store): synthetic ids, generations computed here.</summary>
    private sealed class Built
    {
        private readonly List<ObjectId> _ids = [];
        private readonly List<int> _generations = [];

        public CommitGraph Graph { get; } = new(reader: null);

        public int Add(int[] parents)
        {
            Span<byte> seed = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(seed, _ids.Count);
            var id = ObjectId.Compute(seed);
            var generation = 1 + parents.Select(p => _generations[p]).DefaultIfEmpty(0).Max();
            var pos = Graph.Add(id, parents.Select(p => _ids[p]).ToArray(), generation, 1_700_000_000_000_000L + _ids.Count);
            Assert.Equal(_ids.Count, pos);
            _ids.Add(id);
            _generations.Add(generation);
            return pos;
        }
    }
}
