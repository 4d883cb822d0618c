using VersionStore.S3;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VersionStore;

/// <summary>How a <see cref="VersionStoreHost"/> stores objects and refs.</summary>
public enum DeploymentMode
{
    /// <summary>RocksDB only: objects, refs, audit log in one local database (the zero-configuration default).</summary>
    Embedded = 1,

    /// <summary>RocksDB is durable for everything; objects are also copied asynchronously to S3 by the archiver (outbox).</summary>
    EmbeddedWithArchive = 2,

    /// <summary>N processes share Redis (refs, audit log, hot objects) and S3 (durable objects); each may keep a local RocksDB warm cache.</summary>
    Distributed = 3,
}

/// <summary>S3 settings of a <see cref="DistributedStoreOptions"/> (mapped to <see cref="S3PackStoreOptions"/>).</summary>
public sealed class S3Settings
{
    /// <summary>Bucket holding the packs.</summary>
    public string Bucket { get; set; } = "";
    /// <summary>Key prefix of this store inside the bucket.</summary>
    /// <value><c>"objects"</c>.</value>
    public string Prefix { get; set; } = "objects";
    /// <summary>Endpoint of an S3-compatible server; null for AWS. Setting it turns on path-style URLs and S3-compatible mode unless set otherwise.</summary>
    public string? ServiceUrl { get; set; }
    /// <summary>Region.</summary>
    /// <value><c>us-east-1</c>.</value>
    public string Region { get; set; } = "us-east-1";
    /// <summary>Access key (null: the SDK's default credential chain).</summary>
    public string? AccessKey { get; set; }
    /// <summary>Secret key.</summary>
    public string? SecretKey { get; set; }
    /// <summary>Path-style URLs (default: true when <see cref="ServiceUrl"/> is set).</summary>
    public bool? ForcePathStyle { get; set; }
    /// <summary>No aws-chunked uploads, checksums only when required (default: true when <see cref="ServiceUrl"/> is set).</summary>
    public bool? S3CompatibleMode { get; set; }
    /// <summary>Create the bucket on open.</summary>
    /// <value><c>false</c>.</value>
    public bool CreateBucketIfMissing { get; set; }
    /// <summary>Longest one S3 request may take.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>SDK retries per request.</summary>
    /// <value>2.</value>
    public int MaxErrorRetry { get; set; } = 2;

    internal S3PackStoreOptions ToStoreOptions(DeploymentMode mode, TimeProvider time) => new()
    {
        BucketName = Bucket,
        Prefix = Prefix,
        ServiceUrl = ServiceUrl,
        Region = Region,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        ForcePathStyle = ForcePathStyle ?? ServiceUrl is not null,
        S3CompatibleMode = S3CompatibleMode ?? ServiceUrl is not null,
        CreateBucketIfMissing = CreateBucketIfMissing,
        Timeout = Timeout,
        MaxErrorRetry = MaxErrorRetry,
        // Distributed: a ref read in Redis may name objects another process packed a moment ago; a miss must re-list.
        MissRefreshInterval = mode == DeploymentMode.Distributed ? TimeSpan.Zero : TimeSpan.FromSeconds(1),
        TimeProvider = time,
    };
}

/// <summary>
/// Everything <see cref="VersionStoreBuilder"/> needs to open a store, in any mode; loadable from JSON
/// (<see cref="FromJson"/>, <see cref="LoadAsync"/>). Every property has a documented default;
/// <see cref="Validate"/> reports every problem at once.
/// </summary>
/// <example>
/// <code>
/// { "mode": "distributed", "dataPath": "/var/lib/app/vstore",
///   "redis": "redis1:6379,redis2:6379", "s3": { "bucket": "vstore", "prefix": "prod" } }
/// </code>
/// </example>
public sealed class DistributedStoreOptions
{
    /// <summary>The mode; null infers it: Redis set → distributed, else S3 set → embedded with archive, else embedded.</summary>
    public DeploymentMode? Mode { get; set; }

    /// <summary>
    /// Folder of the local RocksDB database: the whole store in the embedded modes (required there), the warm cache and
    /// the remembered heads (fail-static reads) in distributed mode (optional: without it there is no fail-static read).
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>StackExchange.Redis configuration string (a standalone server or cluster masters). Required in distributed mode.</summary>
    public string? Redis { get; set; }

    /// <summary>Prefix of every Redis key.</summary>
    /// <value><c>"vstore:"</c>.</value>
    public string RedisKeyPrefix { get; set; } = "vstore:";

    /// <summary>Upper bound of each Redis operation.</summary>
    /// <value>2 seconds.</value>
    public TimeSpan RedisOperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Replicas that must acknowledge each ref update (Redis <c>WAIT</c>, invariant 8).</summary>
    /// <value>0.</value>
    public int RedisWaitForReplicas { get; set; }

