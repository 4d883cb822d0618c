namespace VersionStore.Conformance;

/// <summary>
/// Where the integration tests find the servers that <c>./build/test.sh</c> starts on loopback ports.
/// A missing variable throws <see cref="ServerNotConfiguredException"/>: server tests FAIL, they never skip.
/// </summary>
public static class ServerEnvironment
{
    /// <summary>Environment variable naming the standalone Redis server (<c>host:port</c>).</summary>
    public const string RedisVariable = "VSTORE_TEST_REDIS";

    /// <summary>Environment variable naming the Redis Cluster masters (<c>host:port,host:port,...</c>).</summary>
    public const string RedisClusterVariable = "VSTORE_TEST_REDIS_CLUSTER";

    /// <summary>Environment variable naming the S3-compatible endpoint (<c>http://host:port</c>, s3rver).</summary>
    public const string S3EndpointVariable = "VSTORE_TEST_S3_ENDPOINT";

    /// <summary>Environment variable naming the <c>redis-server</c> binary, for tests that run (and kill) their own server.</summary>
    public const string RedisServerBinaryVariable = "VSTORE_TEST_REDIS_SERVER_BIN";

    /// <summary>Access key accepted by s3rver.</summary>
    public const string S3AccessKey = "S3RVER";

    /// <summary>Secret key accepted by s3rver.</summary>
    public const string S3SecretKey = "S3RVER";

    /// <summary>The standalone Redis server, <c>127.0.0.1:port</c>.</summary>
    public static string RedisEndpoint => Require(RedisVariable, "Redis test server");

    /// <summary>The Redis Cluster masters as one StackExchange.Redis configuration string (<c>a:p1,b:p2,c:p3</c>).</summary>
    public static string RedisClusterConfiguration => Require(RedisClusterVariable, "Redis Cluster test servers");

    /// <summary>The Redis Cluster masters, one <c>host:port</c> each.</summary>
    public static IReadOnlyList<string> RedisClusterEndpoints =>
        RedisClusterConfiguration.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The S3-compatible endpoint (s3rver), e.g. <c>http://127.0.0.1:port</c>.</summary>
    public static Uri S3Endpoint => new(Require(S3EndpointVariable, "S3 test server"), UriKind.Absolute);

    /// <summary>Path of the <c>redis-server</c> binary for fault tests that start and stop a private server.</summary>
    public static string RedisServerBinary => Require(RedisServerBinaryVariable, "redis-server binary");

    /// <summary>True when running under CI (<c>CI=true</c>).</summary>
    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string Require(string variable, string what)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ServerNotConfiguredException(
                $"{what} not configured: run ./build/test.sh (environment variable {variable} is not set).");
        }
        return value.Trim();
    }
}

/// <summary>Thrown when a test needs a server that the test command did not configure.</summary>
public sealed class ServerNotConfiguredException(string message) : Exception(message);
