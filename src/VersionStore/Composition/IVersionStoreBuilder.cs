namespace VersionStore;

/// <summary>
/// Composes a store from parts; each backend package adds one extension that binds its own options and registers its
/// part here (<c>UseRocksDb</c>, <c>UseRedis</c>, <c>UseS3</c>; <c>UseMemoryCache</c> and <c>UseInMemory</c> in the
/// core). The mode follows from the parts (<see cref="DeploymentMode"/>). Built DI-free by
/// <see cref="VersionStoreBuilder.BuildAsync"/> or through <c>services.AddVersionStore(b =&gt; …)</c>.
/// </summary>
public interface IVersionStoreBuilder
{
    /// <summary>Options that belong to no one backend.</summary>
    VersionStoreBuilderOptions Options { get; }

    /// <summary>Registers the local store (one at most).</summary>
    IVersionStoreBuilder UseLocalStore(StorePartFactory<LocalStorePart> open);

    /// <summary>Registers the shared ref store (one at most).</summary>
    IVersionStoreBuilder UseSharedRefStore(StorePartFactory<SharedRefStorePart> open);

    /// <summary>Registers the remote object store (one at most).</summary>
    IVersionStoreBuilder UseRemoteObjectStore(StorePartFactory<RemoteObjectStorePart> open);

    /// <summary>Records a configuration problem; the build reports every problem recorded, at once.</summary>
    IVersionStoreBuilder AddProblem(string problem);

    /// <summary>Opens the store the parts compose (see <see cref="VersionStoreBuilder.BuildAsync"/>).</summary>
    /// <exception cref="InvalidStoreConfigurationException">The configuration is invalid; the message lists every problem.</exception>
    /// <exception cref="BackendUnavailableException">The local store cannot be opened.</exception>
    ValueTask<VersionStoreHost> BuildAsync(CancellationToken cancellationToken = default);

    /// <summary>Opens the store, blocking (prefer <see cref="BuildAsync"/>).</summary>
    VersionStoreHost Build();
}
