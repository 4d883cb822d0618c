using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VersionStore.Releases;

/// <summary>Options of a <see cref="ReleaseGuard"/>. Every property has a documented default; <see cref="Validate"/> reports every problem at once.</summary>
public sealed class ReleaseGuardOptions
{
    /// <summary>Error rate (errors / requests over the window) at or above which <see cref="GuardTrigger.ErrorRate"/> fires.</summary>
    /// <value>0.05 (5%).</value>
    public double ErrorRateThreshold { get; set; } = 0.05;

    /// <summary>Latency P99 above which <see cref="GuardTrigger.LatencyP99"/> fires (request-weighted mean of the samples' P99 over the window).</summary>
    /// <value>2 seconds.</value>
    public TimeSpan LatencyP99Threshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Failed health checks in a row (the newest ones in the window) that fire <see cref="GuardTrigger.HealthChecks"/>.</summary>
    /// <value>3.</value>
    public int ConsecutiveFailedHealthChecks { get; set; } = 3;

    /// <summary>
    /// The observation window: how long a newly published version is watched before it becomes last-known-good,
    /// the span over which rates are computed, and how long the guard watches after a rollback before it escalates or declares recovery.
    /// </summary>
    /// <value>5 minutes.</value>
    public TimeSpan ObservationWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Samples needed in the window before rate triggers (error rate, P99, burn rates) may fire, and before a version
    /// may be promoted to last-known-good. Health checks and critical alerts need no minimum.
    /// </summary>
    /// <value>5.</value>
    public int MinimumSamples { get; set; } = 5;

    /// <summary>Severity per trigger. Missing triggers default to <see cref="GuardSeverity.P0"/>.</summary>
    /// <value>Every trigger P0 except <see cref="GuardTrigger.BurnRateSlow"/>, which is P1.</value>
    public IDictionary<GuardTrigger, GuardSeverity> SeverityMatrix { get; set; } = new Dictionary<GuardTrigger, GuardSeverity>
    {
        [GuardTrigger.ErrorRate] = GuardSeverity.P0,
        [GuardTrigger.LatencyP99] = GuardSeverity.P0,
        [GuardTrigger.HealthChecks] = GuardSeverity.P0,
        [GuardTrigger.CriticalAlert] = GuardSeverity.P0,
        [GuardTrigger.BurnRateFast] = GuardSeverity.P0,
        [GuardTrigger.BurnRateSlow] = GuardSeverity.P1,
    };

    /// <summary>When true the guard records what it would do but never moves the channel.</summary>
    /// <value>false.</value>
    public bool DryRun { get; set; }

    /// <summary>An SLO whose burn rate adds the burn-rate triggers; null disables them.</summary>
    /// <value>null.</value>
    public SloOptions? Slo { get; set; }

    /// <summary>How the channel is rolled back.</summary>
    /// <value><see cref="RollbackMode.Reset"/> (the channel serves the last-known-good version id itself).</value>
    public RollbackMode RollbackMode { get; set; } = RollbackMode.Reset;

    /// <summary>Verifiers run by each rollback (after the built-in integrity checks).</summary>
    public IReadOnlyList<IRollbackVerifier> Verifiers { get; set; } = [];

    /// <summary>Audit actor of the guard's actions; the instance id is appended (<c>release-guard/host-123</c>).</summary>
    /// <value>"release-guard".</value>
    public string Actor { get; set; } = "release-guard";

    /// <summary>Names this guard instance in the audit log.</summary>
    /// <value>The machine name and process id.</value>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>The clock.</summary>
    /// <value>the system clock (<c>TimeProvider.System</c>).</value>
    public TimeProvider TimeProvider { get; set; } = SystemClock.Default;

    /// <summary>Where logs go.</summary>
    /// <value><see cref="NullLoggerFactory.Instance"/>.</value>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Severity of <paramref name="trigger"/> per the matrix.</summary>
    public GuardSeverity SeverityOf(GuardTrigger trigger) => SeverityMatrix.TryGetValue(trigger, out var s) ? s : GuardSeverity.P0;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (ErrorRateThreshold is <= 0 or > 1 || double.IsNaN(ErrorRateThreshold)) errors.Add($"{nameof(ErrorRateThreshold)} must be in (0, 1]");
        if (LatencyP99Threshold <= TimeSpan.Zero) errors.Add($"{nameof(LatencyP99Threshold)} must be positive");
        if (ConsecutiveFailedHealthChecks < 1) errors.Add($"{nameof(ConsecutiveFailedHealthChecks)} must be at least 1");
        if (ObservationWindow <= TimeSpan.Zero) errors.Add($"{nameof(ObservationWindow)} must be positive");
        if (MinimumSamples < 1) errors.Add($"{nameof(MinimumSamples)} must be at least 1");
        if (SeverityMatrix is null) errors.Add($"{nameof(SeverityMatrix)} is required");
        if (Slo is { } slo)
        {
            if (slo.Target is <= 0 or >= 1 || double.IsNaN(slo.Target)) errors.Add("Slo.Target must be in (0, 1)");
            foreach (var r in slo.RulesFor(ObservationWindow <= TimeSpan.Zero ? TimeSpan.FromMinutes(5) : ObservationWindow))
                if (r.ShortWindow <= TimeSpan.Zero || r.LongWindow < r.ShortWindow || r.Factor <= 0) errors.Add($"burn-rate rule {r} needs 0 < short ≤ long and a positive factor");
        }
        if (string.IsNullOrWhiteSpace(Actor)) errors.Add($"{nameof(Actor)} is required");
        if (string.IsNullOrWhiteSpace(InstanceId)) errors.Add($"{nameof(InstanceId)} is required");
        if (Verifiers is null) errors.Add($"{nameof(Verifiers)} is required");
        if (TimeProvider is null) errors.Add($"{nameof(TimeProvider)} is required");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        if (errors.Count > 0) throw new ArgumentException("Invalid ReleaseGuardOptions: " + string.Join("; ", errors) + ".");
    }
}
