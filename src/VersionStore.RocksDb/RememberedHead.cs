namespace VersionStore;

/// <summary>
/// The last state of a ref that this process saw in the authoritative ref store, kept in the local RocksDB so an
/// application can still load the version it should run when the remote tiers are unreachable (fail-static
/// reads). It is possibly stale by construction: callers must present it as such.
/// </summary>
/// <param name="State">The ref state seen.</param>
/// <param name="SeenAt">When it was seen (UTC, millisecond precision).</param>
public sealed record RememberedHead(RefState State, DateTimeOffset SeenAt);
