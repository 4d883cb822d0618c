using Microsoft.Extensions.Configuration;

namespace VersionStore.Cli;

/// <summary>
/// Composes the CLI's store with <see cref="VersionStoreBuilder"/> — the same path every application takes — from
/// the global options: the embedded RocksDB store at <c>--store</c> (default); with <c>--redis</c>/<c>--bucket</c>/<c>--s3-endpoint</c>
/// the tiered or distributed store whose local store is <c>--store</c>; with <c>--config FILE</c> a JSON file whose
/// sections are the backends' own options classes.
/// </summary>
internal static class StoreOpener
{
    /// <summary>Most table files a CLI call keeps open (opened on first use, not all at open; below the usual 1,024 descriptors).</summary>
    public const int CliMaxOpenFiles = 512;

    /// <summary>Default key prefix of the CLI's objects in the bucket.</summary>
    public const string DefaultS3Prefix = "objects";

    /// <summary>
    /// The builder for the global options (a command never creates an embedded store: that is <c>vstore init</c>).
    /// With <c>readOnly</c> (the command only reads) an embedded store without remote tiers opens read-only: no lock, nothing written.
    /// </summary>
    public static VersionStoreBuilder Compose(string path, IConfiguration? configuration, string? redis, string? s3Endpoint, string? bucket, Func<string, string?> variable,
        bool readOnly = false)
    {
        var builder = new VersionStoreBuilder();
        if (configuration is not null)
        {
            FromConfiguration(builder, configuration, variable);
            return builder;
        }
        var remote = redis is not null || s3Endpoint is not null || bucket is not null;
        builder.UseRocksDb(o =>
        {
            o.Path = path;
            o.CreateIfMissing = remote; // a command never creates an embedded store: that is 'vstore init'
            o.ReadOnly = readOnly && !remote;
            // A CLI call reads a handful of keys: open the table files it touches, not every table file of the store at
            // open (RocksDB's -1, right for a long-running process). Each CLI write leaves small table files behind in
            // the append-only families (audit, write times): 302 files after 150 commits, where opening all of them
            // cost `vstore repos` 77 ms instead of 62 (benchmarks/results/2026-12-02-session7/cli-writes-probe.sh).
            o.MaxOpenFiles = CliMaxOpenFiles;
        });
        if (!string.IsNullOrWhiteSpace(redis)) builder.UseRedis(redis);
        if (bucket is not null || s3Endpoint is not null)
        {
            builder.UseS3(o =>
            {
                o.BucketName = bucket ?? "";
                o.Prefix = DefaultS3Prefix;
                if (!string.IsNullOrWhiteSpace(s3Endpoint))
                {
                    o.ServiceUrl = s3Endpoint;
                    o.ForcePathStyle = o.S3CompatibleMode = true;
                }
                Credentials(o, variable);
            });
        }
        return builder;
    }

    /// <summary>The <c>--config</c> JSON file, read once per command.</summary>
    public static IConfiguration LoadConfiguration(string configFile)
        => new ConfigurationBuilder().AddJsonFile(configFile, optional: false, reloadOnChange: false).Build();

    /// <summary>The local RocksDB folder a <c>--config</c> file names (<c>rocksDb:path</c>), or null when it names none.</summary>
    public static string? ConfiguredLocalPath(IConfiguration configuration)
        => configuration["rocksDb:path"] is { Length: > 0 } p ? p : null;

    /// <summary>
    /// Maps a configuration (the <c>--config</c> JSON file) onto the builder: the root binds
    /// <see cref="VersionStoreBuilderOptions"/> (<c>mode</c>, <c>memoryCacheBytes</c>, breaker and archiver settings);
    /// the sections <c>rocksDb</c>, <c>redis</c> (an object or a configuration string) and <c>s3</c> bind
    /// <see cref="RocksDbBackendOptions"/>, <see cref="RedisBackendOptions"/> and <c>S3PackStoreOptions</c> directly.
    /// </summary>
    public static void FromConfiguration(IVersionStoreBuilder builder, IConfiguration configuration, Func<string, string?> variable)
    {
        builder.Configure(configuration);
        if (configuration.GetSection("rocksDb") is { } rocks && rocks.Exists()) builder.UseRocksDb(rocks);
        if (configuration.GetSection("redis") is { } redis && redis.Exists()) builder.UseRedis(redis);
        if (configuration.GetSection("s3") is { } s3 && s3.Exists())
        {
            // Credentials the file does not name come from the host: the CLI's environment, else the AWS SDK's chain.
            var hasKeys = s3["accessKey"] is not null;
            builder.UseS3(o =>
            {
                s3.Bind(o);
                if (!hasKeys) Credentials(o, variable);
            });
        }
    }

    // The CLI is the host: it hands the process's AWS keys to the store explicitly (the library never reads the
    // environment); without them the AWS SDK's default credential chain applies.
    private static void Credentials(VersionStore.S3.S3PackStoreOptions options, Func<string, string?> variable)
    {
        if (variable("AWS_ACCESS_KEY_ID") is { Length: > 0 } key && variable("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secret)
        {
            options.AccessKey = key;
            options.SecretKey = secret;
        }
    }
}
