using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace VersionStore;

/// <summary>An <see cref="IObjectStore"/> in process memory: for tests, and as an L1 cache of immutable objects.</summary>
public sealed class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<ObjectId, ReadOnlyMemory<byte>> _objects = new();

    /// <summary>Number of objects held.</summary>
    public int Count => _objects.Count;

    /// <summary>Total encoded bytes held.</summary>
    public long TotalBytes => _objects.Values.Sum(v => (long)v.Length);

    /// <inheritdoc />
    public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_objects.TryGetValue(id, out var data) ? data : (ReadOnlyMemory<byte>?)null);

    /// <inheritdoc />
    public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_objects.ContainsKey(id));

    /// <inheritdoc />
    public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var o in objects) _objects.TryAdd(o.Id, o.Data.ToArray());
        return ValueTask.CompletedTask;
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
}
