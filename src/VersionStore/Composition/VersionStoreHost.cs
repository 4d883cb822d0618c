namespace VersionStore;

/// <summary>
/// An opened store with the parts it is made of. Create one per process (<see cref="VersionStoreBuilder.BuildAsync"/>
/// or <c>services.AddVersionStore</c>), share it, dispose it at shutdown (stops the archiver, closes the parts in
/// reverse order of opening).
/// </summary>
public sealed class VersionStoreHost : IAsyncDisposable
{
    private readonly List<object> _owned;

    internal VersionStoreHost(DeploymentMode mode, RepositoryStore store, TieredObjectStore? tiers, FailStaticRefStore? failStatic, IHeadCache? heads,
        ArchiverService? archiver, IOutbox? outbox, List<object> owned)
    {
        Mode = mode;
        Store = store;
        Tiers = tiers;
        FailStatic = failStatic;
        Heads = heads;
        Archiver = archiver;
        Outbox = outbox;
        _owned = owned;
    }

    /// <summary>The mode.</summary>
    public DeploymentMode Mode { get; }

    /// <summary>The repositories (commit, checkout, rollback, …).</summary>
    public RepositoryStore Store { get; }

    /// <summary>The object store the repositories use (<see cref="Tiers"/> when there is more than one tier).</summary>
    public IObjectStore Objects => Store.Objects;

    /// <summary>The ref store the repositories use.</summary>
    public IRefStore Refs => Store.Refs;

    /// <summary>The tier composition, or null when the store has a single tier (embedded without memory cache).</summary>
    public TieredObjectStore? Tiers { get; }

    /// <summary>The fail-static ref store (distributed mode with a local store), else null.</summary>
    public FailStaticRefStore? FailStatic { get; }

    /// <summary>The head cache of the local store, if it keeps one.</summary>
    public IHeadCache? Heads { get; }

    /// <summary>The archiver (embedded with archive).</summary>
    public ArchiverService? Archiver { get; }

    /// <summary>The archive outbox (embedded with archive).</summary>
    public IOutbox? Outbox { get; }

    /// <summary>
    /// The first part of type <typeparamref name="T"/> the backends handed to the host (e.g. <c>RocksDbBackend</c>,
    /// <c>RedisBackend</c>, <c>S3PackObjectStore</c> once opened), or null.
    /// </summary>
    public T? Get<T>() where T : class
    {
        foreach (var part in _owned)
        {
            if (part is T t) return t;
            if (part is IStorePartSource { Current: T current }) return current;
        }
        return null;
    }

    /// <summary>Shortcut for <c>Store.GetRepository(name)</c>.</summary>
    public Repository GetRepository(string name) => Store.GetRepository(name);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Archiver is not null) await Archiver.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        await DisposeAllAsync(_owned).ConfigureAwait(false);
    }

    internal static async ValueTask DisposeAllAsync(List<object> owned)
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            switch (owned[i])
            {
                case IAsyncDisposable a: await a.DisposeAsync().ConfigureAwait(false); break;
                case IDisposable d: d.Dispose(); break;
            }
        }
        owned.Clear();
    }
}

/// <summary>A part that opens later (a lazily opened remote store): <see cref="VersionStoreHost.Get{T}"/> finds what it opened.</summary>
public interface IStorePartSource
{
    /// <summary>The opened part, or null while it is not open yet.</summary>
    object? Current { get; }
}
