namespace VersionStore;

/// <summary>Options of <see cref="Repository.CommitAsync"/>.</summary>
public sealed class CommitOptions
{
    /// <summary>Who made the version (also the audit actor unless <see cref="Actor"/> is set).</summary>
    /// <value>"unknown".</value>
    public string Author { get; init; } = "unknown";

    /// <summary>The commit message.</summary>
    /// <value>Empty.</value>
    public string Message { get; init; } = "";

    /// <summary>The audit actor, when someone other than the author makes the change.</summary>
    public string? Actor { get; init; }

    /// <summary>The commit time; defaults to the store's <see cref="TimeProvider"/> now.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>
    /// When set, the branch must be at exactly this commit (<see cref="ObjectId.Zero"/>: the branch must not exist),
    /// else <see cref="RefConflictException"/> is thrown and nothing is written to the ref.
    /// </summary>
    public ObjectId? ExpectedHead { get; init; }

    /// <summary>
    /// Plumbing: explicit parents (any DAG). Default: the branch head, if any. With explicit parents the base of
    /// the changes is the first parent's snapshot. The new commit must descend from the branch head (one parent is the
    /// head or a descendant of it), else <see cref="NonFastForwardException"/> is thrown — unless <see cref="Force"/>.
    /// </summary>
    public IReadOnlyList<ObjectId>? Parents { get; init; }

    /// <summary>
    /// Move the branch even when the new commit does not descend from its head (a non-fast-forward with explicit
    /// <see cref="Parents"/>). The audit entry's operation is then <c>commit.force</c> with a <c>Forced-Over</c> detail
    /// naming the head that left the branch's history.
    /// </summary>
    /// <value>false.</value>
    public bool Force { get; init; }

    /// <summary>Key/value trailers to record in the commit.</summary>
    public IReadOnlyList<Trailer> Trailers { get; init; } = [];

    /// <summary>
    /// What to do when a concurrent writer moved the branch between reading its head and the compare-and-swap:
    /// by default the change is rebased onto the new head (entry-level three-way merge) and retried, unless an
    /// <see cref="ExpectedHead"/> was given. See <see cref="RebaseOptions"/>.
    /// </summary>
    /// <value><see cref="RebaseOptions.Default"/>.</value>
    public RebaseOptions? Rebase { get; init; }

    /// <summary>Commit even when the snapshot equals the first parent's.</summary>
    /// <value>true.</value>
    public bool AllowEmpty { get; init; } = true;
}

/// <summary>The outcome of a commit.</summary>
/// <param name="Commit">The new commit (or the unchanged head when nothing was committed).</param>
/// <param name="PreviousHead">The branch's head before (null when the branch was created).</param>
/// <param name="ObjectsWritten">New objects written (blobs, trees and the commit).</param>
/// <param name="BytesWritten">Encoded bytes of those objects.</param>
public sealed record CommitResult(Commit Commit, ObjectId? PreviousHead, int ObjectsWritten, long BytesWritten)
{
    /// <summary>The new commit's id.</summary>
    public ObjectId Id => Commit.Id;
}
