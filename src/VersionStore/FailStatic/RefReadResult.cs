namespace VersionStore;

/// <summary>A ref read by <see cref="FailStaticRefStore.TryGetRefWithFreshnessAsync"/>: the state and whether it may be stale.</summary>
/// <param name="State">The ref state.</param>
/// <param name="IsStale">
/// False: read from the authoritative ref store just now. True: the authoritative store was unreachable and this is the
/// last state this machine saw (fail-static read) — another process may have moved the ref since <paramref name="SeenAt"/>.
/// </param>
/// <param name="SeenAt">When the state was seen in the authoritative store (now for a fresh read).</param>
/// <param name="Cause">Why a stale state was served (the store unreachable, or a <see cref="RefStoreStateLostException"/>); null for a fresh read.</param>
public sealed record RefReadResult(RefState State, bool IsStale, DateTimeOffset SeenAt, BackendUnavailableException? Cause = null);

/// <summary>Raised when a fail-static ref read served a remembered, possibly stale state.</summary>
/// <param name="Repository">The repository.</param>
/// <param name="Ref">The ref.</param>
/// <param name="Result">What was served.</param>
/// <param name="Cause">Why the authoritative store could not answer.</param>
public sealed record StaleRefReadEventArgs(RepositoryName Repository, RefName Ref, RefReadResult Result, BackendUnavailableException Cause);
