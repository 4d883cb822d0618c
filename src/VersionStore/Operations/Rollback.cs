namespace VersionStore;

/// <summary>How a rollback moves a ref.</summary>
public enum RollbackMode
{
    /// <summary>
    /// Default. A new commit whose snapshot is the target's and whose parent is the current head, with trailers
    /// naming the target and the reason: history is kept, the rollback is "just another publish".
    /// </summary>
    Revert,
    /// <summary>Move the ref back to the target itself; the audit log keeps the way back.</summary>
    Reset,
}

/// <summary>What a rollback did.</summary>
public enum RollbackStatus
{
    /// <summary>The ref now serves the target's snapshot.</summary>
    Succeeded,
    /// <summary>The ref already served the target's snapshot; nothing changed.</summary>
    AlreadyAtTarget,
    /// <summary>Verification failed after the ref moved; the ref was moved back (both moves audited).</summary>
    Compensated,
    /// <summary>Verification failed before the ref moved; nothing changed.</summary>
    Rejected,
}

/// <summary>A request to roll a branch or channel back to an earlier version.</summary>
public sealed class RollbackRequest
{
    /// <summary>The branch or channel to roll back.</summary>
    public required RefName Ref { get; init; }

    /// <summary>The revision to go back to (tag, id, <c>main~2</c>, <c>prod@{1}</c>, …).</summary>
    public required string Target { get; init; }

    /// <summary>Why (required: it goes into the audit log and the revert commit).</summary>
    public required string Reason { get; init; }

    /// <summary>Who asks.</summary>
    /// <value>"unknown".</value>
    public string Actor { get; init; } = "unknown";

    /// <summary>Revert (default) or reset.</summary>
    public RollbackMode Mode { get; init; } = RollbackMode.Revert;

    /// <summary>When set, the ref must be at this commit, else <see cref="RefConflictException"/>.</summary>
    public ObjectId? ExpectedHead { get; init; }

    /// <summary>Extra evidence recorded in the move's audit entry (for example the health signals behind an automatic rollback).</summary>
    /// <value>None.</value>
    public IReadOnlyList<Trailer> Details { get; init; } = [];

    /// <summary>Checks run before and after the ref moves; see <see cref="IRollbackVerifier"/>.</summary>
    public IReadOnlyList<IRollbackVerifier> Verifiers { get; init; } = [];

    /// <summary>How long all verifiers together may take before the rollback counts as failed.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan VerifierTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// A user-supplied check of a rollback, run after the built-in integrity checks of the target's snapshot.
/// Returning a failure (or throwing, or timing out) makes the rollback fail: before the move nothing changes,
/// after it the ref is moved back by compare-and-swap.
/// </summary>
public interface IRollbackVerifier
{
    /// <summary>Checks the target about to be (or just) served. Return null when fine, else the reason it is not.</summary>
    ValueTask<string?> VerifyAsync(Repository repository, Commit target, CancellationToken cancellationToken);
}

/// <summary>The outcome of a rollback's verification.</summary>
/// <param name="Passed">True when every check passed.</param>
/// <param name="ChecksRun">Number of checks run (built-in and user verifiers).</param>
/// <param name="ObjectsVerified">Objects of the target's snapshot read and checked against their ids by this rollback (0 when the snapshot was verified within <see cref="VersionStoreOptions.VerifiedSnapshotTtl"/>; subtrees verified within it are not read and not counted).</param>
/// <param name="Failure">What failed, when something did.</param>
public sealed record VerificationOutcome(bool Passed, int ChecksRun, int ObjectsVerified, string? Failure);

/// <summary>What a rollback did, when, and how long it took.</summary>
/// <param name="Status">The outcome.</param>
/// <param name="Ref">The ref rolled back.</param>
/// <param name="From">The head before.</param>
/// <param name="To">The target commit whose snapshot is restored.</param>
/// <param name="NewHead">The head after (a new revert commit, the target for reset, or <paramref name="From"/> when nothing changed).</param>
/// <param name="EffectiveTime">When the new head became visible to readers (null when the ref did not end up moved).</param>
/// <param name="Elapsed">Time from request to result.</param>
/// <param name="Verification">The verification outcome.</param>
public sealed record RollbackResult(RollbackStatus Status, RefName Ref, ObjectId From, ObjectId To, ObjectId NewHead,
    DateTimeOffset? EffectiveTime, TimeSpan Elapsed, VerificationOutcome Verification);
