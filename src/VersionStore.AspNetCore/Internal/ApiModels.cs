using System.Text.Json;
using System.Text.Json.Serialization;
using VersionStore.Releases;

namespace VersionStore.AspNetCore.Internal;

internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}

internal sealed record RollbackBody(string? TargetVersion, string? Reason, string? Channel, string? Branch, string? ExpectedVersion, string? Mode);

internal sealed record PublishBody(string? Version, string? Reason, string? ExpectedVersion, string? Actor, double? Percent = null);

internal sealed record HealthBody(
    DateTimeOffset? Time, long? Requests, long? Errors, double? LatencyP99Ms, bool? HealthCheckPassed, string? Alert, string? AlertSeverity, string? Source,
    IReadOnlyList<HealthBody>? Samples)
{
    /// <summary>Most samples one request may carry.</summary>
    public const int MaxSamples = 1000;

    /// <summary>Largest accepted latency: one day (any larger figure is a unit mistake, not a measurement).</summary>
    public const double MaxLatencyMs = 86_400_000;

    /// <summary>
    /// The sample the body describes. Every number is range-checked here, before any conversion can overflow, so an
    /// out-of-range figure (<c>1e308</c>, <c>NaN</c> spelt as a string) is a 400 naming the field, never a 500.
    /// </summary>
    public HealthSample ToSample() => new()
    {
        Time = Time,
        Requests = Requests,
        Errors = Errors,
        LatencyP99 = LatencyP99Ms is { } ms ? TimeSpan.FromMilliseconds(InRange(ms, 0, MaxLatencyMs, "latency_p99_ms")) : null,
        HealthCheckPassed = HealthCheckPassed,
        Alert = Alert,
        AlertSeverity = AlertSeverity is null ? Releases.AlertSeverity.Warning
            : Enum.TryParse<AlertSeverity>(AlertSeverity, ignoreCase: true, out var s) ? s : throw new BadRequestException($"unknown alert_severity '{AlertSeverity}' (info, warning, critical)"),
        Source = Source,
    };

    private static double InRange(double value, double min, double max, string field)
        => double.IsFinite(value) && value >= min && value <= max ? value
            : throw new BadRequestException($"'{field}' must be a number from {min} to {max} (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
}

internal sealed record VerificationDto(bool Passed, int ChecksRun, int ObjectsVerified, string? Failure);

internal sealed record RollbackDto(string Workflow, string Ref, string Status, string From, string To, string NewHead, DateTimeOffset? EffectiveTime, double ElapsedMs, VerificationDto Verification)
{
    public static RollbackDto Create(string workflow, RollbackResult r) => new(workflow, r.Ref.FullName, StatusText(r.Status), r.From.ToString(), r.To.ToString(), r.NewHead.ToString(),
        r.EffectiveTime, r.Elapsed.TotalMilliseconds, new VerificationDto(r.Verification.Passed, r.Verification.ChecksRun, r.Verification.ObjectsVerified, r.Verification.Failure));

    private static string StatusText(RollbackStatus s) => s switch
    {
        RollbackStatus.Succeeded => "succeeded",
        RollbackStatus.AlreadyAtTarget => "already_at_target",
        RollbackStatus.Compensated => "compensated",
        _ => "rejected",
    };
}

internal sealed record AuditDto(string Ref, long Sequence, string? Old, string? New, string Operation, string Actor, DateTimeOffset Time, string? Reason, IReadOnlyDictionary<string, string> Details, string Hash)
{
    public static AuditDto From(AuditEntry e)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in e.Details) details[d.Key] = d.Value;
        return new(e.Ref.FullName, e.Sequence, e.Old?.ToString(), e.New?.ToString(), e.Operation, e.Actor, e.Time, e.Reason, details, e.Hash.ToString());
    }
}

internal sealed record VersionDto(string Id, string Subject, string Author, DateTimeOffset Timestamp, IReadOnlyList<string> Parents, IReadOnlyList<string> Tags)
{
    public static VersionDto From(Commit c, IReadOnlyList<string> tags) => new(c.Id.ToString(), c.Subject, c.Author, c.Timestamp, [.. c.Parents.Select(p => p.ToString())], tags);
}

internal sealed record EntryDto(string Path, string Blob);

internal sealed record ShowDto(string Id, string Message, string Author, DateTimeOffset Timestamp, IReadOnlyList<string> Parents, IReadOnlyDictionary<string, string> Trailers, IReadOnlyList<string> Tags, IReadOnlyList<EntryDto> Entries);

internal sealed record ChangeDto(string Path, string Change, string? Old, string? New);

internal sealed record PublishDto(string Workflow, string Channel, string Version, long Sequence, DateTimeOffset Time)
{
    public string? Operation { get; init; }
    public string? Canary { get; init; }
    public double CanaryPercent { get; init; }
}

internal sealed record FindingDto(string Trigger, string Severity, double Observed, double Threshold, string Evidence);

internal sealed record DecisionDto(string Action, string Summary, string? Version, IReadOnlyList<FindingDto> Findings, RollbackDto? Rollback, long? AuditSequence);

internal sealed record HealthDto(string Workflow, string Channel, int Accepted, string Phase, DecisionDto? Decision)
{
    public static DecisionDto? From(string workflow, GuardDecision? d) => d is null ? null : new(d.Action.ToString(), d.Summary, d.Version?.ToString(),
        [.. d.Findings.Select(f => new FindingDto(f.Trigger.ToString(), f.Severity.ToString(), f.Observed, f.Threshold, f.Evidence))],
        d.Rollback is null ? null : RollbackDto.Create(workflow, d.Rollback), d.Audit?.Sequence);
}

/// <summary>A malformed request (HTTP 400).</summary>
internal sealed class BadRequestException(string message) : Exception(message);

/// <summary>An unknown workflow or channel (HTTP 404).</summary>
internal sealed class NotFoundException(string message) : Exception(message);
