using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace VersionStore.S3.Internal;

/// <summary>
/// The telemetry of <c>VersionStore.S3</c>: one Meter and one ActivitySource named <see cref="Name"/>, and the
/// package's log events (ids 4000–4999). Instruments: <c>vstore.s3.requests</c> (tag <c>operation</c>: get, put,
/// list, delete) and <c>vstore.s3.bytes</c> (tag <c>direction</c>: download, upload). Activity: <c>vstore.s3.upload_pack</c>.
/// </summary>
internal static partial class S3Telemetry
{
    public const string Name = "VersionStore.S3";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name, "1.0");

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("vstore.s3.requests", "{request}", "S3 requests sent (one per request issued; SDK retries not counted again).");

    public static readonly Counter<long> Bytes = Meter.CreateCounter<long>("vstore.s3.bytes", "By", "Body bytes moved by S3 requests.");

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Uploaded pack {Pack} to bucket {Bucket}: {Objects} objects, {Bytes} bytes")]
    public static partial void PackUploaded(ILogger logger, string pack, string bucket, int objects, long bytes);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Pack index {Key} in bucket {Bucket} did not parse in {Attempts} GETs ({Reason}); its pack is skipped until the next index refresh (an upload in progress, or damage)")]
    public static partial void IndexSkipped(ILogger logger, string key, string bucket, int attempts, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Object {Id} in pack {Pack} of bucket {Bucket} is damaged ({Reason}); served from pack {Other}, which holds a good copy")]
    public static partial void ServedFromOtherPack(ILogger logger, string id, string pack, string bucket, string reason, string other);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "S3 {Operation} on bucket {Bucket} failed: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string operation, string bucket, string reason);
}
