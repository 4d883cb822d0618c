namespace VersionStore.Releases.Tests;

public sealed class ReleaseGuardTests
{
    private static async Task<List<GuardDecision>> FeedAsync(ReleaseFixture f, ReleaseGuard guard, int count, Func<HealthSample> sample, TimeSpan? every = null)
    {
        var decisions = new List<GuardDecision>();
        for (var i = 0; i < count; i++)
        {
            if (await guard.IngestAsync(sample()) is { } d) decisions.Add(d);
            f.Time.Advance(every ?? TimeSpan.FromSeconds(10));
        }
        return decisions;
    }

    [Fact]
    public async Task Error_rate_at_threshold_rolls_back_to_last_known_good_after_minimum_samples()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        Assert.Empty(await FeedAsync(f, guard, 4, () => ReleaseFixture.Requests(100, 5)));   // 5% but only 4 samples
        Assert.Equal(f.Bad, await f.HeadAsync());

        var decision = await guard.IngestAsync(ReleaseFixture.Requests(100, 5));
        Assert.NotNull(decision);
        Assert.Equal(GuardAction.RolledBack, decision.Action);
        Assert.Equal(GuardTrigger.ErrorRate, Assert.Single(decision.Findings).Trigger);
        Assert.Equal(f.Good, await f.HeadAsync());
        Assert.Equal(RollbackStatus.Succeeded, decision.Rollback!.Status);
        Assert.Equal(GuardPhase.RolledBack, guard.Phase);

