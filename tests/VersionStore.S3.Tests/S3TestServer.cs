using VersionStore.Conformance;

namespace VersionStore.S3.Tests;

/// <summary>
/// The s3rver that <c>./build/test.sh</c> starts (<c>VSTORE_TEST_S3_ENDPOINT</c>). Without it every integration
/// test fails with <see cref="ServerNotConfiguredException"/>: they never skip. Each store gets its own prefix
/// in one shared bucket, so tests are independent and can run in parallel.
/// </summary>
internal static class S3TestServer
{
    public const string Bucket = "vstore-s3-tests";

    public static Uri Endpoint => ServerEnvironment.S3Endpoint;

    /// <summary>Options for a fresh store under a new unique prefix (or <paramref name="prefix"/>).</summary>
    public static S3PackStoreOptions Options(string? prefix = null, string? serviceUrl = null) => new()
    {
        BucketName = Bucket,
        Prefix = prefix ?? NewPrefix(),
        ServiceUrl = serviceUrl ?? Endpoint.ToString().TrimEnd('/'),
        ForcePathStyle = true,
        S3CompatibleMode = true,
        AccessKey = ServerEnvironment.S3AccessKey,
        SecretKey = ServerEnvironment.S3SecretKey,
        CreateBucketIfMissing = true,
        Timeout = TimeSpan.FromSeconds(20),
    };

    public static string NewPrefix() => "t/" + Guid.NewGuid().ToString("N");

    /// <summary>A plain, unsigned HTTP client on the server (s3rver accepts anonymous requests): sees the bytes
    /// exactly as stored, with no SDK in between.</summary>
    public static async Task<byte[]> RawGetAsync(string key)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(Endpoint, $"/{Bucket}/{key}"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Overwrites an object with a plain PUT (to simulate corruption at rest).</summary>
    public static async Task RawPutAsync(string key, byte[] bytes)
    {
        using var http = new HttpClient();
        using var response = await http.PutAsync(new Uri(Endpoint, $"/{Bucket}/{key}"), new ByteArrayContent(bytes));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>True when a plain GET of <paramref name="key"/> answers 404.</summary>
    public static async Task<bool> RawMissingAsync(string key)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(Endpoint, $"/{Bucket}/{key}"));
        return response.StatusCode == System.Net.HttpStatusCode.NotFound;
    }
}
