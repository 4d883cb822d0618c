using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace VersionStore;

/// <summary>An <see cref="IObjectStore"/> in process memory: for tests, and as an L1 cache of immutable objects.</summary>
public sealed class InMemoryObjectStore : IObjectStore, IBatchObjectStore, ISweepableObjectStore
{
    private readonly ConcurrentDictionary<ObjectId, ReadOnlyMemory<byte>> _objects = new();
    private readonly ConcurrentDictionary<ObjectId, DateTimeOffset> _writtenAt = new();
    private readonly TimeProvider _time;
    private readonly Lock _sweepLock = new();

    /// <summary>Creates an empty store; <paramref name="timeProvider"/> stamps write times (for garbage collection's grace period).</summary>
    public InMemoryObjectStore(TimeProvider? timeProvider = null) => _time = timeProvider ?? SystemClock.Default;

    /// <summary>Number of objects held.</summary>
    public int Count => _objects.Count;

    /// <summary>Total encoded bytes held.</summary>
    public long TotalBytes => _objects.Values.Sum(v => (long)v.Length);

    /// <inheritdoc />
    public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_objects.TryGetValue(id, out var data) ? data : (ReadOnlyMemory<byte>?)null);

    /// <inheritdoc />
    public ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new ReadOnlyMemory<byte>?[ids.Count];
        for (var i = 0; i < result.Length; i++) result[i] = _objects.TryGetValue(ids[i], out var data) ? data : (ReadOnlyMemory<byte>?)null;
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_objects.ContainsKey(id));

    /// <inheritdoc />
    public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        lock (_sweepLock)
        {
            foreach (var o in objects)
            {
                _objects.TryAdd(o.Id, o.Data.ToArray());
                _writtenAt[o.Id] = now; // writing again refreshes the write time (the grace period protects it again)
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var (id, data) in _objects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StoredObjectInfo(id, data.Length, _writtenAt.TryGetValue(id, out var at) ? at : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        long count = 0, bytes = 0;
        lock (_sweepLock)
        {
            foreach (var id in ids)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_writtenAt.TryGetValue(id, out var at) && at >= writtenBefore) continue;
                if (!_objects.TryRemove(id, out var data)) continue;
                _writtenAt.TryRemove(id, out _);
                count++;
                bytes += data.Length;
            }
        }
        return ValueTask.FromResult<IReadOnlyList<TierSweepResult>>([new TierSweepResult("memory", count, bytes)]);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var found = 0;
        if (limit <= 0) yield break;
        foreach (var id in _objects.Keys.Order())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!id.StartsWith(hexPrefix)) continue;
            yield return id;
            if (++found >= limit) yield break;
        }
    }

    /// <summary>Test hook: replaces the stored bytes of <paramref name="id"/> (to simulate corruption).</summary>
    public void Overwrite(ObjectId id, ReadOnlyMemory<byte> data) => _objects[id] = data.ToArray();

    /// <summary>Test hook: forgets <paramref name="id"/> (to simulate a lost object).</summary>
    public bool Remove(ObjectId id) => _objects.TryRemove(id, out _);

    /// <summary>True when the store holds <paramref name="id"/> (synchronous, for tests).</summary>
    public bool Holds(ObjectId id) => _objects.ContainsKey(id);
}
