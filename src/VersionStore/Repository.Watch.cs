using VersionStore.Internal;

namespace VersionStore;

public sealed partial class Repository
{
    /// <summary>
    /// Watches ref <paramref name="name"/>: reports its current state (unless <see cref="RefWatchOptions.IncludeCurrent"/>
    /// is off), then every change until cancelled. With a ref store that has a change feed (<see cref="IRefChangeFeed"/>:
    /// memory, RocksDB in process, Redis pub/sub) changes arrive as notices, without a read; a sequence gap, a feed gap
    /// (reconnect, failover) or the jittered safety poll make the watch read the ref and report the state it finds, so
    /// it never rests on a stale value. Without a feed the ref is polled. Store failures never end the stream: they
    /// are logged and the read retried with back-off. Consecutive reports may skip sequence numbers (changes that
    /// happened while a read was under way are folded into the state read); a report always carries the newest state known.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public IAsyncEnumerable<RefChange> WatchAsync(RefName name, RefWatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RefWatchOptions();
        options.Validate();
        return new RefWatcher(this, name, options).RunAsync(cancellationToken);
    }
}
