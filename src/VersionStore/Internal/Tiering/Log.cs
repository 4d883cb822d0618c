using Microsoft.Extensions.Logging;

namespace VersionStore.Internal;

internal static partial class TieredLog
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Error, Message = "Tier {Tier} holds a corrupt copy of object {ObjectId}: {Reason}")]
    public static partial void CorruptCopy(ILogger logger, string tier, string objectId, string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Repaired object {ObjectId} in tier {Tier} from tier {Source}")]
    public static partial void Repaired(ILogger logger, string objectId, string tier, string source);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Tier {Tier} failed ({Operation}); falling back: {Reason}")]
    public static partial void TierFailed(ILogger logger, string tier, string operation, string reason);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Circuit breaker of tier {Tier} opened; the tier is skipped for {CooldownMs} ms")]
    public static partial void BreakerOpened(ILogger logger, string tier, double cooldownMs);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "Could not copy object(s) into tier {Tier}: {Reason}")]
    public static partial void CopyFailed(ILogger logger, string tier, string reason);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Warning, Message = "Archiver: archive tier {Tier} unavailable, {Pending} object(s) stay in the outbox: {Reason}")]
    public static partial void ArchiveUnavailable(ILogger logger, string tier, long pending, string reason);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Information, Message = "Archiver: copied {Count} object(s) into tier {Tier}")]
    public static partial void Archived(ILogger logger, int count, string tier);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Warning, Message = "Archiver: object {ObjectId} is in the outbox but not in the source tier (its write never completed); dropped")]
    public static partial void ArchiveSourceMissing(ILogger logger, string objectId);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Error, Message = "Archiver: object {ObjectId} is corrupt in the source tier and held by no other tier; it stays in the outbox")]
    public static partial void ArchiveSourceCorrupt(ILogger logger, string objectId);

    [LoggerMessage(EventId = 1420, Level = LogLevel.Information, Message = "Demotion of tier {Tier}: evicted {Evicted}, copied {Copied} to the durable tier first, kept {Kept}")]
    public static partial void Demoted(ILogger logger, string tier, int evicted, int copied, int kept);
}
