namespace VersionStore;

/// <summary>
/// The one way to open a store: DI-free (<see cref="BuildAsync"/>, <see cref="Build"/>) or through
/// <c>services.AddVersionStore(b =&gt; …)</c>. Backends contribute parts through their own extensions; the mode is a
/// preset over those parts:
/// <list type="table">
/// <item><term>embedded</term><description>local store (RocksDB) only, optionally behind a memory L1: objects, refs and audit in one database, one atomic write per commit.</description></item>
/// <item><term>embedded + archive</term><description>local store (durable) → remote object store (S3, archive, via a crash-safe outbox and the <see cref="ArchiverService"/>).</description></item>
/// <item><term>distributed</term><description>[memory L1] → shared hot cache (Redis) → [local warm cache] → remote object store (S3, durable); refs in the shared ref store, behind a <see cref="FailStaticRefStore"/> over the local store's head cache when there is one.</description></item>
/// </list>
/// </summary>
/// <example>
/// <code>
/// await using var host = await new VersionStoreBuilder().UseRocksDb("/var/lib/app/vstore").BuildAsync();
/// var repo = host.Store.GetRepository("support-bot");
/// </code>
/// </example>
public sealed class VersionStoreBuilder : IVersionStoreBuilder
{
    private readonly List<string> _problems = [];
    private StorePartFactory<LocalStorePart>? _local;
    private StorePartFactory<SharedRefStorePart>? _shared;
    private StorePartFactory<RemoteObjectStorePart>? _remote;

    /// <inheritdoc />
    public VersionStoreBuilderOptions Options { get; } = new();

    /// <inheritdoc />
    public IVersionStoreBuilder UseLocalStore(StorePartFactory<LocalStorePart> open) => Set(ref _local, open, "a local store");

    /// <inheritdoc />
    public IVersionStoreBuilder UseSharedRefStore(StorePartFactory<SharedRefStorePart> open) => Set(ref _shared, open, "a shared ref store");

    /// <inheritdoc />
    public IVersionStoreBuilder UseRemoteObjectStore(StorePartFactory<RemoteObjectStorePart> open) => Set(ref _remote, open, "a remote object store");

    /// <inheritdoc />
    public IVersionStoreBuilder AddProblem(string problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        _problems.Add(problem.TrimEnd('.'));
        return this;
    }

    private VersionStoreBuilder Set<T>(ref StorePartFactory<T>? slot, StorePartFactory<T> open, string what)
    {
        ArgumentNullException.ThrowIfNull(open);
        if (slot is not null) _problems.Add($"{what} is registered twice");
        slot = open;
        return this;
    }

    /// <summary>The mode the registered parts make (or <see cref="VersionStoreBuilderOptions.Mode"/>).</summary>
    public DeploymentMode EffectiveMode => Options.Mode ?? (_shared is not null ? DeploymentMode.Distributed
        : _remote is not null ? DeploymentMode.EmbeddedWithArchive : DeploymentMode.Embedded);

    /// <summary>Every configuration problem: of the options, of each backend's options, of the parts for the mode.</summary>
    public IReadOnlyList<string> GetProblems()
    {
        var problems = new List<string>(_problems);
        Options.AddProblems(problems);
        var mode = EffectiveMode;
        switch (mode)
        {
            case DeploymentMode.Embedded:
                if (_local is null) problems.Add("embedded mode needs a local store (UseRocksDb or UseInMemory)");
                if (_shared is not null || _remote is not null) problems.Add("embedded mode uses neither a shared ref store nor a remote object store; choose another mode");
                break;
            case DeploymentMode.EmbeddedWithArchive:
                if (_local is null) problems.Add("embedded mode with archive needs a local store (UseRocksDb or UseInMemory)");
                if (_remote is null) problems.Add("embedded mode with archive needs a remote object store (UseS3)");
                if (_shared is not null) problems.Add("embedded mode with archive does not use a shared ref store");
                break;
            case DeploymentMode.Distributed:
                if (_shared is null) problems.Add("distributed mode needs a shared ref store (UseRedis)");
                if (_remote is null) problems.Add("distributed mode needs a remote object store as its durable tier (UseS3)");
                break;
        }
        return problems;
    }

