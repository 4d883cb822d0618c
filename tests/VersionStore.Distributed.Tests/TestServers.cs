using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using VersionStore.Conformance;
using VersionStore.S3;

namespace VersionStore.Distributed.Tests;

/// <summary>Where the shared servers are, and fresh names so tests never collide.</summary>
internal static class TestServers
{
    public const string Bucket = "vstore-distributed-tests";

    public static string S3Url => ServerEnvironment.S3Endpoint.ToString().TrimEnd('/');

    /// <summary>The test bucket on s3rver under <paramref name="prefix"/> (or through a proxy at <paramref name="url"/>).</summary>
    public static Action<S3PackStoreOptions> S3(string prefix, string? url = null) => o =>
    {
        o.ServiceUrl = url ?? S3Url;
        o.BucketName = Bucket;
        o.Prefix = prefix;
        o.ForcePathStyle = o.S3CompatibleMode = o.CreateBucketIfMissing = true;
        o.AccessKey = ServerEnvironment.S3AccessKey;
        o.SecretKey = ServerEnvironment.S3SecretKey;
        o.Timeout = TimeSpan.FromSeconds(3);
        o.MaxErrorRetry = 0;
    };

    /// <summary>Distributed mode on <paramref name="redis"/> and the test bucket, with a local RocksDB at <paramref name="dataPath"/> when given.</summary>
    public static VersionStoreBuilder Distributed(string redis, string keyPrefix, string s3Prefix, string? dataPath, Action<RedisBackendOptions>? redisOptions = null,
        Action<S3PackStoreOptions>? s3Options = null)
    {
        var builder = new VersionStoreBuilder();
        var s3 = S3(s3Prefix);
        builder.UseRedis(o => { o.Configuration = redis; o.KeyPrefix = keyPrefix; redisOptions?.Invoke(o); }).UseS3(o => { s3(o); s3Options?.Invoke(o); });
        if (dataPath is not null) builder.UseRocksDb(dataPath);
        return builder;
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Keys of a prefix in the test bucket (anonymous list on s3rver).</summary>
    public static async Task<List<string>> ListKeysAsync(string prefix)
    {
        using var http = new HttpClient();
        var xml = await http.GetStringAsync(new Uri($"{S3Url}/{Bucket}?list-type=2&prefix={Uri.EscapeDataString(prefix)}"));
        return [.. System.Xml.Linq.XDocument.Parse(xml).Descendants().Where(e => e.Name.LocalName == "Key").Select(e => e.Value)];
    }

    public static async Task<byte[]> RawGetAsync(string key)
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(new Uri($"{S3Url}/{Bucket}/{key}"));
    }

    public static async Task RawPutAsync(string key, byte[] bytes)
    {
        using var http = new HttpClient();
        using var response = await http.PutAsync(new Uri($"{S3Url}/{Bucket}/{key}"), new ByteArrayContent(bytes));
        response.EnsureSuccessStatusCode();
    }
}

/// <summary>
/// A TCP forwarder on a fixed loopback port in front of the shared s3rver: <see cref="Stop"/> closes the port and every
/// connection (S3 is down), <see cref="Start"/> opens the same port again (S3 is back).
/// </summary>
internal sealed class RestartableProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private readonly List<TcpClient> _connections = [];
    private Task? _accept;

    public RestartableProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        Port = TestServers.FreePort();
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        var listener = _listener;
        var token = _stop.Token;
        _accept = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(token); }
                catch (Exception) { return; }
                lock (_connections) _connections.Add(client);
                _ = ForwardAsync(client, token);
            }
        });
    }

    private async Task ForwardAsync(TcpClient client, CancellationToken token)
    {
        using var upstream = new TcpClient();
        lock (_connections) _connections.Add(upstream);
        try
        {
            await upstream.ConnectAsync(_target, token);
            await Task.WhenAny(PumpAsync(client.GetStream(), upstream.GetStream(), token), PumpAsync(upstream.GetStream(), client.GetStream(), token));
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

    private static async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var n = await from.ReadAsync(buffer, token);
            if (n == 0) return;
            await to.WriteAsync(buffer.AsMemory(0, n), token);
        }
    }

    public async Task StopAsync()
    {
        if (_stop is null) return;
        await _stop.CancelAsync();
        _listener!.Stop();
        lock (_connections)
        {
            foreach (var c in _connections) c.Dispose();
            _connections.Clear();
        }
        await _accept!;
        _stop.Dispose();
        _stop = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
