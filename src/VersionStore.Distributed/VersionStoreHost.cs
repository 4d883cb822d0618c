using VersionStore.S3;
namespace VersionStore;

/// <summary>
/// An opened store in one of the <see cref="DeploymentMode"/>s, with the parts it is made of. Create one per process
/// with <see cref="VersionStoreBuilder.OpenAsync"/>, share it, dispose it at shutdown (stops the archiver, closes
/// connections and the local database).
/// </summary>
public sealed class VersionStoreHost : IAsyncDisposable
{
    private readonly List<object> _owned;

    internal VersionStoreHost(DeploymentMode mode, RepositoryStore store, TieredObjectStore objects, IRefStore refs,
        RocksDbBackend? local, RedisBackend? redis, Func<S3PackObjectStore?> s3, ArchiverService? archiver, IOutbox? outbox, List<object> owned)
    {
        Mode = mode;
        Store = store;
        Objects = objects;
        Refs = refs;
        Local = local;
        Redis = redis;
        _s3 = s3;
        Archiver = archiver;
        Outbox = outbox;
        _owned = owned;
    }

    private readonly Func<S3PackObjectStore?> _s3;

    /// <summary>The mode.</summary>
    public DeploymentMode Mode { get; }

    /// <summary>The repositories (commit, checkout, rollback, …).</summary>
    public RepositoryStore Store { get; }

    /// <summary>The tiered object store.</summary>
    public TieredObjectStore Objects { get; }

    /// <summary>The ref store: the RocksDB backend (embedded modes) or a <see cref="FailStaticRefStore"/> / Redis refs (distributed).</summary>
    public IRefStore Refs { get; }

    /// <summary>The fail-static wrapper (distributed mode with a <see cref="DistributedStoreOptions.DataPath"/>), else null.</summary>
    public FailStaticRefStore? FailStatic => Refs as FailStaticRefStore;

    /// <summary>The local RocksDB database, if any.</summary>
    public RocksDbBackend? Local { get; }

    /// <summary>The Redis connection (distributed mode).</summary>
    public RedisBackend? Redis { get; }

    /// <summary>The S3 pack store once it has been opened (it opens on first use, so the host starts while S3 is down).</summary>
    public S3PackObjectStore? S3 => _s3();

    /// <summary>The archiver (embedded with archive).</summary>
    public ArchiverService? Archiver { get; }

    /// <summary>The archive outbox (embedded with archive).</summary>
    public IOutbox? Outbox { get; }

    /// <summary>Shortcut for <c>Store.GetRepository(name)</c>.</summary>
    public Repository GetRepository(string name) => Store.GetRepository(name);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Archiver is not null) await Archiver.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            switch (_owned[i])
            {
                case IAsyncDisposable a: await a.DisposeAsync().ConfigureAwait(false); break;
                case IDisposable d: d.Dispose(); break;
            }
        }
        _owned.Clear();
    }
}
