using System.Runtime.CompilerServices;

namespace VersionStore;

/// <summary>
/// An <see cref="IRefStore"/> in process memory; one lock makes each compare-and-swap and its audit append atomic.
/// Announces each applied change to in-process watchers (<see cref="IRefChangeFeed"/>) after the write, and holds a
/// store marker (<see cref="IRefStoreEpoch"/>) like a shared ref store.
/// </summary>
public sealed class InMemoryRefStore : IRefStore, IRefChangeFeed, IRefStoreEpoch
{
    private string? _epoch;

    private readonly RefChangeBroadcaster _changes = new();
    private readonly Lock _lock = new();
    private readonly SortedDictionary<(string Repo, string Ref), RefState> _refs = new(Comparer<(string Repo, string Ref)>.Create(static (a, b) =>
    {
        var c = string.CompareOrdinal(a.Repo, b.Repo);
        return c != 0 ? c : string.CompareOrdinal(a.Ref, b.Ref);
    }));
    private readonly Dictionary<(string Repo, string Ref), List<AuditEntry>> _audit = new();

    /// <inheritdoc />
    public ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return ValueTask.FromResult(_refs.TryGetValue((repository.Value, name.FullName), out var s) ? s : null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        List<(RefName, RefState)> snapshot;
        lock (_lock)
            snapshot = _refs.Where(kv => kv.Key.Repo == repository.Value).Select(kv => (RefName.Parse(kv.Key.Ref), kv.Value)).ToList();
        foreach (var item in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = (update.Repository.Value, update.Ref.FullName);
        lock (_lock)
        {
            _refs.TryGetValue(key, out var current);
            if (current != update.Expected) return ValueTask.FromResult(false);
            _refs[key] = update.NewState;
            if (!_audit.TryGetValue(key, out var log)) _audit[key] = log = [];
            log.Add(update.Entry);
        }
        _changes.Publish(update.Repository, update.Entry);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public string BackendName => "The in-memory ref store";

    /// <inheritdoc />
    public ValueTask<string?> TryGetEpochAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Volatile.Read(ref _epoch));

    /// <inheritdoc />
    public ValueTask<string> EnsureEpochAsync(string epoch, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(epoch);
        return ValueTask.FromResult(Interlocked.CompareExchange(ref _epoch, epoch, null) ?? epoch);
    }

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default)
        => _changes.SubscribeAsync(repository, listener, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        AuditEntry[] entries;
        lock (_lock)
            entries = _audit.TryGetValue((repository.Value, name.FullName), out var log) ? [.. log] : [];
        for (var i = entries.Length - 1; i >= 0; i--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (beforeSequence is { } b && entries[i].Sequence >= b) continue;
            yield return entries[i];
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RepositoryName> ListRepositoriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        string[] repos;
        lock (_lock) repos = _refs.Keys.Select(k => k.Repo).Distinct().ToArray();
        foreach (var r in repos) yield return new RepositoryName(r);
    }

    /// <summary>Test hook: replaces a stored audit entry (to simulate tampering).</summary>
    public void TamperAudit(RepositoryName repository, RefName name, long sequence, AuditEntry replacement)
    {
        lock (_lock)
        {
            var log = _audit[(repository.Value, name.FullName)];
            log[log.FindIndex(e => e.Sequence == sequence)] = replacement;
        }
    }
}
