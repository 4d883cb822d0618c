using VersionStore.Conformance;
using Xunit;

namespace VersionStore.RocksDb.Tests;

/// <summary>
/// <see cref="IAtomicCommitStore"/> on RocksDB: a commit's objects, ref state and audit entry in one write; a stale
/// compare stores the objects only; and a repository over the backend commits through it with unchanged behaviour.
/// </summary>
public sealed class AtomicCommitTests : IDisposable
{
    private static readonly RepositoryName Repo = "support-bot";
    private static readonly RefName Main = RefName.Branch("main");
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new("rocks-atomic");
    private readonly RocksDbBackend _backend;

    public AtomicCommitTests() => _backend = RocksDbBackend.Open(_dir.Combine("db"));

    public void Dispose()
    {
        _backend.Dispose();
        _dir.Dispose();
    }

    private static List<EncodedObject> Blobs(params string[] texts)
        => texts.Select(t => ObjectCodec.EncodeBlob(System.Text.Encoding.UTF8.GetBytes(t))).Select(b => new EncodedObject(ObjectId.Compute(b), b)).ToList();

    private static RefUpdate Update(RefState? current, ObjectId target)
        => new(Repo, current, new AuditEntry(Main, (current?.Sequence ?? 0) + 1, current?.Target, target, "commit", "ana", T0, null, current?.AuditHash ?? ObjectId.Zero));

    [Fact]
    public async Task A_matching_compare_stores_objects_ref_and_audit_entry()
    {
        var objects = Blobs("{\"id\":\"llm-1\"}", "{\"id\":\"answer\"}");
        var update = Update(null, objects[0].Id);

        Assert.True(await _backend.WriteObjectsAndTryUpdateRefAsync(objects, update));

        foreach (var o in objects) Assert.Equal(o.Data.ToArray(), (await _backend.TryReadAsync(o.Id))!.Value.ToArray());
        Assert.Equal(update.NewState, await _backend.TryGetRefAsync(Repo, Main));
        var audit = await _backend.ReadAuditAsync(Repo, Main).ToListAsync();
        Assert.Equal(update.Entry.Encoded.ToArray(), Assert.Single(audit).Encoded.ToArray());
    }

    [Fact]
    public async Task A_stale_compare_stores_the_objects_but_leaves_ref_and_audit_log_unchanged()
    {
        var first = Blobs("v1");
        var firstUpdate = Update(null, first[0].Id);
        Assert.True(await _backend.WriteObjectsAndTryUpdateRefAsync(first, firstUpdate));

        var second = Blobs("v2");
        Assert.False(await _backend.WriteObjectsAndTryUpdateRefAsync(second, Update(null, second[0].Id))); // expects "never existed"

        Assert.True(await _backend.ContainsAsync(second[0].Id));
        Assert.Equal(firstUpdate.NewState, await _backend.TryGetRefAsync(Repo, Main));
        Assert.Single(await _backend.ReadAuditAsync(Repo, Main).ToListAsync());
    }

    [Fact]
    public async Task A_stale_compare_with_no_objects_writes_nothing()
    {
        var first = Blobs("v1");
        Assert.True(await _backend.WriteObjectsAndTryUpdateRefAsync(first, Update(null, first[0].Id)));
        var state = await _backend.TryGetRefAsync(Repo, Main);
        Assert.False(await _backend.WriteObjectsAndTryUpdateRefAsync([], Update(null, first[0].Id)));
        Assert.Equal(state, await _backend.TryGetRefAsync(Repo, Main));
    }

    [Fact]
    public async Task Commits_of_a_real_workflow_through_the_backend_are_complete_and_audited()
    {
        await using var store = new RepositoryStore(_backend, _backend);
        var repo = store.GetRepository(Repo);
        var workflow = TestData.WorkflowFiles().First();
        var v1 = await repo.CommitAsync("main", new SnapshotChanges().Put("workflow/app", File.ReadAllBytes(workflow)).Put("nodes/llm-1", "{\"model\":\"gpt-4o\"}"),
            new CommitOptions { Author = "ana", Message = "v1" });
        var v2 = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm-1", "{\"model\":\"gpt-4o-mini\"}"), new CommitOptions { Author = "ana", Message = "v2" });

        Assert.Equal(v1.Commit.Id, Assert.Single(v2.Commit.Parents));
        Assert.Equal(v2.Commit.Id, (await repo.TryGetRefAsync(Main))!.Target);
        var report = await repo.VerifyAsync();
        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems));
        Assert.Equal(["commit", "commit"], await repo.AuditAsync(Main).Select(e => e.Operation).ToListAsync());

        // A fresh store (no decoded-object cache) reads exactly what the first one built from the fields.
        await using var reopened = new RepositoryStore(_backend, _backend);
        var read = await reopened.GetRepository(Repo).GetCommitAsync(v2.Commit.Id);
        Assert.Equal((v2.Commit.Tree, v2.Commit.Generation, v2.Commit.Timestamp, v2.Commit.Author, v2.Commit.Message),
            (read.Tree, read.Generation, read.Timestamp, read.Author, read.Message));
        Assert.Equal(2, read.Generation);
    }
}
