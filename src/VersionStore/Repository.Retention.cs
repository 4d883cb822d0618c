using System.Runtime.CompilerServices;

namespace VersionStore;

public sealed partial class Repository
{
    /// <summary>The ref holding the repository's retention policy.</summary>
    public static readonly RefName RetentionPolicyRef = RefName.Meta("retention");

    private const string PolicyEntry = "policy";

    /// <summary>The repository's retention policy (<see cref="RetentionPolicy.KeepEverything"/> until one is set).</summary>
    public async Task<RetentionPolicy> GetRetentionPolicyAsync(CancellationToken cancellationToken = default)
    {
        var state = await Store.Refs.TryGetRefAsync(Name, RetentionPolicyRef, cancellationToken).ConfigureAwait(false);
        if (state?.Target is not { } target) return RetentionPolicy.KeepEverything;
        var commit = await Reader.GetCommitAsync(target, cancellationToken).ConfigureAwait(false);
        var tree = await Reader.GetTreeAsync(commit.Tree, cancellationToken).ConfigureAwait(false);
        if (!tree.TryGetEntry(PolicyEntry, out var entry)) throw new CorruptObjectException(commit.Tree, "the retention policy snapshot has no policy entry");
        return RetentionPolicy.Decode((await Reader.GetBlobAsync(entry.Id, cancellationToken).ConfigureAwait(false)).Span);
    }

