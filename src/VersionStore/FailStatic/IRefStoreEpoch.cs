namespace VersionStore;

/// <summary>
/// An optional capability of a shared ref store (detected at run time): a store marker, an opaque "epoch" string the
/// store holds for as long as it keeps its state. It is written once, when the first process writes to the store, and
/// remembered by every process's <see cref="IHeadCache"/>; a store that lost its data (Redis restarted empty, flushed,
/// replaced) no longer holds it, and <see cref="FailStaticRefStore"/> then refuses writes with
/// <see cref="RefStoreStateLostException"/> instead of starting history over.
/// </summary>
public interface IRefStoreEpoch
{
    /// <summary>The store's name in messages (e.g. <c>Redis</c>).</summary>
    string BackendName { get; }

    /// <summary>The marker the store holds, or null when it holds none (never written to, or its state was lost).</summary>
    /// <exception cref="BackendUnavailableException">The store is unreachable.</exception>
    ValueTask<string?> TryGetEpochAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="epoch"/> when the store holds no marker (create-if-absent, atomic) and returns the marker it holds afterwards.</summary>
    /// <exception cref="BackendUnavailableException">The store is unreachable.</exception>
    ValueTask<string> EnsureEpochAsync(string epoch, CancellationToken cancellationToken = default);
}
