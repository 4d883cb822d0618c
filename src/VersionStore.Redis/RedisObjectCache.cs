using System.Runtime.CompilerServices;
using StackExchange.Redis;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// A hot cache of immutable objects in Redis: one string key per object (<c>&lt;prefix&gt;obj:&lt;hex id&gt;</c>,
/// shared by every repository, so each operation touches one key and works on Redis Cluster), written with an
/// optional TTL, objects above <see cref="RedisBackendOptions.MaxCachedObjectBytes"/> skipped.
/// <para>
/// A cache never fails its caller: a Redis failure or timeout is reported as a miss (reads, <see cref="ContainsAsync"/>)
/// or a skipped write, and after <see cref="RedisBackendOptions.BreakerFailureThreshold"/> consecutive failures a circuit
/// breaker answers "miss" at once, without touching the network, for <see cref="RedisBackendOptions.BreakerCooldown"/>
/// — so a tiered read falls through to the next tier quickly. Bytes are returned as stored; the repository verifies
/// every object against its id.
/// </para>
/// </summary>
public sealed class RedisObjectCache : IObjectStore, IBatchObjectStore, ISweepableObjectStore
{
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisBackendOptions _options;
    private readonly RedisKeys _keys;
    private readonly CircuitBreaker _breaker;
    private long _hits, _misses, _failures, _writes, _skippedWrites, _bypassed;

    /// <summary>Creates an object cache on a caller-owned connection (see <see cref="RedisRefStore(IConnectionMultiplexer, RedisBackendOptions)"/>).</summary>
    public RedisObjectCache(IConnectionMultiplexer connection, RedisBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _connection = connection;
        _options = options;
        _keys = new RedisKeys(options.KeyPrefix);
        _breaker = new CircuitBreaker(options.BreakerFailureThreshold, options.BreakerCooldown, options.TimeProvider);
    }

