using System.Net;
using System.Net.Sockets;

namespace VersionStore.Benchmarks;

/// <summary>
/// A loopback TCP forwarder that adds a fixed latency to every request: the first bytes a client sends after the
/// server last answered (the start of a new HTTP request on a kept-alive connection, or a new connection) are held
/// for <c>delay</c> before they are forwarded — a stand-in for the round trip to a remote S3 region. The same
/// idea as the S3 tests' LoopbackProxy (which stalls or closes connections), with a delay instead.
/// </summary>
public sealed class DelayingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _acceptLoop;
    private long _delayedRequests;

    /// <summary>Starts forwarding to <paramref name="target"/>.</summary>
    public DelayingProxy(Uri target, TimeSpan delay)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _delay = delay;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary>The proxy's URL.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Requests delayed so far.</summary>
    public long DelayedRequests => Interlocked.Read(ref _delayedRequests);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            client.NoDelay = true;
            lock (_connections) _connections.Add(client);
            _ = ForwardAsync(client);
        }
    }

    private sealed class Turn
    {
        public volatile bool ServerAnswered = true;
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var upstream = new TcpClient { NoDelay = true };
        lock (_connections) _connections.Add(upstream);
        try
        {
            await upstream.ConnectAsync(_target, _stop.Token);
            var turn = new Turn();
            await Task.WhenAny(
                PumpAsync(client.GetStream(), upstream.GetStream(), turn, request: true),
                PumpAsync(upstream.GetStream(), client.GetStream(), turn, request: false));
        }
        catch (Exception)
        {
            // a closed connection ends the pump
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, Turn turn, bool request)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await from.ReadAsync(buffer, _stop.Token);
            if (n == 0) return;
            if (request && turn.ServerAnswered)
            {
                turn.ServerAnswered = false;
                Interlocked.Increment(ref _delayedRequests);
                if (_delay > TimeSpan.Zero) await Task.Delay(_delay, _stop.Token);
            }
            else if (!request)
            {
                turn.ServerAnswered = true;
            }
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
            foreach (var c in _connections) c.Dispose();
        await _acceptLoop;
        _stop.Dispose();
    }
}
