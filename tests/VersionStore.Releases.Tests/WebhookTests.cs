using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace VersionStore.Releases.Tests;

/// <summary>
/// Signed webhooks against a real HTTP receiver on loopback: every change once with a valid signature, delivery after
/// a receiver comes back, and a hanging receiver that does not slow a rollback.
/// </summary>
public sealed class WebhookTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Secret = "whsec-test-0123456789";

    private static WebhookOptions Options(Receiver receiver) => new()
    {
        Endpoints = [new WebhookEndpoint(receiver.Url, Secret)],
        Channels = [("support-bot", "prod")],
        FirstRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        AttemptTimeout = TimeSpan.FromMilliseconds(500),
        MaxAttempts = 100,
    };

    [Fact]
    public async Task A_receiver_gets_every_change_and_guard_decision_once_with_a_valid_signature()
    {
        var f = await ReleaseFixture.CreateAsync(publishBad: false);
        using var receiver = Receiver.Start();
        await using var notifier = await WebhookNotifier.StartAsync(f.Store, Options(receiver));

        await f.Channels.PublishAsync("prod", "v1.5.0", 10, "ana", "gray 10 %");
        await f.Channels.PublishAsync("prod", "v1.5.0", 50, "ana", "gray 50 %");
        await f.Channels.PromoteAsync("prod", "ana", "healthy");
        var guard = f.Guard();
        GuardDecision? decision = null;
        for (var i = 0; i < 6 && decision is null; i++) decision = await guard.IngestAsync(new HealthSample { Alert = "LLMOutputGarbled", AlertSeverity = AlertSeverity.Critical });
        Assert.Equal(GuardAction.RolledBack, decision!.Action);

        var received = await receiver.WaitForAsync(5);
        Assert.Equal(["channel.canary", "channel.canary", "channel.promote", "channel.rollback", "guard.decision"],
            received.OrderBy(r => r.Json.GetProperty("ref").GetString()).ThenBy(r => r.Json.GetProperty("sequence").GetInt64()).Select(r => r.Type));
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count()); // each once
        Assert.All(received, r => Assert.True(WebhookSignature.Verify(Secret, r.Timestamp, r.Body, r.Signature, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)), "signature"));
        Assert.False(WebhookSignature.Verify("another-secret-123456", received[0].Timestamp, received[0].Body, received[0].Signature, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var tampered = received[0].Body.ToArray();
        tampered[^2] ^= 1;
        Assert.False(WebhookSignature.Verify(Secret, received[0].Timestamp, tampered, received[0].Signature, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var rollback = received.Single(r => r.Type == "channel.rollback").Json;
        Assert.Equal((f.Good.ToString(), f.Bad.ToString()), (rollback.GetProperty("stable").GetString(), rollback.GetProperty("previous").GetString()));
        Assert.Contains("critical alert", rollback.GetProperty("reason").GetString());
        await Task.Delay(200);
        Assert.Equal(5, receiver.Received.Count); // nothing more, no duplicate
        Assert.All(notifier.Deliveries, d => Assert.True(d.Delivered));
    }

    [Fact]
    public async Task A_receiver_that_is_down_gets_the_change_after_it_returns()
    {
        var f = await ReleaseFixture.CreateAsync(publishBad: false);
        using var receiver = Receiver.Start();
        await using var notifier = await WebhookNotifier.StartAsync(f.Store, Options(receiver));
        receiver.Stop();
        await f.Channels.RollbackAsync("prod", f.Good.ToString(), "bad", "ops"); // already at target: no change
        await f.Channels.PublishAsync("prod", "v1.5.0", "ana", "release 1.5.0");
        await f.Channels.RollbackAsync("prod", "v1.4.0", "incident", "oncall");
        var sw = Stopwatch.StartNew();
        while (notifier.Deliveries.Count(d => !d.Delivered) < 3 && sw.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        Assert.True(notifier.Deliveries.Count(d => !d.Delivered) >= 3, "attempts against the stopped receiver should have failed");
        Assert.Empty(receiver.Received);

        receiver.Restart();
        var received = await receiver.WaitForAsync(2);
        Assert.Equal(["channel.publish", "channel.rollback"], received.Select(r => r.Type)); // in order
        Assert.Equal("incident", received[1].Json.GetProperty("reason").GetString());
        Assert.Contains(notifier.Deliveries, d => d.Delivered && d.Attempt > 1);
    }

    [Fact]
    public async Task A_hanging_receiver_does_not_slow_a_rollback()
    {
        var f = await ReleaseFixture.CreateAsync();
        async Task<double> MedianMoveAsync()
        {
            var times = new List<double>();
            for (var i = 0; i < 60; i++)
            {
                var sw = Stopwatch.StartNew();
                if (i % 2 == 0) await f.Channels.RollbackAsync("prod", "v1.4.0", "incident", "oncall");
                else await f.Channels.PublishAsync("prod", "v1.5.0", "ana", "again");
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            return times.Skip(10).Order().ElementAt(25);
        }
        var baseline = await MedianMoveAsync();
        using var receiver = Receiver.Start(hang: true);
        await using var notifier = await WebhookNotifier.StartAsync(f.Store, Options(receiver));
        await f.Channels.RollbackAsync("prod", "v1.4.0", "first", "oncall");
        var wait = Stopwatch.StartNew();
        while (receiver.Hanging == 0 && wait.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(10);
        Assert.True(receiver.Hanging > 0, "the receiver should be holding a request");
        var withHangingReceiver = await MedianMoveAsync(); // while the sender is stuck on the hanging receiver
        output.WriteLine($"channel move median: {baseline:0.000} ms without a notifier, {withHangingReceiver:0.000} ms with a notifier stuck on a hanging receiver ({receiver.Hanging} requests held)");
        Assert.True(withHangingReceiver <= 2 * baseline + 0.5, $"rollback median {withHangingReceiver:0.000} ms with a hanging receiver vs {baseline:0.000} ms without");
    }

    [Fact]
    public void Invalid_webhook_options_are_reported_together()
    {
        var e = Assert.Throws<ArgumentException>(() => new WebhookOptions { Endpoints = [new WebhookEndpoint(new Uri("ftp://x/"), "short")] }.Validate());
        Assert.Contains("http(s)", e.Message);
        Assert.Contains("16 characters", e.Message);
        Assert.Contains("Channels", e.Message);
    }

    private sealed record Request(string Id, string Type, string? Timestamp, string? Signature, byte[] Body, JsonElement Json);

    /// <summary>An HTTP receiver on a loopback port (HttpListener) that can be stopped, restarted on the same port, or made to hang.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly int _port;
        private readonly bool _hang;
        private readonly ConcurrentQueue<Request> _received = new();
        private HttpListener? _listener;
        private int _hanging;

        private Receiver(int port, bool hang)
        {
            _port = port;
            _hang = hang;
        }

        public Uri Url => new($"http://127.0.0.1:{_port}/hook/");

        public IReadOnlyList<Request> Received => [.. _received];

        public int Hanging => Volatile.Read(ref _hanging);

        public static Receiver Start(bool hang = false)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var r = new Receiver(port, hang);
            r.Restart();
            return r;
        }

        public void Restart()
        {
            var listener = new HttpListener();
            listener.Prefixes.Add(Url.ToString());
            listener.Start();
            _listener = listener;
            _ = Task.Run(() => LoopAsync(listener));
        }

        public void Stop()
        {
            _listener?.Abort();
            _listener = null;
        }

        private async Task LoopAsync(HttpListener listener)
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                if (_hang)
                {
                    Interlocked.Increment(ref _hanging); // never answered
                    continue;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var bytes = body.ToArray();
                _received.Enqueue(new Request(context.Request.Headers["X-VersionStore-Delivery"]!, context.Request.Headers["X-VersionStore-Event"]!,
                    context.Request.Headers[WebhookSignature.TimestampHeader], context.Request.Headers[WebhookSignature.SignatureHeader], bytes,
                    JsonDocument.Parse(bytes).RootElement.Clone()));
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        }

        public async Task<List<Request>> WaitForAsync(int count)
        {
            var sw = Stopwatch.StartNew();
            while (_received.Count < count)
            {
                if (sw.Elapsed > TimeSpan.FromSeconds(15)) throw new TimeoutException($"received {_received.Count} of {count}: {string.Join(", ", _received.Select(r => r.Type))}");
                await Task.Delay(10);
            }
            return [.. _received];
        }

        public void Dispose() => Stop();
    }
}
