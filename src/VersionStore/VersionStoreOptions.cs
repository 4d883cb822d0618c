using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VersionStore;

/// <summary>Options of a <c>RepositoryStore</c>. Every property has a documented default; <see cref="Validate"/> reports every problem at once.</summary>
public sealed class VersionStoreOptions
{
    /// <summary>Largest blob (one snapshot entry) accepted, in bytes.</summary>
    /// <value>16 MiB.</value>
    public long MaxBlobBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most entries one tree (one folder of a snapshot) may hold.</summary>
    /// <value>100,000.</value>
    public int MaxTreeEntries { get; set; } = 100_000;

    /// <summary>Largest commit message, reason or trailer value, in UTF-8 bytes.</summary>
    /// <value>64 KiB.</value>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Decoded trees and commits kept in process memory (immutable, so never stale).</summary>
    /// <value>50,000.</value>
    public int DecodedObjectCacheSize { get; set; } = 50_000;

    /// <summary>
    /// Bytes of blob contents kept in process memory once read and verified, so a repeated read of the same entry
    /// (<see cref="Repository.GetBlobAsync"/>, <see cref="Snapshot.ReadAsync"/>, <see cref="Snapshot.ReadAllAsync"/>) costs
    /// no storage read and no hash: objects are immutable and were checked against their id where they entered the
    /// process. Rollback verification and <see cref="Repository.VerifyAsync"/> never use it: they always read and hash
    /// what the store holds. 0 turns it off.
    /// </summary>
    /// <value>16 MiB.</value>
    public long VerifiedBlobCacheBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// How long a tree — a snapshot's root or any subtree — whose every object a rollback just read from the store and
    /// verified counts as verified, so that another rollback whose target contains it skips re-reading it (a target one
    /// edit away from a verified version reads only what the edit changed). A tree verified by skipping a subtree counts
    /// from that subtree's verification, so no object goes unread by rollbacks for longer than this.
    /// <see cref="TimeSpan.Zero"/> verifies every object every time. Ordinary reads always verify what they read,
    /// whatever this says.
    /// </summary>
    /// <value>5 minutes.</value>
    public TimeSpan VerifiedSnapshotTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Clock for commit timestamps, audit times and durations.</summary>
    /// <value>the system clock (<c>TimeProvider.System</c>).</value>
    public TimeProvider TimeProvider { get; set; } = SystemClock.Default;

    /// <summary>Where logs go.</summary>
    /// <value><see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>
    /// A local file that persists the commit graph (parents, generations and times of the commits this process has
    /// seen; <c>docs/FORMAT-commit-graph.md</c>), so a new process answers whole-history ancestry, merge-base, log and
    /// <c>rev~N</c> from it instead of reading commits one by one. The file is a cache: it is created when missing,
    /// appended to as commits land and walks load commits, and a damaged or torn tail is ignored (those commits are
    /// loaded from the object store). Per store: in distributed mode each instance keeps its own local file.
    /// </summary>
    /// <value>null: the commit graph lives in memory only.</value>
    public string? CommitGraphPath { get; set; }

    /// <summary>
    /// With a <see cref="CommitGraphPath"/>: how many newly seen commits (written or loaded) are appended to the file in
    /// one block. A crash loses at most this many records of the cache (those commits are then loaded the normal way);
    /// the rest is appended when the store is disposed.
    /// </summary>
    /// <value>4,096.</value>
    public int CommitGraphAppendBatch { get; set; } = 4096;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (MaxBlobBytes <= 0) errors.Add($"{nameof(MaxBlobBytes)} must be positive");
        if (MaxTreeEntries <= 0) errors.Add($"{nameof(MaxTreeEntries)} must be positive");
        if (MaxMessageBytes <= 0) errors.Add($"{nameof(MaxMessageBytes)} must be positive");
        if (DecodedObjectCacheSize < 0) errors.Add($"{nameof(DecodedObjectCacheSize)} cannot be negative");
        if (VerifiedBlobCacheBytes < 0) errors.Add($"{nameof(VerifiedBlobCacheBytes)} cannot be negative");
        if (VerifiedSnapshotTtl < TimeSpan.Zero) errors.Add($"{nameof(VerifiedSnapshotTtl)} cannot be negative");
        if (TimeProvider is null) errors.Add($"{nameof(TimeProvider)} is required");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        if (CommitGraphPath is { } graphPath && (graphPath.Length == 0 || graphPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
            errors.Add($"{nameof(CommitGraphPath)} must be a file path");
        if (CommitGraphAppendBatch < 1) errors.Add($"{nameof(CommitGraphAppendBatch)} must be positive");
        if (errors.Count > 0) throw new ArgumentException("Invalid VersionStoreOptions: " + string.Join("; ", errors) + ".");
    }
}
