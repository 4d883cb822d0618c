using System.Collections.Concurrent;

namespace VersionStore.Internal;

/// <summary>
/// Reads objects from the object store, verifies each against its id (invariant 1), and caches decoded
/// trees and commits (immutable, so a cache entry is never stale).
/// </summary>
internal sealed class ObjectReader(IObjectStore store, VersionStoreOptions options)
{
    private readonly ConcurrentDictionary<ObjectId, object> _decoded = new();

    public async ValueTask<ReadOnlyMemory<byte>?> TryReadVerifiedAsync(ObjectId id, CancellationToken cancellationToken)
    {
        var data = await store.TryReadAsync(id, cancellationToken).ConfigureAwait(false);
        if (data is null) return null;
        ObjectCodec.Verify(id, data.Value.Span);
        VersionStoreDiagnostics.ObjectsRead.Add(1);
        return data;
    }

    public async ValueTask<ReadOnlyMemory<byte>> ReadVerifiedAsync(ObjectId id, string? context, CancellationToken cancellationToken)
        => await TryReadVerifiedAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(id, context);

    public async ValueTask<Commit?> TryGetCommitAsync(ObjectId id, CancellationToken cancellationToken)
    {
        if (_decoded.TryGetValue(id, out var cached))
            return cached as Commit ?? throw new UnexpectedObjectKindException(id, ObjectKind.Commit, ObjectKind.Tree);
        var data = await TryReadVerifiedAsync(id, cancellationToken).ConfigureAwait(false);
        if (data is null) return null;
        var commit = ObjectCodec.DecodeCommit(id, data.Value.Span);
        Remember(id, commit);
        return commit;
    }

    public async ValueTask<Commit> GetCommitAsync(ObjectId id, CancellationToken cancellationToken)
        => await TryGetCommitAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(id, "commit");

    public async ValueTask<Tree> GetTreeAsync(ObjectId id, CancellationToken cancellationToken)
    {
        if (_decoded.TryGetValue(id, out var cached))
            return cached as Tree ?? throw new UnexpectedObjectKindException(id, ObjectKind.Tree, ObjectKind.Commit);
        var data = await ReadVerifiedAsync(id, "tree", cancellationToken).ConfigureAwait(false);
        var tree = ObjectCodec.DecodeTree(id, data.Span);
        Remember(id, tree);
        return tree;
    }

    public async ValueTask<ReadOnlyMemory<byte>> GetBlobAsync(ObjectId id, CancellationToken cancellationToken)
    {
        var data = await ReadVerifiedAsync(id, "blob", cancellationToken).ConfigureAwait(false);
        var kind = ObjectCodec.ReadKind(id, data.Span);
        if (kind != ObjectKind.Blob) throw new UnexpectedObjectKindException(id, ObjectKind.Blob, kind);
        return data[ObjectCodec.HeaderSize..];
    }

    /// <summary>Adds an object this process just wrote (and so knows to be intact) to the cache.</summary>
    public void Remember(ObjectId id, object decoded)
    {
        if (options.DecodedObjectCacheSize == 0) return;
        if (_decoded.Count >= options.DecodedObjectCacheSize) _decoded.Clear(); // crude but bounded; objects are cheap to reload
        _decoded[id] = decoded;
    }
}
