using System.Runtime.CompilerServices;

namespace VersionStore.S3.Internal;

/// <summary>
/// The S3 pack store, opened on first use and re-tried on each call until it opens: the application starts while
/// S3 is down (reads come from the other tiers, the archiver waits) and recovers without a restart.
/// </summary>
internal sealed class LazyS3Store(S3PackStoreOptions options) : IObjectStore, IBatchObjectStore, IVerifyingObjectStore, IStorePartSource, ISweepableObjectStore, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private S3PackObjectStore? _store;

    public S3PackObjectStore? Opened => Volatile.Read(ref _store);

    object? IStorePartSource.Current => Opened;

    /// <summary>Forwarded: the pack store verifies what it returns when <see cref="S3PackStoreOptions.VerifyReads"/> is on.</summary>
    public bool ReturnsVerifiedBytes => options.VerifyReads;

    public async ValueTask<S3PackObjectStore> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _store) is { } s) return s;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _store ??= await S3PackObjectStore.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
        => await (await GetAsync(cancellationToken).ConfigureAwait(false)).TryReadAsync(id, cancellationToken).ConfigureAwait(false);

    public async ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
        => await (await GetAsync(cancellationToken).ConfigureAwait(false)).TryReadManyAsync(ids, cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
        => await (await GetAsync(cancellationToken).ConfigureAwait(false)).ContainsAsync(id, cancellationToken).ConfigureAwait(false);

    public async ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
        => await (await GetAsync(cancellationToken).ConfigureAwait(false)).WriteAsync(objects, cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var store = await GetAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var id in store.FindByPrefixAsync(hexPrefix, limit, cancellationToken).ConfigureAwait(false)) yield return id;
    }

    public async IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var store = await GetAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var o in store.ListObjectsAsync(cancellationToken).ConfigureAwait(false)) yield return o;
    }

    public async ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
        => await (await GetAsync(cancellationToken).ConfigureAwait(false)).DeleteObjectsAsync(ids, writtenBefore, cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_store is { } s) await s.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
