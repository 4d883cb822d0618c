using Xunit;

namespace VersionStore.Conformance;

/// <summary>
/// The contract of <see cref="IObjectStore"/>, run against every backend: derive, return a fresh empty store
/// from <see cref="CreateStore"/>, and release it in <see cref="DisposeStores"/>. Payloads are real Dify
/// workflow exports (<see cref="TestData"/>).
/// </summary>
public abstract partial class ObjectStoreConformance : StoreSuite<IObjectStore>
{
    private static IReadOnlyList<EncodedObject> Sample(int count) => TestData.DifyBlobs(count);

    private static EncodedObject TreeAndCommit(IReadOnlyList<EncodedObject> blobs, out EncodedObject commit)
    {
        var entries = blobs.Select((b, i) => new TreeEntry($"node-{i:D3}", ObjectKind.Blob, b.Id)).ToArray();
        var treeBytes = ObjectCodec.EncodeTree(entries);
        var tree = new EncodedObject(ObjectId.Compute(treeBytes), treeBytes);
        var commitBytes = ObjectCodec.EncodeCommit(tree.Id, [], 1, new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), "ops@example.com", "publish v1.4.0", []);
        commit = new EncodedObject(ObjectId.Compute(commitBytes), commitBytes);
        return tree;
    }

    [Fact]
    public async Task Write_then_read_returns_the_exact_bytes_of_blobs_trees_and_commits()
    {
        var store = NewStore();
        var blobs = Sample(20);
        var tree = TreeAndCommit(blobs, out var commit);
        EncodedObject[] all = [.. blobs, tree, commit];

        await store.WriteAsync(all);

        foreach (var o in all)
        {
            var read = await store.TryReadAsync(o.Id);
            Assert.NotNull(read);
            Assert.True(read.Value.Span.SequenceEqual(o.Data.Span), $"bytes of {o.Id} differ");
            Assert.Equal(o.Id, ObjectId.Compute(read.Value.Span));
        }
        Assert.Equal(ObjectKind.Tree, ObjectCodec.Verify(tree.Id, (await store.TryReadAsync(tree.Id))!.Value.Span));
        Assert.Equal(ObjectKind.Commit, ObjectCodec.Verify(commit.Id, (await store.TryReadAsync(commit.Id))!.Value.Span));
    }

    [Fact]
    public async Task Missing_object_reads_as_null_and_is_not_contained()
    {
        var store = NewStore();
        var blobs = Sample(2);
        await store.WriteAsync([blobs[0]]);

        Assert.Null(await store.TryReadAsync(blobs[1].Id));
        Assert.False(await store.ContainsAsync(blobs[1].Id));
        Assert.Null(await store.TryReadAsync(ObjectId.Zero));
        Assert.True(await store.ContainsAsync(blobs[0].Id));
    }

    [Fact]
    public async Task Rewriting_an_object_is_idempotent_also_within_one_batch()
    {
        var store = NewStore();
        var blobs = Sample(5);
        await store.WriteAsync(blobs);
        await store.WriteAsync([blobs[0], blobs[0], blobs[3]]);
        await store.WriteAsync(blobs);

        foreach (var o in blobs)
            Assert.True((await store.TryReadAsync(o.Id))!.Value.Span.SequenceEqual(o.Data.Span));
    }

    [Fact]
    public async Task Empty_batch_is_a_no_op()
    {
        var store = NewStore();
        await store.WriteAsync([]);
        Assert.Empty(await ToListAsync(store.FindByPrefixAsync("", 10)));
    }

    [Fact]
    public async Task Stored_bytes_do_not_alias_the_callers_buffer()
    {
        var store = NewStore();
        var original = Sample(1)[0];
        var buffer = original.Data.ToArray();
        await store.WriteAsync([new EncodedObject(original.Id, buffer)]);
        Array.Fill(buffer, (byte)0xEE);

        Assert.True((await store.TryReadAsync(original.Id))!.Value.Span.SequenceEqual(original.Data.Span));
    }

    [Fact]
    public async Task FindByPrefix_returns_exactly_the_matching_ids_for_even_and_odd_prefix_lengths()
    {
        var store = NewStore();
        var blobs = Sample(120);
        await store.WriteAsync(blobs);
        var ids = blobs.Select(b => b.Id).ToList();

        foreach (var probe in ids.Take(10))
        {
            var hex = probe.ToString();
            foreach (var length in new[] { 1, 2, 3, 4, 7, 64 })
            {
                var prefix = hex[..length];
                var expected = ids.Where(i => i.ToString().StartsWith(prefix, StringComparison.Ordinal)).OrderBy(i => i).ToList();
                var found = (await ToListAsync(store.FindByPrefixAsync(prefix, 1000))).OrderBy(i => i).ToList();
                Assert.Equal(expected, found);
                Assert.Contains(probe, found);
            }
        }
    }

    [Fact]
    public async Task FindByPrefix_accepts_uppercase_hex()
    {
        var store = NewStore();
        var blobs = Sample(40);
        await store.WriteAsync(blobs);
        var target = blobs.Select(b => b.Id).First(i => i.ToString()[..6].Any(char.IsAsciiLetter));

        var found = await ToListAsync(store.FindByPrefixAsync(target.ToString()[..6].ToUpperInvariant(), 10));

        Assert.Contains(target, found);
    }

    [Fact]
    public async Task FindByPrefix_respects_the_limit_and_finds_nothing_for_an_unused_prefix()
    {
        var store = NewStore();
        var blobs = Sample(200);
        await store.WriteAsync(blobs);
        var ids = blobs.Select(b => b.Id).ToList();
        // The most common first hex digit among 200 ids has well over 3 members.
        var digit = ids.GroupBy(i => i.ToString()[0]).OrderByDescending(g => g.Count()).First();
        Assert.True(digit.Count() > 3);

        var limited = await ToListAsync(store.FindByPrefixAsync(digit.Key.ToString(), 3));
        Assert.Equal(3, limited.Count);
        Assert.All(limited, i => Assert.Contains(i, digit));
        Assert.Equal(3, limited.Distinct().Count());

        var unused = Enumerable.Range(0, 0x10000).Select(n => n.ToString("x4")).First(p => !ids.Any(i => i.ToString().StartsWith(p, StringComparison.Ordinal)));
        Assert.Empty(await ToListAsync(store.FindByPrefixAsync(unused, 10)));
    }

    [Fact]
    public async Task A_batch_of_1000_real_objects_is_stored_whole()
    {
        var store = NewStore();
        var blobs = Sample(1000);
        Assert.Equal(1000, blobs.Count);

        await store.WriteAsync(blobs);

        foreach (var o in blobs)
        {
            Assert.True(await store.ContainsAsync(o.Id));
            Assert.True((await store.TryReadAsync(o.Id))!.Value.Span.SequenceEqual(o.Data.Span));
        }
        Assert.Equal(1000, (await ToListAsync(store.FindByPrefixAsync("", 5000))).Count);
    }

    [Fact]
    public async Task Concurrent_writers_of_overlapping_batches_lose_nothing()
    {
        var store = NewStore();
        var blobs = Sample(400);
        // 8 writers, each writing an overlapping window of 100 objects in batches of 10.
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var mine = blobs.Skip(w * 40).Take(100).ToList();
            for (var i = 0; i < mine.Count; i += 10) await store.WriteAsync(mine.Skip(i).Take(10).ToList());
        }));
        await Task.WhenAll(writers);

        var written = blobs.Take(7 * 40 + 100).ToList();
        foreach (var o in written)
            Assert.True((await store.TryReadAsync(o.Id))!.Value.Span.SequenceEqual(o.Data.Span));
    }

    [Fact]
    public async Task A_cancelled_write_throws_and_stores_nothing()
    {
        var store = NewStore();
        var blob = Sample(1)[0];
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.WriteAsync([blob], cts.Token));
        Assert.False(await store.ContainsAsync(blob.Id));
    }

    /// <summary>Collects an async sequence.</summary>
    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
