using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VersionStore.Benchmarks;

/// <summary>
/// The S3-compatible server of the cold-read benchmark: <c>VSTORE_BENCH_S3</c> (a URL) when set, else the pinned
/// s3rver of <c>tools/s3rver</c> started on a free loopback port over a temporary folder and stopped (by its PID)
/// on dispose. Credentials: S3RVER / S3RVER.
/// </summary>
public sealed class S3Server : IDisposable
{
    private readonly Process? _process;
    private readonly TempDirectory? _folder;
    private int _disposed;

    private S3Server(Uri endpoint, Process? process, TempDirectory? folder)
    {
        Endpoint = endpoint;
        _process = process;
        _folder = folder;
    }

    /// <summary>Base URL of the server.</summary>
    public Uri Endpoint { get; }

    private static readonly Lock SharedLock = new();
    private static S3Server? s_shared;

    /// <summary>One server for the whole process (every cold-read case), stopped when the process exits.</summary>
    public static S3Server Shared()
    {
        lock (SharedLock)
        {
            if (s_shared is not null) return s_shared;
            var server = Start();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
            return s_shared = server;
        }
    }

    /// <summary>Uses or starts a server.</summary>
    public static S3Server Start()
    {
        var configured = Environment.GetEnvironmentVariable("VSTORE_BENCH_S3");
        if (!string.IsNullOrEmpty(configured)) return new S3Server(new Uri(configured), null, null);
        var script = Path.Combine(RepositoryRoot(), "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script)) throw new FileNotFoundException($"s3rver is not installed: run 'npm ci' in tools/s3rver ({script} missing).");
        var port = FreePort();
        var folder = new TempDirectory("s3rver");
        var psi = new ProcessStartInfo("node", [script, "--directory", folder.Path, "--address", "127.0.0.1",
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent"])
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // Without the legacy provider, ListObjectsV2 paging fails with a 500 on current Node.js (the goals).
        psi.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start node (s3rver)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 400; i++)
        {
            if (process.HasExited) break;
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                return new S3Server(new Uri($"http://127.0.0.1:{port}"), process, folder);
            }
            catch (SocketException) { Thread.Sleep(25); }
        }
        if (!process.HasExited) process.Kill();
        process.Dispose();
        folder.Dispose();
        throw new InvalidOperationException("s3rver did not start listening");
    }

    /// <summary>A free loopback TCP port (probed by binding port 0).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "tools", "s3rver", "package.json"))) return dir.FullName;
        // Built under VSTORE_ARTIFACTS: the binary is outside the tree; the project folder is known at build time.
        return Path.GetFullPath(Path.Combine(ThisFolder(), "..", ".."));
    }

    private static string ThisFolder([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_process is not null)
        {
            try { _process.Kill(); _process.WaitForExit(5000); }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
        _folder?.Dispose();
    }
}
