using VersionStore.Conformance;
using VersionStore.S3;

namespace VersionStore.Composition.Tests;

/// <summary>The compositions <see cref="VersionStoreBuilder"/> produces, each one a preset over real parts.</summary>
public enum StoreComposition
{
    /// <summary>RocksDB alone: objects, refs and audit in one database.</summary>
    Embedded,

    /// <summary>A memory L1 over RocksDB.</summary>
    EmbeddedWithMemoryCache,

    /// <summary>RocksDB durable, S3 (s3rver) as the archive through the outbox and the archiver.</summary>
    EmbeddedWithArchive,

    /// <summary>Redis refs and hot cache, a local RocksDB warm cache and head cache (fail-static refs), S3 durable.</summary>
    DistributedWithLocalCache,

    /// <summary>Redis refs and hot cache, S3 durable, nothing local.</summary>
    Distributed,

    /// <summary>Everything: memory L1, Redis (refs, hot cache), local RocksDB (warm cache, head cache), S3 durable.</summary>
    DistributedWithMemoryAndLocalCache,

    /// <summary>As <see cref="DistributedWithLocalCache"/> on a 3-master Redis Cluster (every repository's keys in one slot).</summary>
    DistributedOnRedisClusterWithLocalCache,
}

/// <summary>
/// Opens a <see cref="StoreComposition"/> through the real builder, each in its own temp folder, Redis key prefix and S3
/// prefix, so every test (and every test class, in parallel) starts from empty stores.
/// </summary>
public sealed class CompositionHost : IAsyncDisposable
{
    /// <summary>The bucket of every composition test (one prefix per host).</summary>
    public const string Bucket = "vstore-composition-tests";

    private readonly TempDirectory _folder;

    private CompositionHost(StoreComposition composition, VersionStoreHost host, TempDirectory folder)
    {
        Composition = composition;
        Host = host;
        _folder = folder;
    }

    /// <summary>The composition.</summary>
    public StoreComposition Composition { get; }

    /// <summary>The opened store.</summary>
    public VersionStoreHost Host { get; }

