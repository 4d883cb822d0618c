namespace VersionStore;

/// <summary>
/// How <see cref="RocksDbBackend.Open(RocksDbBackendOptions)"/> replays a write-ahead log that is damaged (a flipped
/// byte, a torn record). The WAL holds every acknowledged write not yet flushed to a table file, so a damaged WAL
/// means acknowledged writes may be gone; the default refuses to open instead of losing them silently.
/// </summary>
public enum RocksDbWalRecovery
{
    /// <summary>
    /// Any damage in the WAL fails the open with <see cref="CorruptObjectException"/> naming the database; nothing is
    /// replayed or dropped, the files stay as they are (RocksDB's <c>kAbsoluteConsistency</c>). The default.
    /// </summary>
    Strict = 0,

    /// <summary>
    /// The recovery path after a <see cref="Strict"/> open failed and no backup is to be restored: replay the WAL up to
    /// the first damaged record and drop the rest (RocksDB's <c>kPointInTimeRecovery</c>). The writes after the damage
    /// are lost — the store opens consistent as of an earlier moment. Use it once, deliberately; then run
    /// <c>vstore verify</c> and compare the heads with what the application last acknowledged.
    /// </summary>
    PointInTime = 1,
}
