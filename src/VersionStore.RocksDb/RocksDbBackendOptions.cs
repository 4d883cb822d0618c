namespace VersionStore;

/// <summary>
/// Options of a <see cref="RocksDbBackend"/>. Every property has a documented default; <see cref="Validate"/>
/// reports every problem at once.
/// </summary>
public sealed class RocksDbBackendOptions
{
    /// <summary>Folder of the database. Created (with its parents) when missing and <see cref="CreateIfMissing"/> is set.</summary>
    /// <value>Required; no default.</value>
    public string Path { get; set; } = "";

    /// <summary>Create the database when <see cref="Path"/> holds none.</summary>
    /// <value><c>true</c>.</value>
    public bool CreateIfMissing { get; set; } = true;

    /// <summary>
    /// Call fsync on the write-ahead log before acknowledging each write (object batch or ref update).
    /// With <c>false</c> every acknowledged write is already in the operating system's page cache through the
    /// WAL, so it survives a crash or <c>kill -9</c> of the process, but the last writes before a power loss or
    /// kernel panic can be lost. With <c>true</c> acknowledged writes also survive power loss, at the cost of one
    /// fsync (typically 0.1–10 ms, device dependent) per write.
    /// </summary>
    /// <value><c>false</c> (RocksDB's own default): process-crash safe, not power-loss safe.</value>
    public bool SyncWrites { get; set; }

    /// <summary>Size of the LRU cache of uncompressed data blocks shared by all column families, in bytes. 0 disables it.</summary>
    /// <value>64 MiB.</value>
    public long BlockCacheSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Size of the row cache, in bytes: recently read values by key, in front of the table files, so a repeated point
    /// read (an object read again, such as a snapshot a rollback verifies) costs one hash look-up instead of a search
    /// of the table files. It holds copies of values beside the block cache. 0 disables it.
    /// </summary>
    /// <value>32 MiB.</value>
    public long RowCacheSizeBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Size of each column family's memtable before it is flushed to an SST file, in bytes (at least 64 KiB).</summary>
    /// <value>16 MiB.</value>
    public long WriteBufferSizeBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Compress SST files with LZ4 (the write-ahead log is never compressed).</summary>
    /// <value><c>true</c>.</value>
    public bool CompressFiles { get; set; } = true;

    /// <summary>Most files RocksDB keeps open; -1 keeps all open (fastest reads), otherwise at least 16.</summary>
    /// <value>-1.</value>
    public int MaxOpenFiles { get; set; } = -1;

    /// <summary>Number of striped locks that serialise ref compare-and-swaps (a power of two, 1–65536).</summary>
    /// <value>64.</value>
    public int RefLockStripes { get; set; } = 64;

    /// <summary>What to do when the write-ahead log is damaged at open (see <see cref="RocksDbWalRecovery"/>).</summary>
    /// <value><see cref="RocksDbWalRecovery.Strict"/>: refuse to open, so an acknowledged write is never lost silently.</value>
    public RocksDbWalRecovery WalRecovery { get; set; } = RocksDbWalRecovery.Strict;

    /// <summary>Where the backend logs (category <c>VersionStore.RocksDb</c>, event ids 2000–2999); the store builder passes the host's.</summary>
    /// <value><see cref="Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance"/> (no logging).</value>
    public Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    /// <summary>Clock that stamps object write times (garbage collection never deletes an object written within its grace period).</summary>
    /// <value>the system clock (<c>TimeProvider.System</c>).</value>
    public TimeProvider TimeProvider { get; set; } = SystemClock.Default;

    /// <summary>
    /// Open the database read-only: no file lock, no WAL or MANIFEST written, every write fails with
    /// <see cref="BackendUnavailableException"/>. The folder must hold a VersionStore database. Read-only opens
    /// can run beside a process that has the database open for writing; they see its writes up to the moment
    /// of the open.
    /// </summary>
    /// <value><c>false</c>.</value>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Total size of write-ahead log files after which RocksDB flushes the column families holding the oldest
    /// one, bounding what a reopen after a crash has to replay (at least 1 MiB).
    /// </summary>
    /// <value>64 MiB.</value>
    public long MaxTotalWalSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// <see cref="RocksDbBackend.Dispose"/> flushes the memtables to SST files when the write-ahead log holds at least
    /// this many bytes, so the next open has no large log to replay; a smaller log is left for the next open to replay
    /// (which costs less than a flush). 0 always flushes.
    /// </summary>
    /// <value>4 MiB.</value>
    public long FlushAtCloseThresholdBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path)) errors.Add($"{nameof(Path)} is required");
        else if (Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0) errors.Add($"{nameof(Path)} contains characters not allowed in a path");
        if (BlockCacheSizeBytes < 0) errors.Add($"{nameof(BlockCacheSizeBytes)} cannot be negative");
        if (RowCacheSizeBytes < 0) errors.Add($"{nameof(RowCacheSizeBytes)} cannot be negative");
        if (WriteBufferSizeBytes < 64 * 1024) errors.Add($"{nameof(WriteBufferSizeBytes)} must be at least 64 KiB");
        if (MaxOpenFiles != -1 && MaxOpenFiles < 16) errors.Add($"{nameof(MaxOpenFiles)} must be -1 (unlimited) or at least 16");
        // A pattern, not Enum.IsDefined: that reflects over the enum, ~5 ms of a fresh process's first open.
        if (WalRecovery is not (RocksDbWalRecovery.Strict or RocksDbWalRecovery.PointInTime)) errors.Add($"{nameof(WalRecovery)} is unknown");

        if (MaxTotalWalSizeBytes < 1024 * 1024) errors.Add($"{nameof(MaxTotalWalSizeBytes)} must be at least 1 MiB");
        if (FlushAtCloseThresholdBytes < 0) errors.Add($"{nameof(FlushAtCloseThresholdBytes)} cannot be negative");
        if (RefLockStripes < 1 || RefLockStripes > 65536 || (RefLockStripes & (RefLockStripes - 1)) != 0)
            errors.Add($"{nameof(RefLockStripes)} must be a power of two from 1 to 65536");
        if (TimeProvider is null) errors.Add($"{nameof(TimeProvider)} is required");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        if (errors.Count > 0) throw new ArgumentException("Invalid RocksDbBackendOptions: " + string.Join("; ", errors) + ".");
    }
}
