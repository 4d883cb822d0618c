namespace VersionStore.Releases;

/// <summary>Severity of an alert fed to the guard.</summary>
public enum AlertSeverity
{
    /// <summary>Informational; never a trigger.</summary>
    Info,
    /// <summary>A warning; never a trigger by default.</summary>
    Warning,
    /// <summary>Critical: a trigger (<see cref="GuardTrigger.CriticalAlert"/>).</summary>
    Critical,
}

/// <summary>
/// One observation of the service running a release. Any combination of fields may be set: request counts (for
/// the error rate and burn rates), a latency P99, a health-check result, an alert.
/// </summary>
public sealed record HealthSample
{
    /// <summary>When it was observed; the guard's clock "now" when null.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>Requests served in the sample's interval.</summary>
    public long? Requests { get; init; }

    /// <summary>Failed requests among <see cref="Requests"/>.</summary>
    public long? Errors { get; init; }

    /// <summary>Latency P99 over the sample's interval.</summary>
    public TimeSpan? LatencyP99 { get; init; }

    /// <summary>Result of a health check, when this sample is one.</summary>
    public bool? HealthCheckPassed { get; init; }

    /// <summary>Name of an alert that fired, when this sample is one.</summary>
    public string? Alert { get; init; }

    /// <summary>Severity of <see cref="Alert"/>.</summary>
    /// <value><see cref="AlertSeverity.Warning"/>.</value>
    public AlertSeverity AlertSeverity { get; init; } = AlertSeverity.Warning;

    /// <summary>
    /// The version that served the observed requests, when known. During a gray release the guard judges samples of the
    /// canary version apart from the others (the stable version's): a failing canary is retired, the stable version keeps serving.
    /// </summary>
    public ObjectId? Version { get; init; }

    /// <summary>Which instance or probe reported it (evidence only).</summary>
    public string? Source { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the sample is inconsistent.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Requests is < 0) errors.Add("requests cannot be negative");
        if (Errors is < 0) errors.Add("errors cannot be negative");
        if (Errors is not null && Requests is null) errors.Add("errors need a request count");
        if (Errors > Requests) errors.Add("errors cannot exceed requests");
        if (LatencyP99 < TimeSpan.Zero) errors.Add("latency cannot be negative");
        if (Requests is null && LatencyP99 is null && HealthCheckPassed is null && Alert is null) errors.Add("a sample needs requests, a latency, a health-check result or an alert");
        if (errors.Count > 0) throw new ArgumentException("Invalid health sample: " + string.Join("; ", errors) + ".");
    }
}
