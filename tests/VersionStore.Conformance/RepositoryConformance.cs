using System.Text;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace VersionStore.Conformance;

/// <summary>
/// The behaviour of <see cref="Repository"/> over a backend: commit, checkout, diff, log, ancestry, revisions,
/// rollback and audit. Derive once per backend; <see cref="CreateBackend"/> returns fresh, empty stores.
/// </summary>
public abstract partial class RepositoryConformance : IAsyncLifetime
{
    /// <summary>A fresh object store and ref store (and what to dispose); used by the default <see cref="CreateStoreAsync"/>.</summary>
    protected virtual (IObjectStore Objects, IRefStore Refs, IDisposable? Owner) CreateBackend()
        => throw new NotSupportedException($"{GetType().Name} overrides neither {nameof(CreateBackend)} nor {nameof(CreateStoreAsync)}");

    /// <summary>
    /// Opens the store under test with <paramref name="options"/> (the suite's clock and limits). The default wraps
    /// <see cref="CreateBackend"/> in a <see cref="RepositoryStore"/>; a composition suite opens it through the builder.
    /// </summary>
    protected virtual ValueTask<RepositoryStore> CreateStoreAsync(VersionStoreOptions options)
    {
        var (objects, refs, owner) = CreateBackend();
        return ValueTask.FromResult(new RepositoryStore(objects, refs, options, owner));
    }

    /// <summary>Releases the store under test (default: disposes <see cref="Store"/>).</summary>
    protected virtual ValueTask DisposeStoreAsync() => Store.DisposeAsync();

    /// <summary>Replaces the stored bytes of an object (to simulate corruption at rest).</summary>
    protected abstract Task CorruptObjectAsync(ObjectId id, byte[] replacement);

    /// <summary>Deletes an object (to simulate a lost object).</summary>
    protected abstract Task DeleteObjectAsync(ObjectId id);

    /// <summary>The clock every store here uses.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>The store under test.</summary>
    protected RepositoryStore Store { get; private set; } = null!;

    /// <summary>The objects backend under test.</summary>
    protected IObjectStore Objects { get; private set; } = null!;

