namespace VersionStore;

/// <summary>
/// Optional capability of an object store that also holds refs (the embedded RocksDB backend): writes a commit's new
/// objects and its ref compare-and-swap with the audit entry in one atomic write, instead of one write for the
/// objects and another for the ref. Detected at run time by <see cref="RepositoryStore"/>, which uses it when
/// <see cref="IsAtomicWith"/> says its ref store is the one these writes update. Decorators (the tiered store, test
/// chaos stores) implement it by forwarding to the store they wrap and answer <see cref="IsAtomicWith"/> for it, so
/// the capability survives decoration.
/// </summary>
/// <remarks>
/// Invariant 2 holds trivially — the objects are durable no later than the ref that reaches them — and invariant 3
/// as in <see cref="IRefStore.TryUpdateRefAsync"/>: the ref state and its audit entry are written both or neither.
/// </remarks>
public interface IAtomicCommitStore
{
    /// <summary>
    /// True when <see cref="WriteObjectsAndTryUpdateRefAsync"/> updates the refs that <paramref name="refStore"/> reads
    /// and writes (it is this very backend), so a <see cref="RepositoryStore"/> over this object store and
    /// <paramref name="refStore"/> may commit in one write. A decorator answers for the store it wraps, and false
    /// when that store has no such capability.
    /// </summary>
    bool IsAtomicWith(IRefStore refStore);

    /// <summary>
    /// Stores <paramref name="objects"/> and, when the ref's current state equals <see cref="RefUpdate.Expected"/>, stores
    /// <see cref="RefUpdate.NewState"/> and appends <see cref="RefUpdate.Entry"/> — all in one atomic write. When the
    /// state differs the objects are still stored (content-addressed, so harmless; a rebase reads them) and the ref and
    /// audit log are left unchanged.
    /// </summary>
    /// <returns>True when the ref was updated.</returns>
    ValueTask<bool> WriteObjectsAndTryUpdateRefAsync(IReadOnlyList<EncodedObject> objects, RefUpdate update, CancellationToken cancellationToken = default);
}
