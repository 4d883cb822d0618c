using VersionStore.Conformance;
using Microsoft.Extensions.Time.Testing;

namespace VersionStore.Tests.Operations;

/// <summary>
/// <see cref="Repository.WatchAsync"/> never rests on a stale value: a lost notice is caught by the next notice's
/// sequence gap, by a feed gap (reconnect/failover) at once, or by the jittered safety poll within its bound; store
/// failures are retried with back-off; a store without a feed is polled. Time is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class WatchTests
{
    private static readonly RefName Prod = RefName.Channel("prod");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));

    private static ObjectId Version(int n) => ObjectId.Compute(System.Text.Encoding.UTF8.GetBytes("version " + n));

    private (ChaosStore Refs, Repository Repo) NewStore(bool withFeed = true)
    {
        var refs = ChaosStore.Wrap(new InMemoryRefStore(), "test");
        var store = new RepositoryStore(new InMemoryObjectStore(), withFeed ? refs : new RefStoreWithoutFeed(refs), new VersionStoreOptions { TimeProvider = _clock });
        return (refs, store.GetRepository("support-bot"));
    }

    private RefWatchOptions Options => new() { TimeProvider = _clock, JitterSeed = 7 };

    private async Task<RefState?> MoveAsync(IRefStore refs, int version)
    {
        var current = await refs.TryGetRefAsync("support-bot", Prod);
        var entry = new AuditEntry(Prod, (current?.Sequence ?? 0) + 1, current?.Target, Version(version), "publish", "ops", _clock.GetUtcNow(), null, current?.AuditHash ?? ObjectId.Zero);
        Assert.True(await refs.TryUpdateRefAsync(new RefUpdate("support-bot", current, entry)));
        return new RefState(entry.New, entry.Sequence, entry.Hash);
    }

    /// <summary>Steps the fake clock one second at a time until <paramref name="next"/> completes; returns the simulated seconds it took.</summary>
    private async Task<int> StepUntilAsync(Task<bool> next, int maxSeconds)
    {
        for (var s = 0; s <= maxSeconds; s++)
        {
            for (var spin = 0; spin < 20 && !next.IsCompleted; spin++) await Task.Delay(2);
            if (next.IsCompleted) return s;
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        throw new TimeoutException($"no change reported within {maxSeconds} simulated seconds");
    }

    [Fact]
    public async Task A_notice_next_in_sequence_is_reported_without_a_read_and_a_lost_one_is_caught_by_the_next_notices_gap()
    {
        var (refs, repo) = NewStore();
        await MoveAsync(refs, 1);
        await using var watch = repo.WatchAsync(Prod, Options).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((RefChangeSource.Initial, 1L), (watch.Current.Source, watch.Current.Sequence));

        var readsBefore = refs.Calls(ChaosOperation.GetRef);
        await MoveAsync(refs, 2);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((RefChangeSource.Notice, 2L, Version(2)), (watch.Current.Source, watch.Current.Sequence, watch.Current.Target));
        Assert.Equal(readsBefore + 1, refs.Calls(ChaosOperation.GetRef)); // only the MoveAsync helper's own read

        refs.Fail(ChaosOperation.Notify);
        await MoveAsync(refs, 3); // notice lost
        refs.Heal(ChaosOperation.Notify);
        await MoveAsync(refs, 4); // sequence 4 after 2: a gap
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((RefChangeSource.Reconciled, 4L, Version(4)), (watch.Current.Source, watch.Current.Sequence, watch.Current.Target));
        Assert.Equal("publish", watch.Current.Entry!.Operation);
    }

    [Fact]
    public async Task A_feed_gap_such_as_a_reconnect_makes_the_watch_read_the_ref_at_once()
    {
        var (refs, repo) = NewStore();
        await MoveAsync(refs, 1);
        await using var watch = repo.WatchAsync(Prod, Options).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        refs.Fail(ChaosOperation.Notify);
        await MoveAsync(refs, 2);
        await MoveAsync(refs, 3);
        var next = watch.MoveNextAsync().AsTask();
        refs.AnnounceGap("subscription connection restored");
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(5))); // no simulated time passed
        Assert.Equal((RefChangeSource.Reconciled, 3L), (watch.Current.Source, watch.Current.Sequence));
    }

    [Fact]
    public async Task A_silently_lost_notice_is_caught_by_the_safety_poll_within_its_jittered_bound()
    {
        var (refs, repo) = NewStore();
        await MoveAsync(refs, 1);
        var options = Options;
        await using var watch = repo.WatchAsync(Prod, options).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        refs.Fail(ChaosOperation.Notify);
        await MoveAsync(refs, 2);
        var seconds = await StepUntilAsync(watch.MoveNextAsync().AsTask(), 30);
        Assert.InRange(seconds, 8, 13); // 10 s ± 20 % (+1 s step)
        Assert.Equal((RefChangeSource.Reconciled, Version(2)), (watch.Current.Source, watch.Current.Target));
    }

    [Fact]
    public async Task Store_failures_never_end_the_watch_they_are_retried_with_back_off()
    {
        var (refs, repo) = NewStore();
        await MoveAsync(refs, 1);
        await using var watch = repo.WatchAsync(Prod, Options).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        refs.Fail(ChaosOperation.Notify);
        await MoveAsync(refs, 2);
        refs.Fail(ChaosOperation.GetRef);
        var next = watch.MoveNextAsync().AsTask();
        refs.AnnounceGap("failover");
        for (var i = 0; i < 20; i++) await Task.Delay(2);
        Assert.False(next.IsCompleted); // the read failed; nothing to report, but the stream goes on
        Assert.True(refs.Failures(ChaosOperation.GetRef) > 0);
        _clock.Advance(TimeSpan.FromSeconds(3)); // 250 ms, 500 ms, 1 s, 2 s back-off: several more failures
        for (var i = 0; i < 20; i++) await Task.Delay(2);
        refs.Heal(ChaosOperation.GetRef);
        var seconds = await StepUntilAsync(next, 12);
        Assert.InRange(seconds, 0, 10);
        Assert.Equal(Version(2), watch.Current.Target);
    }

    [Fact]
    public async Task Without_a_change_feed_the_ref_is_polled_at_the_fallback_interval()
    {
        var (refs, repo) = NewStore(withFeed: false);
        await MoveAsync(refs, 1);
        await using var watch = repo.WatchAsync(Prod, Options).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        await MoveAsync(refs, 2);
        var seconds = await StepUntilAsync(watch.MoveNextAsync().AsTask(), 5);
        Assert.InRange(seconds, 1, 2); // 1 s ± 20 %
        Assert.Equal(RefChangeSource.Reconciled, watch.Current.Source);
    }

    [Fact]
    public async Task A_watch_of_a_ref_that_does_not_exist_yet_reports_it_when_it_is_created()
    {
        var (refs, repo) = NewStore();
        await using var watch = repo.WatchAsync(Prod, Options).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((0L, (ObjectId?)null), (watch.Current.Sequence, watch.Current.Target));
        await MoveAsync(refs, 1);
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(Version(1), watch.Current.Target);
    }

    [Fact]
    public void Invalid_watch_options_are_reported_together()
    {
        var e = Assert.Throws<ArgumentException>(() => new RefWatchOptions { SafetyPollInterval = TimeSpan.Zero, PollJitter = 1.5 }.Validate());
        Assert.Contains("SafetyPollInterval", e.Message);
        Assert.Contains("PollJitter", e.Message);
    }
}