        // Audit: the channel's rollback entry names the guard and the evidence; the guard log holds the structured evidence.
        var rollback = await f.Channels.HistoryAsync("prod").FirstAsync();
        Assert.Equal("rollback.reset", rollback.Operation);
        Assert.Equal("release-guard/g1", rollback.Actor);
        Assert.Contains("error rate 5.00% >= 5.00%", rollback.Reason);
        Assert.Contains(rollback.Details, d => d.Key == "Trigger-1" && d.Value == "ErrorRate (P0)");
        Assert.Contains(rollback.Details, d => d.Key == "Evidence-1" && d.Value.Contains("25/500 requests", StringComparison.Ordinal));
        var logged = await f.Channels.GuardLogAsync("prod").FirstAsync();
        Assert.Equal("guard.rolled-back", logged.Operation);
        Assert.Contains(logged.Details, d => d.Key == "Trigger-1" && d.Value == "ErrorRate (P0)");
        Assert.Contains(logged.Details, d => d.Key == "Evidence-1" && d.Value.Contains("25/500 requests", StringComparison.Ordinal));
        Assert.Contains(logged.Details, d => d.Key == "Rollback-Head" && d.Value == f.Good.ToString());
        Assert.True((await f.Repo.VerifyAuditAsync(ReleaseChannels.GuardLogRef("prod"))).Intact);
    }

    [Fact]
    public async Task Error_rate_below_threshold_does_nothing()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        Assert.Empty(await FeedAsync(f, guard, 10, () => ReleaseFixture.Requests(100, 4)));
        Assert.Equal(f.Bad, await f.HeadAsync());
    }

    [Fact]
    public async Task Latency_p99_above_two_seconds_rolls_back_and_exactly_two_seconds_does_not()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        Assert.Empty(await FeedAsync(f, guard, 6, () => ReleaseFixture.Requests(100, 0, 2000)));
        var decisions = await FeedAsync(f, guard, 5, () => ReleaseFixture.Requests(100, 0, 3500));
        var d = Assert.Single(decisions);
        Assert.Equal(GuardAction.RolledBack, d.Action);
        Assert.Equal(GuardTrigger.LatencyP99, Assert.Single(d.Findings).Trigger);
        Assert.True(d.Findings[0].Observed > 2);
        Assert.Equal(f.Good, await f.HeadAsync());
    }

    [Fact]
    public async Task Three_consecutive_failed_health_checks_roll_back_and_a_pass_resets_the_count()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        bool[] results = [false, false, true, false, false];
        foreach (var passed in results) Assert.Null(await guard.IngestAsync(new HealthSample { HealthCheckPassed = passed, Source = "probe-a" }));
        var d = await guard.IngestAsync(new HealthSample { HealthCheckPassed = false, Source = "probe-a" });
        Assert.Equal(GuardAction.RolledBack, d!.Action);
        Assert.Equal(GuardTrigger.HealthChecks, d.Findings[0].Trigger);
        Assert.Contains("3 consecutive failed health checks", d.Findings[0].Evidence);
        Assert.Equal(f.Good, await f.HeadAsync());
    }

    [Fact]
    public async Task Any_critical_alert_rolls_back_at_once_but_a_warning_does_not()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        Assert.Null(await guard.IngestAsync(new HealthSample { Alert = "HighMemory", AlertSeverity = AlertSeverity.Warning }));
        var d = await guard.IngestAsync(new HealthSample { Alert = "LLMOutputGarbled", AlertSeverity = AlertSeverity.Critical });
        Assert.Equal(GuardAction.RolledBack, d!.Action);
        Assert.Equal(GuardTrigger.CriticalAlert, d.Findings[0].Trigger);
        Assert.Contains("LLMOutputGarbled", d.Findings[0].Evidence);
    }

    [Fact]
    public async Task Samples_older_than_the_window_do_not_count()
    {
        // Control: three bad samples within the window trigger.
        var control = await ReleaseFixture.CreateAsync();
        var g0 = control.Guard(o => o.MinimumSamples = 3);
        Assert.Contains(await FeedAsync(control, g0, 3, () => ReleaseFixture.Requests(100, 50)), d => d.Action == GuardAction.RolledBack);

        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard(o => o.MinimumSamples = 3);
        var decisions = await FeedAsync(f, guard, 2, () => ReleaseFixture.Requests(100, 50));
        f.Time.Advance(TimeSpan.FromMinutes(6));
        decisions.AddRange(await FeedAsync(f, guard, 2, () => ReleaseFixture.Requests(100, 0)));
        Assert.DoesNotContain(decisions, d => d.Action is GuardAction.RolledBack or GuardAction.DryRun);
        Assert.Equal(f.Bad, await f.HeadAsync());
    }

    [Fact]
    public async Task Dry_run_records_what_it_would_do_once_and_never_moves_the_channel()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard(o => o.DryRun = true);
        var decisions = await FeedAsync(f, guard, 10, () => ReleaseFixture.Requests(100, 30));
        var d = Assert.Single(decisions);
        Assert.Equal(GuardAction.DryRun, d.Action);
        Assert.StartsWith("dry run: would roll prod back", d.Summary);
        Assert.Equal(f.Bad, await f.HeadAsync());
        var logged = await f.Channels.GuardLogAsync("prod").FirstAsync();
        Assert.Equal("guard.dry-run", logged.Operation);
        Assert.Contains(logged.Details, x => x.Key == "Dry-Run" && x.Value == "true");
        Assert.DoesNotContain(await f.Channels.HistoryAsync("prod").ToListAsync(), e => e.Operation.StartsWith("rollback", StringComparison.Ordinal));
    }

    [Fact]
    public async Task P1_trigger_holds_and_alerts_without_rollback_and_blocks_promotion()
    {
        var f = await ReleaseFixture.CreateAsync();
        var alerts = new List<GuardDecision>();
        var guard = f.Guard(o => o.SeverityMatrix[GuardTrigger.LatencyP99] = GuardSeverity.P1);
        guard.DecisionMade += alerts.Add;
        var decisions = await FeedAsync(f, guard, 40, () => ReleaseFixture.Requests(100, 0, 2500));  // 400 s > window
        var d = Assert.Single(decisions);
        Assert.Equal(GuardAction.Hold, d.Action);
        Assert.Same(d, Assert.Single(alerts));
        Assert.True(guard.IsHeld);
        Assert.Equal(f.Bad, await f.HeadAsync());
        Assert.Equal(f.Good, (await f.Channels.GetAsync("prod")).LastKnownGood);   // never promoted while held
        Assert.Equal(GuardPhase.Observing, guard.Phase);
    }

    [Fact]
    public async Task A_healthy_window_promotes_the_version_to_last_known_good_with_no_new_sample_needed()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        Assert.Empty(await FeedAsync(f, guard, 10, () => ReleaseFixture.Requests(100, 1), TimeSpan.FromSeconds(20)));  // 200 s
        Assert.Null(await guard.EvaluateAsync());
        f.Time.Advance(TimeSpan.FromSeconds(100));
        var d = await guard.EvaluateAsync();
        Assert.Equal(GuardAction.PromotedLastKnownGood, d!.Action);
        Assert.Equal(f.Bad, (await f.Channels.GetAsync("prod")).LastKnownGood);
        Assert.Equal(GuardPhase.Stable, guard.Phase);
        Assert.Equal("lkg.promote", (await f.Repo.AuditAsync(ReleaseChannels.LastKnownGoodRef("prod")).FirstAsync()).Operation);
    }

    [Fact]
    public async Task After_a_rollback_it_escalates_once_when_health_does_not_recover_and_never_rolls_back_again()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        var decisions = await FeedAsync(f, guard, 30, () => ReleaseFixture.Requests(100, 40));
        Assert.Equal([GuardAction.RolledBack, GuardAction.Escalate], decisions.Select(d => d.Action));
        Assert.Equal(GuardPhase.Escalated, guard.Phase);
        Assert.Equal(f.Good, await f.HeadAsync());
        Assert.Single(await f.Channels.HistoryAsync("prod").Where(e => e.Operation.StartsWith("rollback", StringComparison.Ordinal)).ToListAsync());
        Assert.Equal("guard.escalate", (await f.Channels.GuardLogAsync("prod").FirstAsync()).Operation);

        // A new publish starts a new observation.
        await f.Channels.PublishAsync("prod", f.Third.ToString(), "ana");
        Assert.Null(await guard.EvaluateAsync());
        Assert.Equal(GuardPhase.Observing, guard.Phase);
        Assert.Equal(f.Third, guard.WatchedVersion);
    }

    [Fact]
    public async Task After_a_rollback_a_healthy_window_is_recorded_as_recovered()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        await FeedAsync(f, guard, 5, () => ReleaseFixture.Requests(100, 40));
        var after = await FeedAsync(f, guard, 35, () => ReleaseFixture.Requests(100, 0));
        Assert.Equal(GuardAction.Recovered, Assert.Single(after).Action);
        Assert.Equal(GuardPhase.Stable, guard.Phase);
    }

    [Fact]
    public async Task Without_a_last_known_good_version_it_escalates_instead_of_guessing()
    {
        var f = await ReleaseFixture.CreateAsync(markGood: false);
        var guard = f.Guard();
        var d = Assert.Single(await FeedAsync(f, guard, 8, () => ReleaseFixture.Requests(100, 50)));
        Assert.Equal(GuardAction.Escalate, d.Action);
        Assert.Contains("no last-known-good", d.Summary);
        Assert.Equal(f.Bad, await f.HeadAsync());
    }

    [Fact]
    public async Task A_failing_verifier_makes_the_guard_rollback_compensate_and_escalate()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard(o => o.Verifiers = [new Verifiers.Fixed("smoke test: /chat returns 500")]);
        var d = Assert.Single(await FeedAsync(f, guard, 8, () => ReleaseFixture.Requests(100, 50)));
        Assert.Equal(GuardAction.RollbackFailed, d.Action);
        Assert.Equal(RollbackStatus.Compensated, d.Rollback!.Status);
        Assert.Equal(f.Bad, await f.HeadAsync());
        Assert.Equal(GuardPhase.Escalated, guard.Phase);
    }

    [Fact]
    public async Task Fast_burn_rate_rolls_back_below_the_fixed_threshold()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard(o => o.Slo = new SloOptions { Target = 0.999 });
        // 2% errors: under the 5% threshold, but 20x the 0.1% budget; fast rule = 50 s / 4.2 s windows at 14.4x.
        var decisions = await FeedAsync(f, guard, 30, () => ReleaseFixture.Requests(1000, 20), TimeSpan.FromSeconds(2));
        Assert.Equal([GuardAction.RolledBack, GuardAction.Escalate], decisions.Select(x => x.Action));   // the degraded service keeps failing
        var d = decisions[0];
        var finding = Assert.Single(d.Findings, x => x.Trigger == GuardTrigger.BurnRateFast);
        Assert.Equal(20, finding.Observed, 3);
        Assert.Contains("burn rate 20.0x over 50 s", finding.Evidence);
    }

    [Fact]
    public async Task Slow_burn_rate_is_P1_by_default_and_holds()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard(o => o.Slo = new SloOptions { Target = 0.999 });
        var d = Assert.Single(await FeedAsync(f, guard, 30, () => ReleaseFixture.Requests(1000, 8), TimeSpan.FromSeconds(2)));  // 8x
        Assert.Equal(GuardAction.Hold, d.Action);
        Assert.Equal(GuardTrigger.BurnRateSlow, d.Findings[0].Trigger);
        Assert.Equal(f.Bad, await f.HeadAsync());
    }

    [Fact]
    public async Task Several_guards_on_one_channel_cause_exactly_one_rollback()
    {
        var f = await ReleaseFixture.CreateAsync();
        const int Guards = 4;
        var guards = Enumerable.Range(1, Guards).Select(i => f.Guard(instance: $"g{i}", store: f.NewStore())).ToArray();
        for (var i = 0; i < 4; i++)
        {
            foreach (var g in guards) Assert.Null(await g.IngestAsync(ReleaseFixture.Requests(100, 30)));
            f.Time.Advance(TimeSpan.FromSeconds(10));
        }
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = guards.Select(async g =>
        {
            await start.Task;
            return await g.IngestAsync(ReleaseFixture.Requests(100, 30));
        }).ToArray();
        start.SetResult();
        var decisions = await Task.WhenAll(tasks);

        Assert.Single(decisions, d => d!.Action == GuardAction.RolledBack);
        Assert.Equal(Guards - 1, decisions.Count(d => d!.Action == GuardAction.AlreadyRolledBack));
        Assert.All(decisions.Where(d => d!.Action == GuardAction.AlreadyRolledBack), d => Assert.StartsWith("already rolled back by another guard", d!.Summary));
        Assert.Single(await f.Channels.HistoryAsync("prod").Where(e => e.Operation.StartsWith("rollback", StringComparison.Ordinal)).ToListAsync());
        Assert.Equal(f.Good, await f.HeadAsync());
        var log = await f.Channels.GuardLogAsync("prod").ToListAsync();
        Assert.Equal(Guards, log.Count);
        Assert.True((await f.Repo.VerifyAuditAsync(ReleaseChannels.GuardLogRef("prod"))).Intact);

        // Every guard keeps watching the rolled-back channel, and none rolls back again.
        foreach (var g in guards) Assert.Equal(GuardPhase.RolledBack, g.Phase);
    }

    [Fact]
    public void Options_report_every_problem_at_once()
    {
        var e = Assert.Throws<ArgumentException>(() => new ReleaseGuardOptions { ErrorRateThreshold = 0, MinimumSamples = 0, ObservationWindow = TimeSpan.Zero }.Validate());
        Assert.Contains("ErrorRateThreshold", e.Message);
        Assert.Contains("MinimumSamples", e.Message);
        Assert.Contains("ObservationWindow", e.Message);
    }
}

public sealed class ReleaseGuardRepublishTests
{
    [Fact]
    public async Task Republishing_the_rolled_back_version_starts_a_new_observation_and_can_roll_back_again()
    {
        var f = await ReleaseFixture.CreateAsync();
        var guard = f.Guard();
        var alert = new HealthSample { Alert = "LLMOutputGarbled", AlertSeverity = AlertSeverity.Critical };
        Assert.Equal(GuardAction.RolledBack, (await guard.IngestAsync(alert))!.Action);
        f.Time.Advance(TimeSpan.FromMinutes(1));
        await f.Channels.PublishAsync("prod", f.Bad.ToString(), "ana", "hotfix attempt");
        Assert.Null(await guard.EvaluateAsync());
        Assert.Equal((GuardPhase.Observing, f.Bad), (guard.Phase, guard.WatchedVersion!.Value));
        f.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(GuardAction.RolledBack, (await guard.IngestAsync(alert))!.Action);
        Assert.Equal(f.Good, await f.HeadAsync());
    }
}
