using Microsoft.Extensions.Logging;

namespace VersionStore.Internal;

/// <summary>
/// The log events of <c>VersionStore.Redis</c> (ids 3000–3999, category <c>VersionStore.Redis</c>): the connection
/// going down and coming back, which every call of the hot tier and the ref store depends on.
/// </summary>
internal static partial class RedisTelemetry
{
    public const string Name = "VersionStore.Redis";

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Redis connection to {Endpoint} failed ({FailureType}): {Reason}; calls fail fast until it returns")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string failureType, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Redis connection to {Endpoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);
}