    /// <summary>
    /// Sets the retention policy (audited: operation <c>retention.set</c> with actor and reason on <see cref="RetentionPolicyRef"/>).
    /// It takes effect at the next garbage collection: versions outside it are then marked pruned, and their snapshots are
    /// deleted one grace period later.
    /// </summary>
    /// <exception cref="InvalidRequestException">A rule is out of range.</exception>
    public async Task<AuditEntry> SetRetentionPolicyAsync(RetentionPolicy policy, string actor, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        CheckText("Actor", actor);
        var blob = ObjectCodec.EncodeBlob(policy.Encode());
        var blobId = ObjectId.Compute(blob);
        var tree = ObjectCodec.EncodeTree([new TreeEntry(PolicyEntry, ObjectKind.Blob, blobId)]);
        var treeId = ObjectId.Compute(tree);
        var commit = ObjectCodec.EncodeCommit(treeId, [], 1, Clock.GetUtcNow(), actor, "Retention policy: " + policy, []);
        var commitId = ObjectId.Compute(commit);
        await Store.Objects.WriteAsync([new EncodedObject(blobId, blob), new EncodedObject(treeId, tree), new EncodedObject(commitId, commit)], cancellationToken).ConfigureAwait(false);
        var details = new List<Trailer>
        {
            new("Keep-Last", policy.KeepLast?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"),
            new("Keep-Days", policy.KeepDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"),
        };
        var state = await Store.Refs.TryGetRefAsync(Name, RetentionPolicyRef, cancellationToken).ConfigureAwait(false);
        var entry = NewAuditEntry(RetentionPolicyRef, state, commitId, "retention.set", actor, reason, details);
        await ApplyAsync(RetentionPolicyRef, state, entry, cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>The pin ref of commit <paramref name="commit"/>: <c>refs/pins/&lt;full id&gt;</c>.</summary>
    public static RefName PinRef(ObjectId commit) => RefName.Pin(commit.ToString());

    /// <summary>
    /// Pins <paramref name="revision"/>: an explicit hold (audited with actor and reason) that keeps its snapshot whatever
    /// the retention policy. Pinning an already pinned version is a no-op that returns the existing pin.
    /// </summary>
    /// <exception cref="InvalidRequestException">The reason is empty.</exception>
    /// <exception cref="VersionPrunedException">The version's snapshot was already pruned.</exception>
    public async Task<PinInfo> PinAsync(string revision, string actor, string reason, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new InvalidRequestException("A pin needs a reason.");
        var target = await ResolveAsync(revision, cancellationToken).ConfigureAwait(false);
        await Reader.GetCommitAsync(target, cancellationToken).ConfigureAwait(false);
        var name = PinRef(target);
        var state = await Store.Refs.TryGetRefAsync(Name, name, cancellationToken).ConfigureAwait(false);
        if (state?.Target is not null) return await GetPinAsync(name, target, cancellationToken).ConfigureAwait(false);
        await EnsureNotPrunedAsync(target, cancellationToken).ConfigureAwait(false);
        var entry = NewAuditEntry(name, state, target, "pin", actor, reason, null);
        await ApplyAsync(name, state, entry, cancellationToken).ConfigureAwait(false);
        return new PinInfo(name, target, entry.Actor, entry.Reason, entry.Time);
    }

    /// <summary>Removes the pin of <paramref name="revision"/> (audited). Its snapshot then follows the retention policy again.</summary>
    /// <exception cref="RevisionNotFoundException">The version is not pinned.</exception>
    public async Task UnpinAsync(string revision, string actor, string? reason = null, CancellationToken cancellationToken = default)
    {
        var target = await ResolveAsync(revision, cancellationToken).ConfigureAwait(false);
        var name = PinRef(target);
        var state = await Store.Refs.TryGetRefAsync(Name, name, cancellationToken).ConfigureAwait(false);
        if (state?.Target is null) throw new RevisionNotFoundException(Name.Value, revision, "the version is not pinned");
        await CompareAndSwapAsync(name, state, null, "unpin", actor, reason, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The repository's pins with who pinned each, when and why.</summary>
    public async IAsyncEnumerable<PinInfo> ListPinsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pins = new List<RefInfo>();
        await foreach (var r in ListRefsAsync(RefKind.Pin, cancellationToken).ConfigureAwait(false)) pins.Add(r);
        foreach (var pin in pins) yield return await GetPinAsync(pin.Name, pin.Target, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PinInfo> GetPinAsync(RefName name, ObjectId target, CancellationToken cancellationToken)
    {
        await foreach (var e in Store.Refs.ReadAuditAsync(Name, name, null, cancellationToken).ConfigureAwait(false))
            if (e.New == target) return new PinInfo(name, target, e.Actor, e.Reason, e.Time);
        return new PinInfo(name, target, "unknown", null, DateTimeOffset.MinValue);
    }

    /// <summary>
    /// Refuses a version whose snapshot retention pruned (or marked for pruning), or which garbage collection planned to
    /// delete: called before any ref is pointed at an existing version (rollback, branch, tag, publish, pin, merge), so a
    /// sweep never deletes what a ref just started to reach.
    /// </summary>
    /// <exception cref="VersionPrunedException">The version is pruned or collected.</exception>
    internal async ValueTask EnsureNotPrunedAsync(ObjectId commit, CancellationToken cancellationToken)
    {
        var (_, plan) = await Store.GcPlans.GetAsync(Store, tolerateUnavailable: true, cancellationToken).ConfigureAwait(false);
        if (plan.Commit is null) return;
        if (plan.TryGetPruned(Name, commit, out var at)) throw new VersionPrunedException(Name.Value, commit, at, collected: false);
        if (plan.Candidates.Contains(commit)) throw new VersionPrunedException(Name.Value, commit, plan.CreatedAt, collected: true);
    }

    /// <summary>
    /// The root tree of <paramref name="commit"/>, refusing a version retention pruned (whose snapshot is gone, or going):
    /// decoded trees may still sit in a process's cache after the sweep, so the answer comes from the plan, not from a read.
    /// </summary>
    private async ValueTask<Tree> GetSnapshotTreeAsync(Commit commit, CancellationToken cancellationToken)
    {
        await EnsureNotPrunedAsync(commit.Id, cancellationToken).ConfigureAwait(false);
        return await Reader.GetTreeAsync(commit.Tree, cancellationToken).ConfigureAwait(false);
    }
}