    /// <summary>Opens the store (blocking; prefer <see cref="BuildAsync"/>).</summary>
    /// <exception cref="InvalidStoreConfigurationException">The configuration is invalid; the message lists every problem.</exception>
    /// <exception cref="BackendUnavailableException">The local store cannot be opened.</exception>
    public VersionStoreHost Build() => BuildAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Opens the store. A shared ref store or remote object store that is down does not stop it: the host starts, and
    /// calls that need them fail fast or fall back until they return.
    /// </summary>
    /// <exception cref="InvalidStoreConfigurationException">The configuration is invalid; the message lists every problem.</exception>
    /// <exception cref="BackendUnavailableException">The local store cannot be opened.</exception>
    public async ValueTask<VersionStoreHost> BuildAsync(CancellationToken cancellationToken = default)
    {
        var problems = GetProblems();
        if (problems.Count > 0) throw new InvalidStoreConfigurationException(problems);
        var mode = EffectiveMode;
        var owned = new List<object>();
        var context = new VersionStoreBuildContext(mode, Options, owned);
        try
        {
            var local = _local is null ? null : await _local(context, cancellationToken).ConfigureAwait(false);
            var shared = _shared is null ? null : await _shared(context, cancellationToken).ConfigureAwait(false);
            var remote = _remote is null ? null : await _remote(context, cancellationToken).ConfigureAwait(false);
            var storeOptions = Options.Store;

            var tiers = new List<StorageTier>();
            if (Options.MemoryCacheBytes > 0)
                tiers.Add(new StorageTier("memory", new MemoryCacheTier(Options.MemoryCacheBytes, storeOptions.TimeProvider), TierRole.Cache));
            IRefStore refs;
            IOutbox? outbox = null;
            switch (mode)
            {
                case DeploymentMode.Embedded:
                    tiers.Add(new StorageTier(local!.Name, local.Objects, TierRole.Durable));
                    refs = local.Refs;
                    break;
                case DeploymentMode.EmbeddedWithArchive:
                    tiers.Add(new StorageTier(local!.Name, local.Objects, TierRole.Durable));
                    tiers.Add(new StorageTier(remote!.Name, remote.Objects, TierRole.Archive));
                    var outboxPath = Options.ArchiveOutboxPath ?? (local.DataPath is { } p ? Path.GetFullPath(p).TrimEnd('/', '\\') + ".archive-outbox" : null);
                    outbox = outboxPath is null ? new InMemoryOutbox() : context.Own(FileOutbox.Open(outboxPath, syncWrites: true));
                    refs = local.Refs;
                    break;
                default:
                    if (shared!.ObjectCache is { } hot) tiers.Add(new StorageTier(shared.Name, hot, TierRole.Cache));
                    if (local is not null) tiers.Add(new StorageTier(local.Name, local.Objects, TierRole.Cache));
                    tiers.Add(new StorageTier(remote!.Name, remote.Objects, TierRole.Durable));
                    refs = local?.Heads is { } heads
                        ? new FailStaticRefStore(shared.Refs, heads, storeOptions.TimeProvider, storeOptions.LoggerFactory)
                        : shared.Refs;
                    break;
            }

            // One tier and nothing to add: the store is used as it is (no decorator in the way).
            IObjectStore objects;
            TieredObjectStore? tiered = null;
            if (tiers.Count == 1) objects = tiers[0].Store;
            else
            {
                objects = tiered = new TieredObjectStore(new TieredObjectStoreOptions
                {
                    Tiers = tiers,
                    ArchiveOutbox = outbox,
                    BreakerFailureThreshold = Options.BreakerFailureThreshold,
                    BreakerCooldown = Options.BreakerCooldown,
                    TimeProvider = storeOptions.TimeProvider,
                    LoggerFactory = storeOptions.LoggerFactory,
                });
            }
            ArchiverService? archiver = null;
            if (outbox is not null)
            {
                archiver = new ArchiverService(tiered!, new ArchiverOptions { PollInterval = Options.ArchiverPollInterval });
                if (Options.RunArchiver) archiver.Start();
            }
            var store = new RepositoryStore(objects, refs, storeOptions);
            return new VersionStoreHost(mode, store, tiered, refs as FailStaticRefStore, local?.Heads, archiver, outbox, owned);
        }
        catch
        {
            await VersionStoreHost.DisposeAllAsync(owned).ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>A store configuration that cannot be built; <see cref="Problems"/> lists every problem found, the message all of them.</summary>
public sealed class InvalidStoreConfigurationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidStoreConfigurationException(IReadOnlyList<string> problems)
        : base("Invalid store configuration: " + string.Join("; ", problems) + ".")
        => Problems = problems;

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Problems { get; }
}
