namespace VersionStore;

/// <summary>How much a <see cref="RocksDbBackend"/> stores, from RocksDB's own properties and the WAL files on disk.</summary>
/// <param name="SstBytes">Bytes of the live SST files of all column families.</param>
/// <param name="WalBytes">Bytes of the write-ahead log files (data not yet flushed to SST files).</param>
/// <param name="MemtableBytes">Bytes held in memtables (data also in the WAL).</param>
/// <param name="EstimatedObjects">RocksDB's estimate of the number of stored objects.</param>
/// <param name="EstimatedRefs">RocksDB's estimate of the number of stored refs (tombstones included).</param>
/// <param name="EstimatedAuditEntries">RocksDB's estimate of the number of audit entries.</param>
public sealed record RocksDbStorageStatistics(long SstBytes, long WalBytes, long MemtableBytes, long EstimatedObjects, long EstimatedRefs, long EstimatedAuditEntries)
{
    /// <summary>Bytes on disk: SST plus WAL files. Call <see cref="RocksDbBackend.CompactAsync"/> first for a figure free of obsolete versions.</summary>
    public long TotalDiskBytes => SstBytes + WalBytes;
}
