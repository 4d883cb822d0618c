using VersionStore.Internal;

namespace VersionStore;

/// <summary>An <see cref="IOutbox"/> in process memory: for tests, or when losing pending archive copies on a crash is acceptable.</summary>
public sealed class InMemoryOutbox : IOutbox
{
    private readonly Lock _lock = new();
    private readonly PendingSet _pending = new();

    /// <inheritdoc />
    public long PendingCount
    {
        get { lock (_lock) return _pending.Count; }
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_lock) foreach (var id in ids) _pending.Add(id);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ObjectId>> PeekAsync(int max, CancellationToken cancellationToken = default)
    {
        lock (_lock) return ValueTask.FromResult<IReadOnlyList<ObjectId>>(_pending.Take(max));
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_lock) foreach (var id in ids) _pending.Remove(id);
        return ValueTask.CompletedTask;
    }
}
