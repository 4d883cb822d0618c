using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace VersionStore.Tests.Dag;

/// <summary>Three-way merge: laws (CsCheck), statuses of <see cref="Repository.MergeAsync"/>, resolvers.</summary>
public sealed class MergeTests
{
    private static readonly string[] Paths = ["a", "b", "c", "d/x", "d/y", "e/f/g"];

    /// <summary>A snapshot: each path absent or holding one of a few contents.</summary>
    private static readonly Gen<Dictionary<string, string>> GenSnapshot =
        Gen.Int[0, 3].Array[Paths.Length].Select(vs =>
        {
            var d = new Dictionary<string, string>();
            for (var i = 0; i < Paths.Length; i++) if (vs[i] > 0) d[Paths[i]] = $"{Paths[i]}={vs[i]}";
            return d;
        });

    private static int _branch;

    private static async Task<ObjectId> TreeAsync(Repository repo, Dictionary<string, string> files)
        => (await repo.CommitAsync("s" + Interlocked.Increment(ref _branch), SnapshotChanges.FromEntries(files.Select(f => KeyValuePair.Create(f.Key, System.Text.Encoding.UTF8.GetBytes(f.Value)))))).Commit.Tree;

    [Fact]
    public void MergeLaws_Idempotence_Identity_Symmetry()
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository("laws");
        Gen.Select(GenSnapshot, GenSnapshot, GenSnapshot).Sample((b, x, y) =>
        {
            var bt = TreeAsync(repo, b).GetAwaiter().GetResult();
            var xt = TreeAsync(repo, x).GetAwaiter().GetResult();
            var yt = TreeAsync(repo, y).GetAwaiter().GetResult();
            // merge(a, a, base) = a
            var same = repo.MergeTreesAsync(bt, xt, xt).GetAwaiter().GetResult();
            if (same.Tree != xt || same.Conflicts.Count != 0) return false;
            // merge(base, x, base) = x and merge(x, base, base) = x
            if (repo.MergeTreesAsync(bt, bt, xt).GetAwaiter().GetResult().Tree != xt) return false;
            if (repo.MergeTreesAsync(bt, xt, bt).GetAwaiter().GetResult().Tree != xt) return false;
            // symmetry: same conflict paths, and the same merged tree when clean
            var xy = repo.MergeTreesAsync(bt, xt, yt).GetAwaiter().GetResult();
            var yx = repo.MergeTreesAsync(bt, yt, xt).GetAwaiter().GetResult();
            if (!xy.Conflicts.Select(c => c.Path).SequenceEqual(yx.Conflicts.Select(c => c.Path))) return false;
            if (xy.Tree != yx.Tree) return false;
            // a conflict is exactly an entry both sides changed differently
            var expectedConflicts = Paths.Where(p =>
            {
                b.TryGetValue(p, out var bv); x.TryGetValue(p, out var xv); y.TryGetValue(p, out var yv);
                return xv != bv && yv != bv && xv != yv;
            }).Order(StringComparer.Ordinal);
            return xy.Conflicts.Select(c => c.Path).SequenceEqual(expectedConflicts);
        }, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    private static async Task<(Repository Repo, ObjectId Base)> ForkAsync(string name = "m")
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository(name);
        var b = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", """{"model":"gpt-4o","temperature":0.2,"prompt":"hi"}""").Put("nodes/start", "start").Put("edges", "e0"),
            new CommitOptions { Message = "base" });
        await repo.CreateBranchAsync("draft", "main");
        return (repo, b.Id);
    }

    [Fact]
    public async Task MergeAsync_UpToDate_FastForward_AndMergeCommit()
    {
        var (repo, @base) = await ForkAsync();
        var r = await repo.MergeAsync("main", "draft");
        Assert.Equal(MergeStatus.UpToDate, r.Status);

        var d1 = await repo.CommitAsync("draft", new SnapshotChanges().Put("nodes/start", "start v2"));
        var ff = await repo.MergeAsync("main", "draft", new MergeOptions { FastForward = FastForwardMode.WhenPossible });
        Assert.Equal(MergeStatus.FastForwarded, ff.Status);
        Assert.Equal(d1.Id, (await repo.TryGetRefAsync(RefName.Branch("main")))!.Target);

        await repo.CommitAsync("draft", new SnapshotChanges().Put("edges", "e1"));
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/extra", "x"));
        var only = await repo.MergeAsync("main", "draft", new MergeOptions { FastForward = FastForwardMode.Only });
        Assert.Equal(MergeStatus.NotFastForward, only.Status);

        var m = await repo.MergeAsync("main", "draft", new MergeOptions { Author = "ana", Message = "merge draft" });
        Assert.Equal(MergeStatus.Merged, m.Status);
        Assert.Equal(2, m.Commit!.Parents.Count);
        var snap = await repo.CheckoutAsync("main");
        Assert.Equal("e1", System.Text.Encoding.UTF8.GetString((await snap.ReadAsync("edges"))!.Value.Span));
        Assert.Equal("x", System.Text.Encoding.UTF8.GetString((await snap.ReadAsync("nodes/extra"))!.Value.Span));
        Assert.True(await repo.IsAncestorAsync("draft", "main"));
        _ = @base;
    }

    [Fact]
    public async Task MergeAsync_Conflicts_AreListed_AndNothingIsWritten_UnlessAResolverSettlesThem()
    {
        var (repo, _) = await ForkAsync();
        await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", """{"model":"gpt-4o-mini","temperature":0.2,"prompt":"hi"}""").Remove("edges"));
        await repo.CommitAsync("draft", new SnapshotChanges().Put("nodes/llm", """{"model":"gpt-4o","temperature":0.7,"prompt":"hi"}""").Put("edges", "e2"));
        var head = (await repo.TryGetRefAsync(RefName.Branch("main")))!.Target;

        var r = await repo.MergeAsync("main", "draft");
        Assert.Equal(MergeStatus.Conflicted, r.Status);
        Assert.Equal(["edges", "nodes/llm"], r.Conflicts.Select(c => c.Path));
        Assert.Equal(MergeConflictKind.DeletedModified, r.Conflicts[0].Kind);
        Assert.Equal(MergeConflictKind.BothModified, r.Conflicts[1].Kind);
        Assert.Equal(head, (await repo.TryGetRefAsync(RefName.Branch("main")))!.Target);

        var settled = await repo.MergeAsync("main", "draft", new MergeOptions
        {
            Resolvers = [new MergeResolverRule("nodes/*", MergeResolvers.Json), new MergeResolverRule("**", MergeResolvers.Theirs)],
        });
        Assert.Equal(MergeStatus.Merged, settled.Status);
        var snap = await repo.CheckoutAsync("main");
        var llm = JsonNode.Parse((await snap.ReadAsync("nodes/llm"))!.Value.Span)!;
        Assert.Equal("gpt-4o-mini", (string?)llm["model"]);
        Assert.Equal(0.7, (double)llm["temperature"]!);
        Assert.Equal("e2", System.Text.Encoding.UTF8.GetString((await snap.ReadAsync("edges"))!.Value.Span));
    }

    [Fact]
    public async Task JsonResolver_MergesDisjointFieldEdits_AndRefusesOverlappingOnes()
    {
        static async Task<MergeResolution> Resolve(string? b, string? o, string? t) => await MergeResolvers.Json.ResolveAsync(
            new EntryMergeInput("n", MergeConflictKind.BothModified, null, null, null, Bytes(b), Bytes(o), Bytes(t)), default);
        static ReadOnlyMemory<byte>? Bytes(string? s) => s is null ? (ReadOnlyMemory<byte>?)null : System.Text.Encoding.UTF8.GetBytes(s);

        var ok = await Resolve("""{"data":{"a":1,"b":2,"c":{"x":1}},"pos":[1,2]}""", """{"data":{"a":5,"b":2,"c":{"x":1}},"pos":[1,2]}""", """{"data":{"a":1,"b":2,"c":{"x":1,"y":2}},"pos":[3,4]}""");
        Assert.Equal(MergeResolutionKind.Content, ok.Kind);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"data":{"a":5,"b":2,"c":{"x":1,"y":2}},"pos":[3,4]}"""), JsonNode.Parse(ok.Content.Span)));

        var removed = await Resolve("""{"a":1,"b":2}""", """{"a":1}""", """{"a":3,"b":2}""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":3}"""), JsonNode.Parse(removed.Content.Span)));

        Assert.Equal(MergeResolutionKind.Unresolved, (await Resolve("""{"a":1}""", """{"a":2}""", """{"a":3}""")).Kind);
        Assert.Equal(MergeResolutionKind.Unresolved, (await Resolve("""{"a":1}""", null, """{"a":3}""")).Kind);
        Assert.Equal(MergeResolutionKind.Unresolved, (await Resolve("""{"a":1}""", "not json", """{"a":3}""")).Kind);
        var added = await Resolve(null, """{"a":1}""", """{"b":2}""");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":1,"b":2}"""), JsonNode.Parse(added.Content.Span)));
    }

    [Fact]
    public async Task MergeAsync_CrissCross_MergesTheBasesRecursively()
    {
        // Two branches merge each other (criss-cross): two best common ancestors.
        var (repo, _) = await ForkAsync("criss");
        var m1 = await repo.CommitAsync("main", new SnapshotChanges().Put("a", "main1"));
        var d1 = await repo.CommitAsync("draft", new SnapshotChanges().Put("b", "draft1"));
        await repo.CommitAsync("main", new SnapshotChanges().Put("b", "draft1").Put("c", "x"), new CommitOptions { Parents = [m1.Id, d1.Id] });
        await repo.CommitAsync("draft", new SnapshotChanges().Put("a", "main1").Put("d", "y"), new CommitOptions { Parents = [d1.Id, m1.Id] });
        await repo.CommitAsync("main", new SnapshotChanges().Put("a", "main2"));
        var bases = await repo.MergeBasesAsync("main", "draft");
        Assert.Equal(2, bases.Count);
        var r = await repo.MergeAsync("main", "draft");
        Assert.Equal(MergeStatus.Merged, r.Status);
        var all = await (await repo.CheckoutAsync("main")).ReadAllAsync();
        Assert.Equal("main2", System.Text.Encoding.UTF8.GetString(all["a"].Span));
        Assert.Equal("draft1", System.Text.Encoding.UTF8.GetString(all["b"].Span));
        Assert.Equal("x", System.Text.Encoding.UTF8.GetString(all["c"].Span));
        Assert.Equal("y", System.Text.Encoding.UTF8.GetString(all["d"].Span));
    }

    [Fact]
    public async Task MergeAsync_StaleExpectedHead_Throws()
    {
        var (repo, @base) = await ForkAsync("stale");
        await repo.CommitAsync("draft", new SnapshotChanges().Put("x", "1"));
        await repo.CommitAsync("main", new SnapshotChanges().Put("y", "1"));
        await Assert.ThrowsAsync<RefConflictException>(() => repo.MergeAsync("main", "draft", new MergeOptions { ExpectedHead = @base }));
    }

    [Fact]
    public async Task FileFolderClash_IsAConflict()
    {
        var repo = RepositoryStore.CreateInMemory().GetRepository("ff");
        var bt = await TreeAsync(repo, new() { ["k"] = "1" });
        var ot = await TreeAsync(repo, new() { ["k"] = "1", ["n"] = "file" });
        var tt = await TreeAsync(repo, new() { ["k"] = "1", ["n/inner"] = "in folder" });
        var r = await repo.MergeTreesAsync(bt, ot, tt);
        Assert.Null(r.Tree);
        Assert.Contains(r.Conflicts, c => c.Kind == MergeConflictKind.FileFolder);
    }
}
