using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VersionStore.Benchmarks;

/// <summary>The Redis the read benchmarks use: <c>VSTORE_BENCH_REDIS</c> when set, else a redis-server started on a free loopback port and stopped (by its PID) on dispose.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process? _process;

    private RedisServer(string endpoint, Process? process)
    {
        Endpoint = endpoint;
        _process = process;
    }

    /// <summary>host:port.</summary>
    public string Endpoint { get; }

    /// <summary>Uses or starts a server.</summary>
    public static RedisServer Start()
    {
        var configured = Environment.GetEnvironmentVariable("VSTORE_BENCH_REDIS");
        if (!string.IsNullOrEmpty(configured)) return new RedisServer(configured, null);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var psi = new ProcessStartInfo("redis-server", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no"]) { UseShellExecute = false, RedirectStandardOutput = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                var server = new RedisServer($"127.0.0.1:{port}", process);
                // A GlobalSetup that throws after starting the server never reaches its cleanup: stop it at exit then.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
                return server;
            }
            catch (SocketException) { Thread.Sleep(25); }
        }
        process.Kill();
        throw new InvalidOperationException("redis-server did not start listening");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_process is null || Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { _process.Kill(); _process.WaitForExit(5000); }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private int _disposed;
}
