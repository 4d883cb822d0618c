namespace VersionStore.Releases.Tests;

public sealed class TransactionalRollbackTests
{
    private static RollbackRequest Request(ReleaseFixture f, params IRollbackVerifier[] verifiers) => new()
    {
        Ref = ReleaseChannels.ChannelRef("prod"),
        Target = f.Good.ToString(),
        Reason = "model output degraded",
        Actor = "ops",
        Mode = RollbackMode.Reset,
        ExpectedHead = f.Bad,
        Verifiers = verifiers,
        VerifierTimeout = TimeSpan.FromSeconds(5),
    };

    private static string? Detail(AuditEntry e, string key) => e.Details.FirstOrDefault(d => d.Key == key)?.Value;

    [Fact]
    public async Task Passing_verifiers_complete_the_pending_move_with_a_verified_entry()
    {
        var f = await ReleaseFixture.CreateAsync();
        var result = await f.Repo.RollbackAsync(Request(f, new Verifiers.Fixed(null)));
        Assert.Equal(RollbackStatus.Succeeded, result.Status);
        Assert.Equal(2, result.Verification.ChecksRun);
        var log = await f.Channels.HistoryAsync("prod").Take(2).ToListAsync();
        Assert.Equal("rollback.verified", log[0].Operation);
        Assert.Equal("passed", Detail(log[0], "Verification"));
        Assert.Equal(log[0].Old, log[0].New);
        Assert.Equal("rollback.reset", log[1].Operation);
        Assert.Equal("pending", Detail(log[1], "Verification"));
        Assert.Equal(f.Good, await f.HeadAsync());
        Assert.Empty(await f.Repo.RecoverPendingRollbacksAsync());
        Assert.True((await f.Repo.VerifyAuditAsync(ReleaseChannels.ChannelRef("prod"))).Intact);
    }

    [Fact]
    public async Task A_failing_verifier_restores_the_ref_by_CAS_and_both_moves_are_audited()
    {
        var f = await ReleaseFixture.CreateAsync();
        var result = await f.Repo.RollbackAsync(Request(f, new Verifiers.Fixed(null), new Verifiers.Fixed("canary: 3/3 smoke prompts failed")));
        Assert.Equal(RollbackStatus.Compensated, result.Status);
        Assert.Equal("canary: 3/3 smoke prompts failed", result.Verification.Failure);
        Assert.Equal(3, result.Verification.ChecksRun);
        Assert.Null(result.EffectiveTime);
        Assert.Equal(f.Bad, await f.HeadAsync());
        var log = await f.Channels.HistoryAsync("prod").Take(2).ToListAsync();
        Assert.Equal(("rollback.compensate", f.Good, f.Bad), (log[0].Operation, log[0].Old!.Value, log[0].New!.Value));
        Assert.Equal("failed", Detail(log[0], "Verification"));
        Assert.Contains("canary", log[0].Reason);
        Assert.Equal(("rollback.reset", f.Bad, f.Good), (log[1].Operation, log[1].Old!.Value, log[1].New!.Value));
    }

    [Fact]
    public async Task A_hung_verifier_times_out_on_the_store_clock_and_is_compensated()
    {
        var f = await ReleaseFixture.CreateAsync();
        var hung = new Verifiers.Hung();
        var task = f.Repo.RollbackAsync(Request(f, hung));
        await hung.Entered.Task;
        Assert.Equal(f.Good, await f.HeadAsync());     // moved, verification pending
        f.Time.Advance(TimeSpan.FromSeconds(5));
        var result = await task;
        Assert.Equal(RollbackStatus.Compensated, result.Status);
        Assert.Contains("timed out after 5000 ms", result.Verification.Failure);
        Assert.Equal(f.Bad, await f.HeadAsync());
    }

    [Fact]
    public async Task A_caller_that_gives_up_during_verification_leaves_no_half_done_rollback()
    {
        var f = await ReleaseFixture.CreateAsync();
        var hung = new Verifiers.Hung();
        using var cts = new CancellationTokenSource();
        var task = f.Repo.RollbackAsync(Request(f, hung), cts.Token);
        await hung.Entered.Task;
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(f.Bad, await f.HeadAsync());
        Assert.Equal("rollback.compensate", (await f.Channels.HistoryAsync("prod").FirstAsync()).Operation);
    }

    [Fact]
    public async Task A_missing_object_in_the_target_closure_rejects_before_the_ref_moves()
    {
        var f = await ReleaseFixture.CreateAsync();
        var before = await f.Channels.HistoryAsync("prod").CountAsync();
        // A commit whose tree is not stored: written by hand, as a lost object would leave it.
        var tree = ObjectId.Compute("not stored"u8);
        var encoded = ObjectCodec.EncodeCommit(tree, [f.Good], 2, ReleaseFixture.Start, "x", "broken", []);
        var broken = ObjectId.Compute(encoded);
        await f.Objects.WriteAsync([new EncodedObject(broken, encoded)]);
        var bad = await f.Repo.RollbackAsync(new RollbackRequest { Ref = ReleaseChannels.ChannelRef("prod"), Target = broken.ToString(), Reason = "x", Mode = RollbackMode.Reset });
        Assert.Equal(RollbackStatus.Rejected, bad.Status);
        Assert.Contains("missing", bad.Verification.Failure);
        Assert.Equal(f.Bad, await f.HeadAsync());
        Assert.Equal(before, await f.Channels.HistoryAsync("prod").CountAsync());
    }

    [Fact]
    public async Task Recovery_without_verifiers_compensates_a_pending_move_left_by_a_dead_process()
    {
        var f = await ReleaseFixture.CreateAsync();
        await LeavePendingAsync(f);
        var recovered = Assert.Single(await f.Repo.RecoverPendingRollbacksAsync(actor: "startup"));
        Assert.Equal(RollbackStatus.Compensated, recovered.Status);
        Assert.Equal(f.Bad, await f.HeadAsync());
        var top = await f.Channels.HistoryAsync("prod").FirstAsync();
        Assert.Equal(("rollback.compensate", "startup", "true"), (top.Operation, top.Actor, Detail(top, "Recovered")));
        Assert.Empty(await f.Repo.RecoverPendingRollbacksAsync());   // idempotent
    }

    [Fact]
    public async Task Recovery_with_verifiers_re_runs_them_and_completes_the_move()
    {
        var f = await ReleaseFixture.CreateAsync();
        await LeavePendingAsync(f);
        var verifier = new Verifiers.Fixed(null);
        var recovered = Assert.Single(await f.Repo.RecoverPendingRollbacksAsync([verifier]));
        Assert.Equal(RollbackStatus.Succeeded, recovered.Status);
        Assert.Equal(1, verifier.Calls);
        Assert.Equal(f.Good, await f.HeadAsync());
        Assert.Equal("rollback.verified", (await f.Channels.HistoryAsync("prod").FirstAsync()).Operation);
    }

    /// <summary>Writes exactly what a process killed between the move and its verification leaves behind.</summary>
    private static Task LeavePendingAsync(ReleaseFixture f) => f.Repo.UpdateRefAsync(ReleaseChannels.ChannelRef("prod"), f.Good, f.Bad, "rollback.reset", "ops", "model output degraded",
        [new Trailer(WellKnownTrailers.RollbackOf, f.Good.ToString()), new Trailer("Mode", "reset"), new Trailer("Verification", "pending")]);
}
