using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VersionStore.Conformance;

namespace VersionStore.Redis.Tests;

/// <summary>
/// A redis-server process this test owns (binary from <see cref="ServerEnvironment.RedisServerBinary"/>), on a free
/// loopback port, so it can be killed and restarted. Readiness is read from the server's own log lines, not polled.
/// Stopped by its PID only.
/// </summary>
internal sealed class PrivateRedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly string[] _extraArgs;
    private readonly string _directory = Directory.CreateTempSubdirectory("vstore-redis-").FullName;
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];
    private Process? _process;

    private PrivateRedisServer(int port, string[] extraArgs)
    {
        Port = port;
        _extraArgs = extraArgs;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<PrivateRedisServer> StartAsync(params string[] extraArgs)
    {
        var server = new PrivateRedisServer(FreePort(), extraArgs);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the process (again, on the same port) and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("already running");
        lock (_lock) _lines.Clear();
        var ready = WaitForLogAsync("Ready to accept connections");
        var info = new ProcessStartInfo(ServerEnvironment.RedisServerBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no" })
            info.ArgumentList.Add(a);
        foreach (var a in _extraArgs) info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await ready.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            string log;
            lock (_lock) log = string.Join('\n', _lines);
            throw new InvalidOperationException($"redis-server on port {Port} did not become ready:\n{log}");
        }
    }

    /// <summary>Completes when the server's log shows <paramref name="text"/> (from the current start on).</summary>
    public Task WaitForLogAsync(string text)
    {
        lock (_lock)
        {
            if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal))) return Task.CompletedTask;
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, tcs));
            return tcs.Task;
        }
    }

    /// <summary>kill -9 by PID, and wait for the process to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } p || p.HasExited) return;
        p.Kill(entireProcessTree: false);
        await p.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lock)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!line.Contains(_waiters[i].Text, StringComparison.Ordinal)) continue;
                _waiters[i].Seen.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
