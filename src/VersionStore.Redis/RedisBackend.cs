using StackExchange.Redis;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// The Redis hot tier: one connection (multiplexer) shared by a <see cref="RedisRefStore"/> and a
/// <see cref="RedisObjectCache"/>. Connecting succeeds even while Redis is down: calls then fail fast (refs throw
/// <see cref="BackendUnavailableException"/>, the cache misses) and recover by themselves once Redis is back.
/// </summary>
public sealed class RedisBackend : IAsyncDisposable, IDisposable
{
    private RedisBackend(ConnectionMultiplexer connection, RedisBackendOptions options)
    {
        Connection = connection;
        Options = options;
        Refs = new RedisRefStore(connection, options);
        Objects = new RedisObjectCache(connection, options);
        var logger = options.LoggerFactory.CreateLogger(RedisTelemetry.Name);
        connection.ConnectionFailed += (_, e) => RedisTelemetry.ConnectionFailed(logger, e.EndPoint?.ToString() ?? "(unknown)", e.FailureType.ToString(),
            e.Exception?.Message ?? e.FailureType.ToString());
        connection.ConnectionRestored += (_, e) => RedisTelemetry.ConnectionRestored(logger, e.EndPoint?.ToString() ?? "(unknown)");
    }

    /// <summary>The connection, for diagnostics or for sharing with other components.</summary>
    public IConnectionMultiplexer Connection { get; }

    /// <summary>The options in force.</summary>
    public RedisBackendOptions Options { get; }

    /// <summary>Refs and audit log.</summary>
    public RedisRefStore Refs { get; }

    /// <summary>Cache of immutable objects.</summary>
    public RedisObjectCache Objects { get; }

    /// <summary>Validates <paramref name="options"/> and connects (without failing when Redis is unreachable).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<RedisBackend> ConnectAsync(RedisBackendOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = options.BuildConfiguration();
        ConnectionMultiplexer connection;
        try
        {
            connection = await ConnectionMultiplexer.ConnectAsync(config).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisCall.IsUnavailable(e))
        {
            throw RedisCall.Unavailable("connecting", e);
        }
        return new RedisBackend(connection, options);
    }

    /// <summary>True while every configured endpoint is connected.</summary>
    public bool IsConnected => Connection.IsConnected;

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await Connection.DisposeAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public void Dispose() => Connection.Dispose();
}
