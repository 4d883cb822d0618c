using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;

namespace VersionStore.Tests.Dag;

/// <summary>
/// Differential tests against the git CLI: the same random DAGs (fixed seeds, merges, octopus merges, unrelated
/// roots, clock skew) are built in the store and in a temporary git repository (fast-import, commit-graph
/// written), and the answers to <c>git merge-base --all</c> and <c>git merge-base --is-ancestor</c> are compared
/// over random pairs; three-way merge outcomes are compared with <c>git merge-tree --write-tree</c>.
/// </summary>
public sealed class GitDifferentialTests(ITestOutputHelper output)
{
    private const int Dags = 5;
    private const int CommitsPerDag = 240;
    private const int PairsPerDag = 220;

    [Fact]
    public async Task MergeBaseAndIsAncestor_MatchGit_OnRandomDags()
    {
        var watch = Stopwatch.StartNew();
        var pairsCompared = 0;
        var nonTrivial = 0;
        for (var seed = 1; seed <= Dags; seed++)
        {
            var dag = RandomDag.Create(seed, CommitsPerDag);
            var graphFile = Path.Combine(Path.GetTempPath(), $"vstore-diff-graph-{Guid.NewGuid():N}.vscg");
            var store = RepositoryStore.CreateInMemory(new VersionStoreOptions { CommitGraphPath = graphFile });
            var repo = store.GetRepository("dag");
            var ids = await dag.BuildAsync(repo);
            await store.DisposeAsync(); // appends the commit graph to its file
            // Graph-served answers: a store with the persisted graph and NO commit objects, so every answer of
            // `served` comes from the file.
            // Odd seeds: answers from the file's indexed base (rewritten once: positions by binary search, parents by
            // position); even seeds: from its appended blocks.
            if (seed % 2 == 1) Assert.True(new Graph.CommitGraph(null, graphFile).Compact());
            var servedStore = new RepositoryStore(new InMemoryObjectStore(), store.Refs, new VersionStoreOptions { CommitGraphPath = graphFile });
            var served = servedStore.GetRepository("dag");
            var servedGraph = Graph.CommitGraph.For(servedStore);
            servedGraph.ReadFile();
            Assert.Equal(seed % 2 == 1 ? dag.Count : 0, servedGraph.BaseCount);
            File.Delete(graphFile);
            File.Delete(graphFile + ".lock");
            using var git = new GitRepo();
            var shas = git.Import(dag);
            var byGitSha = new Dictionary<string, int>();
            for (var i = 0; i < shas.Length; i++) byGitSha[shas[i]] = i;

            var rng = new Random(seed * 7919);
            var pairs = Enumerable.Range(0, PairsPerDag).Select(_ => (A: rng.Next(dag.Count), B: rng.Next(dag.Count))).ToArray();
            var script = new List<string>();
            for (var k = 0; k < pairs.Length; k++)
            {
                var (a, b) = pairs[k];
                script.Add($"echo Q{k}");
                script.Add($"git merge-base --all {shas[a]} {shas[b]}");
                script.Add($"git merge-base --is-ancestor {shas[a]} {shas[b]}; echo A$?");
            }
            var lines = git.Script(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var gitBases = new List<int>[pairs.Length];
            var gitAncestor = new bool[pairs.Length];
            var current = -1;
            foreach (var line in lines)
            {
                if (line[0] == 'Q') { current = int.Parse(line[1..]); gitBases[current] = []; }
                else if (line[0] == 'A') gitAncestor[current] = line == "A0";
                else gitBases[current].Add(byGitSha[line.Trim()]);
            }

            var anc = dag.Ancestors();
            for (var k = 0; k < pairs.Length; k++)
            {
                var (a, b) = pairs[k];
                var ours = (await repo.MergeBasesAsync(ids[a], ids[b])).Select(id => Array.IndexOf(ids, id)).Order().ToArray();
                var theirs = gitBases[k].Order().ToArray();
                Assert.True(ours.SequenceEqual(theirs), $"seed {seed} pair c{a},c{b}: merge bases ours [{string.Join(",", ours)}] git [{string.Join(",", theirs)}]");
                Assert.True(ours.SequenceEqual(dag.BestCommonAncestors(anc, a, b)), $"seed {seed} pair c{a},c{b}: not the best common ancestors");
                Assert.Equal(gitAncestor[k], await repo.IsAncestorAsync(ids[a], ids[b]));
                var servedBases = (await served.MergeBasesAsync(ids[a], ids[b])).Select(id => Array.IndexOf(ids, id)).Order().ToArray();
                Assert.True(servedBases.SequenceEqual(theirs), $"seed {seed} pair c{a},c{b}: graph-file merge bases [{string.Join(",", servedBases)}] git [{string.Join(",", theirs)}]");
                Assert.Equal(gitAncestor[k], await served.IsAncestorAsync(ids[a], ids[b]));
                if (ours.Length != 1 || (ours[0] != a && ours[0] != b)) nonTrivial++;
                pairsCompared++;
            }
        }
        output.WriteLine($"{Dags} DAGs x {CommitsPerDag} commits, {pairsCompared} pairs ({nonTrivial} with a non-trivial answer) compared with git in {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(pairsCompared >= 1000);
        Assert.True(nonTrivial > pairsCompared / 4, "the DAGs should make most answers non-trivial");
    }

    private static readonly string[] Paths =
        ["app", "settings", "graph/edges", "graph/nodes/start", "graph/nodes/llm-1", "graph/nodes/llm-2", "graph/nodes/answer", "graph/nodes/code/main", "graph/nodes/code/test", "vars/a", "vars/b"];

    [Fact]
    public async Task ThreeWayMerge_MatchesGitMergeTree_OnRandomEntryEdits()
    {
        const int cases = 120;
        var watch = Stopwatch.StartNew();
        var rng = new Random(4242);
        var store = RepositoryStore.CreateInMemory();
        var repo = store.GetRepository("merge");
        using var git = new GitRepo();
        var import = new StringBuilder();
        var expected = new List<(Dictionary<string, string> Base, Dictionary<string, string> Ours, Dictionary<string, string> Theirs)>();
        var mark = 1;
        for (var c = 0; c < cases; c++)
        {
            var @base = new Dictionary<string, string>();
            foreach (var p in Paths) if (rng.Next(3) > 0) @base[p] = $"{p} v0 case{c}";
            var ours = Edit(@base, "o", c);
            var theirs = Edit(@base, "t", c);
            if (rng.Next(4) == 0) // make some edits identical on both sides
                foreach (var p in Paths.Where(_ => rng.Next(3) == 0))
                {
                    if (ours.TryGetValue(p, out var v)) theirs[p] = v; else theirs.Remove(p);
                }
            expected.Add((@base, ours, theirs));
            var baseMark = mark;
            Emit($"refs/heads/base{c}", @base, null);
            Emit($"refs/heads/ours{c}", ours, baseMark);
            Emit($"refs/heads/theirs{c}", theirs, baseMark);
        }
        git.Run("git", "fast-import --quiet", import.ToString());
        var script = new List<string>();
        for (var c = 0; c < cases; c++)
        {
            script.Add($"echo Q{c}");
            script.Add($"git -c merge.renames=false merge-tree --write-tree --name-only --no-messages ours{c} theirs{c}; echo R$?");
        }
        var outputLines = git.Script(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var gitTree = new string[cases];
        var gitConflicts = new List<string>[cases];
        var gitClean = new bool[cases];
        var cur = -1;
        var first = false;
        foreach (var line in outputLines)
        {
            if (line[0] == 'Q' && int.TryParse(line.AsSpan(1), out var q)) { cur = q; gitConflicts[cur] = []; first = true; continue; }
            if (line.StartsWith('R') && int.TryParse(line.AsSpan(1), out var code)) { gitClean[cur] = code == 0; continue; }
            if (first) { gitTree[cur] = line.Trim(); first = false; }
            else gitConflicts[cur].Add(line.Trim());
        }

        var clean = 0;
        for (var c = 0; c < cases; c++)
        {
            var (b, o, t) = expected[c];
            var bt = await TreeOf(b);
            var result = await repo.MergeTreesAsync(bt, await TreeOf(o), await TreeOf(t));
            var ourConflicts = result.Conflicts.Select(x => x.Path).Order(StringComparer.Ordinal).ToArray();
            Assert.True(gitClean[c] == (result.Tree is not null), $"case {c}: git clean={gitClean[c]}, ours conflicts=[{string.Join(",", ourConflicts)}]");
            if (!gitClean[c])
            {
                Assert.Equal(gitConflicts[c].Distinct().Order(StringComparer.Ordinal), ourConflicts);
                continue;
            }
            clean++;
            // Compare the merged entry sets by git blob hash of the content.
            var lsTree = git.Run("git", $"ls-tree -r {gitTree[c]}").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => (Path: l.Split('\t')[1], Sha: l.Split('\t')[0].Split(' ')[2])).OrderBy(x => x.Path, StringComparer.Ordinal).ToArray();
            var merged = new List<(string Path, string Sha)>();
            var snapshotEntries = await EntriesOf(result.Tree!.Value);
            foreach (var (path, content) in snapshotEntries) merged.Add((path, GitBlobSha(content)));
            Assert.Equal(lsTree, merged.OrderBy(x => x.Path, StringComparer.Ordinal).ToArray());
        }
        output.WriteLine($"{cases} three-way merges compared with git merge-tree ({clean} clean, {cases - clean} conflicting) in {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(clean, cases / 6, cases - cases / 6);

        Dictionary<string, string> Edit(Dictionary<string, string> from, string side, int c)
        {
            var d = new Dictionary<string, string>(from);
            foreach (var p in Paths)
            {
                var r = rng.Next(10);
                if (r == 0) d.Remove(p);
                else if (r == 1) d[p] = $"{p} {side} case{c} {rng.Next()}";
            }
            return d;
        }

        void Emit(string branch, Dictionary<string, string> files, int? fromMark)
        {
            import.Append($"commit {branch}\nmark :{mark++}\ncommitter dag <dag@example.com> 1700000000 +0000\ndata 1\nm\n");
            if (fromMark is { } f) import.Append($"from :{f}\n");
            import.Append("deleteall\n");
            foreach (var (p, v) in files.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                var bytes = System.Text.Encoding.UTF8.GetByteCount(v + "\n");
                import.Append($"M 100644 inline {p}\ndata {bytes}\n{v}\n\n");
            }
            import.Append('\n');
        }

        async Task<ObjectId> TreeOf(Dictionary<string, string> files)
        {
            var r = await repo.CommitAsync("scratch", SnapshotChanges.FromEntries(files.Select(f => KeyValuePair.Create(f.Key, System.Text.Encoding.UTF8.GetBytes(f.Value + "\n")))));
            return r.Commit.Tree;
        }

        async Task<List<(string, byte[])>> EntriesOf(ObjectId tree)
        {
            var list = new List<(string, byte[])>();
            await Walk(tree, "");
            return list;

            async Task Walk(ObjectId id, string prefix)
            {
                foreach (var e in await repo.GetTreeAsync(id))
                {
                    if (e.Kind == ObjectKind.Tree) await Walk(e.Id, prefix + e.Name + "/");
                    else list.Add((prefix + e.Name, (await repo.GetBlobAsync(e.Id)).ToArray()));
                }
            }
        }
    }

    private static string GitBlobSha(byte[] content)
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"blob {content.Length}\0");
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
    }
}
