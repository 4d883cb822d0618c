using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using VersionStore.Internal;

namespace VersionStore;

/// <summary>
/// A store of many repositories (one per workflow id) over one object store and one ref store. Objects are
/// shared by all repositories of the store (content addressing deduplicates them); refs and audit logs never
/// are. Thread-safe; create one per process and share it.
/// </summary>
/// <example>
/// <code>
/// var store = new RepositoryStore(new InMemoryObjectStore(), new InMemoryRefStore());
/// var repo = store.GetRepository("support-bot");
/// var v1 = await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{\"model\":\"gpt-4o\"}"),
///     new CommitOptions { Author = "ana", Message = "v1" });
/// </code>
/// </example>
public sealed class RepositoryStore : IAsyncDisposable
{
    private readonly IDisposable? _ownedBackend;

    /// <summary>
    /// In-process gates of commits to one branch (64 stripes by repository and ref): this process's committers of a branch
    /// queue instead of racing each other's compare-and-swap, so none can lose every rebase on a busy machine. Other
    /// processes still race, and automatic rebase settles that.
    /// </summary>
    private readonly SemaphoreSlim[] _commitGates = NewCommitGates();

    // A loop rather than Enumerable.Range(...).Select(...): the LINQ generics JIT in a fresh process (~1.5 ms of the store's construction).
    private static SemaphoreSlim[] NewCommitGates()
    {
        var gates = new SemaphoreSlim[64];
        for (var i = 0; i < gates.Length; i++) gates[i] = new SemaphoreSlim(1, 1);
        return gates;
    }

    internal SemaphoreSlim CommitGate(RepositoryName repository, RefName name)
        => _commitGates[(HashCode.Combine(repository, name) & int.MaxValue) % _commitGates.Length];

    /// <summary>Creates a store over the given backends.</summary>
    /// <param name="objects">Where objects live.</param>
    /// <param name="refs">Where refs and the audit log live.</param>
    /// <param name="options">Options (validated here); defaults when null.</param>
    /// <param name="ownedBackend">Disposed with the store, when given.</param>
    public RepositoryStore(IObjectStore objects, IRefStore refs, VersionStoreOptions? options = null, IDisposable? ownedBackend = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(refs);
        Options = options ?? new VersionStoreOptions();
        Options.Validate();
        Objects = objects;
        Refs = refs;
        _ownedBackend = ownedBackend;
        AtomicCommits = objects is IAtomicCommitStore atomic && atomic.IsAtomicWith(refs) ? atomic : null;
        ObjectReader = new ObjectReader(objects, Options);
        VerifiedTrees = new VerifiedTrees(Options);
        Logger = Options.LoggerFactory.CreateLogger("VersionStore");
    }

    /// <summary>A store held entirely in memory (tests, experiments).</summary>
    public static RepositoryStore CreateInMemory(VersionStoreOptions? options = null)
        => new(new InMemoryObjectStore(options?.TimeProvider), new InMemoryRefStore(), options);

    /// <summary>
    /// The reserved repository that holds the store's own state (the garbage collector's plan). Hidden from
    /// <see cref="ListRepositoriesAsync"/>; do not use it for workflows.
    /// </summary>
    public const string SystemRepositoryName = "_vstore";

    internal static readonly RepositoryName SystemRepository = new(SystemRepositoryName);

    internal GcPlanCache GcPlans { get; } = new();

    /// <summary>
    /// Garbage collection over every tier (mark and sweep; docs/OPERATIONS.md): applies each repository's retention
    /// policy (prune marks), keeps everything a ref, pin, channel history or young write reaches, and deletes objects that a
    /// previous run planned for deletion, that are still unreached, once that plan is older than the grace period.
    /// Incremental (batches), cancellable, and it takes no lock that blocks commits or rollbacks.
    /// </summary>
    /// <exception cref="InvalidRequestException">The object store cannot be swept (it implements no <see cref="ISweepableObjectStore"/>).</exception>
    /// <exception cref="VersionStoreException">A ref reaches a commit that is not stored: nothing is deleted (run verify).</exception>
    public Task<GcResult> CollectGarbageAsync(GcOptions? options = null, IProgress<GcProgress>? progress = null, CancellationToken cancellationToken = default)
        => new GarbageCollector(this, options ?? new GcOptions(), progress).RunAsync(cancellationToken);

