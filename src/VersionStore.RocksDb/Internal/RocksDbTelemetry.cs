using Microsoft.Extensions.Logging;

namespace VersionStore.RocksDb.Internal;

/// <summary>The log events of <c>VersionStore.RocksDb</c> (ids 2000–2999, category <c>VersionStore.RocksDb</c>).</summary>
internal static partial class RocksDbTelemetry
{
    public const string Name = "VersionStore.RocksDb";

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Opened the RocksDB database at {Path} (read-only: {ReadOnly})")]
    public static partial void Opened(ILogger logger, string path, bool readOnly);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "The RocksDB database at {Path} is damaged and was not opened: {Reason}")]
    public static partial void OpenRefusedDamaged(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "The RocksDB database at {Path} is open in another process; not opened")]
    public static partial void OpenRefusedLocked(ILogger logger, string path);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Closed the RocksDB database at {Path}")]
    public static partial void Closed(ILogger logger, string path);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Upgraded the RocksDB database at {Path} from layout version {From} to {To} (one write-time record per batch; a build that reads only version {From} can no longer open it)")]
    public static partial void LayoutUpgraded(ILogger logger, string path, int from, int to);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "The RocksDB database at {Path} holds {Count} damaged write-time entries (written column family); garbage collection treats them as recent writes and deletes nothing they might protect: {Detail}")]
    public static partial void DamagedWriteTimes(ILogger logger, string path, int count, string detail);
}
