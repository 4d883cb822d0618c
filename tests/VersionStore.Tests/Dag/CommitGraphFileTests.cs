using VersionStore.Graph;

namespace VersionStore.Tests.Dag;

/// <summary>The commit-graph file keeps the longest valid prefix: damage, torn tails and foreign files never leak into answers.</summary>
public sealed class CommitGraphFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"vstore-graph-file-{Guid.NewGuid():N}.vscg");

    public void Dispose()
    {
        File.Delete(_path);
        File.Delete(_path + ".lock");
    }

    /// <summary>File header (16) + base header (16) + fanout (1,024): where the blocks of a file with an empty base start.</summary>
    private const int EmptyBaseEnd = 16 + 16 + 1024;

    private static CommitGraphFile.Record Rec(int i, params int[] parents)
        => new(Id(i), parents.Length == 0 ? 1 : parents.Max() + 2, 1_000_000L * i, [.. parents.Select(Id)]);

    private static ObjectId Id(int i) => ObjectId.Compute(ObjectCodec.EncodeBlob(BitConverter.GetBytes(i)));

    [Fact]
    public void Blocks_round_trip_with_octopus_parents()
    {
        var file = new CommitGraphFile(_path);
        Assert.True(file.Append([Rec(0), Rec(1, 0)]));
        Assert.True(file.Append([Rec(2, 1), Rec(3, 0, 1, 2)]));

        var read = file.ReadAll();

        Assert.Equal([Id(0), Id(1), Id(2), Id(3)], read.Select(r => r.Id));
        Assert.Equal([Id(0), Id(1), Id(2)], read[3].Parents);
        Assert.Equal(4, read[3].Generation);
        Assert.Equal(3_000_000L, read[3].Micros);
    }

    [Fact]
    public void A_damaged_block_hides_it_and_everything_after_and_the_next_append_cuts_there()
    {
        var file = new CommitGraphFile(_path);
        file.Append([Rec(0)]);
        var firstEnd = new FileInfo(_path).Length;
        file.Append([Rec(1, 0)]);
        file.Append([Rec(2, 1)]);
        var bytes = File.ReadAllBytes(_path);
        bytes[firstEnd + 20] ^= 0x01; // inside the second block's first record
        File.WriteAllBytes(_path, bytes);

        Assert.Equal([Id(0)], file.ReadAll().Select(r => r.Id));

        Assert.True(file.Append([Rec(5, 0)]));
        Assert.Equal([Id(0), Id(5)], file.ReadAll().Select(r => r.Id));
    }

    [Fact]
    public void A_torn_tail_is_ignored_and_cut_by_the_next_append()
    {
        var file = new CommitGraphFile(_path);
        file.Append([Rec(0), Rec(1, 0)]);
        file.Append([Rec(2, 1)]);
        using (var f = new FileStream(_path, FileMode.Open)) f.SetLength(f.Length - 5);

        Assert.Equal([Id(0), Id(1)], file.ReadAll().Select(r => r.Id));
        file.Append([Rec(3, 1)]);
        Assert.Equal([Id(0), Id(1), Id(3)], file.ReadAll().Select(r => r.Id));
    }

    [Fact]
    public void A_foreign_or_missing_file_reads_as_empty_and_is_replaced_on_append()
    {
        var file = new CommitGraphFile(_path);
        Assert.Empty(file.ReadAll());
        File.WriteAllText(_path, "not a commit graph, just some text that is long enough");
        Assert.Empty(file.ReadAll());

        Assert.True(file.Append([Rec(0)]));
        Assert.Equal([Id(0)], file.ReadAll().Select(r => r.Id));
    }

    [Fact]
    public void A_block_moved_to_another_offset_does_not_validate()
    {
        var file = new CommitGraphFile(_path);
        file.Append([Rec(0)]);
        var headerAndFirst = File.ReadAllBytes(_path);
        file.Append([Rec(1, 0)]);
        var all = File.ReadAllBytes(_path);
        // Duplicate the second block in place of the first: same bytes, another offset.
        var second = all.AsSpan(headerAndFirst.Length).ToArray();
        File.WriteAllBytes(_path, [.. all.AsSpan(0, EmptyBaseEnd), .. second]);

        Assert.Empty(file.ReadAll());
    }

    [Fact]
    public void A_rewritten_file_serves_its_base_by_binary_search_and_keeps_later_appends()
    {
        // 300 commits: a line with merges and an octopus merge, written to a graph that persists, then rewritten.
        var graph = new CommitGraph(null, _path, appendBatch: 64);
        var ids = new List<ObjectId>();
        for (var i = 0; i < 300; i++)
        {
            ObjectId[] parents = i == 0 ? [] : i % 50 == 0 && i >= 3 ? [ids[i - 1], ids[i - 2], ids[i - 3]] : i % 7 == 0 ? [ids[i - 1], ids[i / 2]] : [ids[i - 1]];
            var generation = parents.Length == 0 ? 1 : parents.Max(p => graph.Generation(graph.TryGetPosition(p))) + 1;
            graph.Add(Id(i), parents, generation, 1_000_000L * i);
            ids.Add(Id(i));
        }
        graph.Persist();

        var reopened = new CommitGraph(null, _path);
        reopened.ReadFile();
        Assert.Equal(300, reopened.BaseCount);
        for (var i = 0; i < 300; i++)
        {
            var pos = reopened.TryGetPosition(ids[i]);
            Assert.InRange(pos, 0, 299);
            Assert.Equal(ids[i], reopened.IdOf(pos));
            Assert.Equal(1_000_000L * i, reopened.Time(pos));
            var expectedParents = i == 0 ? 0 : i % 50 == 0 && i >= 3 ? 3 : i % 7 == 0 ? 2 : 1;
            Assert.Equal(expectedParents, reopened.ParentCount(pos));
            if (expectedParents > 0) Assert.Equal(ids[i - 1], reopened.IdOf(reopened.Parent(pos, 0)));
            if (expectedParents == 3) Assert.Equal(ids[i - 3], reopened.IdOf(reopened.Parent(pos, 2)));
            for (var k = 0; k < expectedParents; k++) Assert.True(reopened.Parent(pos, k) < pos, "parents come before children");
        }
        Assert.Equal(-1, reopened.TryGetPosition(Id(1000)));

        // A later append lands behind the base and is read back.
        Assert.True(new CommitGraphFile(_path).Append([Rec(1000, 299)]));
        Assert.Equal(301, new CommitGraphFile(_path).ReadAll().Count);
    }

    [Fact]
    public void A_damaged_base_reads_as_invalid_and_the_next_persist_rewrites_the_file()
    {
        var graph = new CommitGraph(null, _path);
        graph.ReadFile(); // attached: the persist below rewrites the file with a base (unattached, it would only append)
        for (var i = 0; i < 300; i++) graph.Add(Id(i), i == 0 ? [] : [Id(i - 1)], i + 1, i);
        graph.Persist();
        var bytes = File.ReadAllBytes(_path);
        bytes[EmptyBaseEnd + 40] ^= 0x01; // inside the ids of the base
        File.WriteAllBytes(_path, bytes);
        var file = new CommitGraphFile(_path);
        Assert.Equal(CommitGraphFile.LoadState.Invalid, file.Load(new NoSink(), out var empty, out _));
        Assert.Equal(0, empty.Count);

        var next = new CommitGraph(null, _path);
        Assert.Equal(0, next.BaseCount + next.Count);
        next.Add(Id(0), [], 1, 0);
        next.Persist();
        Assert.Equal([Id(0)], file.ReadAll().Select(r => r.Id));
    }

    [Fact]
    public void A_version_1_file_reads_as_invalid()
    {
        var v1 = new byte[64];
        "VSCGRAPH"u8.CopyTo(v1);
        v1[8] = 1;
        File.WriteAllBytes(_path, v1);
        Assert.Equal(CommitGraphFile.LoadState.Invalid, new CommitGraphFile(_path).Load(new NoSink(), out _, out _));
    }

    private sealed class NoSink : CommitGraphFile.ISink
    {
        public void BeginBlock(int count) { }
        public void Add(ObjectId id, int generation, long micros, ReadOnlySpan<byte> parents) { }
        public void EndBlock() { }
    }
}