    /// <summary>
    /// Recovery after the shared ref store lost its state (<see cref="RefStoreStateLostException"/>; docs/OPERATIONS.md,
    /// "Ref store lost its state"): re-publishes the heads this machine remembers for <paramref name="repository"/> (null:
    /// every repository it remembers) where the ref store lacks them — create-if-absent by compare-and-swap, audited as
    /// <see cref="FailStaticRefStore.RestoreOperation"/>, never overwriting a ref someone re-created — and writes the
    /// store marker again, so writes are accepted again. Run it on each machine whose local store remembers heads.
    /// </summary>
    /// <param name="repository">The repository, or null for every repository remembered.</param>
    /// <param name="actor">Who restores (recorded in each audit entry).</param>
    /// <param name="cancellationToken">Cancels the restore (refs already re-published stay).</param>
    /// <exception cref="InvalidRequestException">The store keeps no remembered heads (it is not distributed with a local store), or the actor is not one line.</exception>
    /// <exception cref="BackendUnavailableException">The ref store is unreachable.</exception>
    public Task<HeadRestoreReport> RestoreHeadsAsync(RepositoryName? repository = null, string actor = "unknown", CancellationToken cancellationToken = default)
    {
        if (Refs is not FailStaticRefStore failStatic)
            throw new InvalidRequestException("This store keeps no remembered heads to restore: only a distributed store with a local store (its head cache) does.");
        if (string.IsNullOrWhiteSpace(actor) || actor.Length > 256 || actor.Any(char.IsControl))
            throw new InvalidRequestException("The actor must be one line of at most 256 printable characters.");
        return failStatic.RestoreHeadsAsync(repository, actor,
            async (id, ct) => await ObjectReader.TryGetCommitAsync(id, ct).ConfigureAwait(false) is not null, cancellationToken);
    }

    /// <summary>The object store.</summary>
    public IObjectStore Objects { get; }

    /// <summary>The ref store.</summary>
    public IRefStore Refs { get; }

    /// <summary>The ref store's change feed, when it has one (<see cref="IRefChangeFeed"/>, detected at run time), else null (watches then poll).</summary>
    public IRefChangeFeed? ChangeFeed => Refs as IRefChangeFeed;

    /// <summary>The options in force.</summary>
    public VersionStoreOptions Options { get; }

    /// <summary>
    /// The object store as an <see cref="IAtomicCommitStore"/> when it can write objects together with the refs of
    /// <see cref="Refs"/> in one atomic write (detected once, here), else null.
    /// </summary>
    internal IAtomicCommitStore? AtomicCommits { get; }

    internal ObjectReader ObjectReader { get; }

    internal VerifiedTrees VerifiedTrees { get; }

    internal ILogger Logger { get; }

    /// <summary>The repository named <paramref name="name"/> (no I/O; it exists once it has a ref).</summary>
    /// <exception cref="InvalidNameException">The name is invalid.</exception>
    public Repository GetRepository(RepositoryName name) => new(this, name);

    /// <summary>The repository named <paramref name="name"/> (validated).</summary>
    /// <exception cref="InvalidNameException">The name is invalid.</exception>
    public Repository GetRepository(string name) => new(this, new RepositoryName(name));

    /// <summary>Repositories that hold at least one ref.</summary>
    public async IAsyncEnumerable<RepositoryName> ListRepositoriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var r in Refs.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false))
            if (r != SystemRepository) yield return r;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Graph.CommitGraph.PersistFor(this);
        switch (_ownedBackend)
        {
            case IAsyncDisposable a: await a.DisposeAsync().ConfigureAwait(false); break;
            case { } d: d.Dispose(); break;
        }
    }
}
