using System.Collections.Concurrent;

namespace VersionStore;

/// <summary>
/// An in-process <see cref="IRefChangeFeed"/> for ref stores that live in this process (memory, embedded RocksDB): the
/// store calls <see cref="Publish"/> after each applied compare-and-swap; listeners run synchronously on the writer's
/// thread (they only enqueue). Cost with no subscriber: one dictionary lookup.
/// </summary>
public sealed class RefChangeBroadcaster : IRefChangeFeed
{
    private readonly ConcurrentDictionary<string, IRefChangeListener[]> _listeners = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Announces <paramref name="entry"/> (just applied to <paramref name="repository"/>) to its subscribers.</summary>
    public void Publish(RepositoryName repository, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!_listeners.TryGetValue(repository.Value, out var listeners)) return;
        foreach (var l in listeners)
        {
            try { l.OnChanged(repository, entry); }
            catch (Exception e) when (e is not OutOfMemoryException) { /* a listener must not fail the writer */ }
        }
    }

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listener);
        cancellationToken.ThrowIfCancellationRequested();
        var key = repository.Value ?? throw new ArgumentException("The repository name is the default (empty) value.", nameof(repository));
        lock (_lock) _listeners[key] = _listeners.TryGetValue(key, out var old) ? [.. old, listener] : [listener];
        return ValueTask.FromResult<IAsyncDisposable>(new Subscription(this, key, listener));
    }

    private void Remove(string key, IRefChangeListener listener)
    {
        lock (_lock)
        {
            if (!_listeners.TryGetValue(key, out var old)) return;
            var next = old.Where(l => !ReferenceEquals(l, listener)).ToArray();
            if (next.Length == 0) _listeners.TryRemove(key, out _);
            else _listeners[key] = next;
        }
    }

    private sealed class Subscription(RefChangeBroadcaster owner, string key, IRefChangeListener listener) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Remove(key, listener);
            return ValueTask.CompletedTask;
        }
    }
}
