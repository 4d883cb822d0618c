using System.Runtime.CompilerServices;
using StackExchange.Redis;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// Refs and audit log in Redis. Each update is one Lua script call (one round trip): it compares the stored
/// <see cref="RefState"/> bytes with the expected ones, then stores the new state, appends the audit entry and
/// publishes a change notification (the encoded audit entry; SPUBLISH on Redis Cluster) — atomically, since Redis runs a
/// script without interleaving other commands. As an <see cref="IRefChangeFeed"/> it subscribes to those notifications and
/// reports a gap whenever the subscription connection fails or is restored (a reconnect or a failover may have lost messages).
/// All keys of a repository share the hash tag <c>{vs:&lt;repo&gt;}</c>, so the store works on Redis Cluster.
/// Failures throw <see cref="BackendUnavailableException"/>; a ref operation never pretends to succeed.
/// </summary>
public sealed class RedisRefStore : IRefStore, IRefChangeFeed, IRefStoreEpoch
{
    /// <summary>
    /// KEYS[1] refs hash, KEYS[2] audit zset of the ref. ARGV[1] full ref name, ARGV[2] expected state ("" = must be
    /// absent; an encoded state is never empty), ARGV[3] new state, ARGV[4] sequence, ARGV[5] encoded audit entry,
    /// ARGV[6] change channel ("" = do not publish), ARGV[7] "s" to publish with SPUBLISH (sharded pub/sub: Redis Cluster; the
    /// channel carries the repository's hash tag, so it maps to the slot of KEYS). The message is the encoded audit entry,
    /// so a subscriber learns ref, sequence, target and time without a read. Returns 1 when applied, 0 when the expected state did not match.
    /// The shebang makes Redis refuse the script up front under OOM instead of failing between its two writes.
    /// </summary>
    internal const string UpdateScript = """
        #!lua
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current == false then
          if ARGV[2] ~= '' then return 0 end
        elseif current ~= ARGV[2] then
          return 0
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
        if ARGV[6] ~= '' then
          if ARGV[7] == 's' then redis.call('SPUBLISH', ARGV[6], ARGV[5]) else redis.call('PUBLISH', ARGV[6], ARGV[5]) end
        end
        return 1
        """;

    /// <summary>KEYS[1] the marker key, ARGV[1] the marker to write when there is none. Returns the marker held afterwards.</summary>
    internal const string EnsureEpochScript = """
        local current = redis.call('GET', KEYS[1])
        if current then return current end
        redis.call('SET', KEYS[1], ARGV[1])
        return ARGV[1]
        """;

    private const int AuditPageSize = 256;

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisBackendOptions _options;
    private readonly RedisKeys _keys;

    /// <summary>Creates a ref store on a caller-owned connection (which should be configured with
    /// <c>AbortOnConnectFail=false</c> and bounded timeouts; <see cref="RedisBackend"/> does that for you).</summary>
    public RedisRefStore(IConnectionMultiplexer connection, RedisBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _connection = connection;
        _options = options;
        _keys = new RedisKeys(options.KeyPrefix);
    }

    private IDatabase Db => _connection.GetDatabase();

    /// <summary>
    /// The pub/sub channel on which this store announces ref changes of <paramref name="repository"/> (message: the encoded
    /// <see cref="AuditEntry"/> of the change); a sharded channel when <see cref="RedisBackendOptions.ShardedPubSub"/> is in force.
    /// </summary>
    public RedisChannel ChangeChannel(RepositoryName repository) => Sharded ? RedisChannel.Sharded(_keys.ChangesName(repository)) : RedisChannel.Literal(_keys.ChangesName(repository));

    /// <summary>True when changes go over sharded pub/sub (SPUBLISH/SSUBSCRIBE): <see cref="RedisBackendOptions.ShardedPubSub"/>, or when unset, a cluster connection.</summary>
    public bool Sharded => _options.ShardedPubSub ?? (_sharded ??= _connection.GetServers().Any(s => s.ServerType == ServerType.Cluster));

    private bool? _sharded;

