namespace VersionStore;

/// <summary>Whether <see cref="Repository.MergeAsync"/> may move the branch without a merge commit.</summary>
public enum FastForwardMode
{
    /// <summary>Default: always record a merge commit (two parents), unless the branch already contains the revision.</summary>
    Never,
    /// <summary>When the branch is an ancestor of the revision, just move it there; otherwise merge.</summary>
    WhenPossible,
    /// <summary>Only fast-forward; if the histories diverged, report <see cref="MergeStatus.NotFastForward"/> and change nothing.</summary>
    Only,
}

/// <summary>Picks a resolver for the entries whose path matches <see cref="PathPattern"/>.</summary>
/// <param name="PathPattern">A glob over slash-separated paths: <c>*</c> matches within one segment, <c>**</c> any number of segments, <c>?</c> one character. <c>**</c> alone matches everything.</param>
/// <param name="Resolver">The resolver for matching entries.</param>
public sealed record MergeResolverRule(string PathPattern, IMergeResolver Resolver);

/// <summary>Options of <see cref="Repository.MergeAsync"/> and of auto-rebase (<see cref="RebaseOptions"/>).</summary>
public sealed class MergeOptions
{
    /// <summary>Resolvers per path pattern; the first matching rule settles a conflicting entry. Entries no rule matches stay conflicts.</summary>
    /// <value>None: every conflict is reported.</value>
    public IReadOnlyList<MergeResolverRule> Resolvers { get; init; } = [];

    /// <summary>Author of the merge commit (also the audit actor).</summary>
    /// <value>"unknown".</value>
    public string Author { get; init; } = "unknown";

    /// <summary>Message of the merge commit; default "Merge &lt;revision&gt; into &lt;branch&gt;".</summary>
    public string? Message { get; init; }

    /// <summary>When set, the branch must be at exactly this commit, else <see cref="RefConflictException"/> and nothing changes.</summary>
    public ObjectId? ExpectedHead { get; init; }

    /// <summary>Whether a fast-forward may replace the merge commit.</summary>
    /// <value><see cref="FastForwardMode.Never"/>.</value>
    public FastForwardMode FastForward { get; init; } = FastForwardMode.Never;

    /// <summary>The merge commit's time; defaults to the store's clock.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>A rule list with one resolver for every entry.</summary>
    public static IReadOnlyList<MergeResolverRule> ForAll(IMergeResolver resolver) => [new MergeResolverRule("**", resolver)];
}

/// <summary>
/// Options of automatic rebase in <see cref="Repository.CommitAsync(string, SnapshotChanges, CommitOptions?, CancellationToken)"/>:
/// when the branch moved under a commit (a concurrent writer won the compare-and-swap, or the caller's
/// <see cref="CommitOptions.ExpectedHead"/> is stale), the change is three-way merged onto the new head
/// (base: the head the change was made on) and the compare-and-swap retried. Changes to different entries
/// always combine; the same entry changed on both sides needs a resolver, else <see cref="MergeConflictException"/>.
/// A lost update is impossible: every retry is a compare-and-swap against the head the merge was made on.
/// </summary>
public sealed class RebaseOptions
{
    /// <summary>The default: rebase when a concurrent writer won the race and no expected head was given.</summary>
    public static RebaseOptions Default { get; } = new();

    /// <summary>
    /// null (default): rebase only when the compare-and-swap was lost and the caller gave no
    /// <see cref="CommitOptions.ExpectedHead"/> (a caller who names a head asked for strict checking);
    /// true: also rebase when an explicit expected head is stale; false: never rebase (throw <see cref="RefConflictException"/>).
    /// Commits with explicit <see cref="CommitOptions.Parents"/> are never rebased.
    /// </summary>
    public bool? AutoRebase { get; init; }

    /// <summary>How many times to rebase and retry before giving up with <see cref="RefConflictException"/>.</summary>
    /// <value>16.</value>
    public int MaxAttempts { get; init; } = 16;

    /// <summary>Resolvers for entries both sides changed (see <see cref="MergeOptions.Resolvers"/>).</summary>
    /// <value>None.</value>
    public IReadOnlyList<MergeResolverRule> Resolvers { get; init; } = [];
}

