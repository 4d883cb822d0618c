using System.Collections.Concurrent;

namespace VersionStore.Internal;

/// <summary>
/// Reads objects from the object store, verifies each against its id (invariant 1), and caches decoded
/// trees and commits (immutable, so a cache entry is never stale).
/// </summary>
internal sealed class ObjectReader(IObjectStore store, VersionStoreOptions options)
{
    private readonly IdObjectCache _decoded = new(); // not a ConcurrentDictionary over ObjectId: see IdObjectCache
    private int _count; // entries added since the last clear (approximate under races, which is all a bound needs)
    private readonly IdObjectCache _writtenTrees = new(); // values are Trees
    // Created on the first blob kept (a process that only walks history never reads a blob; the dictionary's generic code
    // over ObjectId would JIT in a fresh process).
    private ConcurrentDictionary<ObjectId, ReadOnlyMemory<byte>>? _blobs;
    private long _blobBytes; // content bytes in _blobs (approximate under races, which is all a bound needs)
    private int _writtenCount;
    private const int MaxWrittenTrees = 16_384; // a commit writes a handful: enough for the latest snapshots of many repositories

    // Bytes are verified once, where they enter the process: a store that verified them is trusted (header checked only).
    private readonly bool _storeVerifies = store is IVerifyingObjectStore { ReturnsVerifiedBytes: true };

    public async ValueTask<ReadOnlyMemory<byte>?> TryReadVerifiedAsync(ObjectId id, CancellationToken cancellationToken)
    {
        var data = await store.TryReadAsync(id, cancellationToken).ConfigureAwait(false);
        if (data is null) return null;
        Verify(id, data.Value.Span);
        return data;
    }

    /// <summary>The check of <see cref="TryReadVerifiedAsync"/> on bytes read for <paramref name="id"/>.</summary>
    private void Verify(ObjectId id, ReadOnlySpan<byte> data)
    {
        if (_storeVerifies) ObjectCodec.ReadKind(id, data);
        else ObjectCodec.Verify(id, data);
        VersionStoreDiagnostics.ObjectsRead.Add(1);
    }

    /// <summary>
    /// Reads many objects in one batch (<see cref="IBatchObjectStore"/>, or one read per id where the store has no batch
    /// read), each verified as by <see cref="TryReadVerifiedAsync"/>; answers in order, null where absent.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyVerifiedAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken)
    {
        var data = await store.TryReadManyAsync(ids, cancellationToken).ConfigureAwait(false);
        var verifying = new VerifyingVisitor(ids, null, _storeVerifies);
        for (var i = 0; i < data.Length; i++)
            if (data[i] is { } d) verifying.Visit(i, d.Span);
        if (verifying.Read > 0) VersionStoreDiagnostics.ObjectsRead.Add(verifying.Read);
        return data;
    }

    /// <summary>
    /// Reads many objects in one batch and hands each one the store holds, verified, to <paramref name="visitor"/> in
    /// position order. A store that reads in place (<see cref="IInPlaceBatchObjectStore"/>) has each object checked where
    /// it lies, nothing copied; any other store is read by <see cref="TryReadManyVerifiedAsync"/>, its answers visited.
    /// Either way the first object that fails its check, in position order, ends the read with its
    /// <see cref="CorruptObjectException"/> (the same object and message both ways), and the visitor sees only objects
    /// that passed.
    /// </summary>
    public async ValueTask VisitManyVerifiedAsync(IReadOnlyList<ObjectId> ids, IObjectBytesVisitor visitor, CancellationToken cancellationToken)
    {
        if (store is not IInPlaceBatchObjectStore inPlace)
        {
            var data = await TryReadManyVerifiedAsync(ids, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < data.Length; i++)
                if (data[i] is { } d) visitor.Visit(i, d.Span);
            return;
        }
        var verifying = new VerifyingVisitor(ids, visitor, _storeVerifies);
        await inPlace.ReadManyInPlaceAsync(ids, verifying, cancellationToken).ConfigureAwait(false);
        if (verifying.Read > 0) VersionStoreDiagnostics.ObjectsRead.Add(verifying.Read);
    }