    /// <summary>The builder for <paramref name="composition"/> (on the servers <c>./build/test.sh</c> starts) with a fresh folder and prefixes.</summary>
    /// <param name="composition">The preset.</param>
    /// <param name="store">Repository options (clock, limits), or the defaults.</param>
    /// <param name="shared">Names the Redis key prefix and S3 prefix: hosts built with the same value share them (processes of one deployment); null: fresh ones.</param>
    public static (VersionStoreBuilder Builder, TempDirectory Folder) Builder(StoreComposition composition, VersionStoreOptions? store = null, string? shared = null)
    {
        var folder = new TempDirectory("composition-" + composition);
        var unique = shared ?? Guid.NewGuid().ToString("N");
        var builder = new VersionStoreBuilder();
        if (store is not null) builder.Options.Store = store;
        var rocks = folder.Combine("db");
        switch (composition)
        {
            case StoreComposition.Embedded:
                builder.UseRocksDb(rocks);
                break;
            case StoreComposition.EmbeddedWithMemoryCache:
                builder.UseRocksDb(rocks).UseMemoryCache(8L * 1024 * 1024);
                break;
            case StoreComposition.EmbeddedWithArchive:
                builder.UseRocksDb(rocks).UseS3(S3("archive/" + unique));
                break;
            case StoreComposition.DistributedWithLocalCache:
                builder.UseRedis(Redis("local:" + unique)).UseS3(S3("durable-local/" + unique)).UseRocksDb(rocks);
                break;
            case StoreComposition.Distributed:
                builder.UseRedis(Redis("remote:" + unique)).UseS3(S3("durable/" + unique));
                break;
            case StoreComposition.DistributedWithMemoryAndLocalCache:
                builder.UseMemoryCache(8L * 1024 * 1024).UseRedis(Redis("full:" + unique)).UseS3(S3("durable-full/" + unique)).UseRocksDb(rocks);
                break;
            case StoreComposition.DistributedOnRedisClusterWithLocalCache:
                builder.UseRedis(Redis("cluster:" + unique, ServerEnvironment.RedisClusterConfiguration)).UseS3(S3("durable-cluster/" + unique)).UseRocksDb(rocks);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(composition), composition, null);
        }
        return (builder, folder);
    }

    /// <summary>Opens <paramref name="composition"/> and checks it is the preset it claims to be.</summary>
    public static async Task<CompositionHost> OpenAsync(StoreComposition composition, VersionStoreOptions? store = null, string? shared = null)
    {
        var (builder, folder) = Builder(composition, store, shared);
        VersionStoreHost host;
        try
        {
            host = await builder.BuildAsync();
        }
        catch
        {
            folder.Dispose();
            throw;
        }
        var opened = new CompositionHost(composition, host, folder);
        try
        {
            opened.CheckShape();
        }
        catch
        {
            await opened.DisposeAsync();
            throw;
        }
        return opened;
    }

    /// <summary>Opens <paramref name="composition"/>, blocking (for the synchronous store factories of the suites).</summary>
    public static CompositionHost Open(StoreComposition composition, VersionStoreOptions? store = null)
        => OpenAsync(composition, store).GetAwaiter().GetResult();

    private void CheckShape()
    {
        var expectedMode = Composition switch
        {
            StoreComposition.Embedded or StoreComposition.EmbeddedWithMemoryCache => DeploymentMode.Embedded,
            StoreComposition.EmbeddedWithArchive => DeploymentMode.EmbeddedWithArchive,
            _ => DeploymentMode.Distributed,
        };
        string[] expectedTiers = Composition switch
        {
            StoreComposition.Embedded => [],
            StoreComposition.EmbeddedWithMemoryCache => ["memory", "rocksdb"],
            StoreComposition.EmbeddedWithArchive => ["rocksdb", "s3"],
            StoreComposition.DistributedWithLocalCache or StoreComposition.DistributedOnRedisClusterWithLocalCache => ["redis", "rocksdb", "s3"],
            StoreComposition.DistributedWithMemoryAndLocalCache => ["memory", "redis", "rocksdb", "s3"],
            _ => ["redis", "s3"],
        };
        Check(Host.Mode == expectedMode, $"mode {Host.Mode}, expected {expectedMode}");
        Check((Host.Tiers?.Tiers.Select(t => t.Name) ?? []).SequenceEqual(expectedTiers),
            $"tiers [{string.Join(", ", Host.Tiers?.Tiers.Select(t => t.Name) ?? [])}], expected [{string.Join(", ", expectedTiers)}]");
        // The embedded modes keep the one-write commit whatever is layered on top (the capability is forwarded).
        if (expectedMode != DeploymentMode.Distributed)
            Check(Host.Objects is IAtomicCommitStore atomic && atomic.IsAtomicWith(Host.Refs), "the embedded commit is not one write");
        Check((Composition is StoreComposition.DistributedWithLocalCache or StoreComposition.DistributedWithMemoryAndLocalCache
                or StoreComposition.DistributedOnRedisClusterWithLocalCache) == Host.Refs is FailStaticRefStore,
            "fail-static refs exactly with a local store in distributed mode");
        Check((Composition == StoreComposition.EmbeddedWithArchive) == Host.Archiver is not null, "an archiver exactly in embedded mode with archive");
    }

    private static void Check(bool condition, string problem)
    {
        if (!condition) throw new InvalidOperationException("unexpected composition: " + problem);
    }

    /// <summary>
    /// Replaces (<paramref name="replacement"/>) or deletes (null) object <paramref name="id"/> in every tier, through each
    /// tier's own public surface (sweep or eviction, then a raw write): damage at rest, in every copy. The archiver is
    /// stopped and the outbox drained first, so no background copy brings a good one back.
    /// </summary>
    public async Task TamperAsync(ObjectId id, byte[]? replacement)
    {
        if (Host.Archiver is { } archiver)
        {
            await archiver.StopAsync();
            var run = await archiver.RunOnceAsync();
            if (!run.Succeeded) throw new InvalidOperationException("archiver run failed", run.Error);
        }
        IEnumerable<IObjectStore> stores = Host.Tiers?.Tiers.Select(t => t.Store) ?? [Host.Objects];
        foreach (var store in stores)
        {
            switch (store)
            {
                case ISweepableObjectStore sweepable:
                    await sweepable.DeleteObjectsAsync([id], new DateTimeOffset(3000, 1, 1, 0, 0, 0, TimeSpan.Zero));
                    break;
                case IObjectEviction eviction:
                    await eviction.TryEvictAsync(id);
                    break;
                default:
                    throw new InvalidOperationException($"cannot remove an object from {store.GetType().Name}");
            }
            if (await store.ContainsAsync(id)) throw new InvalidOperationException($"{store.GetType().Name} still holds {id} after the sweep");
            if (replacement is not null) await store.WriteAsync([new EncodedObject(id, replacement)]);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _folder.Dispose();
    }

    private static Action<RedisBackendOptions> Redis(string prefix, string? configuration = null) => o =>
    {
        o.Configuration = configuration ?? ServerEnvironment.RedisEndpoint;
        o.KeyPrefix = $"test:composition:{prefix}:";
        o.OperationTimeout = TimeSpan.FromSeconds(5);
        o.ConnectTimeout = TimeSpan.FromSeconds(5);
    };

    private static Action<S3PackStoreOptions> S3(string prefix) => o =>
    {
        o.ServiceUrl = ServerEnvironment.S3Endpoint.ToString().TrimEnd('/');
        o.BucketName = Bucket;
        o.Prefix = prefix;
        o.ForcePathStyle = o.S3CompatibleMode = o.CreateBucketIfMissing = true;
        o.AccessKey = ServerEnvironment.S3AccessKey;
        o.SecretKey = ServerEnvironment.S3SecretKey;
        o.Timeout = TimeSpan.FromSeconds(20);
    };
}
