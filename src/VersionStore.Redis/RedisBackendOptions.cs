using StackExchange.Redis;

namespace VersionStore;

/// <summary>
/// Options of a <see cref="RedisBackend"/> (and of <see cref="RedisRefStore"/> and <see cref="RedisObjectCache"/>
/// built on a caller's connection). Every property has a documented default; <see cref="Validate"/> reports every
/// problem at once.
/// </summary>
public sealed class RedisBackendOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. <c>redis1:6379,redis2:6379,password=…</c>. Ignored when <see cref="UseConfigurationOptions"/> gave a full configuration.</summary>
    /// <value><c>""</c>; one of this or <see cref="UseConfigurationOptions"/> is required by <see cref="RedisBackend.ConnectAsync"/>.</value>
    public string Configuration { get; set; } = "";

    /// <summary>
    /// Uses a full StackExchange.Redis configuration (TLS, credentials, endpoints) instead of <see cref="Configuration"/>.
    /// A clone is used: its timeouts are replaced by <see cref="ConnectTimeout"/> and <see cref="OperationTimeout"/>,
    /// <c>AbortOnConnectFail</c> is forced off (the backend starts and recovers while Redis is down) and the backlog
    /// policy is fail-fast (no command waits for a reconnect). A method rather than a property, so binding these options
    /// from <c>IConfiguration</c> (source-generated, NativeAOT-safe) never walks StackExchange.Redis's own options type.
    /// </summary>
    /// <param name="configuration">The configuration to clone.</param>
    /// <returns>These options.</returns>
    public RedisBackendOptions UseConfigurationOptions(ConfigurationOptions configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configurationOptions = configuration;
        return this;
    }

    private ConfigurationOptions? _configurationOptions;

    /// <summary>The configuration given to <see cref="UseConfigurationOptions"/>, or null.</summary>
    internal ConfigurationOptions? FullConfiguration() => _configurationOptions;

    /// <summary>
    /// Prefix of every key and channel this backend uses, so several stores can share one Redis. Letters, digits and
    /// <c>. _ - : /</c> only (never a hash-tag brace or a glob character), at most 64 characters.
    /// </summary>
    /// <value><c>"vstore:"</c>.</value>
    public string KeyPrefix { get; set; } = "vstore:";

    /// <summary>
    /// How long opening the backend waits for the first connection. Redis being down never fails the open (the client
    /// keeps reconnecting in the background and calls fail fast until it is back), so this only bounds how long a
    /// process that starts while Redis is down waits before it serves fail-static reads and fails writes — an operator's
    /// CLI call during an incident pays it once per command.
    /// </summary>
    /// <value>2 seconds (a shorter bound fails the first calls of a process that connects slowly under load).</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Upper bound of every operation: after it a call throws <see cref="BackendUnavailableException"/> (ref store) or
    /// reports a miss (object cache). Between 10 ms and 5 minutes.
    /// </summary>
    /// <value>2 seconds.</value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Expiry of cached objects; <c>null</c> keeps them until Redis evicts them (set a <c>maxmemory-policy</c>).</summary>
    /// <value>24 hours.</value>
    public TimeSpan? ObjectTimeToLive { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Objects larger than this many bytes are not cached (they are still served by the other tiers).</summary>
    /// <value>1 MiB.</value>
    public int MaxCachedObjectBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Replicas that must acknowledge each ref update (Redis <c>WAIT</c>) before it is reported as done. Redis replicates
    /// asynchronously: with 0, an update acknowledged by the primary can be lost when a replica that had not yet received
    /// it is promoted (design invariant 8). With N &gt; 0 an update that fewer than N replicas confirm within
    /// <see cref="WaitForReplicasTimeout"/> throws <see cref="BackendUnavailableException"/> — the primary has applied it,
    /// so re-read the ref to learn the outcome.
    /// </summary>
    /// <value>0 (no waiting: fastest, but a failover can undo an acknowledged update).</value>
    public int WaitForReplicas { get; set; }

    /// <summary>How long a ref update waits for <see cref="WaitForReplicas"/> acknowledgements; must be below <see cref="OperationTimeout"/>.</summary>
    /// <value>500 ms.</value>
    public TimeSpan WaitForReplicasTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Publish each ref update's audit entry on the repository's change channel (in the same Lua script as the update).</summary>
    /// <value><c>true</c>.</value>
    public bool PublishRefChanges { get; set; } = true;

    /// <summary>
    /// Announce ref changes with sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7+): each message is handled by the shard that
    /// owns the repository's slot instead of being broadcast to every cluster node. Null: sharded exactly when connected to a cluster.
    /// </summary>
    /// <value>null.</value>
    public bool? ShardedPubSub { get; set; }

    /// <summary>Where the backend logs (category <c>VersionStore.Redis</c>, event ids 3000–3999); the store builder passes the host's.</summary>
    /// <value><see cref="Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance"/> (no logging).</value>
    public Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (KeyPrefix is null) errors.Add($"{nameof(KeyPrefix)} is required (may be empty)");
        else if (KeyPrefix.Length > 64 || !KeyPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/'))
            errors.Add($"{nameof(KeyPrefix)} may hold only letters, digits and . _ - : / (at most 64)");
        if (ConnectTimeout < TimeSpan.FromMilliseconds(10) || ConnectTimeout > TimeSpan.FromMinutes(5))
            errors.Add($"{nameof(ConnectTimeout)} must be between 10 ms and 5 minutes");
        if (OperationTimeout < TimeSpan.FromMilliseconds(10) || OperationTimeout > TimeSpan.FromMinutes(5))
            errors.Add($"{nameof(OperationTimeout)} must be between 10 ms and 5 minutes");
        if (ObjectTimeToLive is { } ttl && ttl < TimeSpan.FromSeconds(1)) errors.Add($"{nameof(ObjectTimeToLive)} must be at least 1 second or null");
        if (MaxCachedObjectBytes < 0) errors.Add($"{nameof(MaxCachedObjectBytes)} cannot be negative");
        if (WaitForReplicas < 0) errors.Add($"{nameof(WaitForReplicas)} cannot be negative");
        if (WaitForReplicas > 0 && (WaitForReplicasTimeout <= TimeSpan.Zero || WaitForReplicasTimeout >= OperationTimeout))
            errors.Add($"{nameof(WaitForReplicasTimeout)} must be positive and below {nameof(OperationTimeout)}");
        if (LoggerFactory is null) errors.Add($"{nameof(LoggerFactory)} is required");
        if (errors.Count > 0) throw new ArgumentException("Invalid RedisBackendOptions: " + string.Join("; ", errors) + ".");
    }

    /// <summary>The connection configuration with this backend's timeouts and failure behaviour applied.</summary>
    internal ConfigurationOptions BuildConfiguration()
    {
        ConfigurationOptions config;
        if (_configurationOptions is not null) config = _configurationOptions.Clone();
        else if (!string.IsNullOrWhiteSpace(Configuration)) config = StackExchange.Redis.ConfigurationOptions.Parse(Configuration);
        else throw new ArgumentException($"Invalid RedisBackendOptions: {nameof(Configuration)} or {nameof(UseConfigurationOptions)} is required.");
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
        config.SyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        config.AsyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ReconnectRetryPolicy ??= new LinearRetry(500);
        return config;
    }
}
