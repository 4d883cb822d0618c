namespace VersionStore;

/// <summary>Options of one garbage collection (<see cref="RepositoryStore.CollectGarbageAsync"/>).</summary>
public sealed class GcOptions
{
    /// <summary>
    /// Objects written less than this long ago are never deleted, and a plan of deletions waits this long before it is
    /// carried out. It protects commits in flight (objects are written before their ref moves): it must exceed twice the
    /// longest time from a commit's first object write (or a rollback's verification) to its ref update, in any process.
    /// <see cref="TimeSpan.Zero"/> is only safe while nothing writes to the store.
    /// </summary>
    /// <value>1 hour.</value>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Report what would be pruned and deleted without changing anything.</summary>
    /// <value><c>false</c>.</value>
    public bool DryRun { get; set; }

    /// <summary>Repositories whose retention policy is applied (new versions pruned); null: every repository. Marking always covers every repository, since objects are shared.</summary>
    /// <value>null.</value>
    public IReadOnlyList<string>? Repositories { get; set; }

    /// <summary>Audit actor of the plan the collector records.</summary>
    /// <value><c>gc</c>.</value>
    public string Actor { get; set; } = "gc";

    /// <summary>Objects deleted per backend call (each call is one atomic batch on RocksDB; progress and cancellation are checked between calls).</summary>
    /// <value>1,000.</value>
    public int DeleteBatchSize { get; set; } = 1_000;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (GracePeriod < TimeSpan.Zero) errors.Add($"{nameof(GracePeriod)} cannot be negative");
        if (DeleteBatchSize < 1) errors.Add($"{nameof(DeleteBatchSize)} must be positive");
        if (string.IsNullOrWhiteSpace(Actor)) errors.Add($"{nameof(Actor)} is required");
        if (errors.Count > 0) throw new ArgumentException("Invalid GcOptions: " + string.Join("; ", errors) + ".");
    }
}

/// <summary>The phase a garbage collection is in.</summary>
public enum GcPhase
{
    /// <summary>Walking refs, history and retention; marking what is kept.</summary>
    Mark,
    /// <summary>Listing stored objects.</summary>
    Scan,
    /// <summary>Deleting the previous plan's objects that are still unreached.</summary>
    Sweep,
    /// <summary>Recording the new plan (prune marks and deletion candidates).</summary>
    Plan,
    /// <summary>Done.</summary>
    Done,
}

/// <summary>Progress of a garbage collection.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Processed">Items done in this phase (repositories, objects).</param>
/// <param name="Total">Items in this phase, when known.</param>
public readonly record struct GcProgress(GcPhase Phase, long Processed, long? Total);

/// <summary>What one garbage collection did (or, in a dry run, would do).</summary>
/// <param name="DryRun">True when nothing was changed.</param>
/// <param name="Repositories">Repositories marked.</param>
/// <param name="CommitsKept">Commits kept (every commit reachable from a ref: history is never pruned).</param>
/// <param name="VersionsPruned">Versions whose snapshot is outside retention (prune marks), after this run.</param>
/// <param name="ObjectsMarked">Objects reached (kept) by the mark phase.</param>
/// <param name="ObjectsScanned">Objects the store lists.</param>
/// <param name="ObjectsDeleted">Objects deleted across all tiers.</param>
/// <param name="BytesFreed">Bytes freed across all tiers.</param>
/// <param name="CandidatesPlanned">Unreached objects older than the grace period, planned for deletion by the next run.</param>
/// <param name="Tiers">Objects and bytes freed per tier.</param>
/// <param name="Duration">Wall time of the run.</param>
/// <param name="Problems">Things that did not stop the run but deserve a look (missing snapshots, a concurrent collector).</param>
public sealed record GcResult(bool DryRun, int Repositories, long CommitsKept, long VersionsPruned, long ObjectsMarked, long ObjectsScanned,
    long ObjectsDeleted, long BytesFreed, long CandidatesPlanned, IReadOnlyList<TierSweepResult> Tiers, TimeSpan Duration, IReadOnlyList<string> Problems);

/// <summary>
/// The snapshot of a version was pruned by retention (its commit, history and audit remain), or the version became
/// unreachable and is collected by garbage collection. Reading, checking out, rolling back to, or pointing a ref at it is
/// refused; a rollback is refused before anything moves.
/// </summary>
public sealed class VersionPrunedException : VersionStoreException
{
    /// <summary>Creates the exception.</summary>
    public VersionPrunedException(string repository, ObjectId commit, DateTimeOffset since, bool collected)
        : base(collected
            ? $"Version {commit.ToString(12)} of repository '{repository}' is unreachable and was scheduled for garbage collection at {since:yyyy-MM-dd HH:mm:ss}Z; it can no longer be restored."
            : $"Version {commit.ToString(12)} of repository '{repository}' was pruned by retention at {since:yyyy-MM-dd HH:mm:ss}Z: its history and audit remain, its snapshot is gone (pin or tag versions to keep them).")
    {
        Repository = repository;
        ObjectId = commit;
        Since = since;
        Collected = collected;
    }

    /// <summary>When retention pruned it (or the collector found it unreachable).</summary>
    public DateTimeOffset Since { get; }

    /// <summary>True when the whole version (commit included) is unreachable and collected; false when only its snapshot was pruned by retention.</summary>
    public bool Collected { get; }
}
