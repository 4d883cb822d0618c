namespace VersionStore;

/// <summary>
/// Optional capability of a backend that is both the <see cref="IObjectStore"/> and the <see cref="IRefStore"/> of a
/// store (the embedded RocksDB backend): writes a commit's new objects and its ref compare-and-swap with the audit
/// entry in one atomic write, instead of one write for the objects and another for the ref. Detected at run time;
/// a commit uses it only when the store's object store and ref store are the same instance.
/// </summary>
/// <remarks>
/// Invariant 2 holds trivially — the objects are durable no later than the ref that reaches them — and invariant 3
/// as in <see cref="IRefStore.TryUpdateRefAsync"/>: the ref state and its audit entry are written both or neither.
/// </remarks>
public interface IAtomicCommitStore
{
    /// <summary>
    /// Stores <paramref name="objects"/> and, when the ref's current state equals <see cref="RefUpdate.Expected"/>, stores
    /// <see cref="RefUpdate.NewState"/> and appends <see cref="RefUpdate.Entry"/> — all in one atomic write. When the
    /// state differs the objects are still stored (content-addressed, so harmless; a rebase reads them) and the ref and
    /// audit log are left unchanged.
    /// </summary>
    /// <returns>True when the ref was updated.</returns>
    ValueTask<bool> WriteObjectsAndTryUpdateRefAsync(IReadOnlyList<EncodedObject> objects, RefUpdate update, CancellationToken cancellationToken = default);
}
