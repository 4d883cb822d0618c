using VersionStore.Graph;

namespace VersionStore.Tests.Dag;

/// <summary>The commit-graph file keeps the longest valid prefix: damage, torn tails and foreign files never leak into answers.</summary>
public sealed class CommitGraphFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"vstore-graph-file-{Guid.NewGuid():N}.vscg");

    public void Dispose() => File.Delete(_path);

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
        File.WriteAllBytes(_path, [.. all.AsSpan(0, 16), .. second]);

        Assert.Empty(file.ReadAll());
    }
}
