namespace VersionStore;

/// <summary>
/// Optional capability of an <see cref="IObjectStore"/>: list what it stores with write times, and delete objects, so
/// that garbage collection (<see cref="RepositoryStore.CollectGarbageAsync"/>) can sweep it. Detected at run time; a
/// decorator or composite store (the tiered store) implements it by forwarding to what it wraps, so a store that wraps
/// a sweepable store stays sweepable.
/// </summary>
/// <remarks>
/// <para><b>Write times</b> protect commits in flight: objects are written before the ref that reaches them moves, so
/// the collector never deletes an object written (or written again) less than its grace period ago. A store reports
/// the time of the newest write of each object (<see cref="StoredObjectInfo.WrittenAt"/>); writing an object it already
/// holds must refresh that time, or keep the old one only while it is recent (see the S3 pack store).</para>
/// <para><b>Deletion</b> (<see cref="DeleteObjectsAsync"/>) must skip any object written at or after the cut-off, checked
/// atomically with the delete, so a writer that wrote an object a moment ago never loses it.</para>
/// </remarks>
public interface ISweepableObjectStore
{
    /// <summary>Every stored object with its size and newest write time. A snapshot-free stream: objects written meanwhile may or may not appear.</summary>
    /// <exception cref="BackendUnavailableException">The backend cannot be reached.</exception>
    IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes <paramref name="ids"/>, except objects written at or after <paramref name="writtenBefore"/> (checked atomically
    /// with the delete). Ids not held are ignored. Idempotent: a crash part-way leaves every object either deleted or intact.
    /// </summary>
    /// <returns>What was deleted, per tier (one entry for a plain store, one per tier for a composite).</returns>
    /// <exception cref="BackendUnavailableException">The backend cannot be reached; some objects may already be deleted.</exception>
    ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default);
}

/// <summary>One stored object as a sweepable store lists it.</summary>
/// <param name="Id">The object.</param>
/// <param name="Bytes">Its encoded size in bytes (0 when the store does not know it cheaply).</param>
/// <param name="WrittenAt">When it was last written (UTC); null when unknown, which counts as long ago.</param>
public readonly record struct StoredObjectInfo(ObjectId Id, long Bytes, DateTimeOffset? WrittenAt);

/// <summary>What one tier freed in a sweep.</summary>
/// <param name="Tier">The tier's name (<c>rocksdb</c>, <c>s3</c>, <c>redis</c>, <c>memory</c>).</param>
/// <param name="ObjectsDeleted">Objects deleted.</param>
/// <param name="BytesFreed">Bytes freed (encoded object bytes; for S3 the difference in pack bytes).</param>
public sealed record TierSweepResult(string Tier, long ObjectsDeleted, long BytesFreed);