    /// <summary>
    /// The batch check of both batch reads: each object, in position order, against its id (the header only, where the
    /// store verified it) before it is passed on; a mismatch or a malformed header throws at once, naming the object. On
    /// the calling thread: hashing a batch in parallel (and reading a local store's batch in parts on every core) was
    /// measured slower — for a snapshot's ~350 objects (~300 µs of SHA-256) the thread-pool wake-ups and spinning cost more
    /// than the second core gives back; a cold rollback's verification took ~1.6× the CPU and ~2× the p99 of doing it on
    /// one thread (benchmarks/results/2026-12-01-rollback-latency-2).
    /// </summary>
    private sealed class VerifyingVisitor(IReadOnlyList<ObjectId> ids, IObjectBytesVisitor? inner, bool storeVerifies) : IObjectBytesVisitor
    {
        public int Read { get; private set; }

        public void Visit(int index, ReadOnlySpan<byte> encoded)
        {
            var id = ids[index];
            if (!storeVerifies && ObjectId.Compute(encoded) != id) ObjectCodec.Verify(id, encoded); // throws the typed error naming the object
            ObjectCodec.ReadKind(id, encoded);
            Read++;
            inner?.Visit(index, encoded);
        }
    }

    /// <summary>
    /// The trees <paramref name="ids"/>, in order: decoded ones from the cache, the others read in one batch, verified,
    /// decoded and cached.
    /// </summary>
    /// <exception cref="ObjectNotFoundException">A tree is not stored.</exception>
    public async ValueTask<Tree[]> GetTreesAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken)
    {
        var result = new Tree[ids.Count];
        List<ObjectId>? load = null;
        for (var i = 0; i < result.Length; i++)
        {
            if (_decoded.TryGetValue(ids[i], out var cached)) result[i] = AsTree(ids[i], cached);
            else (load ??= []).Add(ids[i]);
        }
        if (load is null) return result;
        var data = await TryReadManyVerifiedAsync(load, cancellationToken).ConfigureAwait(false);
        var loaded = new Dictionary<ObjectId, Tree>(load.Count);
        for (var k = 0; k < load.Count; k++)
        {
            if (loaded.ContainsKey(load[k])) continue;
            var bytes = data[k] ?? throw new ObjectNotFoundException(load[k], "tree");
            var tree = ObjectCodec.DecodeTree(load[k], bytes.Span);
            Remember(load[k], tree);
            loaded[load[k]] = tree;
        }
        for (var i = 0; i < result.Length; i++) result[i] ??= loaded[ids[i]];
        return result;
    }

    /// <summary>The contents of the blobs <paramref name="ids"/>, in order, read in one batch and verified.</summary>
    /// <exception cref="ObjectNotFoundException">A blob is not stored.</exception>
    /// <exception cref="UnexpectedObjectKindException">An id names a tree or commit.</exception>
    public async ValueTask<ReadOnlyMemory<byte>[]> GetBlobsAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken)
    {
        var result = new ReadOnlyMemory<byte>[ids.Count];
        var load = new List<ObjectId>();
        var positions = new List<int>();
        for (var i = 0; i < result.Length; i++)
        {
            if (Volatile.Read(ref _blobs) is { } blobs && blobs.TryGetValue(ids[i], out var cached)) result[i] = cached;
            else
            {
                load.Add(ids[i]);
                positions.Add(i);
            }
        }
        if (load.Count == 0) return result;
        var data = await TryReadManyVerifiedAsync(load, cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < load.Count; k++)
        {
            var bytes = data[k] ?? throw new ObjectNotFoundException(load[k], "blob");
            var kind = ObjectCodec.ReadKind(load[k], bytes.Span);
            if (kind != ObjectKind.Blob) throw new UnexpectedObjectKindException(load[k], ObjectKind.Blob, kind);
            var content = bytes[ObjectCodec.HeaderSize..];
            RememberBlob(load[k], content);
            result[positions[k]] = content;
        }
        return result;
    }

    public async ValueTask<ReadOnlyMemory<byte>> ReadVerifiedAsync(ObjectId id, string? context, CancellationToken cancellationToken)
        => await TryReadVerifiedAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(id, context);

    // The cached paths complete synchronously: no async state machine for an object already decoded, which is what a
    // history walk or a checkout of a recent snapshot meets almost every time.

    public ValueTask<Commit?> TryGetCommitAsync(ObjectId id, CancellationToken cancellationToken)
        => _decoded.TryGetValue(id, out var cached) ? new ValueTask<Commit?>(AsCommit(id, cached)) : LoadCommitAsync(id, cancellationToken);

    public ValueTask<Commit> GetCommitAsync(ObjectId id, CancellationToken cancellationToken)
        => _decoded.TryGetValue(id, out var cached) ? new ValueTask<Commit>(AsCommit(id, cached)) : LoadRequiredCommitAsync(id, cancellationToken);

    public ValueTask<Tree> GetTreeAsync(ObjectId id, CancellationToken cancellationToken)
        => _decoded.TryGetValue(id, out var cached) ? new ValueTask<Tree>(AsTree(id, cached)) : LoadTreeAsync(id, cancellationToken);

    private static Commit AsCommit(ObjectId id, object cached)
        => cached as Commit ?? throw new UnexpectedObjectKindException(id, ObjectKind.Commit, ObjectKind.Tree);

    private static Tree AsTree(ObjectId id, object cached)
        => cached as Tree ?? throw new UnexpectedObjectKindException(id, ObjectKind.Tree, ObjectKind.Commit);

    /// <remarks>
    /// Synchronous when the store's read is (the embedded and in-memory backends): no async state machine and no awaiter
    /// of <c>ReadOnlyMemory&lt;byte&gt;?</c>, generic code that would JIT on a fresh process's first commit read.
    /// Exceptions travel in the returned task, as from an async method.
    /// </remarks>
    private ValueTask<Commit?> LoadCommitAsync(ObjectId id, CancellationToken cancellationToken)
    {
        try
        {
            var read = store.TryReadAsync(id, cancellationToken);
            return read.IsCompletedSuccessfully ? new ValueTask<Commit?>(DecodeRead(id, read.Result)) : LoadCommitPendingAsync(id, read);
        }
        catch (Exception e) { return Faulted.ValueTask<Commit?>(e); }
    }

    private async ValueTask<Commit?> LoadCommitPendingAsync(ObjectId id, ValueTask<ReadOnlyMemory<byte>?> read)
        => DecodeRead(id, await read.ConfigureAwait(false));

    /// <summary>A commit read for <paramref name="id"/> (null: not stored), verified, decoded and cached.</summary>
    private Commit? DecodeRead(ObjectId id, ReadOnlyMemory<byte>? data)
    {
        if (data is not { } bytes) return null;
        Verify(id, bytes.Span);
        var commit = ObjectCodec.DecodeCommit(id, bytes.Span);
        Remember(id, commit);
        return commit;
    }

    private async ValueTask<Commit> LoadRequiredCommitAsync(ObjectId id, CancellationToken cancellationToken)
        => await LoadCommitAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(id, "commit");

    private async ValueTask<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken)
    {
        var data = await ReadVerifiedAsync(id, "tree", cancellationToken).ConfigureAwait(false);
        var tree = ObjectCodec.DecodeTree(id, data.Span);
        Remember(id, tree);
        return tree;
    }

    /// <summary>
    /// A base tree for <see cref="TreeWriter"/>: like <see cref="GetTreeAsync"/>, but trees this process itself wrote
    /// (<see cref="RememberWrittenTree"/>) are served from memory. The writer only copies their entries' ids into new
    /// trees; readers (checkout, diff, verify) still read and verify them from the store, so damage done to a stored
    /// tree after it was written is still detected there.
    /// </summary>
    public ValueTask<Tree> GetBaseTreeAsync(ObjectId id, CancellationToken cancellationToken)
        => _writtenTrees.TryGetValue(id, out var tree) ? ValueTask.FromResult((Tree)tree) : GetTreeAsync(id, cancellationToken);

    /// <summary>Remembers a tree this process just stored, for <see cref="GetBaseTreeAsync"/>. Call only once it is stored.</summary>
    public void RememberWrittenTree(Tree tree)
    {
        var limit = Math.Min(options.DecodedObjectCacheSize, MaxWrittenTrees);
        if (limit == 0) return;
        if (Volatile.Read(ref _writtenCount) >= limit)
        {
            _writtenTrees.Clear();
            Interlocked.Exchange(ref _writtenCount, 0);
        }
        if (_writtenTrees.TryAdd(tree.Id, tree)) Interlocked.Increment(ref _writtenCount);
    }

    /// <summary>Trees in the written-tree memory (tests: it holds the newest snapshots' trees, not every tree ever written).</summary>
    internal int WrittenTreeCount => _writtenTrees.Count;

    /// <summary>Drops a tree from the written-tree memory (a newer commit replaced it; see <see cref="TreeWriter.RememberNewTrees"/>).</summary>
    public void ForgetWrittenTree(ObjectId id)
    {
        if (_writtenTrees.TryRemove(id)) Interlocked.Decrement(ref _writtenCount);
    }

    public ValueTask<ReadOnlyMemory<byte>> GetBlobAsync(ObjectId id, CancellationToken cancellationToken)
        => Volatile.Read(ref _blobs) is { } blobs && blobs.TryGetValue(id, out var cached) ? ValueTask.FromResult(cached) : LoadBlobAsync(id, cancellationToken);

    private async ValueTask<ReadOnlyMemory<byte>> LoadBlobAsync(ObjectId id, CancellationToken cancellationToken)
    {
        var data = await ReadVerifiedAsync(id, "blob", cancellationToken).ConfigureAwait(false);
        var kind = ObjectCodec.ReadKind(id, data.Span);
        if (kind != ObjectKind.Blob) throw new UnexpectedObjectKindException(id, ObjectKind.Blob, kind);
        var content = data[ObjectCodec.HeaderSize..];
        RememberBlob(id, content);
        return content;
    }

    /// <summary>
    /// Keeps a verified blob's content (<see cref="VersionStoreOptions.VerifiedBlobCacheBytes"/>): checked against its id
    /// where it entered the process, immutable, so a repeated read needs neither the store nor a hash. Crude bound, as for
    /// decoded objects: cleared when full.
    /// </summary>
    private void RememberBlob(ObjectId id, ReadOnlyMemory<byte> content)
    {
        var budget = options.VerifiedBlobCacheBytes;
        if (budget == 0 || content.Length > budget / 16) return;
        if (Interlocked.Add(ref _blobBytes, content.Length) > budget)
        {
            Blobs.Clear();
            Interlocked.Exchange(ref _blobBytes, content.Length);
        }
        if (!Blobs.TryAdd(id, content)) Interlocked.Add(ref _blobBytes, -content.Length);
    }

    private ConcurrentDictionary<ObjectId, ReadOnlyMemory<byte>> Blobs
        => Volatile.Read(ref _blobs) ?? Interlocked.CompareExchange(ref _blobs, new ConcurrentDictionary<ObjectId, ReadOnlyMemory<byte>>(), null) ?? _blobs;

    /// <summary>Drops deleted objects from the caches (garbage collection).</summary>
    public void Forget(IEnumerable<ObjectId> ids)
    {
        foreach (var id in ids)
        {
            _decoded.TryRemove(id);
            _writtenTrees.TryRemove(id);
            if (Volatile.Read(ref _blobs) is { } blobs && blobs.TryRemove(id, out var gone)) Interlocked.Add(ref _blobBytes, -gone.Length);
        }
    }

    /// <summary>Adds an object this process just wrote (and so knows to be intact) to the cache.</summary>
    public void Remember(ObjectId id, object decoded)
    {
        if (options.DecodedObjectCacheSize == 0) return;
        // Counted here rather than by ConcurrentDictionary.Count, which takes every lock of the table (hundreds once it has grown).
        if (Volatile.Read(ref _count) >= options.DecodedObjectCacheSize)
        {
            _decoded.Clear(); // crude but bounded; objects are cheap to reload
            Interlocked.Exchange(ref _count, 0);
        }
        if (_decoded.TryAdd(id, decoded)) Interlocked.Increment(ref _count);
    }
}
