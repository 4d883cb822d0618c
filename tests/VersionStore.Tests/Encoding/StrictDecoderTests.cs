using System.Buffers.Binary;

namespace VersionStore.Tests.Encoding;

/// <summary>
/// The commit reject rules of docs/FORMAT.md as the decoder and verify enforce them: duplicate parents, the
/// generation rule and its range, and the timestamp range (a corrupt-object error, never an overflow).
/// </summary>
public sealed class StrictDecoderTests
{
    private static readonly ObjectId Tree = ObjectId.Compute(ObjectCodec.EncodeTree([]));
    private static readonly DateTimeOffset Time = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static (ObjectId Id, byte[] Bytes) Commit(ObjectId[] parents, long generation, DateTimeOffset? time = null)
    {
        var bytes = ObjectCodec.EncodeCommit(Tree, parents, generation, time ?? Time, "ana", "m", []);
        return (ObjectId.Compute(bytes), bytes);
    }

    [Fact]
    public void A_parent_listed_twice_is_a_corrupt_commit()
    {
        var (p, _) = Commit([], 1);
        var (id, bytes) = Commit([p, p], 2);
        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.DecodeCommit(id, bytes));
        Assert.Contains("listed twice", e.Message);
    }

    [Theory]
    [InlineData(0, 2)]   // a root commit has generation 1
    [InlineData(1, 1)]   // a commit with parents has generation at least 2
    public void A_generation_against_the_rule_is_a_corrupt_commit(int parentCount, long generation)
    {
        var (p, _) = Commit([], 1);
        var (id, bytes) = Commit(parentCount == 0 ? [] : [p], generation);
        Assert.Throws<CorruptObjectException>(() => ObjectCodec.DecodeCommit(id, bytes));
    }

    [Theory]
    [InlineData(1L << 62)]
    [InlineData(-(1L << 62))]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(ObjectCodec.MaxTimestampMicroseconds + 1)]
    [InlineData(ObjectCodec.MinTimestampMicroseconds - 1)]
    public void A_timestamp_out_of_range_is_a_corrupt_commit_not_an_overflow(long micros)
    {
        var (_, bytes) = Commit([], 1);
        // header, tree id, parent count (1 byte: 0), generation (1 byte: 1), then the int64 timestamp
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(ObjectCodec.HeaderSize + ObjectId.Size + 2), micros);
        var id = ObjectId.Compute(bytes);
        var e = Assert.Throws<CorruptObjectException>(() => ObjectCodec.DecodeCommit(id, bytes));
        Assert.Contains("timestamp", e.Message);
    }

    [Fact]
    public void The_ends_of_the_timestamp_range_decode()
    {
        foreach (var t in new[] { DateTimeOffset.MinValue, new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990) })
        {
            var (id, bytes) = Commit([], 1, t);
            Assert.Equal(t, ObjectCodec.DecodeCommit(id, bytes).Timestamp);
        }
    }

    [Fact]
    public async Task Verify_reports_a_commit_whose_generation_breaks_the_rule()
    {
        var store = RepositoryStore.CreateInMemory();
        var tree = ObjectCodec.EncodeTree([]);
        var (root, rootBytes) = Commit([], 1);
        var (child, childBytes) = Commit([root], 5);   // decodes (>= 2), but 1 + max(parent generations) is 2
        await store.Objects.WriteAsync([new(ObjectId.Compute(tree), tree), new(root, rootBytes), new(child, childBytes)]);
        var repo = store.GetRepository("wf");
        await repo.CreateBranchAsync("main", child.ToString());

        var report = await repo.VerifyAsync();

        Assert.Contains(report.Problems, p => p.Contains("generation 5") && p.Contains("is 2"));
    }
}