    /// <summary>Counters since creation.</summary>
    public RedisObjectCacheStatistics Statistics => new(
        Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _failures),
        Interlocked.Read(ref _writes), Interlocked.Read(ref _skippedWrites), Interlocked.Read(ref _bypassed),
        _breaker.IsOpen, _breaker.OpenCount);

    private IDatabase Db => _connection.GetDatabase();

    /// <inheritdoc />
    public async ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        if (!_breaker.AllowRequest())
        {
            Interlocked.Increment(ref _bypassed);
            return null;
        }
        RedisValue value;
        try
        {
            value = await RedisCall.Run(Db.StringGetAsync(_keys.Object(id)), _options.OperationTimeout, "reading a cached object", cancellationToken).ConfigureAwait(false);
        }
        catch (BackendUnavailableException)
        {
            Failed();
            return null;
        }
        _breaker.RecordSuccess();
        if (value.IsNull)
        {
            Interlocked.Increment(ref _misses);
            return null;
        }
        Interlocked.Increment(ref _hits);
        return (byte[])value!;
    }

    /// <inheritdoc />
    /// <remarks>
    /// One GET per distinct id, pipelined on the multiplexer: one round trip per node, and safe on a cluster (object keys
    /// are spread over slots, so a single MGET would not be). A failure answers every id "miss", as a single read does.
    /// </remarks>
    public async ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new ReadOnlyMemory<byte>?[ids.Count];
        if (ids.Count == 0) return result;
        if (!_breaker.AllowRequest())
        {
            Interlocked.Add(ref _bypassed, ids.Count);
            return result;
        }
        var db = Db;
        var gets = new Dictionary<ObjectId, Task<RedisValue>>(ids.Count);
        foreach (var id in ids)
            if (!gets.ContainsKey(id)) gets[id] = db.StringGetAsync(_keys.Object(id));
        try
        {
            await RedisCall.Run(Task.WhenAll(gets.Values), _options.OperationTimeout, "reading cached objects", cancellationToken).ConfigureAwait(false);
        }
        catch (BackendUnavailableException)
        {
            Failed();
            return result;
        }
        _breaker.RecordSuccess();
        long hits = 0;
        foreach (var (_, get) in gets)
            if (!get.Result.IsNull) hits++;
        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _misses, gets.Count - hits);
        for (var i = 0; i < result.Length; i++)
        {
            var value = gets[ids[i]].Result;
            if (!value.IsNull) result[i] = (byte[])value!;
        }
        return result;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        if (!_breaker.AllowRequest())
        {
            Interlocked.Increment(ref _bypassed);
            return false;
        }
        try
        {
            var exists = await RedisCall.Run(Db.KeyExistsAsync(_keys.Object(id)), _options.OperationTimeout, "checking a cached object", cancellationToken).ConfigureAwait(false);
            _breaker.RecordSuccess();
            return exists;
        }
        catch (BackendUnavailableException)
        {
            Failed();
            return false;
        }
    }

    /// <inheritdoc />
    /// <remarks>Best effort: objects above the size limit, and every object while Redis fails or the breaker is open, are skipped.</remarks>
    public async ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        cancellationToken.ThrowIfCancellationRequested();
        if (objects.Count == 0) return;
        if (!_breaker.AllowRequest())
        {
            Interlocked.Add(ref _skippedWrites, objects.Count);
            return;
        }
        var db = Db;
        var sets = new List<Task<bool>>(objects.Count);
        foreach (var o in objects)
        {
            if (o.Data.Length > _options.MaxCachedObjectBytes)
            {
                Interlocked.Increment(ref _skippedWrites);
                continue;
            }
            // One key per command, pipelined on the multiplexer: safe on a cluster, one round trip per node.
            sets.Add(db.StringSetAsync(_keys.Object(o.Id), o.Data, _options.ObjectTimeToLive, When.Always));
        }
        if (sets.Count == 0) return;
        try
        {
            await RedisCall.Run(Task.WhenAll(sets), _options.OperationTimeout, "caching objects", cancellationToken).ConfigureAwait(false);
            _breaker.RecordSuccess();
            Interlocked.Add(ref _writes, sets.Count);
        }
        catch (BackendUnavailableException)
        {
            Failed();
            Interlocked.Add(ref _skippedWrites, sets.Count);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// SCANs the cached objects on every primary: it finds only what is cached now (entries expire), and costs a pass
    /// over the keys of Redis, so a tiered store should ask its durable tier as well. Yields nothing while Redis is
    /// unavailable or the breaker is open, or when <paramref name="hexPrefix"/> is not hex (either case).
    /// </remarks>
    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hexPrefix);
        hexPrefix = hexPrefix.ToLowerInvariant();
        if (limit <= 0 || hexPrefix.Length > ObjectId.Size * 2 || !hexPrefix.All(static c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            yield break;
        if (!_breaker.AllowRequest()) yield break;
        var found = new List<ObjectId>();
        try
        {
            foreach (var server in _connection.GetServers())
            {
                if (server.IsReplica) continue;
                await foreach (var key in server.KeysAsync(pattern: _keys.ObjectPattern(hexPrefix), pageSize: 1000)
                    .WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    var text = (string)key!;
                    if (ObjectId.TryParse(text.AsSpan(text.Length - ObjectId.Size * 2), out var id)) found.Add(id);
                    if (found.Count >= limit) break;
                }
                if (found.Count >= limit) break;
            }
            _breaker.RecordSuccess();
        }
        catch (Exception e) when (RedisCall.IsUnavailable(e))
        {
            Failed();
        }
        foreach (var id in found) yield return id;
    }

    /// <inheritdoc />
    /// <remarks>SCANs the cached objects on every primary; sizes and write times are not tracked (a cache never holds the only copy).</remarks>
    public async IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var server in _connection.GetServers())
        {
            if (server.IsReplica) continue;
            await foreach (var key in server.KeysAsync(pattern: _keys.ObjectPattern(""), pageSize: 1000).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var text = (string)key!;
                if (ObjectId.TryParse(text.AsSpan(text.Length - ObjectId.Size * 2), out var id)) yield return new StoredObjectInfo(id, 0, null);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Drops the cached copies (UNLINK, one key per command, pipelined). The cut-off is not needed: every cached object is
    /// also in the durable tier, which applies it. A copy promoted again later expires by its TTL.
    /// </remarks>
    /// <exception cref="BackendUnavailableException">Redis cannot be reached.</exception>
    public async ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return [new TierSweepResult("redis", 0, 0)];
        var db = Db;
        var lengths = new List<Task<long>>(ids.Count);
        var deletes = new List<Task<bool>>(ids.Count);
        foreach (var id in ids)
        {
            var key = _keys.Object(id);
            lengths.Add(db.StringLengthAsync(key));
            deletes.Add(db.KeyDeleteAsync(key, CommandFlags.None));
        }
        await RedisCall.Run(Task.WhenAll(Task.WhenAll(lengths), Task.WhenAll(deletes)), _options.OperationTimeout, "dropping cached objects", cancellationToken).ConfigureAwait(false);
        long count = 0, bytes = 0;
        for (var i = 0; i < deletes.Count; i++)
        {
            if (!deletes[i].Result) continue;
            count++;
            bytes += lengths[i].Result;
        }
        return [new TierSweepResult("redis", count, bytes)];
    }

    private void Failed()
    {
        Interlocked.Increment(ref _failures);
        _breaker.RecordFailure();
    }
}

/// <summary>Counters of a <see cref="RedisObjectCache"/>.</summary>
/// <param name="Hits">Reads answered from Redis.</param>
/// <param name="Misses">Reads Redis answered with "not cached".</param>
/// <param name="Failures">Calls that failed or timed out (each reported as a miss or a skipped write).</param>
/// <param name="Writes">Objects written.</param>
/// <param name="SkippedWrites">Objects not written: too large, Redis failing, or breaker open.</param>
/// <param name="Bypassed">Reads answered "miss" by the open breaker without calling Redis.</param>
/// <param name="BreakerOpen">True while the breaker is open.</param>
/// <param name="BreakerOpenCount">Times the breaker has opened.</param>
public readonly record struct RedisObjectCacheStatistics(long Hits, long Misses, long Failures, long Writes, long SkippedWrites, long Bypassed, bool BreakerOpen, long BreakerOpenCount);
