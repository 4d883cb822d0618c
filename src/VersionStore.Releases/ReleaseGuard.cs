using System.Globalization;
using Microsoft.Extensions.Logging;

namespace VersionStore.Releases;

/// <summary>
/// Watches one release channel and rolls it back by itself when health crosses a threshold (docs/ARCHITECTURE.md, release guard).
/// Feed it <see cref="HealthSample"/>s with <see cref="IngestAsync(HealthSample, CancellationToken)"/>; call
/// <see cref="EvaluateAsync"/> periodically (or run <see cref="RunAsync"/>) so time-based decisions — promotion to
/// last-known-good, recovery, escalation — happen without new samples.
/// </summary>
/// <remarks>
/// <para>Life of a release: <see cref="GuardPhase.Observing"/> for <see cref="ReleaseGuardOptions.ObservationWindow"/> after
/// a publish; a P0 trigger rolls the channel back to its last-known-good version (one compare-and-swap whose expected
/// head is the watched version — with several guards on one channel, in one process or many, exactly one rollback
/// happens and the others record <see cref="GuardAction.AlreadyRolledBack"/>); a P1 trigger holds the release (no
/// promotion) and alerts. A window without trigger and with enough samples promotes the version to last-known-good.
/// After a rollback the guard keeps watching for one window: if health does not recover it escalates
/// (<see cref="GuardAction.Escalate"/>) and takes no further action until a new version is published — it never loops
/// rollbacks.</para>
/// <para>Every decision is one audit entry of the channel's guard-log ref (<see cref="ReleaseChannels.GuardLogRef"/>), its
/// evidence in the entry's details; the rollback's own audit entry carries the summary as its reason.
/// Thread-safe: calls are serialized per guard.</para>
/// </remarks>
public sealed partial class ReleaseGuard
{
    private const int MaxSamples = 100_000;
    private const int MaxDecisions = 256;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<(DateTimeOffset Time, HealthSample Sample)> _samples = [];
    private readonly List<GuardDecision> _decisions = [];
    private readonly HashSet<GuardTrigger> _heldFor = [];
    private readonly ILogger _logger;
    private ObjectId? _watched;
    private ObjectId? _rolledBackTo;
    private DateTimeOffset _since;
    private bool _dryRunRecorded;
    private ObjectId? _canary;
    private DateTimeOffset _canarySince;
    private bool _canaryDryRunRecorded;

