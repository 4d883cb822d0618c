using System.Net;
using System.Net.Sockets;

namespace VersionStore.S3.Tests;

/// <summary>
/// A TCP forwarder on a loopback port in front of the test s3rver, so a test can take "the server" away without
/// touching the shared one: <see cref="Stall"/> keeps connections open but forwards nothing (a hung server),
/// <see cref="DisposeAsync"/> closes the port and every connection (a server that is down).
/// </summary>
internal sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _acceptLoop;
    private volatile bool _stalled;
    private int _disposed;

    public LoopbackProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>From now on, nothing is forwarded in either direction.</summary>
    public void Stall() => _stalled = true;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            lock (_connections) _connections.Add(client);
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        lock (_connections) _connections.Add(upstream);
        try
        {
            await upstream.ConnectAsync(_target, _stop.Token);
            await Task.WhenAny(PumpAsync(client.GetStream(), upstream.GetStream()), PumpAsync(upstream.GetStream(), client.GetStream()));
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

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReadAsync(buffer, _stop.Token);
            if (n == 0) return;
            if (_stalled) await Task.Delay(Timeout.Infinite, _stop.Token);
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
            foreach (var c in _connections) c.Dispose();
        await _acceptLoop;
        _stop.Dispose();
    }
}
