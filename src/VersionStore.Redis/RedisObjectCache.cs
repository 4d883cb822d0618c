using System.Runtime.CompilerServices;
using StackExchange.Redis;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// A hot cache of immutable objects in Redis: one string key per object (<c>&lt;prefix&gt;obj:&lt;hex id&gt;</c>,
/// shared by every repository, so each operation touches one key and works on Redis Cluster), written with an
/// optional TTL, objects above <see cref="RedisBackendOptions.MaxCachedObjectBytes"/> skipped.
/// <para>
/// A Redis failure or timeout throws <see cref="BackendUnavailableException"/> (within
/// <see cref="RedisBackendOptions.OperationTimeout"/>); the tier accessor above it (<see cref="TieredObjectStore"/>, as
/// <c>VersionStoreBuilder</c> composes distributed mode) counts it, falls through to the next tier, and after
/// consecutive failures opens the tier's one circuit breaker, skipping Redis without touching the network until a
/// probe succeeds — so every failure reaches the one place that decides. Bytes are returned as stored; they are
/// verified once, where they enter the process.
/// </para>
/// </summary>
public sealed class RedisObjectCache : IObjectStore, IBatchObjectStore, ISweepableObjectStore
{
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisBackendOptions _options;
    private readonly RedisKeys _keys;
    private long _hits, _misses, _failures, _writes, _skippedWrites;

    /// <summary>Creates an object cache on a caller-owned connection (see <see cref="RedisRefStore(IConnectionMultiplexer, RedisBackendOptions)"/>).</summary>
    public RedisObjectCache(IConnectionMultiplexer connection, RedisBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _connection = connection;
        _options = options;
        _keys = new RedisKeys(options.KeyPrefix);
    }

    /// <summary>Counters since creation.</summary>
    public RedisObjectCacheStatistics Statistics => new(
        Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), Interlocked.Read(ref _failures),
        Interlocked.Read(ref _writes), Interlocked.Read(ref _skippedWrites));

    private IDatabase Db => _connection.GetDatabase();

    /// <inheritdoc />
    /// <exception cref="BackendUnavailableException">Redis failed or did not answer in time.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        var value = await Counted(RedisCall.Run(Db.StringGetAsync(_keys.Object(id)), _options.OperationTimeout, "reading a cached object", cancellationToken)).ConfigureAwait(false);
        if (value.IsNull)
        {
            Interlocked.Increment(ref _misses);
            return null;
        }
        Interlocked.Increment(ref _hits);
        return (byte[])value!;
    }

    /// <inheritdoc />
    /// <exception cref="BackendUnavailableException">Redis failed or did not answer in time.</exception>
    /// <remarks>
    /// One GET per distinct id, pipelined on the multiplexer: one round trip per node, and safe on a cluster (object keys
    /// are spread over slots, so a single MGET would not be). A failure throws, as a single read does, so the tier's one
    /// circuit breaker sees it.
    /// </remarks>
    public async ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new ReadOnlyMemory<byte>?[ids.Count];
        if (ids.Count == 0) return result;
        var db = Db;
        var gets = new Dictionary<ObjectId, Task<RedisValue>>(ids.Count);
        foreach (var id in ids)
            if (!gets.ContainsKey(id)) gets[id] = db.StringGetAsync(_keys.Object(id));
        await Counted(RedisCall.Run(Task.WhenAll(gets.Values), _options.OperationTimeout, "reading cached objects", cancellationToken)).ConfigureAwait(false);
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
    /// <exception cref="BackendUnavailableException">Redis failed or did not answer in time.</exception>
    public async ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
        => await Counted(RedisCall.Run(Db.KeyExistsAsync(_keys.Object(id)), _options.OperationTimeout, "checking a cached object", cancellationToken)).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>Objects above the size limit are skipped (the other tiers hold them).</remarks>
    /// <exception cref="BackendUnavailableException">Redis failed or did not answer in time (some objects may be cached).</exception>
    public async ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        cancellationToken.ThrowIfCancellationRequested();
        if (objects.Count == 0) return;
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
        await Counted(RedisCall.Run(Task.WhenAll(sets), _options.OperationTimeout, "caching objects", cancellationToken)).ConfigureAwait(false);
        Interlocked.Add(ref _writes, sets.Count);
    }

    /// <inheritdoc />
    /// <remarks>
    /// SCANs the cached objects on every primary: it finds only what is cached now (entries expire), and costs a pass
    /// over the keys of Redis, so a tiered store should ask its durable tier as well. Yields nothing when
    /// <paramref name="hexPrefix"/> is not hex (either case).
    /// </remarks>
    /// <exception cref="BackendUnavailableException">Redis failed or did not answer in time.</exception>
    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hexPrefix);
        hexPrefix = hexPrefix.ToLowerInvariant();
        if (limit <= 0 || hexPrefix.Length > ObjectId.Size * 2 || !hexPrefix.All(static c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            yield break;
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
        }
        catch (Exception e) when (RedisCall.IsUnavailable(e))
        {
            Interlocked.Increment(ref _failures);
            throw RedisCall.Unavailable("finding cached objects", e);
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

    /// <summary>Counts a failed call (the tier accessor decides what to do about it).</summary>
    private async Task<T> Counted<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (BackendUnavailableException)
        {
            Interlocked.Increment(ref _failures);
            throw;
        }
    }

    private async Task Counted(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (BackendUnavailableException)
        {
            Interlocked.Increment(ref _failures);
            throw;
        }
    }
}

/// <summary>Counters of a <see cref="RedisObjectCache"/>.</summary>
/// <param name="Hits">Reads answered from Redis.</param>
/// <param name="Misses">Reads Redis answered with "not cached".</param>
/// <param name="Failures">Calls that failed or timed out (each thrown as <see cref="BackendUnavailableException"/> to the tier accessor, whose breaker state is in <see cref="TieredObjectStore.GetStatistics()"/>).</param>
/// <param name="Writes">Objects written.</param>
/// <param name="SkippedWrites">Objects not written because they exceed <see cref="RedisBackendOptions.MaxCachedObjectBytes"/>.</param>
public readonly record struct RedisObjectCacheStatistics(long Hits, long Misses, long Failures, long Writes, long SkippedWrites);
