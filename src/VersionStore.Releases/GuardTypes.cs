namespace VersionStore.Releases;

/// <summary>What can make the guard act.</summary>
public enum GuardTrigger
{
    /// <summary>Error rate over the window at or above <see cref="ReleaseGuardOptions.ErrorRateThreshold"/>.</summary>
    ErrorRate,
    /// <summary>Latency P99 over the window above <see cref="ReleaseGuardOptions.LatencyP99Threshold"/>.</summary>
    LatencyP99,
    /// <summary><see cref="ReleaseGuardOptions.ConsecutiveFailedHealthChecks"/> failed health checks in a row.</summary>
    HealthChecks,
    /// <summary>Any critical alert.</summary>
    CriticalAlert,
    /// <summary>SLO fast burn: both windows of the fast burn-rate rule over its factor (page-level).</summary>
    BurnRateFast,
    /// <summary>SLO slow burn: both windows of the slow burn-rate rule over its factor (ticket-level).</summary>
    BurnRateSlow,
}

/// <summary>How the guard responds to a trigger.</summary>
public enum GuardSeverity
{
    /// <summary>Roll back at once.</summary>
    P0,
    /// <summary>Hold (do not promote the release to last-known-good) and alert an operator; no automatic rollback.</summary>
    P1,
}

/// <summary>What the guard did.</summary>
public enum GuardAction
{
    /// <summary>The release passed its observation window and became the channel's last-known-good.</summary>
    PromotedLastKnownGood,
    /// <summary>A P1 trigger fired: the release is held and an operator alerted.</summary>
    Hold,
    /// <summary>A P0 trigger fired in dry-run mode: the guard would have rolled back.</summary>
    DryRun,
    /// <summary>The guard rolled the channel back.</summary>
    RolledBack,
    /// <summary>The guard wanted to roll back, but another guard (or an operator) had already moved the channel.</summary>
    AlreadyRolledBack,
    /// <summary>The rollback was rejected or compensated (verification failed), or there was no last-known-good version.</summary>
    RollbackFailed,
    /// <summary>Health did not recover after a rollback (or a rollback was impossible): an operator must act. The guard never rolls back again for the same incident.</summary>
    Escalate,
    /// <summary>Health stayed good for a whole window after a rollback.</summary>
    Recovered,
    /// <summary>A P0 trigger fired on the canary's own samples: the canary was retired (every key runs the stable version again); the stable version was not touched.</summary>
    CanaryRetired,
}

/// <summary>Where the guard is in a release's life.</summary>
public enum GuardPhase
{
    /// <summary>The channel has no version yet.</summary>
    Idle,
    /// <summary>Watching a newly published version during its observation window.</summary>
    Observing,
    /// <summary>The version passed its window (or recovered); triggers are still evaluated.</summary>
    Stable,
    /// <summary>After a rollback: watching whether health recovers.</summary>
    RolledBack,
    /// <summary>Escalated to an operator; the guard takes no further action until a new version is published.</summary>
    Escalated,
}

/// <summary>One trigger that fired, with its evidence.</summary>
/// <param name="Trigger">Which trigger.</param>
/// <param name="Severity">Its severity per the matrix.</param>
/// <param name="Observed">The observed value (a rate, seconds, a count, a burn rate).</param>
/// <param name="Threshold">The threshold it crossed.</param>
/// <param name="Evidence">Human-readable evidence (values, window, sample counts).</param>
public sealed record TriggerFinding(GuardTrigger Trigger, GuardSeverity Severity, double Observed, double Threshold, string Evidence);

/// <summary>A decision of the guard, as recorded in the channel's guard log.</summary>
/// <param name="Action">What the guard did.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Version">The version it was watching.</param>
/// <param name="Findings">The triggers behind the decision (empty for promotions and recoveries).</param>
/// <param name="Summary">One line for humans.</param>
/// <param name="Time">When (guard clock).</param>
/// <param name="Rollback">The rollback result, when the guard rolled back.</param>
/// <param name="Audit">The guard-log audit entry recording the decision (null when the channel vanished).</param>
public sealed record GuardDecision(GuardAction Action, string Channel, ObjectId? Version, IReadOnlyList<TriggerFinding> Findings, string Summary,
    DateTimeOffset Time, RollbackResult? Rollback, AuditEntry? Audit);

/// <summary>
/// A multi-window burn-rate rule (Google SRE workbook, "Alerting on SLOs"): fires when the error budget burns at
/// least <paramref name="Factor"/> times the sustainable rate over both the long and the short window.
/// </summary>
/// <param name="Trigger">The trigger it reports as.</param>
/// <param name="LongWindow">The long window.</param>
/// <param name="ShortWindow">The short window (confirms the burn is still happening).</param>
/// <param name="Factor">Burn-rate factor (14.4 and 6 in the workbook).</param>
public sealed record BurnRateRule(GuardTrigger Trigger, TimeSpan LongWindow, TimeSpan ShortWindow, double Factor);

/// <summary>An SLO whose error budget drives burn-rate triggers.</summary>
public sealed class SloOptions
{
    /// <summary>The availability objective (fraction of good requests).</summary>
    /// <value>0.999.</value>
    public double Target { get; set; } = 0.999;

    /// <summary>
    /// The rules; when null the workbook's two rules scaled to the observation window W: its 30-day budget period
    /// is compressed so that the workbook's 6 h window becomes W — fast burn 14.4× over W/6 and W/72 (1 h/5 m),
    /// slow burn 6× over W and W/12 (6 h/30 m). With W = 5 min: 50 s/4.2 s and 5 min/25 s.
    /// </summary>
    public IReadOnlyList<BurnRateRule>? Rules { get; set; }

    /// <summary>The rules in force for observation window <paramref name="window"/>.</summary>
    public IReadOnlyList<BurnRateRule> RulesFor(TimeSpan window) => Rules ??
    [
        new(GuardTrigger.BurnRateFast, window / 6, window / 72, 14.4),
        new(GuardTrigger.BurnRateSlow, window, window / 12, 6),
    ];
}
