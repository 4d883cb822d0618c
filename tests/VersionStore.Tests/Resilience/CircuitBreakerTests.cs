using Microsoft.Extensions.Time.Testing;
using VersionStore.Internal;

namespace VersionStore.Tests.Resilience;

public sealed class CircuitBreakerTests
{
    [Fact]
    public void Opens_after_the_threshold_stays_open_for_the_cooldown_and_a_failed_probe_reopens_it()
    {
        var clock = new FakeTimeProvider();
        var breaker = new CircuitBreaker(3, TimeSpan.FromSeconds(10), clock);
        Assert.False(breaker.RecordFailure());
        Assert.False(breaker.RecordFailure());
        breaker.RecordSuccess(); // resets the run
        breaker.RecordFailure();
        breaker.RecordFailure();
        Assert.True(breaker.AllowRequest());
        Assert.True(breaker.RecordFailure()); // the third in a row opens it
        Assert.True(breaker.IsOpen);
        Assert.False(breaker.AllowRequest());
        clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(breaker.AllowRequest());
        clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.True(breaker.AllowRequest());  // half-open: one probe
        Assert.False(breaker.AllowRequest()); // ... and only one
        Assert.False(breaker.RecordFailure()); // the failed probe re-opens (not a new opening from closed)
        Assert.False(breaker.AllowRequest());
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.True(breaker.AllowRequest());
        breaker.RecordSuccess();
        Assert.False(breaker.IsOpen);
        Assert.True(breaker.AllowRequest());
        Assert.Equal(2, breaker.OpenCount);
    }

    [Fact]
    public void A_late_failure_while_open_does_not_extend_the_cooldown()
    {
        var clock = new FakeTimeProvider();
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(10), clock);
        breaker.RecordFailure();
        clock.Advance(TimeSpan.FromSeconds(9));
        breaker.RecordFailure(); // a call that started before the breaker opened
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True(breaker.AllowRequest());
        Assert.Equal(1, breaker.OpenCount);
    }

    [Fact]
    public void The_threshold_is_at_least_one()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker(0, TimeSpan.FromSeconds(1), TimeProvider.System));
}
