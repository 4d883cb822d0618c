using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace VersionStore;

/// <summary>
/// An in-process cache tier (L1) of immutable objects with a size cap and last-access tracking. When a write takes
/// it over <see cref="MaxBytes"/>, the least recently used objects are dropped — safe only because a
/// <see cref="TieredObjectStore"/> writes the durable tier first, so a cache never holds the last copy. Supports
/// <see cref="IObjectEviction"/> and <see cref="IAccessTrackingTier"/>, so <see cref="TieredObjectStore.DemoteAsync"/>
/// can demote it by age. A write replaces a held copy (so a corrupt copy can be repaired).
/// </summary>
public sealed class MemoryCacheTier : IObjectStore, IBatchObjectStore, IObjectEviction, IAccessTrackingTier
{
    private sealed class Entry(byte[] data, long lastAccess)
    {
        public byte[] Data { get; } = data;
        public long LastAccess = lastAccess;
    }

    private readonly ConcurrentDictionary<ObjectId, Entry> _entries = new();
    private readonly TimeProvider _time;
    private readonly Lock _trimLock = new();
    private long _bytes;

    /// <summary>Creates the cache.</summary>
    /// <param name="maxBytes">Cap on the encoded bytes held; <c>null</c> for no cap.</param>
    /// <param name="timeProvider">Clock of last-access tracking (default the system clock (<c>TimeProvider.System</c>)).</param>
    public MemoryCacheTier(long? maxBytes = 64L * 1024 * 1024, TimeProvider? timeProvider = null)
    {
        if (maxBytes is < 0) throw new ArgumentOutOfRangeException(nameof(maxBytes));
        MaxBytes = maxBytes;
        _time = timeProvider ?? SystemClock.Default;
    }

    /// <summary>Cap on the encoded bytes held (<c>null</c>: none).</summary>
    public long? MaxBytes { get; }

    /// <summary>Objects held.</summary>
    public int Count => _entries.Count;

    /// <summary>Encoded bytes held.</summary>
    public long TotalBytes => Interlocked.Read(ref _bytes);

    private long Now => _time.GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        if (!_entries.TryGetValue(id, out var e)) return ValueTask.FromResult<ReadOnlyMemory<byte>?>(null);
        Volatile.Write(ref e.LastAccess, Now);
        return ValueTask.FromResult<ReadOnlyMemory<byte>?>(e.Data);
    }

    /// <inheritdoc />
    public ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new ReadOnlyMemory<byte>?[ids.Count];
        var now = Now;
        for (var i = 0; i < result.Length; i++)
        {
            if (!_entries.TryGetValue(ids[i], out var e)) continue;
            Volatile.Write(ref e.LastAccess, now);
            result[i] = e.Data;
        }
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_entries.ContainsKey(id));

    /// <inheritdoc />
    public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var o in objects) Put(o.Id, o.Data.ToArray());
        Trim();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var found = 0;
        foreach (var id in _entries.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (found >= limit) yield break;
            if (!id.StartsWith(hexPrefix)) continue;
            found++;
            yield return id;
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryEvictAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        if (!_entries.TryRemove(id, out var e)) return ValueTask.FromResult(false);
        Interlocked.Add(ref _bytes, -e.Data.Length);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public IReadOnlyList<CachedObjectInfo> GetEntries()
        => [.. _entries.Select(kv => new CachedObjectInfo(kv.Key, kv.Value.Data.Length, new DateTimeOffset(Volatile.Read(ref kv.Value.LastAccess), TimeSpan.Zero)))];

    /// <summary>Test hook: replaces the stored bytes of <paramref name="id"/> (to simulate corruption).</summary>
    internal void Overwrite(ObjectId id, ReadOnlyMemory<byte> data) => Put(id, data.ToArray());

    private void Put(ObjectId id, byte[] data)
    {
        var entry = new Entry(data, Now);
        _entries.AddOrUpdate(id,
            _ => { Interlocked.Add(ref _bytes, data.Length); return entry; },
            (_, old) => { Interlocked.Add(ref _bytes, data.Length - old.Data.Length); return entry; });
    }

    private void Trim()
    {
        if (MaxBytes is not { } max || Interlocked.Read(ref _bytes) <= max) return;
        lock (_trimLock)
        {
            foreach (var kv in _entries.OrderBy(kv => Volatile.Read(ref kv.Value.LastAccess)).ToList())
            {
                if (Interlocked.Read(ref _bytes) <= max) break;
                if (_entries.TryRemove(kv)) Interlocked.Add(ref _bytes, -kv.Value.Data.Length);
            }
        }
    }
}
