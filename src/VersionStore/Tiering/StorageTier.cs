namespace VersionStore;

/// <summary>What a tier is for in a <see cref="TieredObjectStore"/>.</summary>
public enum TierRole
{
    /// <summary>
    /// A cache (hot or warm): may hold any subset of the objects, may lose them, is filled by write-through and by
    /// promotion on read, and is skipped while its circuit breaker is open. Never the last copy of anything.
    /// </summary>
    Cache = 1,

    /// <summary>
    /// The commit point of the mode (embedded: RocksDB; distributed: S3). A write is acknowledged when this tier has
    /// it; exactly one tier has this role. Its failures are never hidden: a write fails, a read that no other tier
    /// can serve fails with <see cref="BackendUnavailableException"/>.
    /// </summary>
    Durable = 2,

    /// <summary>
    /// A cold copy behind the durable tier (embedded + archive: S3), filled asynchronously by the
    /// <see cref="ArchiverService"/> from an <see cref="IOutbox"/>; read when nearer tiers miss or hold a corrupt copy.
    /// </summary>
    Archive = 3,
}

/// <summary>One tier of a <see cref="TieredObjectStore"/>: a named <see cref="IObjectStore"/> with a role.</summary>
public sealed class StorageTier
{
    /// <summary>Creates a tier.</summary>
    /// <param name="name">Short name used in logs, metrics (tag <c>tier</c>) and errors, e.g. <c>redis</c>, <c>rocksdb</c>, <c>s3</c>.</param>
    /// <param name="store">The backend.</param>
    /// <param name="role">What the tier is for.</param>
    public StorageTier(string name, IObjectStore store, TierRole role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(store);
        if (!Enum.IsDefined(role)) throw new ArgumentOutOfRangeException(nameof(role));
        Name = name;
        Store = store;
        Role = role;
        WriteThrough = role == TierRole.Cache;
        PromoteOnRead = role == TierRole.Cache;
    }

    /// <summary>The tier's name.</summary>
    public string Name { get; }

    /// <summary>The backend.</summary>
    public IObjectStore Store { get; }

    /// <summary>What the tier is for.</summary>
    public TierRole Role { get; }

    /// <summary>Cache tiers only: written (best effort, after the durable tier) by every write.</summary>
    /// <value><c>true</c> for <see cref="TierRole.Cache"/>, ignored for the other roles.</value>
    public bool WriteThrough { get; init; }

    /// <summary>Cache tiers only: an object read from a farther tier is copied into this one.</summary>
    /// <value><c>true</c> for <see cref="TierRole.Cache"/>, ignored for the other roles.</value>
    public bool PromoteOnRead { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Role.ToString().ToLowerInvariant()})";
}
