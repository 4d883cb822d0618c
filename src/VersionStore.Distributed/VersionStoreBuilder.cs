using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// Opens a VersionStore in the mode its <see cref="DistributedStoreOptions"/> name:
/// <list type="table">
/// <item><term>embedded</term><description>[memory L1] → RocksDB (durable); refs in RocksDB.</description></item>
/// <item><term>embedded + archive</term><description>[memory L1] → RocksDB (durable) → S3 (archive, via a <see cref="FileOutbox"/> and the <see cref="ArchiverService"/>); refs in RocksDB.</description></item>
/// <item><term>distributed</term><description>[memory L1] → Redis (hot cache) → [local RocksDB warm cache] → S3 (durable); refs in Redis behind a <see cref="FailStaticRefStore"/> when a local database is configured.</description></item>
/// </list>
/// </summary>
public static class VersionStoreBuilder
{
    /// <summary>Options for the CLI's global options: <c>--store PATH</c>, <c>--redis CONFIG</c>, <c>--s3-endpoint URL</c>, <c>--bucket NAME</c>.</summary>
    /// <param name="dataPath">Local database folder (the whole store when embedded; the warm cache when distributed).</param>
    /// <param name="redis">Redis configuration; set → distributed mode.</param>
    /// <param name="s3Endpoint">S3-compatible endpoint; null with a bucket → AWS.</param>
    /// <param name="bucket">S3 bucket; set without Redis → embedded with archive.</param>
    /// <param name="s3Prefix">Key prefix in the bucket.</param>
    public static DistributedStoreOptions FromOptions(string? dataPath, string? redis = null, string? s3Endpoint = null, string? bucket = null, string? s3Prefix = null)
    {
        var options = new DistributedStoreOptions { DataPath = dataPath, Redis = string.IsNullOrWhiteSpace(redis) ? null : redis };
        if (!string.IsNullOrWhiteSpace(bucket) || !string.IsNullOrWhiteSpace(s3Endpoint))
        {
            options.S3 = new S3Settings
            {
                Bucket = bucket ?? "",
                ServiceUrl = string.IsNullOrWhiteSpace(s3Endpoint) ? null : s3Endpoint,
                Prefix = string.IsNullOrWhiteSpace(s3Prefix) ? "objects" : s3Prefix,
                AccessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"),
                SecretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"),
            };
        }
        return options;
    }

    /// <summary>Loads options from a JSON file and opens the store.</summary>
    public static async Task<VersionStoreHost> OpenFromFileAsync(string configPath, CancellationToken cancellationToken = default)
        => await OpenAsync(await DistributedStoreOptions.LoadAsync(configPath, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Opens the store. Redis and S3 may be down: the host starts, and calls that need them fail or fall back until they return.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="BackendUnavailableException">The local database cannot be opened.</exception>
    public static async Task<VersionStoreHost> OpenAsync(DistributedStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var mode = options.EffectiveMode;
        var owned = new List<object>();
        try
        {
            RocksDbBackend? local = null;
            if (!string.IsNullOrWhiteSpace(options.DataPath))
            {
                local = RocksDbBackend.Open(new RocksDbBackendOptions { Path = options.DataPath, SyncWrites = options.SyncWrites, TimeProvider = options.TimeProvider });
                owned.Add(local);
            }
            var tiers = new List<StorageTier>();
            if (options.MemoryCacheBytes > 0)
                tiers.Add(new StorageTier("memory", new MemoryCacheTier(options.MemoryCacheBytes, options.TimeProvider), TierRole.Cache));

            LazyS3Store? s3 = null;
            if (options.S3 is not null)
            {
                s3 = new LazyS3Store(options.S3.ToStoreOptions(mode, options.TimeProvider));
                owned.Add(s3);
            }

            RedisBackend? redis = null;
            IRefStore refs;
            IOutbox? outbox = null;
            switch (mode)
            {
                case DeploymentMode.Embedded:
                    tiers.Add(new StorageTier("rocksdb", local!, TierRole.Durable));
                    refs = local!;
                    break;
                case DeploymentMode.EmbeddedWithArchive:
                    tiers.Add(new StorageTier("rocksdb", local!, TierRole.Durable));
                    tiers.Add(new StorageTier("s3", s3!, TierRole.Archive));
                    var file = FileOutbox.Open(options.EffectiveOutboxPath, syncWrites: true);
                    owned.Add(file);
                    outbox = file;
                    refs = local!;
                    break;
                default:
                    redis = await RedisBackend.ConnectAsync(new RedisBackendOptions
                    {
                        Configuration = options.Redis!,
                        KeyPrefix = options.RedisKeyPrefix,
                        OperationTimeout = options.RedisOperationTimeout,
                        WaitForReplicas = options.RedisWaitForReplicas,
                        BreakerFailureThreshold = options.BreakerFailureThreshold,
                        BreakerCooldown = options.BreakerCooldown,
                        TimeProvider = options.TimeProvider,
                    }, cancellationToken).ConfigureAwait(false);
                    owned.Add(redis);
                    tiers.Add(new StorageTier("redis", redis.Objects, TierRole.Cache));
                    if (local is not null) tiers.Add(new StorageTier("rocksdb", local, TierRole.Cache));
                    tiers.Add(new StorageTier("s3", s3!, TierRole.Durable));
                    refs = local is null ? redis.Refs : new FailStaticRefStore(redis.Refs, local, options.TimeProvider, options.LoggerFactory);
                    break;
            }

            var tiered = new TieredObjectStore(new TieredObjectStoreOptions
            {
                Tiers = tiers,
                ArchiveOutbox = outbox,
                BreakerFailureThreshold = options.BreakerFailureThreshold,
                BreakerCooldown = options.BreakerCooldown,
                TimeProvider = options.TimeProvider,
                LoggerFactory = options.LoggerFactory,
            });
            ArchiverService? archiver = null;
            if (outbox is not null)
            {
                archiver = new ArchiverService(tiered, new ArchiverOptions { PollInterval = options.ArchiverPollInterval });
                if (options.RunArchiver) archiver.Start();
            }
            var store = new RepositoryStore(tiered, refs, new VersionStoreOptions { TimeProvider = options.TimeProvider, LoggerFactory = options.LoggerFactory });
            return new VersionStoreHost(mode, store, tiered, refs, local, redis, () => s3?.Opened, archiver, outbox, owned);
        }
        catch
        {
            for (var i = owned.Count - 1; i >= 0; i--)
            {
                switch (owned[i])
                {
                    case IAsyncDisposable a: await a.DisposeAsync().ConfigureAwait(false); break;
                    case IDisposable d: d.Dispose(); break;
                }
            }
            throw;
        }
    }
}