    /// <summary>S3: durable tier in distributed mode, archive in embedded-with-archive mode.</summary>
    public S3Settings? S3 { get; set; }

    /// <summary>Bytes of the in-process object cache (L1, the hottest tier); 0 turns it off.</summary>
    /// <value>64 MiB.</value>
    public long MemoryCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>File of the archive outbox (embedded with archive).</summary>
    /// <value><c>null</c>: <c>&lt;DataPath&gt;.archive-outbox</c>, beside the database folder.</value>
    public string? OutboxPath { get; set; }

    /// <summary>Run the archiver loop in the background (embedded with archive).</summary>
    /// <value><c>true</c>.</value>
    public bool RunArchiver { get; set; } = true;

    /// <summary>Pause of the archiver after draining the outbox.</summary>
    /// <value>1 second.</value>
    public TimeSpan ArchiverPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>fsync the local database's WAL on every write (see the RocksDB backend's durability notes).</summary>
    /// <value><c>false</c>.</value>
    public bool SyncWrites { get; set; }

    /// <summary>Consecutive failures after which a non-durable tier is skipped.</summary>
    /// <value>3.</value>
    public int BreakerFailureThreshold { get; set; } = 3;

    /// <summary>How long a failing non-durable tier is skipped.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan BreakerCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Clock (not read from JSON).</summary>
    [JsonIgnore]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Logging (not read from JSON).</summary>
    [JsonIgnore]
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>The mode in force (<see cref="Mode"/> or the inferred one).</summary>
    public DeploymentMode EffectiveMode => Mode ?? (!string.IsNullOrWhiteSpace(Redis) ? DeploymentMode.Distributed
        : S3 is not null ? DeploymentMode.EmbeddedWithArchive : DeploymentMode.Embedded);

    internal string EffectiveOutboxPath => OutboxPath ?? Path.GetFullPath(DataPath!).TrimEnd('/', '\\') + ".archive-outbox";


    /// <summary>Reads options from JSON (property names case-insensitive, modes as strings, time spans as <c>"00:00:02"</c>).</summary>
    /// <exception cref="ArgumentException">The JSON is malformed.</exception>
    public static DistributedStoreOptions FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, VersionStore.Distributed.Internal.DistributedOptionsJson.Default.DistributedStoreOptions) ?? throw new ArgumentException("The configuration is empty (null).");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Invalid store configuration: {e.Message}", nameof(json), e);
        }
    }

    /// <summary>Reads options from a JSON file.</summary>
    public static async Task<DistributedStoreOptions> LoadAsync(string path, CancellationToken cancellationToken = default)
        => FromJson(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        var mode = EffectiveMode;
        if (!Enum.IsDefined(mode)) errors.Add($"{nameof(Mode)} is unknown");
        if (mode != DeploymentMode.Distributed && string.IsNullOrWhiteSpace(DataPath)) errors.Add($"{nameof(DataPath)} is required in mode {mode}");
        if (mode == DeploymentMode.Distributed && string.IsNullOrWhiteSpace(Redis)) errors.Add($"{nameof(Redis)} is required in distributed mode");
        if (mode != DeploymentMode.Embedded && S3 is null) errors.Add($"{nameof(S3)} is required in mode {mode}");
        if (mode == DeploymentMode.Embedded && (S3 is not null || !string.IsNullOrWhiteSpace(Redis))) errors.Add("embedded mode uses neither Redis nor S3; choose another mode");
        if (mode == DeploymentMode.EmbeddedWithArchive && !string.IsNullOrWhiteSpace(Redis)) errors.Add("embedded mode with archive does not use Redis");
        if (S3 is not null && string.IsNullOrWhiteSpace(S3.Bucket)) errors.Add("S3.Bucket is required");
        if (MemoryCacheBytes < 0) errors.Add($"{nameof(MemoryCacheBytes)} cannot be negative");
        if (ArchiverPollInterval <= TimeSpan.Zero) errors.Add($"{nameof(ArchiverPollInterval)} must be positive");
        if (BreakerFailureThreshold < 1) errors.Add($"{nameof(BreakerFailureThreshold)} must be at least 1");
        if (BreakerCooldown < TimeSpan.Zero) errors.Add($"{nameof(BreakerCooldown)} cannot be negative");
        if (RedisWaitForReplicas < 0) errors.Add($"{nameof(RedisWaitForReplicas)} cannot be negative");
        if (TimeProvider is null) errors.Add($"{nameof(TimeProvider)} is required");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        if (errors.Count > 0) throw new ArgumentException("Invalid DistributedStoreOptions: " + string.Join("; ", errors) + ".");
    }
}
