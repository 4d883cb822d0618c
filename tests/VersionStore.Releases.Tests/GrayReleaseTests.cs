using System.Globalization;
using Xunit.Abstractions;

namespace VersionStore.Releases.Tests;

/// <summary>
/// Gray release: a canary at P % beside the stable version, resolved per key (XxHash3 of the key seeded by the rollout
/// id, bucket in [0, 10000)), every change one audited compare-and-swap; the guard judges the canary's samples apart.
/// </summary>
public sealed class GrayReleaseTests(ITestOutputHelper output)
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 10_000).Select(i => "user-" + i.ToString(CultureInfo.InvariantCulture))];

    [Fact]
    public async Task Over_ten_thousand_keys_the_canary_share_is_within_one_and_a_half_points_at_10_and_50_percent()
    {
        var f = await ReleaseFixture.CreateAsync(publishBad: false);
        foreach (var percent in new[] { 10.0, 50.0 })
        {
            await f.Channels.PublishAsync("prod", "v1.5.0", percent, "ana", "gray");
            var state = await f.Channels.GetStateAsync("prod");
            var share = Keys.Count(k => state.Resolve(k) == f.Bad) * 100.0 / Keys.Length;
            output.WriteLine($"{percent} %: {share:0.00} % of {Keys.Length} keys got the canary");
            Assert.InRange(share, percent - 1.5, percent + 1.5);
            Assert.All(Keys.Take(500), k => Assert.Equal(state.Resolve(k), state.Resolve(k))); // deterministic
        }
    }

    [Fact]
    public async Task A_key_that_got_the_canary_keeps_it_while_the_share_only_grows_and_every_step_is_one_audited_change()
    {
        var f = await ReleaseFixture.CreateAsync(publishBad: false);
        var before = (await f.Channels.GetAsync("prod")).Sequence;
        HashSet<string> had = [];
        var steps = new[] { 1.0, 5, 10, 25, 50, 75, 99.99 };
        ulong? rollout = null;
        foreach (var p in steps)
        {
            var entry = await f.Channels.PublishAsync("prod", "v1.5.0", p, "ana", $"gray {p} %");
            Assert.Equal(ReleaseChannels.CanaryOperation, entry.Operation);
            Assert.Equal(f.Good, entry.New); // the stable version does not move
            var state = await f.Channels.GetStateAsync("prod");
            rollout ??= state.RolloutId;
            Assert.Equal(rollout, state.RolloutId);
            var now = Keys.Where(k => state.IsCanary(k)).ToHashSet();
            Assert.Empty(had.Except(now)); // stickiness: 100 %
            had = now;
        }
        Assert.Equal(before + steps.Length, (await f.Channels.GetAsync("prod")).Sequence);
        Assert.True((await f.Repo.VerifyAuditAsync(ReleaseChannels.ChannelRef("prod"))).Intact);
    }

    [Fact]
    public async Task Zero_percent_retires_the_canary_and_a_hundred_promotes_it_to_stable()
    {
        var f = await ReleaseFixture.CreateAsync(publishBad: false);
        await f.Channels.PublishAsync("prod", "v1.5.0", 20, "ana", "gray");
        var retired = await f.Channels.PublishAsync("prod", "v1.5.0", 0, "ana", "looks bad");
        Assert.Equal(ReleaseChannels.CanaryRetireOperation, retired.Operation);
        var state = await f.Channels.GetStateAsync("prod");
        Assert.Null(state.Canary);
        Assert.All(Keys.Take(1000), k => Assert.Equal(f.Good, state.Resolve(k)));

        await f.Channels.PublishAsync("prod", "v1.5.0", 20, "ana", "gray again");
        var promoted = await f.Channels.PublishAsync("prod", "v1.5.0", 100, "ana", "all in");
        Assert.Equal(ReleaseChannels.PublishOperation, promoted.Operation);
        var info = await f.Channels.GetAsync("prod");
        Assert.Equal((f.Bad, (ObjectId?)null), (info.Head, info.Canary));

        await f.Channels.PublishAsync("prod", f.Third.ToString(), 30, "ana", "next gray");
        var promote = await f.Channels.PromoteAsync("prod", "ana", "promote");
        Assert.Equal(ReleaseChannels.CanaryPromoteOperation, promote.Operation);
        Assert.Equal((f.Third, (ObjectId?)null), ((await f.Channels.GetAsync("prod")).Head, (await f.Channels.GetAsync("prod")).Canary));
    }

    [Fact]
    public async Task Hostile_gray_requests_are_refused_and_change_nothing()
    {
        var f = await ReleaseFixture.CreateAsync(publishBad: false);
        var before = (await f.Channels.GetAsync("prod")).Sequence;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => f.Channels.PublishAsync("prod", "v1.5.0", 100.5));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => f.Channels.PublishAsync("prod", "v1.5.0", 10.001));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => f.Channels.PublishAsync("prod", "v1.5.0", double.NaN));
        await Assert.ThrowsAsync<InvalidRequestException>(() => f.Channels.PublishAsync("prod", "v1.4.0", 10)); // already stable
        await Assert.ThrowsAsync<InvalidRequestException>(() => f.Channels.PublishAsync("prod", "v1.5.0", 0)); // not the canary
        await Assert.ThrowsAsync<InvalidRequestException>(() => f.Channels.PromoteAsync("prod"));
        await Assert.ThrowsAsync<RevisionNotFoundException>(() => f.Channels.PublishAsync("staging", "v1.5.0", 10)); // no stable yet
        Assert.Equal(before, (await f.Channels.GetAsync("prod")).Sequence);
    }

    [Fact]
    public async Task A_rollback_of_the_channel_retires_its_canary_in_the_same_change()
    {
        var f = await ReleaseFixture.CreateAsync();
        await f.Channels.PublishAsync("prod", f.Third.ToString(), 10, "ana", "gray");
        var result = await f.Channels.RollbackAsync("prod", null, "incident", "ops");
        Assert.Equal(RollbackStatus.Succeeded, result.Status);
        var info = await f.Channels.GetAsync("prod");
        Assert.Equal((f.Good, (ObjectId?)null), (info.Head, info.Canary));
    }

    [Fact]
    public async Task The_guard_retires_a_failing_canary_while_the_stable_version_keeps_serving()
    {
        var f = await ReleaseFixture.CreateAsync(publishBad: false);
        await f.Channels.PublishAsync("prod", "v1.5.0", 10, "ana", "gray 10 %");
        var guard = f.Guard();
        GuardDecision? decision = null;
        for (var i = 0; i < 6 && decision is null; i++)
        {
            // The stable version is healthy, the canary fails 20 % of its requests.
            Assert.Null(await guard.IngestAsync(ReleaseFixture.Requests(900, 1) with { Version = f.Good }));
            decision = await guard.IngestAsync(ReleaseFixture.Requests(100, 20) with { Version = f.Bad });
            f.Time.Advance(TimeSpan.FromSeconds(10));
        }
        Assert.NotNull(decision);
        Assert.Equal(GuardAction.CanaryRetired, decision.Action);
        Assert.Equal(f.Bad, decision.Version);
        var info = await f.Channels.GetAsync("prod");
        Assert.Equal((f.Good, (ObjectId?)null), (info.Head, info.Canary)); // stable untouched, canary gone
        var retire = await f.Channels.HistoryAsync("prod").FirstAsync();
        Assert.Equal(ReleaseChannels.CanaryRetireOperation, retire.Operation);
        Assert.Contains(retire.Details, d => d.Key == "Retired-Canary" && d.Value == f.Bad.ToString());
        Assert.Contains("error rate", retire.Reason);
        Assert.Equal("guard.canary-retired", (await f.Channels.GuardLogAsync("prod").FirstAsync()).Operation);

        // The stable version's own samples never counted against it: no rollback of the channel.
        for (var i = 0; i < 6; i++) Assert.NotEqual(GuardAction.RolledBack, (await guard.IngestAsync(ReleaseFixture.Requests(900, 1) with { Version = f.Good }))?.Action);
        Assert.Equal(f.Good, await f.HeadAsync());
    }

    [Fact]
    public async Task A_failing_stable_version_is_rolled_back_even_while_a_healthy_canary_runs()
    {
        var f = await ReleaseFixture.CreateAsync(); // stable v1.5.0 (bad), LKG v1.4.0
        await f.Channels.PublishAsync("prod", f.Third.ToString(), 10, "ana", "gray");
        var guard = f.Guard();
        GuardDecision? decision = null;
        for (var i = 0; i < 6 && decision is null; i++)
        {
            Assert.Null(await guard.IngestAsync(ReleaseFixture.Requests(100, 0) with { Version = f.Third }));
            decision = await guard.IngestAsync(ReleaseFixture.Requests(900, 90) with { Version = f.Bad });
            f.Time.Advance(TimeSpan.FromSeconds(10));
        }
        Assert.Equal(GuardAction.RolledBack, decision!.Action);
        Assert.Equal(f.Good, await f.HeadAsync());
    }
}