    /// <summary>
    /// Calls <paramref name="onChange"/> with the full ref name whenever a ref of <paramref name="repository"/> changes
    /// (at-most-once delivery: a cache must still treat Redis as the truth). Dispose the result to unsubscribe.
    /// <see cref="Repository.WatchAsync"/> builds a reliable stream on the <see cref="IRefChangeFeed"/> overload.
    /// </summary>
    public ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, Action<RefName> onChange, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        return SubscribeAsync(repository, new CallbackListener(onChange), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Undecodable messages and every failure or restoration of the subscription connection are reported as gaps
    /// (<see cref="IRefChangeListener.OnGap"/>). Classic pub/sub on a single server or sentinel set, sharded on a cluster.
    /// </remarks>
    public async ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var channel = ChangeChannel(repository);
        var subscriber = _connection.GetSubscriber();
        Action<RedisChannel, RedisValue> handler = (_, message) =>
        {
            AuditEntry entry;
            try
            {
                entry = AuditEntry.Decode((byte[])message!);
            }
            catch (Exception e) when (e is CorruptObjectException or InvalidCastException)
            {
                listener.OnGap("undecodable change notice");
                return;
            }
            listener.OnChanged(repository, entry);
        };
        EventHandler<ConnectionFailedEventArgs> failed = (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription) listener.OnGap("subscription connection failed: " + e.FailureType);
        };
        EventHandler<ConnectionFailedEventArgs> restored = (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription) listener.OnGap("subscription connection restored");
        };
        _connection.ConnectionFailed += failed;
        _connection.ConnectionRestored += restored;
        try
        {
            await RedisCall.Run(subscriber.SubscribeAsync(channel, handler), _options.OperationTimeout, $"subscribing to ref changes of '{repository}'", cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _connection.ConnectionFailed -= failed;
            _connection.ConnectionRestored -= restored;
            throw;
        }
        return new Subscription(_connection, subscriber, channel, handler, failed, restored);
    }

    /// <inheritdoc />
    public string BackendName => RedisCall.Backend;

    /// <inheritdoc />
    /// <remarks>The marker is the string key <c>&lt;prefix&gt;epoch</c>; it has no expiry (use a <c>maxmemory-policy</c> that never evicts keys without one).</remarks>
    public async ValueTask<string?> TryGetEpochAsync(CancellationToken cancellationToken = default)
    {
        var value = await RedisCall.Run(Db.StringGetAsync(_keys.Epoch), _options.OperationTimeout, "reading the store marker", cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : CheckedEpoch((string?)value);
    }

    /// <inheritdoc />
    public async ValueTask<string> EnsureEpochAsync(string epoch, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(epoch);
        var result = await RedisCall.Run(Db.ScriptEvaluateAsync(EnsureEpochScript, [_keys.Epoch], [epoch]), _options.OperationTimeout,
            "writing the store marker", cancellationToken).ConfigureAwait(false);
        return CheckedEpoch((string?)result ?? epoch);
    }

    /// <summary>A marker as stored: 1–256 printable ASCII characters (what this library writes), else the key was overwritten.</summary>
    private string CheckedEpoch(string? epoch)
        => epoch is { Length: > 0 and <= 256 } && epoch.All(static c => c is > ' ' and < (char)127) ? epoch
            : throw new CorruptObjectException(null, $"the store marker at key '{_keys.Epoch}' in Redis is malformed");

    /// <inheritdoc />
    public async ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        var value = await RedisCall.Run(Db.HashGetAsync(_keys.Refs(repository), name.FullName), _options.OperationTimeout,
            $"reading ref {name} of '{repository}'", cancellationToken).ConfigureAwait(false);
        return value.IsNull ? null : DecodeState(repository, name, value);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var entries = await RedisCall.Run(Db.HashGetAllAsync(_keys.Refs(repository)), _options.OperationTimeout,
            $"listing refs of '{repository}'", cancellationToken).ConfigureAwait(false);
        var refs = new List<(RefName, RefState)>(entries.Length);
        foreach (var entry in entries)
        {
            if (!RefName.TryParse(entry.Name, out var name))
                throw new CorruptObjectException(null, $"repository '{repository}' holds an invalid ref name in Redis");
            refs.Add((name.Value, DecodeState(repository, name.Value, entry.Value)));
        }
        refs.Sort(static (a, b) => string.CompareOrdinal(a.Item1.FullName, b.Item1.FullName));
        foreach (var item in refs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// When this throws <see cref="BackendUnavailableException"/> the outcome is unknown (the script may have run before
    /// the reply was lost): re-read the ref — it equals <see cref="RefUpdate.NewState"/> exactly when the update applied.
    /// </remarks>
    public async ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        cancellationToken.ThrowIfCancellationRequested();
        var repository = update.Repository;
        var name = update.Ref;
        RedisKey[] keys = [_keys.Refs(repository), _keys.Audit(repository, name)];
        RedisValue[] args =
        [
            name.FullName,
            update.Expected is null ? RedisValue.EmptyString : update.Expected.Encode(),
            update.NewState.Encode(),
            update.Entry.Sequence,
            update.Entry.Encoded.ToArray(),
            _options.PublishRefChanges ? _keys.ChangesName(repository) : RedisValue.EmptyString,
            Sharded ? "s" : "",
        ];
        var result = await RedisCall.Run(Db.ScriptEvaluateAsync(UpdateScript, keys, args), _options.OperationTimeout,
            $"updating ref {name} of '{repository}'", cancellationToken).ConfigureAwait(false);
        if ((long)result == 0) return false;

        if (_options.WaitForReplicas > 0)
        {
            // WAIT must run on the primary that holds the key, on the connection that wrote it (one per server here).
            var server = _connection.GetServer(keys[0]);
            var acknowledged = (long)await RedisCall.Run(
                server.ExecuteAsync("WAIT", _options.WaitForReplicas, (long)_options.WaitForReplicasTimeout.TotalMilliseconds),
                _options.OperationTimeout, $"waiting for replicas after updating ref {name} of '{repository}'", cancellationToken).ConfigureAwait(false);
            if (acknowledged < _options.WaitForReplicas)
            {
                throw new BackendUnavailableException(RedisCall.Backend,
                    $"ref {name} of '{repository}' was updated on the primary, but only {acknowledged} of {_options.WaitForReplicas} replicas " +
                    $"acknowledged it within {_options.WaitForReplicasTimeout.TotalMilliseconds} ms; a failover could undo it. Re-read the ref to check.")
                {
                    Repository = repository.Value,
                    Ref = name.FullName,
                };
            }
        }
        return true;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var key = _keys.Audit(repository, name);
        double upper = beforeSequence ?? double.PositiveInfinity;
        while (true)
        {
            var page = await RedisCall.Run(
                Db.SortedSetRangeByScoreAsync(key, double.NegativeInfinity, upper, Exclude.Stop, Order.Descending, 0, AuditPageSize),
                _options.OperationTimeout, $"reading the audit log of ref {name} of '{repository}'", cancellationToken).ConfigureAwait(false);
            foreach (var member in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entry = AuditEntry.Decode((byte[])member!);
                upper = entry.Sequence;
                yield return entry;
            }
            if (page.Length < AuditPageSize) yield break;
        }
    }

    /// <inheritdoc />
    /// <remarks>SCANs every primary (all cluster masters) for refs hashes: an administrative call, O(keys in Redis).</remarks>
    public async IAsyncEnumerable<RepositoryName> ListRepositoriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var server in _connection.GetServers())
        {
            if (server.IsReplica) continue;
            try
            {
                await foreach (var key in server.KeysAsync(pattern: _keys.RefsPattern, pageSize: 1000)
                    .WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    if (_keys.RepositoryOfRefsKey(key!) is { } repo) found.Add(repo.Value);
                }
            }
            catch (Exception e) when (RedisCall.IsUnavailable(e))
            {
                throw RedisCall.Unavailable($"listing repositories on {server.EndPoint}", e);
            }
        }
        foreach (var repo in found) yield return new RepositoryName(repo);
    }

    private static RefState DecodeState(RepositoryName repository, RefName name, RedisValue value)
    {
        try
        {
            return RefState.Decode((byte[])value!);
        }
        catch (CorruptObjectException e)
        {
            throw new CorruptObjectException(null, $"ref {name} of '{repository}' in Redis: {e.Message}", e) { Repository = repository.Value, Ref = name.FullName };
        }
    }

    private sealed class CallbackListener(Action<RefName> onChange) : IRefChangeListener
    {
        public void OnChanged(RepositoryName repository, AuditEntry entry) => onChange(entry.Ref);

        public void OnGap(string reason) { }
    }

    private sealed class Subscription(IConnectionMultiplexer connection, ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> handler,
        EventHandler<ConnectionFailedEventArgs> failed, EventHandler<ConnectionFailedEventArgs> restored) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            connection.ConnectionFailed -= failed;
            connection.ConnectionRestored -= restored;
            try
            {
                await subscriber.UnsubscribeAsync(channel, handler).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisCall.IsUnavailable(e))
            {
                // The server is gone; the subscription went with the connection.
            }
        }
    }
}
