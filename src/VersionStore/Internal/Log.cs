using Microsoft.Extensions.Logging;

namespace VersionStore.Internal;

internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "Committed {Commit} to {Repository}/{Ref} ({Objects} new objects, {Bytes} bytes)")]
    public static partial void Committed(ILogger logger, string repository, string @ref, ObjectId commit, int objects, long bytes);

    [LoggerMessage(1002, LogLevel.Information, "Rolled back {Repository}/{Ref} from {From} to {To} ({Mode}, {Status}) by {Actor}: {Reason}")]
    public static partial void RolledBack(ILogger logger, string repository, string @ref, ObjectId from, ObjectId to, RollbackMode mode, RollbackStatus status, string actor, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "Rollback of {Repository}/{Ref} to {To} failed verification: {Failure}")]
    public static partial void RollbackVerificationFailed(ILogger logger, string repository, string @ref, ObjectId to, string failure);

    [LoggerMessage(1004, LogLevel.Debug, "Ref {Repository}/{Ref} CAS lost: expected {Expected}, found {Actual}")]
    public static partial void RefConflict(ILogger logger, string repository, string @ref, string expected, string actual);

    [LoggerMessage(1020, LogLevel.Warning, "Watch of {Repository}/{Ref}: reading or subscribing failed ({Reason}); retrying")]
    public static partial void WatchFailed(ILogger logger, string repository, string @ref, string reason);
}
