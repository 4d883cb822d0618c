using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VersionStore.Conformance;

/// <summary>A private redis-server (VSTORE_TEST_REDIS_SERVER_BIN) on a fixed loopback port, stoppable by PID and restartable on the same port with its data (AOF, fsync always).</summary>
public sealed class RedisServerProcess : IDisposable
{
    private readonly TempDirectory _dir = new("redis-private");
    private Process? _process;

    /// <summary>Picks a free loopback port; the server starts with <see cref="StartAsync"/>.</summary>
    public RedisServerProcess()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        Port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The PID of the running server, or null.</summary>
    public int? Pid => _process?.Id;

    /// <summary>Starts (or restarts) the server on <see cref="Port"/>; <paramref name="keepData"/> false starts it empty (its AOF deleted).</summary>
    public async Task StartAsync(bool keepData = true)
    {
        if (!keepData)
            foreach (var entry in new DirectoryInfo(_dir.Path).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo d) d.Delete(recursive: true);
                else entry.Delete();
            }
        var info = new ProcessStartInfo(ServerEnvironment.RedisServerBinary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "yes", "--appendfsync", "always", "--dir", _dir.Path, "--daemonize", "no" })
            info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!await PingAsync())
        {
            if (_process.HasExited) throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException("redis-server did not answer PING");
            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server (SIGKILL, by the PID we started).</summary>
    public void Kill()
    {
        if (_process is null) return;
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var n = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill();
        _dir.Dispose();
    }
}

