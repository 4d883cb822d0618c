using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace VersionStore;

/// <summary>An <see cref="IHeadCache"/> in process memory: survives an outage of the ref store, not a restart.</summary>
public sealed class InMemoryHeadCache : IHeadCache
{
    private readonly ConcurrentDictionary<(RepositoryName Repository, RefName Ref), RememberedHead> _heads = new();
    private string? _epoch;

    /// <inheritdoc />
    public ValueTask<string?> TryGetRefStoreEpochAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Volatile.Read(ref _epoch));

    /// <inheritdoc />
    public ValueTask RememberRefStoreEpochAsync(string epoch, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(epoch);
        Volatile.Write(ref _epoch, epoch);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RememberedHead?> TryGetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_heads.TryGetValue((repository, name), out var head) ? head : null);

    /// <inheritdoc />
    public ValueTask RememberAsync(RepositoryName repository, RefName name, RefState state, DateTimeOffset seenAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        _heads[(repository, name)] = new RememberedHead(state, seenAt);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<(RefName Name, RememberedHead Head)> ListAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var kv in _heads.Where(kv => kv.Key.Repository == repository).OrderBy(kv => kv.Key.Ref.FullName, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return (kv.Key.Ref, kv.Value);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RepositoryName> ListRememberedRepositoriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var name in _heads.Keys.Select(k => k.Repository).Distinct().OrderBy(r => r.Value, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }
}