/// <summary>What a merge did.</summary>
public enum MergeStatus
{
    /// <summary>The branch already contains the revision; nothing changed.</summary>
    UpToDate,
    /// <summary>The branch was moved forward to the revision (no merge commit).</summary>
    FastForwarded,
    /// <summary>A merge commit with two parents (branch head, revision) was written and the branch moved to it.</summary>
    Merged,
    /// <summary>Entries conflict; nothing was written to the branch. See <see cref="MergeResult.Conflicts"/>.</summary>
    Conflicted,
    /// <summary><see cref="FastForwardMode.Only"/> was asked but the histories diverged; nothing changed.</summary>
    NotFastForward,
}

/// <summary>Why an entry conflicts.</summary>
public enum MergeConflictKind
{
    /// <summary>Both sides changed the entry differently.</summary>
    BothModified,
    /// <summary>Both sides added the entry with different content.</summary>
    BothAdded,
    /// <summary>We changed it, they removed it.</summary>
    ModifiedDeleted,
    /// <summary>We removed it, they changed it.</summary>
    DeletedModified,
    /// <summary>One side has an entry where the other has a folder (or the reverse).</summary>
    FileFolder,
}

/// <summary>One conflicting entry.</summary>
/// <param name="Path">Slash-separated entry path.</param>
/// <param name="Kind">Why it conflicts.</param>
/// <param name="Base">Blob id in the merge base (null: absent).</param>
/// <param name="Ours">Blob id on our side (null: absent).</param>
/// <param name="Theirs">Blob id on their side (null: absent).</param>
public sealed record MergeConflict(string Path, MergeConflictKind Kind, ObjectId? Base, ObjectId? Ours, ObjectId? Theirs)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Path}";
}

/// <summary>The outcome of <see cref="Repository.MergeAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Head">The branch head after the merge (unchanged unless <see cref="MergeStatus.Merged"/> or <see cref="MergeStatus.FastForwarded"/>).</param>
/// <param name="Commit">The merge commit (Merged) or the fast-forward target (FastForwarded); null otherwise.</param>
/// <param name="MergeBases">The best common ancestors used (several: merged recursively into a virtual base).</param>
/// <param name="Conflicts">Conflicting entries (empty unless <see cref="MergeStatus.Conflicted"/>).</param>
public sealed record MergeResult(MergeStatus Status, ObjectId Head, Commit? Commit, IReadOnlyList<ObjectId> MergeBases, IReadOnlyList<MergeConflict> Conflicts)
{
    /// <summary>True when the branch now contains the revision.</summary>
    public bool Succeeded => Status is MergeStatus.UpToDate or MergeStatus.FastForwarded or MergeStatus.Merged;
}

/// <summary>The outcome of a three-way merge of snapshots (<see cref="Repository.MergeTreesAsync"/>).</summary>
/// <param name="Tree">The merged tree (stored), or null when entries conflict.</param>
/// <param name="Conflicts">Conflicting entries left unresolved.</param>
/// <param name="Resolved">Entries a resolver settled.</param>
public sealed record TreeMergeResult(ObjectId? Tree, IReadOnlyList<MergeConflict> Conflicts, IReadOnlyList<string> Resolved);

/// <summary>
/// An automatic rebase (concurrent commit) could not combine the two changes: entries changed on both sides
/// and no resolver settled them. Nothing was written to the ref.
/// </summary>
public sealed class MergeConflictException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public MergeConflictException(string repository, RefName name, ObjectId head, IReadOnlyList<MergeConflict> conflicts)
        : base($"Ref {name} in repository '{repository}' moved to {head.ToString(12)} and the change conflicts with it in {conflicts.Count} entr{(conflicts.Count == 1 ? "y" : "ies")}: "
            + string.Join(", ", conflicts.Take(8).Select(c => c.Path)) + (conflicts.Count > 8 ? ", …" : "") + ".")
    {
        Repository = repository;
        Ref = name.FullName;
        Head = head;
        Conflicts = conflicts;
    }

    /// <summary>The head the change could not be rebased onto.</summary>
    public ObjectId Head { get; }

    /// <summary>The conflicting entries.</summary>
    public IReadOnlyList<MergeConflict> Conflicts { get; }
}