    /// <summary>The options the store was created with.</summary>
    protected VersionStoreOptions Options { get; } = new();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Options.TimeProvider = Clock;
        Options.MaxBlobBytes = 256 * 1024;
        Store = await CreateStoreAsync(Options);
        Objects = Store.Objects;
    }

    /// <inheritdoc />
    public async Task DisposeAsync() => await DisposeStoreAsync();

    private Repository Repo => Store.GetRepository("support-bot");

    private static SnapshotChanges Nodes(params (string Path, string Json)[] entries)
    {
        var c = new SnapshotChanges();
        foreach (var (p, j) in entries) c.Put(p, j);
        return c;
    }

    private async Task<CommitResult> CommitAsync(string branch, SnapshotChanges changes, string message, IReadOnlyList<ObjectId>? parents = null)
    {
        Clock.Advance(TimeSpan.FromMinutes(1));
        return await Repo.CommitAsync(branch, changes, new CommitOptions { Author = "ana@example.com", Message = message, Parents = parents });
    }

    private async Task<(CommitResult V140, CommitResult V150)> PublishTwoVersionsAsync()
    {
        var v140 = await CommitAsync("main", Nodes(
            ("graph/nodes/start", """{"type":"start","title":"Start"}"""),
            ("graph/nodes/llm", """{"type":"llm","model":"gpt-4o-mini","prompt":"Answer politely."}"""),
            ("graph/nodes/answer", """{"type":"answer","title":"Answer"}"""),
            ("graph/edges", """[["start","llm"],["llm","answer"]]""")), "v1.4.0");
        await Repo.CreateTagAsync("v1.4.0", "main", actor: "ana@example.com");
        var v150 = await CommitAsync("main", Nodes(
            ("graph/nodes/llm", """{"type":"llm","model":"gpt-4o","prompt":"Answer briefly."}"""),
            ("graph/nodes/guard", """{"type":"code","title":"Guardrail"}""")), "v1.5.0");
        await Repo.CreateTagAsync("v1.5.0", "main", actor: "ana@example.com");
        return (v140, v150);
    }

    // ------------------------------------------------------------------ commit / checkout / diff

    [Fact]
    public async Task Commit_then_checkout_returns_every_entry_and_only_changed_objects_are_written()
    {
        var (v140, v150) = await PublishTwoVersionsAsync();
        Assert.Equal(1, v140.Commit.Generation);
        Assert.Equal(2, v150.Commit.Generation);
        Assert.Equal([v140.Id], v150.Commit.Parents);
        // v1.5.0 changed one node and added one: 2 blobs + graph/nodes tree + graph tree + root tree + commit.
        Assert.Equal(6, v150.ObjectsWritten);

        var snapshot = await Repo.CheckoutAsync("v1.5.0");
        var all = await snapshot.ReadAllAsync();
        Assert.Equal(["graph/edges", "graph/nodes/answer", "graph/nodes/guard", "graph/nodes/llm", "graph/nodes/start"], all.Keys);
        Assert.Contains("gpt-4o\"", Encoding.UTF8.GetString(all["graph/nodes/llm"].Span));
        Assert.Null(await snapshot.ReadAsync("graph/nodes/missing"));
    }

    [Fact]
    public async Task Diff_names_the_changed_entries_and_is_empty_between_equal_snapshots()
    {
        await PublishTwoVersionsAsync();
        var diff = await Repo.DiffAsync("v1.4.0", "v1.5.0");
        Assert.Equal(["A graph/nodes/guard", "M graph/nodes/llm"], diff.Select(d => d.ToString()));
        Assert.Empty(await Repo.DiffAsync("v1.5.0", "main"));
        var back = await Repo.DiffAsync("v1.5.0", "v1.4.0");
        Assert.Equal(["D graph/nodes/guard", "M graph/nodes/llm"], back.Select(d => d.ToString()));
    }

    [Fact]
    public async Task Removing_a_folder_removes_every_entry_below_it()
    {
        await PublishTwoVersionsAsync();
        await CommitAsync("main", new SnapshotChanges().Remove("graph/nodes"), "drop nodes");
        var entries = new List<string>();
        await foreach (var e in (await Repo.CheckoutAsync("main")).EnumerateAsync()) entries.Add(e.Path);
        Assert.Equal(["graph/edges"], entries);
    }

    [Fact]
    public async Task Replace_all_commits_exactly_the_given_entries()
    {
        await PublishTwoVersionsAsync();
        var whole = SnapshotChanges.FromEntries(new Dictionary<string, byte[]> { ["only"] = [1, 2, 3] });
        await CommitAsync("main", whole, "replace");
        var all = await (await Repo.CheckoutAsync("main")).ReadAllAsync();
        Assert.Equal(["only"], all.Keys);
    }

    [Fact]
    public async Task Identical_content_gets_the_same_tree_id_in_another_repository()
    {
        var first = await CommitAsync("main", Nodes(("a", "same"), ("b", "other")), "one");
        var other = Store.GetRepository("another-workflow");
        Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await other.CommitAsync("main", Nodes(("a", "same"), ("b", "other")), new CommitOptions { Author = "bo", Message = "two" });
        Assert.Equal(first.Commit.Tree, second.Commit.Tree);
        Assert.NotEqual(first.Id, second.Id);
    }

    // ------------------------------------------------------------------ revisions, log, ancestry

    [Fact]
    public async Task Revisions_resolve_by_branch_tag_id_abbreviation_ancestry_and_reflog()
    {
        var (v140, v150) = await PublishTwoVersionsAsync();
        Assert.Equal(v150.Id, await Repo.ResolveAsync("main"));
        Assert.Equal(v150.Id, await Repo.ResolveAsync("refs/heads/main"));
        Assert.Equal(v140.Id, await Repo.ResolveAsync("v1.4.0"));
        Assert.Equal(v140.Id, await Repo.ResolveAsync("main~1"));
        Assert.Equal(v140.Id, await Repo.ResolveAsync("main^"));
        Assert.Equal(v150.Id, await Repo.ResolveAsync("main^0"));
        Assert.Equal(v140.Id, await Repo.ResolveAsync(v140.Id.ToString()));
        Assert.Equal(v140.Id, await Repo.ResolveAsync(v140.Id.ToString(10)));
        Assert.Equal(v140.Id, await Repo.ResolveAsync(v140.Id.ToString(10).ToUpperInvariant()));
        Assert.Equal(v140.Id, await Repo.ResolveAsync("main@{1}"));
        Assert.Equal(v150.Id, await Repo.ResolveAsync("main@{0}"));
        Assert.Null(await Repo.TryResolveAsync("nope"));
    }

    [Fact]
    public async Task Log_lists_history_newest_first_with_ranges_and_first_parent()
    {
        var (v140, v150) = await PublishTwoVersionsAsync();
        var side = await CommitAsync("draft", Nodes(("draft-only", "x")), "draft work", parents: [v140.Id]);
        var merge = await CommitAsync("main", Nodes(("draft-only", "x")), "merge draft", parents: [v150.Id, side.Id]);

        var all = await Repo.LogAsync("main").Select(c => c.Subject).ToListAsync();
        Assert.Equal(["merge draft", "draft work", "v1.5.0", "v1.4.0"], all);

        var firstParent = await Repo.LogAsync(new LogOptions { IncludeReachableFrom = ["main"], FirstParentOnly = true }).Select(c => c.Subject).ToListAsync();
        Assert.Equal(["merge draft", "v1.5.0", "v1.4.0"], firstParent);

        var range = await Repo.LogAsync("v1.5.0..main").Select(c => c.Subject).ToListAsync();
        Assert.Equal(["merge draft", "draft work"], range);

        var dated = await Repo.LogAsync(new LogOptions { IncludeReachableFrom = ["main"], Order = LogOrder.Date, MaxCount = 2 }).Select(c => c.Subject).ToListAsync();
        Assert.Equal(["merge draft", "draft work"], dated);
        Assert.Equal(3, merge.Commit.Generation);
    }

    [Fact]
    public async Task Ancestry_and_merge_base_follow_the_dag()
    {
        var (v140, v150) = await PublishTwoVersionsAsync();
        var side = await CommitAsync("draft", Nodes(("d", "1")), "draft", parents: [v140.Id]);
        Assert.True(await Repo.IsAncestorAsync("v1.4.0", "main"));
        Assert.False(await Repo.IsAncestorAsync("main", "v1.4.0"));
        Assert.False(await Repo.IsAncestorAsync("draft", "main"));
        Assert.True(await Repo.IsAncestorAsync("main", "main"));
        Assert.Equal([v140.Id], await Repo.MergeBasesAsync("main", "draft"));
        Assert.Equal([v150.Id], await Repo.MergeBasesAsync("main", "v1.5.0"));

        // Criss-cross: two best common ancestors.
        var m1 = await CommitAsync("x", Nodes(("m", "1")), "m1", parents: [v150.Id, side.Id]);
        var m2 = await CommitAsync("y", Nodes(("m", "2")), "m2", parents: [side.Id, v150.Id]);
        var bases = await Repo.MergeBasesAsync(m1.Id, m2.Id);
        Assert.Equal(new[] { v150.Id, side.Id }.Order(), bases.Order());
    }

    // ------------------------------------------------------------------ rollback and audit

    [Fact]
    public async Task Revert_rollback_makes_a_new_commit_with_the_targets_tree_and_an_audited_reason()
    {
        var (v140, v150) = await PublishTwoVersionsAsync();
        Clock.Advance(TimeSpan.FromMinutes(5));
        var result = await Repo.RollbackAsync(new RollbackRequest
        {
            Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "answers degraded after v1.5.0", Actor = "oncall@example.com",
        });
        Assert.Equal(RollbackStatus.Succeeded, result.Status);
        Assert.Equal(v150.Id, result.From);
        Assert.Equal(v140.Id, result.To);
        Assert.NotEqual(v140.Id, result.NewHead);
        Assert.Equal(Clock.GetUtcNow(), result.EffectiveTime);
        Assert.True(result.Verification.Passed);
        Assert.True(result.Verification.ObjectsVerified >= 7);

        var head = await Repo.GetCommitAsync(result.NewHead);
        Assert.Equal(v140.Commit.Tree, head.Tree);
        Assert.Equal([v150.Id], head.Parents);
        Assert.Equal(v140.Id.ToString(), head.GetTrailer(WellKnownTrailers.RollbackOf));
        Assert.Equal("answers degraded after v1.5.0", head.GetTrailer(WellKnownTrailers.Reason));
        Assert.Empty(await Repo.DiffAsync("main", "v1.4.0"));

        var audit = await Repo.AuditAsync(RefName.Branch("main")).ToListAsync();
        Assert.Equal("rollback.revert", audit[0].Operation);
        Assert.Equal("oncall@example.com", audit[0].Actor);
        Assert.Equal("answers degraded after v1.5.0", audit[0].Reason);
        Assert.Equal(v150.Id, audit[0].Old);
        Assert.Equal(result.NewHead, audit[0].New);
        Assert.True((await Repo.VerifyAuditAsync(RefName.Branch("main"))).Intact);

        var again = await Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "again" });
        Assert.Equal(RollbackStatus.AlreadyAtTarget, again.Status);
    }

    [Fact]
    public async Task Reset_rollback_moves_the_ref_back_and_the_audit_log_keeps_the_way_forward()
    {
        var (v140, v150) = await PublishTwoVersionsAsync();
        var result = await Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "bad", Mode = RollbackMode.Reset });
        Assert.Equal(RollbackStatus.Succeeded, result.Status);
        Assert.Equal(v140.Id, await Repo.ResolveAsync("main"));
        Assert.Equal(v150.Id, await Repo.ResolveAsync("main@{1}"));
    }

    [Fact]
    public async Task A_failing_verifier_compensates_and_both_moves_are_audited()
    {
        var (_, v150) = await PublishTwoVersionsAsync();
        var result = await Repo.RollbackAsync(new RollbackRequest
        {
            Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "try", Verifiers = [new RejectingVerifier()],
        });
        Assert.Equal(RollbackStatus.Compensated, result.Status);
        Assert.Equal("smoke test failed", result.Verification.Failure);
        Assert.Equal(v150.Id, await Repo.ResolveAsync("main"));
        var ops = await Repo.AuditAsync(RefName.Branch("main")).Select(e => e.Operation).ToListAsync();
        Assert.Equal(["rollback.compensate", "rollback.revert", "commit", "commit"], ops);
    }

    [Fact]
    public async Task Rollback_to_a_target_with_a_corrupt_entry_is_rejected_and_changes_nothing()
    {
        var (v140, v150) = await PublishTwoVersionsAsync();
        var snapshot = await Repo.CheckoutAsync("v1.4.0");
        var start = (await snapshot.TryGetEntryAsync("graph/nodes/start"))!.Value.BlobId;
        await CorruptObjectAsync(start, ObjectCodec.EncodeBlob("""{"type":"start","title":"Tampered"}"""u8));
        var before = await StateAsync();

        var result = await Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "x" });

        Assert.Equal(RollbackStatus.Rejected, result.Status);
        Assert.Contains(start.ToString(), result.Verification.Failure);
        Assert.Equal(v150.Id, result.NewHead);
        Assert.Null(result.EffectiveTime);
        Assert.Equal(before, await StateAsync());
        _ = v140;
    }

    [Fact]
    public async Task A_recently_verified_target_is_not_reread_until_its_verification_expires()
    {
        var (_, v150) = await PublishTwoVersionsAsync();
        var first = await Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "one", Mode = RollbackMode.Reset });
        Assert.True(first.Verification.ObjectsVerified >= 7);
        await Repo.UpdateRefAsync(RefName.Branch("main"), v150.Id, first.NewHead, "restore", "test");

        var second = await Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "two", Mode = RollbackMode.Reset });
        Assert.Equal((RollbackStatus.Succeeded, 0), (second.Status, second.Verification.ObjectsVerified));
        await Repo.UpdateRefAsync(RefName.Branch("main"), v150.Id, second.NewHead, "restore", "test");

        // Damage after the verification is found once the verification has expired.
        var start = (await (await Repo.CheckoutAsync("v1.4.0")).TryGetEntryAsync("graph/nodes/start"))!.Value.BlobId;
        await CorruptObjectAsync(start, ObjectCodec.EncodeBlob("tampered"u8));
        Clock.Advance(Options.VerifiedSnapshotTtl + TimeSpan.FromSeconds(1));
        var third = await Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("main"), Target = "v1.4.0", Reason = "three", Mode = RollbackMode.Reset });
        Assert.Equal(RollbackStatus.Rejected, third.Status);
        Assert.Equal(v150.Id, await Repo.ResolveAsync("main"));
    }

    [Fact]
    public async Task A_subtree_shared_with_a_verified_snapshot_is_skipped_and_damage_to_it_is_found_once_the_first_verification_expires()
    {
        var (_, v150) = await PublishTwoVersionsAsync();
        // v1.6.0 changes only graph/edges: its graph/nodes subtree is v1.5.0's.
        var v160 = await CommitAsync("main", Nodes(("graph/edges", """[["start","llm"],["llm","guard"],["guard","answer"]]""")), "v1.6.0");
        var main = RefName.Branch("main");
        RollbackRequest To(string target, string reason) => new() { Ref = main, Target = target, Reason = reason, Mode = RollbackMode.Reset };

        var full = await Repo.RollbackAsync(To(v150.Id.ToString(), "to 1.5"));
        Assert.Equal(RollbackStatus.Succeeded, full.Status);
        Assert.Equal(8, full.Verification.ObjectsVerified); // root, graph, graph/nodes, 4 nodes, edges

        // Four minutes later, within the TTL: v1.6.0's root, graph tree and edges blob are read, graph/nodes is not.
        Clock.Advance(Options.VerifiedSnapshotTtl - TimeSpan.FromMinutes(1));
        var partial = await Repo.RollbackAsync(To(v160.Id.ToString(), "to 1.6"));
        Assert.Equal((RollbackStatus.Succeeded, 3), (partial.Status, partial.Verification.ObjectsVerified));

        // A shared node is damaged on disk. v1.6.0 was verified a minute ago, but that verification rested on the reads
        // of graph/nodes made by the first one: once that one expires, v1.6.0 is read again in full and the damage found.
        var start = (await (await Repo.CheckoutAsync("v1.5.0")).TryGetEntryAsync("graph/nodes/start"))!.Value.BlobId;
        await CorruptObjectAsync(start, ObjectCodec.EncodeBlob("tampered"u8));
        Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await Repo.UpdateRefAsync(main, v150.Id, v160.Id, "restore", "test");
        var before = await StateAsync();
        var third = await Repo.RollbackAsync(To(v160.Id.ToString(), "to 1.6 again"));
        Assert.Equal(RollbackStatus.Rejected, third.Status);
        Assert.Contains(start.ToString(), third.Verification.Failure);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Audit_log_tampering_is_detected()
    {
        await PublishTwoVersionsAsync();
        var verification = await Repo.VerifyAuditAsync(RefName.Branch("main"));
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(2, verification.Entries);
        var report = await Repo.VerifyAsync();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
        Assert.Equal(3, report.RefsChecked);
    }

    [Fact]
    public async Task Fsck_reports_a_missing_and_a_corrupt_object()
    {
        var (v140, _) = await PublishTwoVersionsAsync();
        var snapshot = await Repo.CheckoutAsync("v1.4.0");
        var edges = (await snapshot.TryGetEntryAsync("graph/edges"))!.Value.BlobId;
        await DeleteObjectAsync(edges);
        var llm = (await snapshot.TryGetEntryAsync("graph/nodes/llm"))!.Value.BlobId;
        await CorruptObjectAsync(llm, [1, 1, 0]);
        var report = await Repo.VerifyAsync();
        Assert.False(report.IsHealthy);
        Assert.Contains(report.Problems, p => p.Contains(edges.ToString()) && p.Contains("missing"));
        Assert.Contains(report.Problems, p => p.Contains(llm.ToString()) && p.Contains("corrupt"));
        _ = v140;
    }

    [Fact]
    public async Task Concurrent_commits_with_the_same_expected_head_have_exactly_one_winner()
    {
        var (_, v150) = await PublishTwoVersionsAsync();
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await Repo.CommitAsync("main", Nodes(($"graph/nodes/n{i}", "{}")), new CommitOptions { Message = $"c{i}", ExpectedHead = v150.Id });
                return true;
            }
            catch (RefConflictException)
            {
                return false;
            }
        })).ToArray();
        var outcomes = await Task.WhenAll(tasks);
        Assert.Equal(1, outcomes.Count(o => o));
        Assert.True((await Repo.VerifyAuditAsync(RefName.Branch("main"))).Intact);
    }

    // ------------------------------------------------------------------ bad input: typed error, no state change

    /// <summary>Every case: a typed exception and no change to refs or audit logs.</summary>
    public static TheoryData<string> BadInputCases() =>
    [
        "empty branch name", "branch name with ..", "branch name with leading /", "branch name with control character",
        "branch name over 255 bytes", "branch name ending .lock", "repository name with ..", "repository name with /",
        "empty repository name", "unknown revision", "ambiguous abbreviated id", "~N past the root", "^N past the parents",
        "reflog position out of range", "stale expected head", "tag overwrite without force", "branch that exists",
        "rollback to a missing target", "rollback of a tag", "rollback without a reason", "rollback of a missing branch",
        "rollback with a stale expected head", "missing object at checkout", "corrupt object at checkout",
        "oversized entry", "oversized message", "invalid path", "path both entry and folder", "parent not stored",
        "delete of a missing ref", "empty revision", "abbreviation shorter than 4", "reflog of a missing ref",
        "rollback with an invalid detail key",
    ];

    [Theory]
    [MemberData(nameof(BadInputCases))]
    public async Task Bad_input_gets_a_typed_error_and_changes_nothing(string @case)
    {
        var (v140, v150) = await PublishTwoVersionsAsync();
        var main = RefName.Branch("main");
        Func<Task> act;
        Type expected;
        switch (@case)
        {
            case "empty branch name": act = () => Repo.CommitAsync("", Nodes(("a", "1"))); expected = typeof(InvalidNameException); break;
            case "branch name with ..": act = () => Repo.CommitAsync("a..b", Nodes(("a", "1"))); expected = typeof(InvalidNameException); break;
            case "branch name with leading /": act = () => Repo.CommitAsync("/main", Nodes(("a", "1"))); expected = typeof(InvalidNameException); break;
            case "branch name with control character": act = () => Repo.CommitAsync("ma\u0001in", Nodes(("a", "1"))); expected = typeof(InvalidNameException); break;
            case "branch name over 255 bytes": act = () => Repo.CommitAsync(new string('b', 250), Nodes(("a", "1"))); expected = typeof(InvalidNameException); break;
            case "branch name ending .lock": act = () => Repo.CommitAsync("main.lock", Nodes(("a", "1"))); expected = typeof(InvalidNameException); break;
            case "repository name with ..": act = () => Task.FromResult(Store.GetRepository("a..b")); expected = typeof(InvalidNameException); break;
            case "repository name with /": act = () => Task.FromResult(Store.GetRepository("../support-bot")); expected = typeof(InvalidNameException); break;
            case "empty repository name": act = () => Task.FromResult(Store.GetRepository("")); expected = typeof(InvalidNameException); break;
            case "unknown revision": act = async () => await Repo.CheckoutAsync("v9.9.9"); expected = typeof(RevisionNotFoundException); break;
            case "ambiguous abbreviated id":
            {
                var prefix = await MakeAmbiguousPrefixAsync();
                act = async () => await Repo.ResolveAsync(prefix);
                expected = typeof(AmbiguousRevisionException);
                break;
            }
            case "~N past the root": act = async () => await Repo.ResolveAsync("main~2"); expected = typeof(RevisionNotFoundException); break;
            case "^N past the parents": act = async () => await Repo.ResolveAsync("main^2"); expected = typeof(RevisionNotFoundException); break;
            case "reflog position out of range": act = async () => await Repo.ResolveAsync("main@{9}"); expected = typeof(RevisionNotFoundException); break;
            case "stale expected head":
                act = () => Repo.CommitAsync("main", Nodes(("a", "1")), new CommitOptions { ExpectedHead = v140.Id }); expected = typeof(RefConflictException); break;
            case "tag overwrite without force": act = () => Repo.CreateTagAsync("v1.4.0", "main"); expected = typeof(NameConflictException); break;
            case "branch that exists": act = () => Repo.CreateBranchAsync("main", "v1.4.0"); expected = typeof(NameConflictException); break;
            case "rollback to a missing target":
                act = () => Repo.RollbackAsync(new RollbackRequest { Ref = main, Target = "v0.0.1", Reason = "x" }); expected = typeof(RevisionNotFoundException); break;
            case "rollback of a tag":
                act = () => Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Tag("v1.5.0"), Target = "v1.4.0", Reason = "x" }); expected = typeof(InvalidRequestException); break;
            case "rollback without a reason":
                act = () => Repo.RollbackAsync(new RollbackRequest { Ref = main, Target = "v1.4.0", Reason = " " }); expected = typeof(InvalidRequestException); break;
            case "rollback of a missing branch":
                act = () => Repo.RollbackAsync(new RollbackRequest { Ref = RefName.Branch("nope"), Target = "v1.4.0", Reason = "x" }); expected = typeof(RevisionNotFoundException); break;
            case "rollback with a stale expected head":
                act = () => Repo.RollbackAsync(new RollbackRequest { Ref = main, Target = "v1.4.0", Reason = "x", ExpectedHead = v140.Id }); expected = typeof(RefConflictException); break;
            case "missing object at checkout":
                await DeleteObjectAsync(v150.Commit.Tree);
                act = async () => await Repo.CheckoutAsync("main"); expected = typeof(ObjectNotFoundException); break;
            case "corrupt object at checkout":
                await CorruptObjectAsync(v150.Commit.Tree, ObjectCodec.EncodeTree([]));
                act = async () => await Repo.CheckoutAsync("main"); expected = typeof(CorruptObjectException); break;
            case "oversized entry":
                act = () => Repo.CommitAsync("main", new SnapshotChanges().Put("big", new byte[Options.MaxBlobBytes + 1])); expected = typeof(PayloadTooLargeException); break;
            case "oversized message":
                act = () => Repo.CommitAsync("main", Nodes(("a", "1")), new CommitOptions { Message = new string('m', Options.MaxMessageBytes + 1) }); expected = typeof(PayloadTooLargeException); break;
            case "invalid path": act = () => Repo.CommitAsync("main", new SnapshotChanges().Put("a//b", "x")); expected = typeof(InvalidNameException); break;
            case "path both entry and folder":
                act = () => Repo.CommitAsync("main", Nodes(("a", "1"), ("a/b", "2"))); expected = typeof(InvalidRequestException); break;
            case "parent not stored":
                act = () => Repo.CommitAsync("main", Nodes(("a", "1")), new CommitOptions { Parents = [ObjectId.Compute("nothing"u8)] }); expected = typeof(RevisionNotFoundException); break;
            case "delete of a missing ref": act = () => Repo.DeleteRefAsync(RefName.Branch("nope")); expected = typeof(RevisionNotFoundException); break;
            case "empty revision": act = async () => await Repo.ResolveAsync(""); expected = typeof(RevisionNotFoundException); break;
            case "abbreviation shorter than 4": act = async () => await Repo.ResolveAsync(v140.Id.ToString(3)); expected = typeof(RevisionNotFoundException); break;
            case "rollback with an invalid detail key":
                act = () => Repo.RollbackAsync(new RollbackRequest { Ref = main, Target = "v1.4.0", Reason = "x", Details = [new Trailer("bad key", "v")] });
                expected = typeof(InvalidRequestException); break;
            case "reflog of a missing ref": act = async () => await Repo.ResolveAsync("nope@{0}"); expected = typeof(RevisionNotFoundException); break;
            default: throw new InvalidOperationException("unknown case " + @case);
        }

        var before = await StateAsync();
        var error = await Assert.ThrowsAnyAsync<VersionStoreException>(act);
        Assert.IsType(expected, error);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public void Malformed_object_bytes_are_rejected_with_a_typed_error()
    {
        var id = ObjectId.Compute("x"u8);
        byte[][] cases =
        [
            [],
            [1],
            [2, 2, 0],                       // unknown format byte
            [1, 9],                          // unknown kind
            [1, 2, 0x80],                    // truncated varint
            [1, 2, 0x81, 0x00],              // non-minimal varint
            [1, 2, 1, 1, (byte)'a', 1],      // truncated entry id
            [1, 2, 0, 0],                    // trailing byte
            [1, 2, 1, 2, 0xC3, 0x28, 1, .. new byte[32]], // invalid UTF-8 name
            [1, 2, 1, 1, (byte)'/', 1, .. new byte[32]],  // '/' in a name
            [1, 2, 1, 1, (byte)'a', 3, .. new byte[32]],  // entry kind commit
            [1, 2, 2, 1, (byte)'b', 1, .. new byte[32], 1, (byte)'a', 1, .. new byte[32]], // unsorted
        ];
        foreach (var bytes in cases)
            Assert.ThrowsAny<VersionStoreException>(() => ObjectCodec.DecodeTree(id, bytes));
        Assert.ThrowsAny<VersionStoreException>(() => ObjectCodec.DecodeCommit(id, ObjectCodec.EncodeBlob("blob"u8)));
        Assert.Throws<CorruptObjectException>(() => ObjectCodec.Verify(id, ObjectCodec.EncodeBlob("not x"u8)));
    }

    private async Task<string> MakeAmbiguousPrefixAsync()
    {
        var byPrefix = new Dictionary<string, ObjectId>();
        for (var i = 0; ; i++)
        {
            var c = await Repo.CommitAsync("amb", Nodes(("n", i.ToString())), new CommitOptions { Message = $"m{i}", Parents = [], Timestamp = Clock.GetUtcNow(), Force = true }); // a new root each time
            var prefix = c.Id.ToString(4);
            if (byPrefix.ContainsKey(prefix)) return prefix;
            byPrefix[prefix] = c.Id;
        }
    }

    /// <summary>Every ref's state and audit length: what "no state change" compares.</summary>
    private async Task<string> StateAsync()
    {
        var sb = new StringBuilder();
        await foreach (var repo in Store.ListRepositoriesAsync())
        {
            await foreach (var (name, state) in Store.Refs.ListRefsAsync(repo))
            {
                var audit = await Store.Refs.ReadAuditAsync(repo, name).CountAsync();
                sb.Append($"{repo}:{name}={state.Target}/{state.Sequence}/{audit};");
            }
        }
        return sb.ToString();
    }

    private sealed class RejectingVerifier : IRollbackVerifier
    {
        public ValueTask<string?> VerifyAsync(Repository repository, Commit target, CancellationToken cancellationToken)
            => ValueTask.FromResult<string?>("smoke test failed");
    }
}