    /// <summary>Creates a guard of <paramref name="channel"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ReleaseGuard(ReleaseChannels channels, string channel, ReleaseGuardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        Options = options ?? new ReleaseGuardOptions();
        Options.Validate();
        Channels = channels;
        Channel = ReleaseChannels.ChannelRef(channel).ShortName;
        _logger = Options.LoggerFactory.CreateLogger("VersionStore.Releases.ReleaseGuard");
    }

    /// <summary>The channel operations of the repository.</summary>
    public ReleaseChannels Channels { get; }

    /// <summary>The channel watched.</summary>
    public string Channel { get; }

    /// <summary>The options in force.</summary>
    public ReleaseGuardOptions Options { get; }

    /// <summary>Where the guard is.</summary>
    public GuardPhase Phase { get; private set; } = GuardPhase.Idle;

    /// <summary>The version under observation (the one a P0 trigger rolls back from).</summary>
    public ObjectId? WatchedVersion => _watched;

    /// <summary>True while a P1 trigger holds the release.</summary>
    public bool IsHeld => _heldFor.Count > 0;

    /// <summary>Raised after every decision (alerting hooks, consoles). Handlers run on the evaluating thread and must not throw.</summary>
    public event Action<GuardDecision>? DecisionMade;

    /// <summary>The most recent decisions of this instance, oldest first.</summary>
    public IReadOnlyList<GuardDecision> Decisions
    {
        get { lock (_decisions) return [.. _decisions]; }
    }

    private TimeProvider Clock => Options.TimeProvider;
    private TimeSpan Window => Options.ObservationWindow;
    private string Actor => $"{Options.Actor}/{Options.InstanceId}";

    /// <summary>Adds one sample and evaluates.</summary>
    /// <returns>The decision taken, or null when nothing changed.</returns>
    /// <exception cref="ArgumentException">The sample is inconsistent.</exception>
    public Task<GuardDecision?> IngestAsync(HealthSample sample, CancellationToken cancellationToken = default) => IngestAsync([sample], cancellationToken);

    /// <summary>Adds samples and evaluates once.</summary>
    /// <returns>The decision taken, or null when nothing changed.</returns>
    public async Task<GuardDecision?> IngestAsync(IReadOnlyList<HealthSample> samples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        foreach (var s in samples) s.Validate();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = Clock.GetUtcNow();
            foreach (var s in samples) _samples.Add((s.Time ?? now, s));
            if (_samples.Count > MaxSamples) _samples.RemoveRange(0, _samples.Count - MaxSamples);
            return await EvaluateCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Evaluates the triggers and the time-based rules now.</summary>
    /// <returns>The decision taken, or null when nothing changed.</returns>
    public async Task<GuardDecision?> EvaluateAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await EvaluateCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Evaluates every <paramref name="interval"/> (on the guard's clock) until cancelled. Store failures are logged and retried next round.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, Clock, cancellationToken).ConfigureAwait(false);
                await EvaluateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (VersionStoreException e)
            {
                LogEvaluationFailed(_logger, Channel, e);
            }
        }
    }

    private async Task<GuardDecision?> EvaluateCoreAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        var info = await Channels.GetAsync(Channel, cancellationToken).ConfigureAwait(false);
        if (info.Head is not { } head)
        {
            Phase = GuardPhase.Idle;
            _watched = null;
            return null;
        }
        if (await JudgeCanaryAsync(info, now, cancellationToken).ConfigureAwait(false) is { } canaryDecision) return canaryDecision;
        var rolledBackPhase = Phase is GuardPhase.RolledBack or GuardPhase.Escalated;
        if (_watched is { } watched && head != watched && !rolledBackPhase)
        {
            // The channel moved under us. A rollback away from the watched version means another guard (or an
            // operator) already acted on this incident: watch the recovery like the guard that rolled back.
            var moved = await NewestMoveAsync(cancellationToken).ConfigureAwait(false);
            if (moved is not null && moved.Old == watched && moved.Operation.StartsWith("rollback.", StringComparison.Ordinal))
            {
                var p0 = Findings(_since, now).Where(f => f.Severity == GuardSeverity.P0).ToList();
                EnterRolledBack(head, moved.Time);
                if (p0.Count > 0 && !Options.DryRun)
                    return await DecideAsync(GuardAction.AlreadyRolledBack, p0, AlreadyRolledBackSummary(moved), now, null, cancellationToken).ConfigureAwait(false);
                return null;
            }
        }
        // A new publish: any move away from what the guard expects (after a rollback: the version it rolled back to,
        // so re-publishing the very version that was rolled back starts a new observation too).
        if (_watched is null || (rolledBackPhase ? head != _rolledBackTo : head != _watched))
            StartObserving(head, info, now);
        Prune(now);

        switch (Phase)
        {
            case GuardPhase.Observing:
            case GuardPhase.Stable:
            {
                var findings = Findings(_since, now);
                var p0 = findings.Where(f => f.Severity == GuardSeverity.P0).ToList();
                if (p0.Count > 0)
                {
                    if (!Options.DryRun) return await RollBackAsync(info, findings, now, cancellationToken).ConfigureAwait(false);
                    if (_dryRunRecorded) return null;
                    _dryRunRecorded = true;
                    return await DecideAsync(GuardAction.DryRun, findings, $"dry run: would roll {Channel} back from {Short(_watched)} to {Short(info.LastKnownGood)}: {Describe(p0)}", now, null, cancellationToken).ConfigureAwait(false);
                }
                var newP1 = findings.Where(f => f.Severity == GuardSeverity.P1 && !_heldFor.Contains(f.Trigger)).ToList();
                if (newP1.Count > 0)
                {
                    foreach (var f in newP1) _heldFor.Add(f.Trigger);
                    return await DecideAsync(GuardAction.Hold, newP1, $"hold {Short(_watched)} on {Channel} and alert: {Describe(newP1)}", now, null, cancellationToken).ConfigureAwait(false);
                }
                if (Phase == GuardPhase.Observing && now - _since >= Window && !IsHeld)
                {
                    var seen = _samples.Count(s => s.Time >= _since);
                    if (seen < Options.MinimumSamples) return null; // keep observing until there is evidence
                    Phase = GuardPhase.Stable;
                    var details = new List<Trailer> { new("Version", head.ToString()), new("Samples", seen.ToString(CultureInfo.InvariantCulture)) };
                    await Channels.MarkLastKnownGoodAsync(Channel, head, Actor, $"passed its {Window.TotalSeconds:0} s observation window", details, cancellationToken).ConfigureAwait(false);
                    return await DecideAsync(GuardAction.PromotedLastKnownGood, [], $"{Short(head)} passed its {Window.TotalSeconds:0} s window on {Channel} ({seen} samples): now last-known-good", now, null, cancellationToken).ConfigureAwait(false);
                }
                return null;
            }
            case GuardPhase.RolledBack:
            {
                var findings = Findings(_since, now);
                if (findings.Count > 0)
                {
                    Phase = GuardPhase.Escalated;
                    return await DecideAsync(GuardAction.Escalate, findings, $"health did not recover after the rollback of {Channel} to {Short(head)}: {Describe(findings)}; operator action needed, no further automatic rollback", now, null, cancellationToken).ConfigureAwait(false);
                }
                if (now - _since < Window) return null;
                var seen = _samples.Count(s => s.Time >= _since);
                if (seen < Options.MinimumSamples)
                {
                    Phase = GuardPhase.Escalated;
                    return await DecideAsync(GuardAction.Escalate, [], $"no evidence that {Channel} recovered after the rollback ({seen} samples in {Window.TotalSeconds:0} s); operator action needed", now, null, cancellationToken).ConfigureAwait(false);
                }
                Phase = GuardPhase.Stable;
                _watched = head;
                return await DecideAsync(GuardAction.Recovered, [], $"{Channel} recovered on {Short(head)} ({seen} healthy samples in {Window.TotalSeconds:0} s after the rollback)", now, null, cancellationToken).ConfigureAwait(false);
            }
            default:
                return null;
        }
    }

    /// <summary>
    /// Gray release: the canary's own samples (<see cref="HealthSample.Version"/> = the canary) are judged apart; a P0
    /// trigger among them retires the canary in one compare-and-swap at the sequence just read — the stable version keeps serving.
    /// </summary>
    private async Task<GuardDecision?> JudgeCanaryAsync(ChannelInfo info, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (info.Canary is not { } canary)
        {
            _canary = null;
            return null;
        }
        if (_canary != canary)
        {
            _canary = canary;
            _canarySince = now;
            _canaryDryRunRecorded = false;
        }
        var p0 = Findings(_canarySince, now, ofCanary: true).Where(f => f.Severity == GuardSeverity.P0).ToList();
        if (p0.Count == 0) return null;
        if (Options.DryRun)
        {
            if (_canaryDryRunRecorded) return null;
            _canaryDryRunRecorded = true;
            return await DecideAsync(GuardAction.DryRun, p0, $"dry run: would retire canary {Short(canary)} of {Channel}: {Describe(p0)}", now, null, cancellationToken, canary).ConfigureAwait(false);
        }
        var evidence = p0.SelectMany((f, i) => new[] { new Trailer($"Trigger-{i + 1}", $"{f.Trigger} ({f.Severity})"), new Trailer($"Evidence-{i + 1}", f.Evidence) }).ToList();
        try
        {
            await Channels.RetireCanaryAsync(Channel, Actor, $"release guard {Options.InstanceId}: {Describe(p0)}", evidence, info.Sequence, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RefConflictException or InvalidRequestException)
        {
            return null; // the channel moved (another guard or an operator acted first): judged again next round
        }
        _canary = null;
        return await DecideAsync(GuardAction.CanaryRetired, p0, $"retired canary {Short(canary)} of {Channel} ({info.CanaryPercent:0.##} %); stable {Short(info.Head)} keeps serving: {Describe(p0)}", now, null, cancellationToken, canary).ConfigureAwait(false);
    }

    private bool InCohort(HealthSample sample, bool ofCanary)
        => ofCanary ? _canary is { } c && sample.Version == c : _canary is not { } canary || sample.Version != canary;

    private void StartObserving(ObjectId head, ChannelInfo info, DateTimeOffset now)
    {
        _watched = head;
        _rolledBackTo = null;
        _since = info.ChangedAt is { } t && t <= now ? t : now;
        _heldFor.Clear();
        _dryRunRecorded = false;
        Phase = head == info.LastKnownGood ? GuardPhase.Stable : GuardPhase.Observing;
    }

    /// <summary>Escalates with the channel left where it is: the guard then waits for a new publish.</summary>
    private void EscalateInPlace(ObjectId head)
    {
        Phase = GuardPhase.Escalated;
        _rolledBackTo = head;
    }

    private void EnterRolledBack(ObjectId? head, DateTimeOffset at)
    {
        Phase = GuardPhase.RolledBack;
        _rolledBackTo = head;
        // Samples taken at the rollback instant were measured on the old version.
        _since = at + TimeSpan.FromTicks(1);
    }

    private async Task<AuditEntry?> NewestMoveAsync(CancellationToken cancellationToken)
    {
        await foreach (var entry in Channels.HistoryAsync(Channel, cancellationToken).ConfigureAwait(false))
            if (entry.Old != entry.New) return entry;
        return null;
    }

    private static string AlreadyRolledBackSummary(AuditEntry winner)
        => $"already rolled back by another guard ({winner.Actor}) to {Short(winner.New)}; not rolling back again";

    private async Task<GuardDecision> RollBackAsync(ChannelInfo info, List<TriggerFinding> findings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var watched = _watched!.Value;
        var p0 = findings.Where(f => f.Severity == GuardSeverity.P0).ToList();
        if (info.LastKnownGood is not { } lkg)
        {
            EscalateInPlace(watched);
            return await DecideAsync(GuardAction.Escalate, findings, $"{Describe(p0)} on {Channel}, but it has no last-known-good version to roll back to; operator action needed", now, null, cancellationToken).ConfigureAwait(false);
        }
        var reason = $"release guard {Options.InstanceId}: {Describe(p0)}";
        RollbackResult result;
        try
        {
            var evidence = p0.SelectMany((f, i) => new[] { new Trailer($"Trigger-{i + 1}", $"{f.Trigger} ({f.Severity})"), new Trailer($"Evidence-{i + 1}", f.Evidence) }).ToList();
            result = await Channels.RollbackAsync(Channel, lkg.ToString(), reason, Actor, expectedHead: watched, Options.RollbackMode, Options.Verifiers, evidence, cancellationToken).ConfigureAwait(false);
        }
        catch (RefConflictException e)
        {
            // The compare-and-swap decided: someone else moved the channel first. Find out who, and watch what it serves now.
            var winner = await NewestMoveAsync(cancellationToken).ConfigureAwait(false);
            var byRollback = winner?.Operation.StartsWith("rollback.", StringComparison.Ordinal) == true;
            EnterRolledBack(e.Actual ?? winner?.New, now);
            var summary = byRollback
                ? AlreadyRolledBackSummary(winner!)
                : $"{Channel} was moved by {winner?.Operation ?? "a concurrent change"} ({winner?.Actor ?? "unknown"}) to {Short(e.Actual)} before the rollback; not rolling back";
            return await DecideAsync(GuardAction.AlreadyRolledBack, findings, summary, now, null, cancellationToken).ConfigureAwait(false);
        }

        switch (result.Status)
        {
            case RollbackStatus.Succeeded:
                EnterRolledBack(result.NewHead, result.EffectiveTime ?? now);
                return await DecideAsync(GuardAction.RolledBack, findings, $"rolled {Channel} back from {Short(result.From)} to {Short(result.To)}: {Describe(p0)}", now, result, cancellationToken).ConfigureAwait(false);
            case RollbackStatus.AlreadyAtTarget:
                EscalateInPlace(watched);
                return await DecideAsync(GuardAction.Escalate, findings, $"{Describe(p0)} on {Channel}, which already serves its last-known-good {Short(lkg)}; operator action needed", now, result, cancellationToken).ConfigureAwait(false);
            default:
                EscalateInPlace(watched);
                return await DecideAsync(GuardAction.RollbackFailed, findings, $"rollback of {Channel} to {Short(lkg)} {result.Status.ToString().ToLowerInvariant()}: {result.Verification.Failure}; operator action needed", now, result, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<GuardDecision> DecideAsync(GuardAction action, IReadOnlyList<TriggerFinding> findings, string summary, DateTimeOffset now,
        RollbackResult? rollback, CancellationToken cancellationToken, ObjectId? version = null)
    {
        version ??= _watched;
        var details = new List<Trailer>
        {
            new("Decision", action.ToString()),
            new("Guard", Options.InstanceId),
            new("Dry-Run", Options.DryRun ? "true" : "false"),
            new("Version", version?.ToString() ?? ""),
        };
        for (var i = 0; i < findings.Count; i++)
        {
            details.Add(new Trailer($"Trigger-{i + 1}", $"{findings[i].Trigger} ({findings[i].Severity})"));
            details.Add(new Trailer($"Evidence-{i + 1}", findings[i].Evidence));
        }
        if (rollback is not null)
        {
            details.Add(new Trailer("Rollback-Status", rollback.Status.ToString()));
            details.Add(new Trailer("Rollback-Head", rollback.NewHead.ToString()));
            if (rollback.EffectiveTime is { } at) details.Add(new Trailer("Effective-Time", at.ToString("O", CultureInfo.InvariantCulture)));
        }
        var audit = await Channels.RecordDecisionAsync(Channel, "guard." + ToKebab(action), Actor, summary, details, CancellationToken.None).ConfigureAwait(false);
        var decision = new GuardDecision(action, Channel, version, findings, summary, now, rollback, audit);
        lock (_decisions)
        {
            _decisions.Add(decision);
            if (_decisions.Count > MaxDecisions) _decisions.RemoveAt(0);
        }
        LogDecision(_logger, Channel, action, summary);
        DecisionMade?.Invoke(decision);
        return decision;
    }

    /// <summary>Every trigger that fires over samples in [max(<paramref name="from"/>, now − window), now].</summary>
    internal List<TriggerFinding> Findings(DateTimeOffset from, DateTimeOffset now, bool ofCanary = false)
    {
        var start = Max(from, now - Window);
        var window = _samples.Where(s => s.Time >= start && s.Time <= now && InCohort(s.Sample, ofCanary)).Select(s => s.Sample).ToList();
        var findings = new List<TriggerFinding>();
        var seconds = (now - start).TotalSeconds;

        var requests = window.Where(s => s.Requests > 0).ToList();
        if (requests.Count >= Options.MinimumSamples)
        {
            long total = requests.Sum(s => s.Requests!.Value), errors = requests.Sum(s => s.Errors ?? 0);
            var rate = (double)errors / total;
            if (rate >= Options.ErrorRateThreshold)
                findings.Add(Finding(GuardTrigger.ErrorRate, rate, Options.ErrorRateThreshold,
                    Inv($"error rate {rate * 100:0.00}% >= {Options.ErrorRateThreshold * 100:0.00}% over {seconds:0} s ({errors}/{total} requests, {requests.Count} samples)")));
        }

        var latencies = window.Where(s => s.LatencyP99 is not null).ToList();
        if (latencies.Count >= Options.MinimumSamples)
        {
            double weight = latencies.Sum(s => (double)Math.Max(1, s.Requests ?? 1));
            var p99 = latencies.Sum(s => s.LatencyP99!.Value.TotalSeconds * Math.Max(1, s.Requests ?? 1)) / weight;
            if (p99 > Options.LatencyP99Threshold.TotalSeconds)
                findings.Add(Finding(GuardTrigger.LatencyP99, p99, Options.LatencyP99Threshold.TotalSeconds,
                    Inv($"latency P99 {p99 * 1000:0} ms > {Options.LatencyP99Threshold.TotalMilliseconds:0} ms over {seconds:0} s ({latencies.Count} samples, request-weighted)")));
        }

        var checks = window.Where(s => s.HealthCheckPassed is not null).ToList();
        var failedInARow = 0;
        for (var i = checks.Count - 1; i >= 0 && checks[i].HealthCheckPassed == false; i--) failedInARow++;
        if (failedInARow >= Options.ConsecutiveFailedHealthChecks)
            findings.Add(Finding(GuardTrigger.HealthChecks, failedInARow, Options.ConsecutiveFailedHealthChecks,
                $"{failedInARow} consecutive failed health checks (threshold {Options.ConsecutiveFailedHealthChecks}){Sources(checks.TakeLast(failedInARow))}"));

        var critical = window.Where(s => s.Alert is not null && s.AlertSeverity == AlertSeverity.Critical).ToList();
        if (critical.Count > 0)
            findings.Add(Finding(GuardTrigger.CriticalAlert, critical.Count, 1,
                $"critical alert(s): {string.Join(", ", critical.Select(a => a.Alert).Distinct().Take(5))}"));

        if (Options.Slo is { } slo)
        {
            var budget = 1 - slo.Target;
            foreach (var rule in slo.RulesFor(Window))
            {
                var (longRate, longN) = Rate(Max(from, now - rule.LongWindow), now, ofCanary);
                var (shortRate, shortN) = Rate(Max(from, now - rule.ShortWindow), now, ofCanary);
                if (longN < Options.MinimumSamples || shortN < 1) continue;
                double burnLong = longRate / budget, burnShort = shortRate / budget;
                if (burnLong >= rule.Factor && burnShort >= rule.Factor)
                    findings.Add(Finding(rule.Trigger, burnLong, rule.Factor,
                        Inv($"SLO {slo.Target * 100:0.###}%: burn rate {burnLong:0.0}x over {rule.LongWindow.TotalSeconds:0} s and {burnShort:0.0}x over {rule.ShortWindow.TotalSeconds:0} s >= {rule.Factor}x")));
            }
        }
        return findings;
    }

    private (double Rate, int Samples) Rate(DateTimeOffset start, DateTimeOffset now, bool ofCanary)
    {
        long total = 0, errors = 0;
        var n = 0;
        foreach (var (time, s) in _samples)
        {
            if (time < start || time > now || s.Requests is not > 0 || !InCohort(s, ofCanary)) continue;
            total += s.Requests.Value;
            errors += s.Errors ?? 0;
            n++;
        }
        return (total == 0 ? 0 : (double)errors / total, n);
    }

    private TriggerFinding Finding(GuardTrigger trigger, double observed, double threshold, string evidence)
        => new(trigger, Options.SeverityOf(trigger), observed, threshold, evidence);

    private void Prune(DateTimeOffset now)
    {
        // Every rule looks back at most one window (or its longest burn-rate window); promotion and recovery
        // happen one window after their start, so two spans of history are all that is ever read.
        var span = Window;
        if (Options.Slo is { } slo)
            foreach (var r in slo.RulesFor(Window))
                if (r.LongWindow > span) span = r.LongWindow;
        var keep = now - span - span;
        var drop = 0;
        while (drop < _samples.Count && _samples[drop].Time < keep) drop++;
        if (drop > 0) _samples.RemoveRange(0, drop);
    }

    private static string Sources(IEnumerable<HealthSample> samples)
    {
        var sources = samples.Select(s => s.Source).OfType<string>().Distinct().Take(5).ToList();
        return sources.Count == 0 ? "" : " from " + string.Join(", ", sources);
    }

    private static string Describe(IEnumerable<TriggerFinding> findings) => string.Join("; ", findings.Select(f => f.Evidence));

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);

    private static string Short(ObjectId? id) => id?.ToString(12) ?? "(none)";

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string ToKebab(GuardAction action)
    {
        var s = action.ToString();
        var b = new System.Text.StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsUpper(s[i]) && i > 0) b.Append('-');
            b.Append(char.ToLowerInvariant(s[i]));
        }
        return b.ToString();
    }

    [LoggerMessage(5001, LogLevel.Warning, "Release guard of channel {Channel}: {Action}: {Summary}")]
    private static partial void LogDecision(ILogger logger, string channel, GuardAction action, string summary);

    [LoggerMessage(5002, LogLevel.Error, "Release guard of channel {Channel}: evaluation failed; retrying next round")]
    private static partial void LogEvaluationFailed(ILogger logger, string channel, Exception exception);
}
