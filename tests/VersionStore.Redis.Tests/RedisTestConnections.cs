using StackExchange.Redis;
using VersionStore.Conformance;

namespace VersionStore.Redis.Tests;

/// <summary>
/// Connections to the servers started by ./build/test.sh (found through <see cref="ServerEnvironment"/>; a missing
/// server makes the test fail, never skip). One multiplexer per server is shared by the whole assembly; every store
/// gets its own key prefix, so tests running in parallel never see each other's keys.
/// </summary>
internal static class RedisTestConnections
{
    private static readonly Lazy<ConnectionMultiplexer> StandaloneConnection = new(() => Connect(ServerEnvironment.RedisEndpoint));
    private static readonly Lazy<ConnectionMultiplexer> ClusterConnection = new(() => Connect(ServerEnvironment.RedisClusterConfiguration));

    public static ConnectionMultiplexer Standalone => StandaloneConnection.Value;

    public static ConnectionMultiplexer Cluster => ClusterConnection.Value;

    public static string UniquePrefix(string purpose) => $"test:{purpose}:{Guid.NewGuid():N}:";

    public static RedisBackendOptions Options(string configuration, string purpose) => new()
    {
        Configuration = configuration,
        KeyPrefix = UniquePrefix(purpose),
        OperationTimeout = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    private static ConnectionMultiplexer Connect(string configuration)
    {
        var config = Options(configuration, "connect").BuildConfiguration();
        var connection = ConnectionMultiplexer.Connect(config);
        if (!connection.IsConnected)
            throw new InvalidOperationException($"Redis test server(s) at {configuration} are not reachable (started by ./build/test.sh?).");
        return connection;
    }
}
