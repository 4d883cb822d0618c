namespace VersionStore;

/// <summary>What the parts of a store see while <see cref="VersionStoreBuilder"/> opens them.</summary>
public sealed class VersionStoreBuildContext
{
    private readonly List<object> _owned;

    internal VersionStoreBuildContext(DeploymentMode mode, VersionStoreBuilderOptions options, List<object> owned)
    {
        Mode = mode;
        Options = options;
        _owned = owned;
    }

    /// <summary>The mode being built.</summary>
    public DeploymentMode Mode { get; }

    /// <summary>The builder's options (clock and logging are <c>Options.Store.TimeProvider</c> / <c>LoggerFactory</c>).</summary>
    public VersionStoreBuilderOptions Options { get; }

    /// <summary>The clock every part should use.</summary>
    public TimeProvider TimeProvider => Options.Store.TimeProvider;

    /// <summary>
    /// Hands <paramref name="part"/> to the host: disposed (<see cref="IAsyncDisposable"/> or <see cref="IDisposable"/>)
    /// with it, in reverse order, and reachable through <see cref="VersionStoreHost.Get{T}"/>.
    /// </summary>
    public T Own<T>(T part) where T : class
    {
        ArgumentNullException.ThrowIfNull(part);
        _owned.Add(part);
        return part;
    }
}

/// <summary>
/// A local store (the embedded RocksDB database): the whole store in the embedded modes; in distributed mode the warm
/// object cache and the <see cref="IHeadCache"/> of fail-static reads.
/// </summary>
/// <param name="Name">Tier name in logs, metrics and errors (e.g. <c>rocksdb</c>).</param>
/// <param name="Objects">Its objects (may also implement <see cref="IAtomicCommitStore"/> for its own refs).</param>
/// <param name="Refs">Its refs and audit log.</param>
/// <param name="Heads">Its remembered heads, or null when it keeps none.</param>
/// <param name="DataPath">Its folder (the archive outbox goes beside it), or null when it is not on disk.</param>
public sealed record LocalStorePart(string Name, IObjectStore Objects, IRefStore Refs, IHeadCache? Heads, string? DataPath);

/// <summary>A ref store shared by many processes (Redis), with an optional shared hot object cache.</summary>
/// <param name="Name">Tier name (e.g. <c>redis</c>).</param>
/// <param name="Refs">The authoritative refs and audit log.</param>
/// <param name="ObjectCache">A shared cache of objects (a cache tier), or null.</param>
public sealed record SharedRefStorePart(string Name, IRefStore Refs, IObjectStore? ObjectCache);

/// <summary>A remote object store (S3): the durable tier in distributed mode, the archive beside an embedded store.</summary>
/// <param name="Name">Tier name (e.g. <c>s3</c>).</param>
/// <param name="Objects">The store; open it lazily so a host starts while the remote is down.</param>
public sealed record RemoteObjectStorePart(string Name, IObjectStore Objects);

/// <summary>Opens one part of a store.</summary>
public delegate ValueTask<T> StorePartFactory<T>(VersionStoreBuildContext context, CancellationToken cancellationToken);
