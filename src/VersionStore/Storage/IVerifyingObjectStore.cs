namespace VersionStore;

/// <summary>
/// Optional capability of an <see cref="IObjectStore"/> that checks every object it returns against its id (SHA-256)
/// before returning it — where the bytes enter the process (the S3 pack store) or once for all its tiers (the tiered
/// store). Readers above it (<see cref="TieredObjectStore"/>, <see cref="Repository"/>) trust such bytes instead of
/// hashing them again, so a read costs one SHA-256. Decorators forward it for the store they wrap.
/// </summary>
public interface IVerifyingObjectStore
{
    /// <summary>True when every object returned by <see cref="IObjectStore.TryReadAsync"/> was verified against its id (a mismatch is a <see cref="CorruptObjectException"/>).</summary>
    bool ReturnsVerifiedBytes { get; }
}
