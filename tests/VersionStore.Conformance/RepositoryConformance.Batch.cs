using Xunit;

namespace VersionStore.Conformance;

/// <summary>
/// Checkout, rollback verification and diff read snapshots in batches (<see cref="IBatchObjectStore"/> where the
/// backend has it): the answers, and the corruption and loss they detect, are those of reading object by object.
/// </summary>
public abstract partial class RepositoryConformance
{
    [Fact]
    public async Task Materialising_a_snapshot_in_batches_gives_what_reading_entry_by_entry_gives()
    {
        await PublishTwoVersionsAsync();
        var snapshot = await Repo.CheckoutAsync("v1.4.0");

        var all = await snapshot.ReadAllAsync();

        var one = new SortedDictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        await foreach (var e in snapshot.EnumerateAsync()) one[e.Path] = await Repo.GetBlobAsync(e.BlobId);
        Assert.Equal(one.Keys, all.Keys);
        foreach (var (path, content) in one) Assert.True(all[path].Span.SequenceEqual(content.Span), $"content of {path} differs");
    }

    [Fact]
    public async Task A_corrupt_or_lost_blob_fails_a_batched_checkout_naming_it()
    {
        await PublishTwoVersionsAsync();
        var snapshot = await Repo.CheckoutAsync("v1.4.0");
        var start = (await snapshot.TryGetEntryAsync("graph/nodes/start"))!.Value.BlobId;
        await CorruptObjectAsync(start, ObjectCodec.EncodeBlob("""{"type":"start","title":"Tampered"}"""u8));
        var corrupt = await Assert.ThrowsAsync<CorruptObjectException>(() => snapshot.ReadAllAsync());
        Assert.Equal(start, corrupt.ObjectId);

        await DeleteObjectAsync(start);
        var lost = await Assert.ThrowsAsync<ObjectNotFoundException>(() => snapshot.ReadAllAsync());
        Assert.Equal(start, lost.ObjectId);
    }

    [Fact]
    public async Task Rollback_to_a_target_with_a_lost_entry_is_rejected_naming_it()
    {
        var (_, v150) = await PublishTwoVersionsAsync();
        var start = (await (await Repo.CheckoutAsync("v1.4.0")).TryGetEntryAsync("graph/nodes/start"))!.Value.BlobId;
        await DeleteObjectAsync(start);

        var result = await Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "x" });

        Assert.Equal(RollbackStatus.Rejected, result.Status);
        Assert.Contains(start.ToString(), result.Verification.Failure);
        Assert.Contains("missing", result.Verification.Failure);
        Assert.Equal(v150.Id, await Repo.ResolveAsync("main"));
    }

    [Fact]
    public async Task A_blob_read_once_is_served_from_memory_as_verified_but_rollback_verification_reads_the_store()
    {
        await PublishTwoVersionsAsync();
        var snapshot = await Repo.CheckoutAsync("v1.4.0");
        var start = (await snapshot.TryGetEntryAsync("graph/nodes/start"))!.Value.BlobId;
        var good = (await Repo.GetBlobAsync(start)).ToArray();
        await CorruptObjectAsync(start, ObjectCodec.EncodeBlob("""{"type":"start","title":"Tampered"}"""u8));

        // The copy verified when it entered the process: still the object its id names.
        var again = await Repo.GetBlobAsync(start);
        Assert.True(again.Span.SequenceEqual(good));
        Assert.Equal(start, ObjectId.Compute(ObjectCodec.EncodeBlob(again.Span)));
        // The damage in the store is found by what must read the store: rollback verification and fsck.
        var result = await Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "x" });
        Assert.Equal(RollbackStatus.Rejected, result.Status);
        Assert.Contains(start.ToString(), result.Verification.Failure);
    }
}
