using Microsoft.Extensions.Logging;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using VersionStore.RocksDb.Internal;
using VersionStore.RocksDb.Internal.Native;

namespace VersionStore;

/// <summary>
/// The embedded backend: objects, refs, the audit log and the fail-static head cache in one local RocksDB
/// database (one column family each). A ref compare-and-swap and its audit entry are written in one atomic
/// <c>WriteBatch</c> under a striped lock, so updates are atomic and linearizable within the process; RocksDB's
/// own file lock keeps a second process out. Every write goes through the write-ahead log: an acknowledged write
/// survives a process crash; with <see cref="RocksDbBackendOptions.SyncWrites"/> it also survives power loss.
/// </summary>
/// <remarks>
/// RocksDB calls are synchronous and fast (microseconds), so the async methods complete synchronously.
/// Failures of RocksDB (the database locked by another process, an I/O error) surface as
/// <see cref="BackendUnavailableException"/>; a stored ref state or audit entry that does not decode surfaces
/// as <see cref="CorruptObjectException"/>. The instance is thread-safe; <see cref="Dispose"/> waits for
/// running calls and closes the database.
/// </remarks>
public sealed class RocksDbBackend : IObjectStore, IBatchObjectStore, IInPlaceBatchObjectStore, IRefStore, IAtomicCommitStore, IHeadCache, ISweepableObjectStore, IRefChangeFeed, IDisposable
{
    private readonly RefChangeBroadcaster _changes = new();
    internal const string BackendName = "RocksDB";
    private const int AuditPageSize = 128;

    private readonly NativeDb _db;
    private readonly ColumnFamilyHandle _objects;
    private readonly ColumnFamilyHandle _refs;
    private readonly ColumnFamilyHandle _audit;
    private readonly ColumnFamilyHandle _heads;
    private readonly ColumnFamilyHandle _written;
    // Object writes hold it shared; a sweep batch holds it exclusively while it checks write times and deletes (a few ms
    // per batch), so a write is either seen by the check or lands after the delete — never lost in between.
    private readonly ReaderWriterLockSlim _sweepGate = new(LockRecursionPolicy.NoRecursion);
    private readonly WriteOptions _writeOptions;
    private readonly object[] _stripes;
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private bool _disposed;
    private long _writes;
    // The disambiguator of this backend's write-time batch records (their key is time + this). Unique within the process by
    // the increment; RocksDB's LOCK file keeps every other process out while this one is open, and the random start makes a
    // collision with a record of an earlier process in the same microsecond a 2^-64 chance (see docs/FORMAT-rocksdb.md).
    private long _recordDisambiguator = Random.Shared.NextInt64();

    /// <summary>The native database: for benchmarks that measure a raw write beside the backend's (the commit benchmark's CPU floor).</summary>
    internal NativeDb Database => _db;

    /// <summary>Writes (write batches and single puts) this instance made to RocksDB since it opened: the test counter of "one write per commit".</summary>
    internal long WriteCount => Interlocked.Read(ref _writes);

    private RocksDbBackend(NativeDb db, RocksDbBackendOptions options)
    {
        _db = db;
        Options = options;
        _objects = db.GetColumnFamily(KeyLayout.ObjectsFamily);
        _refs = db.GetColumnFamily(KeyLayout.RefsFamily);
        _audit = db.GetColumnFamily(KeyLayout.AuditFamily);
        _heads = db.GetColumnFamily(KeyLayout.HeadsFamily);
        _written = db.GetColumnFamily(KeyLayout.WrittenFamily);
        _writeOptions = new WriteOptions().SetSync(options.SyncWrites);
        _stripes = new object[options.RefLockStripes];
        for (var i = 0; i < _stripes.Length; i++) _stripes[i] = new object();
        _logger = options.LoggerFactory.CreateLogger(RocksDbTelemetry.Name);
        RocksDbTelemetry.Opened(_logger, options.Path, options.ReadOnly);
    }

    private readonly ILogger _logger;

    /// <summary>The options the database was opened with (do not change them after opening).</summary>
    public RocksDbBackendOptions Options { get; }

    /// <summary>The database folder.</summary>
    public string Path => Options.Path;

    /// <summary>
    /// Loads the native RocksDB library now, if it is not loaded yet. Optional: <see cref="Open(RocksDbBackendOptions)"/>
    /// loads it on first use. A short-lived process (a CLI call, a new pod answering its first request) can call this on
    /// a second thread at start-up, so the load — the dynamic linker relocates the library's ~19,000 symbol references,
    /// 5–10 ms on a 2-core VM — overlaps the work before the first open instead of adding to it. Thread-safe and idempotent.
    /// </summary>
    /// <returns>True when the library is loaded; false when it cannot be loaded here (the first open then reports why).</returns>
    public static bool PreloadNativeLibrary()
    {
        try
        {
            RocksDbNative.rocksdb_options_destroy(RocksDbNative.rocksdb_options_create());
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>Opens (and by default creates) the database at <paramref name="path"/> with default options.</summary>
    /// <exception cref="BackendUnavailableException">RocksDB cannot open it (for example another process holds it open).</exception>
    public static RocksDbBackend Open(string path) => Open(new RocksDbBackendOptions { Path = path });

    /// <summary>Opens (and by default creates) the database described by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="BackendUnavailableException">RocksDB cannot open it (for example another process holds it open, or it was written by an unknown layout version).</exception>
    public static RocksDbBackend Open(RocksDbBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var path = System.IO.Path.GetFullPath(options.Path);
        NativeDb? db = null;
        try
        {
            if (options.CreateIfMissing && !options.ReadOnly) Directory.CreateDirectory(path);
            var table = new BlockBasedTableOptions()
                .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
                .SetFormatVersion(5);
            if (options.BlockCacheSizeBytes > 0) table.SetBlockCache(Cache.CreateLru((ulong)options.BlockCacheSizeBytes));
            else table.SetNoBlockCache(true);
            var compression = options.CompressFiles ? Compression.Lz4 : Compression.No;

            ColumnFamilyOptions Family() => new ColumnFamilyOptions()
                .SetBlockBasedTableFactory(table)
                .SetCompression(compression)
                .SetWriteBufferSize((ulong)options.WriteBufferSizeBytes);
            // Object reads (a rollback's verification reads hundreds) first search the memtable, which holds the recent
            // writes: a bloom filter over its keys (2 % of the write buffer) skips that search for the keys it does not
            // hold, ~25 % of a cached read (rocksdb-read-probe). Only the objects family: the others are read a key at a
            // time, and each filter is memory allocated with every memtable.
            ColumnFamilyOptions ObjectsFamily() => Family().SetMemtableWholeKeyFilter(0.02);

            var dbOptions = new DbOptions()
                .SetCreateIfMissing(options.CreateIfMissing)
                .SetCreateMissingColumnFamilies(true)
                .SetMaxOpenFiles(options.MaxOpenFiles)
                .SetInfoLogLevel(InfoLogLevel.Warn)
                .SetKeepLogFileNum(2)
                // Strict: any damage in the WAL (which holds acknowledged writes) fails the open. Point-in-time recovery
                // would silently drop every record after a flipped byte, and tolerate-corrupted-tail drops a record
                // whose length field was hit; both lose acknowledged commits without a word.
                .SetWalRecoveryMode(options.WalRecovery == RocksDbWalRecovery.PointInTime ? Recovery.PointInTime : Recovery.AbsoluteConsistency)
                // Column families that see few writes (refs, audit, heads) would otherwise pin every WAL file
                // since their last flush: a bulk load then leaves hundreds of MB for the next open to replay.
                .SetMaxTotalWalSize((ulong)options.MaxTotalWalSizeBytes)
                // Open-time work that is not durability: no per-SST stats read, no periodic stats dump thread. (Not
                // avoid_flush_during_recovery: it saves the tiny flush of the previous call's WAL at each read-write open
                // but keeps every CLI call's WAL file alive until a normal flush — 52 WAL files after 40 rollbacks,
                // all replayed by every open.)
                .SetSkipStatsUpdateOnDbOpen(true)
                .SetStatsDumpPeriodSec(0);
            // A cached key costs one hash look-up instead of a filter probe, an index search and a data-block search per
            // table file: half the cost of a cold rollback's ~350 object reads (rocksdb-read-probe).
            if (options.RowCacheSizeBytes > 0) dbOptions.SetRowCache(Cache.CreateLru((ulong)options.RowCacheSizeBytes));
            // A read-write open appends to the MANIFEST it recovered instead of writing a new one and switching CURRENT
            // to it (two fsyncs and a directory fsync fewer per open; RocksDB falls back to a fresh MANIFEST whenever it
            // cannot safely append), and loads the table files on the calling thread instead of spawning up to 16
            // threads for a handful of files. Neither changes what is durable. Appending means the MANIFEST grows by an
            // edit per read-write open and every open replays all of it (136 KB after 150 CLI commits; 1–4 ms of `vstore repos`
            // at 100–136 KB, benchmarks/results/2026-12-02-session7/cli-writes-probe.md): past
            // 64 KiB RocksDB writes one fresh, compacted MANIFEST (a few KB) and appends to that, so a store opened once
            // per CLI call for years opens as fast as a new one.
            dbOptions.SetFromString(OpenTimeOptions);
            var families = new ColumnFamilies(Family())
            {
                { KeyLayout.ObjectsFamily, ObjectsFamily() },
                { KeyLayout.RefsFamily, Family() },
                { KeyLayout.AuditFamily, Family() },
                { KeyLayout.HeadsFamily, Family() },
                { KeyLayout.WrittenFamily, Family() },
            };
            if (options.ReadOnly && !Directory.Exists(path))
                throw new BackendUnavailableException(BackendName, $"cannot open the database at '{path}' read-only: the folder does not exist");
            db = NativeDb.Open(dbOptions, path, families, options.ReadOnly);
            CheckFormat(db, path, options.LoggerFactory);
            return new RocksDbBackend(db, options);
        }
        catch (RocksDbException e) when (IsLockError(e))
        {
            db?.Dispose();
            RocksDbTelemetry.OpenRefusedLocked(options.LoggerFactory.CreateLogger(RocksDbTelemetry.Name), path);
            throw new BackendUnavailableException(BackendName, $"the database at '{path}' is open in another process (or already open in this one); close it and retry", e);
        }
        catch (RocksDbException e) when (IsCorruption(e))
        {
            db?.Dispose();
            RocksDbTelemetry.OpenRefusedDamaged(options.LoggerFactory.CreateLogger(RocksDbTelemetry.Name), path, Brief(e));
            throw new CorruptObjectException(null, $"the database at '{path}' is damaged ({Brief(e)}); it was not opened and nothing was changed. "
                + "Restore the folder from a backup; if its write-ahead log is what is damaged (acknowledged writes after the damage are unreadable), "
                + "opening it once with WalRecovery = PointInTime keeps what precedes the damage (see docs/OPERATIONS.md)", e);
        }
        catch (Exception e) when (e is RocksDbException or IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            db?.Dispose();
            throw new BackendUnavailableException(BackendName, $"cannot open the database at '{path}': {e.Message}", e);
        }
        catch
        {
            db?.Dispose();
            throw;
        }
    }

    /// <summary>RocksDB options without a C API setter (or set with the others), in RocksDB's option-string syntax (see <see cref="Open(RocksDbBackendOptions)"/>).</summary>
    internal const string OpenTimeOptions = "reuse_manifest_on_open=true;max_file_opening_threads=1;max_manifest_file_size=65536";

    /// <summary>
    /// Checks the layout version: a new database gets <see cref="KeyLayout.FormatVersion"/>; a layout-1 database is read as
    /// it is by a read-only open and upgraded to 2 by a read-write open — the version is written (synced) here, before the
    /// backend exists and so before any write of layout 2, and from then on a build that reads only version 1 refuses the
    /// database (<see cref="UnsupportedFormatException"/>) instead of missing the new write times. Anything else is refused.
    /// </summary>
    private static void CheckFormat(NativeDb db, string path, ILoggerFactory loggerFactory)
    {
        var stored = db.Get(KeyLayout.FormatKey);
        if (stored is null && db.ReadOnly)
            throw new BackendUnavailableException(BackendName, $"the database at '{path}' holds no VersionStore layout version (a read-only open never writes one)");
        if (stored is null)
        {
            db.Put(KeyLayout.FormatKey, new byte[] { KeyLayout.FormatVersion }, null, new WriteOptions().SetSync(true));
            return;
        }
        if (stored.Length == 1 && stored[0] == KeyLayout.FormatVersion) return;
        if (stored.Length == 1 && stored[0] == KeyLayout.LegacyFormatVersion)
        {
            if (db.ReadOnly) return; // read as layout 1; every reader of the written family reads both kinds of entries
            db.Put(KeyLayout.FormatKey, new byte[] { KeyLayout.FormatVersion }, null, new WriteOptions().SetSync(true));
            RocksDbTelemetry.LayoutUpgraded(loggerFactory.CreateLogger(RocksDbTelemetry.Name), path, KeyLayout.LegacyFormatVersion, KeyLayout.FormatVersion);
            return;
        }
        throw new UnsupportedFormatException(BackendName, path,
            stored.Length == 1 ? stored[0].ToString(System.Globalization.CultureInfo.InvariantCulture) : "(malformed)", KeyLayout.FormatVersion);
    }

    // ---------------------------------------------------------------- objects

    /// <inheritdoc />
    public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Span<byte> key = stackalloc byte[ObjectId.Size];
        id.WriteTo(key);
        EnterRead();
        try
        {
            var value = _db.Get(key, _objects);
            return ValueTask.FromResult(value is null ? (ReadOnlyMemory<byte>?)null : value);
        }
        catch (RocksDbException e) { throw Unavailable("read object " + id, e); }
        finally { _gate.ExitReadLock(); }
    }

    /// <inheritdoc />
    /// <remarks>One batched RocksDB <c>MultiGet</c> for every id (duplicates included), each value copied once from its pinned slice.</remarks>
    public ValueTask<ReadOnlyMemory<byte>?[]> TryReadManyAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var copier = new CopyingVisitor(new ReadOnlyMemory<byte>?[ids.Count]);
        ReadMany(ids, copier, cancellationToken);
        return ValueTask.FromResult(copier.Values);
    }

    /// <summary>Keeps a copy of each value visited (<see cref="TryReadManyAsync"/>).</summary>
    private sealed class CopyingVisitor(ReadOnlyMemory<byte>?[] values) : IObjectBytesVisitor
    {
        public ReadOnlyMemory<byte>?[] Values => values;

        public void Visit(int index, ReadOnlySpan<byte> encoded) => values[index] = encoded.ToArray();
    }

    /// <inheritdoc />
    /// <remarks>
    /// One batched RocksDB <c>MultiGet</c> for every id (duplicates included); each value is visited in the pinned slice
    /// RocksDB returned (block cache, memtable, or its own copy of a row-cache entry), synchronously, while the database is
    /// held open — nothing is copied into managed memory.
    /// </remarks>
    public ValueTask ReadManyInPlaceAsync(IReadOnlyList<ObjectId> ids, IObjectBytesVisitor visitor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(visitor);
        ReadMany(ids, visitor, cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <summary>The batch read behind both forms: the keys packed in a pooled buffer, one multi-get, each value visited in place.</summary>
    private void ReadMany(IReadOnlyList<ObjectId> ids, IObjectBytesVisitor visitor, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (ids.Count == 0) return;
        var length = ids.Count * ObjectId.Size;
        var keys = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            for (var i = 0; i < ids.Count; i++) ids[i].WriteTo(keys.AsSpan(i * ObjectId.Size, ObjectId.Size));
            EnterRead();
            try
            {
                _db.MultiGet(keys.AsSpan(0, length), ObjectId.Size, _objects, visitor);
            }
            catch (RocksDbException e) { throw Unavailable($"read {ids.Count} objects", e); }
            finally { _gate.ExitReadLock(); }
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(keys); }
    }

    /// <inheritdoc />
    public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Span<byte> key = stackalloc byte[ObjectId.Size];
        id.WriteTo(key);
        EnterRead();
        try
        {
            return ValueTask.FromResult(_db.HasKey(key, _objects));
        }
        catch (RocksDbException e) { throw Unavailable("look up object " + id, e); }
        finally { _gate.ExitReadLock(); }
    }

    /// <inheritdoc />
    /// <remarks>All objects of one call are written in one atomic, write-ahead-logged batch.</remarks>
    public ValueTask WriteAsync(IReadOnlyList<EncodedObject> objects, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        cancellationToken.ThrowIfCancellationRequested();
        if (objects.Count == 0) return ValueTask.CompletedTask;
        EnterRead();
        _sweepGate.EnterReadLock();
        try
        {
            using var batch = new WriteBatch();
            PutObjects(batch, objects);
            _db.Write(batch, _writeOptions);
            Interlocked.Increment(ref _writes);
            return ValueTask.CompletedTask;
        }
        catch (RocksDbException e) { throw Unavailable($"write {objects.Count} objects", e); }
        finally
        {
            _sweepGate.ExitReadLock();
            _gate.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hexPrefix);
        await Task.CompletedTask.ConfigureAwait(false);
        if (limit <= 0 || hexPrefix.Length > ObjectId.HexLength || (hexPrefix.Length > 0 && !ObjectId.IsHexPrefix(hexPrefix))) yield break;
        cancellationToken.ThrowIfCancellationRequested();
        var found = FindByPrefix(hexPrefix, limit);
        foreach (var id in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    private List<ObjectId> FindByPrefix(string hexPrefix, int limit)
    {
        // Whole bytes of the prefix, plus the high nibble of one more byte when its length is odd.
        var whole = Convert.FromHexString(hexPrefix.AsSpan(0, hexPrefix.Length & ~1));
        var odd = (hexPrefix.Length & 1) == 1;
        var nibble = odd ? Convert.FromHexString(string.Concat(hexPrefix.AsSpan(hexPrefix.Length - 1), "0"))[0] : (byte)0;
        var seek = new byte[whole.Length + (odd ? 1 : 0)];
        whole.CopyTo(seek, 0);
        if (odd) seek[^1] = nibble;
        var result = new List<ObjectId>(Math.Min(limit, 16));
        EnterRead();
        try
        {
            using var it = _db.NewIterator(_objects);
            for (it.Seek(seek); it.Valid() && result.Count < limit; it.Next())
            {
                var key = it.GetKeySpan();
                if (key.Length != ObjectId.Size) continue; // not an object key: never written by this code
                if (!key.StartsWith(whole) || (odd && (key[whole.Length] & 0xF0) != nibble)) break;
                result.Add(new ObjectId(key));
            }
            return result;
        }
        catch (RocksDbException e) { throw Unavailable("search objects by prefix " + hexPrefix, e); }
        finally { _gate.ExitReadLock(); }
    }

    // ---------------------------------------------------------------- refs

    /// <inheritdoc />
    /// <exception cref="CorruptObjectException">The stored state does not decode.</exception>
    public ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = KeyLayout.Ref(repository, name);
        byte[]? value;
        EnterRead();
        try { value = _db.Get(key, _refs); }
        catch (RocksDbException e) { throw Unavailable($"read ref {name} of '{repository}'", e); }
        finally { _gate.ExitReadLock(); }
        return ValueTask.FromResult(value is null ? null : DecodeState(value, repository, name));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var prefix = KeyLayout.RepositoryPrefix(repository);
        var raw = new List<(string Name, byte[] Value)>();
        EnterRead();
        try
        {
            using var readOptions = new ReadOptions().SetIterateLowerBound(prefix).SetIterateUpperBound(KeyLayout.UpperBound(prefix));
            using var it = _db.NewIterator(_refs, readOptions);
            for (it.Seek(prefix); it.Valid(); it.Next())
            {
                var refName = KeyLayout.RefOf(it.GetKeySpan(), prefix.Length)
                    ?? throw new CorruptObjectException(null, $"malformed ref key in repository '{repository}'") { Repository = repository.Value };
                raw.Add((refName, it.Value()));
            }
            GC.KeepAlive(readOptions); // the native iterator reads the bounds from memory this object owns
        }
        catch (RocksDbException e) { throw Unavailable($"list refs of '{repository}'", e); }
        finally { _gate.ExitReadLock(); }

        // Keys sort by UTF-8 bytes; the contract is ordinal (UTF-16) order, which differs only beyond the BMP.
        raw.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var (refName, value) in raw)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!RefName.TryParse(refName, out var parsed))
                throw new CorruptObjectException(null, $"stored ref name '{Printable(refName)}' is not valid") { Repository = repository.Value };
            yield return (parsed.Value, DecodeState(value, repository, parsed.Value));
        }
    }

    /// <inheritdoc />
    /// <remarks>The ref state and the audit entry are written in one atomic <c>WriteBatch</c>, under a lock striped by ref.</remarks>
    public ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(UpdateRef(null, update));
    }

    /// <inheritdoc />
    /// <remarks>True for this backend itself only: its atomic writes update its own refs.</remarks>
    public bool IsAtomicWith(IRefStore refStore) => ReferenceEquals(refStore, this);

    /// <inheritdoc />
    /// <remarks>
    /// One <c>WriteBatch</c> holds the objects and, when the compare succeeds, the ref state and the audit entry; the
    /// compare and the write happen under the ref's stripe lock, as in <see cref="TryUpdateRefAsync"/>.
    /// </remarks>
    public ValueTask<bool> WriteObjectsAndTryUpdateRefAsync(IReadOnlyList<EncodedObject> objects, RefUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(update);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(UpdateRef(objects, update));
    }

    private bool UpdateRef(IReadOnlyList<EncodedObject>? objects, RefUpdate update)
    {
        var refKey = KeyLayout.Ref(update.Repository, update.Ref);
        var entry = update.Entry;
        var auditKey = KeyLayout.Audit(refKey, entry.Sequence);
        var expected = update.Expected?.Encode();
        var newState = update.NewState.Encode();
        var stripe = _stripes[(int)((uint)StripeHash(refKey) & (uint)(_stripes.Length - 1))];
        var sweepShared = objects is { Count: > 0 };
        EnterRead();
        if (sweepShared) _sweepGate.EnterReadLock();
        try
        {
            using var batch = new WriteBatch();
            if (objects is not null) PutObjects(batch, objects);
            lock (stripe)
            {
                var current = _db.Get(refKey, _refs);
                var matches = expected is null ? current is null : current is not null && current.AsSpan().SequenceEqual(expected);
                if (matches)
                {
                    batch.Put(refKey, newState, _refs);
                    batch.Put(auditKey, entry.Encoded.Span, _audit);
                }
                if (matches || objects is { Count: > 0 })
                {
                    _db.Write(batch, _writeOptions);
                    Interlocked.Increment(ref _writes);
                }
                if (!matches) return false;
            }
            _changes.Publish(update.Repository, entry); // after the write, outside the stripe lock; watchers order by sequence
            return true;
        }
        catch (RocksDbException ex) { throw Unavailable(objects is null ? $"update ref {update.Ref} of '{update.Repository}'" : $"write {objects.Count} objects and update ref {update.Ref} of '{update.Repository}'", ex); }
        finally
        {
            if (sweepShared) _sweepGate.ExitReadLock();
            _gate.ExitReadLock();
        }
    }

    /// <summary>
    /// Puts objects and one write-time batch record naming them all (layout 2: key = now in unix microseconds + this
    /// backend's next disambiguator, value = the ids; a batch of more than <see cref="KeyLayout.MaxIdsPerWriteRecord"/>
    /// objects gets one record per that many). A rewrite puts a new record, so the grace period protects a reused object again.
    /// </summary>
    private void PutObjects(WriteBatch batch, IReadOnlyList<EncodedObject> objects)
    {
        var length = objects.Count * ObjectId.Size;
        byte[]? rented = null;
        var ids = length <= 2048 ? stackalloc byte[length] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            for (var i = 0; i < objects.Count; i++)
            {
                var key = ids.Slice(i * ObjectId.Size, ObjectId.Size);
                objects[i].Id.WriteTo(key);
                batch.Put(key, objects[i].Data.Span, _objects);
            }
            // Times before 1970 are stored as 0: a later time only makes the objects count as younger (never deleted sooner).
            var micros = Math.Max(0, Micros(Options.TimeProvider.GetUtcNow()));
            Span<byte> recordKey = stackalloc byte[KeyLayout.WriteRecordKeySize];
            const int chunk = KeyLayout.MaxIdsPerWriteRecord * ObjectId.Size;
            for (var offset = 0; offset < length; offset += chunk)
            {
                KeyLayout.WriteRecordKey(recordKey, micros, Interlocked.Increment(ref _recordDisambiguator));
                batch.Put(recordKey, ids.Slice(offset, Math.Min(chunk, length - offset)), _written);
            }
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static long Micros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    // ---------------------------------------------------------------- garbage collection

    /// <inheritdoc />
    /// <remarks>
    /// First reads the whole <c>written</c> column family once into a map from id to newest write time (memory: one entry
    /// per object written since the last garbage-collection trim — batch records of layout 2 and legacy per-object entries
    /// of layout 1 alike), then pages through the objects in key order without holding an iterator across a yield. An
    /// object written (or written again) after the enumeration started is listed with the time the map holds — an older
    /// one, or none — or not at all; the sweep's own check (<see cref="DeleteObjectsAsync"/>) reads the write times again,
    /// atomically with the delete, so that never lets a young object be deleted. A damaged batch record (its ids unreadable)
    /// counts as a write of <em>every</em> object at its time.
    /// </remarks>
    /// <exception cref="CorruptObjectException">The <c>written</c> family holds a key no layout writes (its time cannot be read).</exception>
    public async IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var times = ReadWriteTimes();
        byte[]? after = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = ListPage(after, 4096, times);
            foreach (var item in page) yield return item;
            if (page.Count < 4096) yield break;
            after = new byte[ObjectId.Size];
            page[^1].Id.WriteTo(after);
        }
    }

    /// <summary>The newest write time per object named by the <c>written</c> family, and the time of the newest damaged batch record (<see cref="long.MinValue"/> when none).</summary>
    private sealed class WriteTimes
    {
        public readonly Dictionary<ObjectId, long> Newest = [];
        public long DamagedFloor = long.MinValue;

        public void Add(ObjectId id, long micros)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Newest, id, out var existed);
            if (!existed || micros > slot) slot = micros;
        }

        public DateTimeOffset? Of(ObjectId id)
        {
            var micros = Newest.TryGetValue(id, out var t) ? Math.Max(t, DamagedFloor) : DamagedFloor;
            return micros == long.MinValue ? null : FromMicros(micros);
        }
    }

    /// <summary>Reads every entry of the <c>written</c> family (both layouts) into a <see cref="WriteTimes"/>.</summary>
    private WriteTimes ReadWriteTimes()
    {
        var times = new WriteTimes();
        var damaged = 0;
        EnterRead();
        try
        {
            using var it = _db.NewIterator(_written);
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                var key = it.GetKeySpan();
                var value = it.GetValueSpan();
                if (key.Length == KeyLayout.LegacyWrittenKeySize)
                {
                    // Layout 1. A value that is not 8 bytes has no readable time: the object counts as young for ever.
                    var legacy = LegacyMicros(value);
                    if (legacy == long.MaxValue) damaged++;
                    times.Add(new ObjectId(key), legacy);
                    continue;
                }
                var micros = KeyLayout.RecordMicros(key) ?? throw UnknownWriteTimeKey(key);
                if (!IsIdList(value))
                {
                    damaged++;
                    times.DamagedFloor = Math.Max(times.DamagedFloor, micros);
                    continue;
                }
                for (var offset = 0; offset < value.Length; offset += ObjectId.Size) times.Add(new ObjectId(value.Slice(offset, ObjectId.Size)), micros);
            }
        }
        catch (RocksDbException e) { throw Unavailable("read the write times", e); }
        finally { _gate.ExitReadLock(); }
        if (damaged > 0) RocksDbTelemetry.DamagedWriteTimes(_logger, Options.Path, damaged, "listed as written at their time (a damaged batch record: every object)");
        return times;
    }

    private List<StoredObjectInfo> ListPage(byte[]? after, int size, WriteTimes times)
    {
        var page = new List<StoredObjectInfo>(size);
        EnterRead();
        try
        {
            using var it = _db.NewIterator(_objects);
            if (after is null) it.SeekToFirst();
            else
            {
                it.Seek(after);
                if (it.Valid() && it.GetKeySpan().SequenceEqual(after)) it.Next();
            }
            for (; it.Valid() && page.Count < size; it.Next())
            {
                var key = it.GetKeySpan();
                if (key.Length != ObjectId.Size) continue;
                var id = new ObjectId(key);
                page.Add(new StoredObjectInfo(id, it.GetValueSpan().Length, times.Of(id)));
            }
            return page;
        }
        catch (RocksDbException e) { throw Unavailable("list objects", e); }
        finally { _gate.ExitReadLock(); }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One atomic batch under the sweep gate (writers wait at most for this call): one pass over the <c>written</c> column
    /// family finds which of <paramref name="ids"/> were written at or after <paramref name="writtenBefore"/> — named by a
    /// batch record of that time or later, or by a legacy per-object entry of that time or later — and those are skipped;
    /// the rest are deleted. Batch records and legacy entries older than the cut-off are trimmed in the same batch (an
    /// object no entry names was written long ago). The pass reads every entry of the family — the records written since
    /// the last trim plus any legacy entries not yet trimmed — and keeps in memory only the ids asked about. Never on doubt:
    /// a damaged batch record at or after the cut-off (its ids unreadable) makes the call delete nothing, a legacy entry
    /// without a readable time keeps its object, and a key no layout writes fails the call before anything is deleted.
    /// Then the objects' key range is compacted, so the space is returned.
    /// </remarks>
    /// <exception cref="CorruptObjectException">The <c>written</c> family holds a key no layout writes; nothing was deleted.</exception>
    public ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var cutoff = Micros(writtenBefore);
        long count = 0, bytes = 0, trimmed = 0;
        var damaged = 0;
        var candidates = new HashSet<ObjectId>(ids);
        EnterRead();
        try
        {
            _sweepGate.EnterWriteLock();
            try
            {
                using var batch = new WriteBatch();
                var young = new HashSet<ObjectId>();
                var deleteNothing = false;
                using (var it = _db.NewIterator(_written))
                {
                    for (it.SeekToFirst(); it.Valid(); it.Next())
                    {
                        var key = it.GetKeySpan();
                        var value = it.GetValueSpan();
                        if (key.Length == KeyLayout.LegacyWrittenKeySize)
                        {
                            var legacy = LegacyMicros(value);
                            if (legacy == long.MaxValue) damaged++; // no readable time: kept, and its object with it
                            if (legacy < cutoff) { batch.Delete(key, _written); trimmed++; }
                            else if (candidates.Count > 0) Young(new ObjectId(key));
                            continue;
                        }
                        var micros = KeyLayout.RecordMicros(key) ?? throw UnknownWriteTimeKey(key);
                        // Whatever a record older than the cut-off names was written before it — even a damaged one.
                        if (micros < cutoff) { batch.Delete(key, _written); trimmed++; continue; }
                        if (!IsIdList(value)) { damaged++; deleteNothing = true; continue; }
                        if (candidates.Count == 0) continue;
                        for (var offset = 0; offset < value.Length; offset += ObjectId.Size) Young(new ObjectId(value.Slice(offset, ObjectId.Size)));
                    }
                }
                if (!deleteNothing)
                {
                    var key = new byte[ObjectId.Size];
                    foreach (var id in candidates)
                    {
                        if (young.Contains(id)) continue;
                        id.WriteTo(key);
                        var value = _db.Get(key, _objects);
                        if (value is null) continue;
                        batch.Delete(key, _objects);
                        count++;
                        bytes += value.Length;
                    }
                }
                if (batch.Count() > 0) _db.Write(batch, _writeOptions);

                void Young(ObjectId id)
                {
                    if (candidates.Contains(id)) young.Add(id);
                }
            }
            finally { _sweepGate.ExitWriteLock(); }
            if (damaged > 0) RocksDbTelemetry.DamagedWriteTimes(_logger, Options.Path, damaged, "the sweep skipped what they might protect (a damaged batch record at or after the cut-off: every object)");
            if (count > 0) _db.CompactRange((byte[]?)null, null, _objects);
            if (count > 0 || trimmed > 0) _db.CompactRange((byte[]?)null, null, _written);
        }
        catch (RocksDbException e) { throw Unavailable($"delete {ids.Count} objects", e); }
        finally { _gate.ExitReadLock(); }
        return ValueTask.FromResult<IReadOnlyList<TierSweepResult>>([new TierSweepResult("rocksdb", count, bytes)]);
    }

    /// <summary>A legacy (layout 1) entry's time; <see cref="long.MaxValue"/> (young for ever) when the value is not 8 bytes.</summary>
    private static long LegacyMicros(ReadOnlySpan<byte> value)
        => value.Length == KeyLayout.LegacyWrittenValueSize ? BinaryPrimitives.ReadInt64LittleEndian(value) : long.MaxValue;

    /// <summary>Whether a batch record's value is a readable list of ids: a positive multiple of 32 bytes.</summary>
    private static bool IsIdList(ReadOnlySpan<byte> value) => value.Length > 0 && value.Length % ObjectId.Size == 0;

    private CorruptObjectException UnknownWriteTimeKey(ReadOnlySpan<byte> key)
        => new(null, $"the write-time column family ('{KeyLayout.WrittenFamily}') of the database at '{Options.Path}' holds a key of {key.Length} bytes "
            + $"that no layout writes (0x{Convert.ToHexString(key[..Math.Min(key.Length, 40)])}); its time cannot be read, so garbage collection "
            + "lists and deletes nothing until it is removed (see docs/OPERATIONS.md, \"Damaged write times\")");

    private static readonly long MaxMicros = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
    private static readonly long MinMicros = (DateTimeOffset.MinValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>Unix microseconds as a time; beyond the range of <see cref="DateTimeOffset"/> (a damaged entry's "young for ever"), its bound.</summary>
    private static DateTimeOffset FromMicros(long micros)
        => micros >= MaxMicros ? DateTimeOffset.MaxValue
            : micros <= MinMicros ? DateTimeOffset.MinValue
            : DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    /// <inheritdoc />
    /// <exception cref="CorruptObjectException">A stored entry does not decode.</exception>
    public async IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var refKey = KeyLayout.Ref(repository, name);
        var before = beforeSequence ?? long.MaxValue;
        // Pages keep no iterator open across a yield, so a slow consumer never pins the database.
        while (before > 1)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (page, corruption) = ReadAuditPage(refKey, before, repository, name);
            foreach (var entry in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return entry;
            }
            // The entries newer than a corrupt one are still served; the stream fails where the damage is.
            if (corruption is not null) throw corruption;
            if (page.Count < AuditPageSize) yield break;
            before = page[^1].Sequence;
        }
    }

    private (List<AuditEntry> Page, CorruptObjectException? Corruption) ReadAuditPage(byte[] refKey, long before, RepositoryName repository, RefName name)
    {
        var page = new List<AuditEntry>();
        CorruptObjectException? corruption = null;
        EnterRead();
        try
        {
            using var readOptions = new ReadOptions().SetIterateLowerBound(refKey).SetIterateUpperBound(KeyLayout.Audit(refKey, before));
            using var it = _db.NewIterator(_audit, readOptions);
            for (it.SeekToLast(); it.Valid() && page.Count < AuditPageSize; it.Prev())
            {
                var key = it.GetKeySpan();
                if (key.Length != refKey.Length + 8) continue; // a longer ref name sharing this prefix cannot occur (separator), but stay strict
                var sequence = KeyLayout.AuditSequence(key);
                AuditEntry entry;
                try { entry = AuditEntry.Decode(it.GetValueSpan()); }
                catch (CorruptObjectException e)
                {
                    corruption = new CorruptObjectException(null, $"audit entry {sequence} of {name} in '{repository}' is malformed", e) { Repository = repository.Value, Ref = name.FullName };
                    break;
                }
                if (entry.Sequence != sequence || entry.Ref != name)
                {
                    corruption = new CorruptObjectException(null, $"audit entry stored as {name}@{{{sequence}}} in '{repository}' names {entry.Ref}@{{{entry.Sequence}}}") { Repository = repository.Value, Ref = name.FullName };
                    break;
                }
                page.Add(entry);
            }
            GC.KeepAlive(readOptions); // the native iterator reads the bounds from memory this object owns
            return (page, corruption);
        }
        catch (RocksDbException e) { throw Unavailable($"read the audit log of {name} in '{repository}'", e); }
        finally { _gate.ExitReadLock(); }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default)
        => ListRepositoriesOfAsync(_refs, cancellationToken);

    private async IAsyncEnumerable<RepositoryName> ListRepositoriesOfAsync(ColumnFamilyHandle family, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var names = new List<string>();
        EnterRead();
        try
        {
            using var it = _db.NewIterator(family);
            it.SeekToFirst();
            while (it.Valid())
            {
                var repo = KeyLayout.RepositoryOf(it.GetKeySpan())
                    ?? throw new CorruptObjectException(null, "malformed ref key: no repository name");
                names.Add(repo);
                // Skip the rest of this repository: seek to "repo" 01, just past every "repo" 00 … key.
                var next = new byte[repo.Length + 1];
                System.Text.Encoding.ASCII.GetBytes(repo, next);
                next[^1] = KeyLayout.Separator + 1;
                it.Seek(next);
            }
        }
        catch (RocksDbException e) { throw Unavailable("list repositories", e); }
        finally { _gate.ExitReadLock(); }
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return RepositoryName.TryCreate(name, out var valid) ? valid.Value
                : throw new CorruptObjectException(null, $"stored repository name '{Printable(name)}' is not valid");
        }
    }

    /// <inheritdoc />
    /// <remarks>In process: every compare-and-swap this instance applies is announced after its write. Other processes cannot open the database meanwhile.</remarks>
    public ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default)
        => _changes.SubscribeAsync(repository, listener, cancellationToken);

    // ---------------------------------------------------------------- fail-static head cache

    /// <summary>
    /// Remembers the state of a ref as seen in the authoritative ref store (for example Redis), so
    /// <see cref="TryGetRememberedHead"/> can serve it when that store is unreachable.
    /// </summary>
    public void RememberHead(RepositoryName repository, RefName name, RefState state, DateTimeOffset seenAt)
    {
        ArgumentNullException.ThrowIfNull(state);
        var key = KeyLayout.Ref(repository, name);
        var value = new byte[RefState.EncodedSize + 8];
        state.Encode().CopyTo(value, 0);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(RefState.EncodedSize), seenAt.ToUnixTimeMilliseconds());
        EnterRead();
        try { _db.Put(key, value, _heads, _writeOptions); Interlocked.Increment(ref _writes); }
        catch (RocksDbException e) { throw Unavailable($"remember the head of {name} in '{repository}'", e); }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>The last state remembered by <see cref="RememberHead"/>, or null when none was.</summary>
    /// <exception cref="CorruptObjectException">The stored value does not decode.</exception>
    public RememberedHead? TryGetRememberedHead(RepositoryName repository, RefName name)
    {
        var key = KeyLayout.Ref(repository, name);
        byte[]? value;
        EnterRead();
        try { value = _db.Get(key, _heads); }
        catch (RocksDbException e) { throw Unavailable($"read the remembered head of {name} in '{repository}'", e); }
        finally { _gate.ExitReadLock(); }
        if (value is null) return null;
        if (value.Length != RefState.EncodedSize + 8)
            throw new CorruptObjectException(null, $"remembered head of {name} in '{repository}' is malformed ({value.Length} bytes)") { Repository = repository.Value, Ref = name.FullName };
        var state = DecodeState(value.AsSpan(0, RefState.EncodedSize).ToArray(), repository, name);
        var seenAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(RefState.EncodedSize)));
        return new RememberedHead(state, seenAt);
    }

    /// <inheritdoc />
    public ValueTask<RememberedHead?> TryGetAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(TryGetRememberedHead(repository, name));
    }

    /// <inheritdoc />
    public ValueTask RememberAsync(RepositoryName repository, RefName name, RefState state, DateTimeOffset seenAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RememberHead(repository, name, state, seenAt);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<(RefName Name, RememberedHead Head)> ListAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var prefix = KeyLayout.RepositoryPrefix(repository);
        var raw = new List<(string Name, byte[] Value)>();
        EnterRead();
        try
        {
            var readOptions = new ReadOptions().SetIterateLowerBound(prefix).SetIterateUpperBound(KeyLayout.UpperBound(prefix));
            using var it = _db.NewIterator(_heads, readOptions);
            for (it.Seek(prefix); it.Valid(); it.Next())
            {
                var refName = KeyLayout.RefOf(it.GetKeySpan(), prefix.Length)
                    ?? throw new CorruptObjectException(null, $"malformed remembered-head key in repository '{repository}'") { Repository = repository.Value };
                raw.Add((refName, it.Value()));
            }
            GC.KeepAlive(readOptions);
        }
        catch (RocksDbException e) { throw Unavailable($"list remembered heads of '{repository}'", e); }
        finally { _gate.ExitReadLock(); }
        raw.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var (refName, value) in raw)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!RefName.TryParse(refName, out var parsed) || value.Length != RefState.EncodedSize + 8)
                throw new CorruptObjectException(null, $"remembered head '{Printable(refName)}' in '{repository}' is malformed") { Repository = repository.Value };
            var state = DecodeState(value.AsSpan(0, RefState.EncodedSize).ToArray(), repository, parsed.Value);
            yield return (parsed.Value, new RememberedHead(state, DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(RefState.EncodedSize)))));
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RepositoryName> ListRememberedRepositoriesAsync(CancellationToken cancellationToken = default)
        => ListRepositoriesOfAsync(_heads, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Kept in the default column family (key <c>versionstore.refstore-epoch</c>), beside the layout version.</remarks>
    public ValueTask<string?> TryGetRefStoreEpochAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[]? value;
        EnterRead();
        try { value = _db.Get(KeyLayout.RefStoreEpochKey); }
        catch (RocksDbException e) { throw Unavailable("read the remembered ref store marker", e); }
        finally { _gate.ExitReadLock(); }
        if (value is null) return ValueTask.FromResult<string?>(null);
        if (value.Length is 0 or > KeyLayout.MaxRefStoreEpochBytes) throw new CorruptObjectException(null, $"the remembered ref store marker is malformed ({value.Length} bytes)");
        return ValueTask.FromResult<string?>(System.Text.Encoding.UTF8.GetString(value));
    }

    /// <inheritdoc />
    public ValueTask RememberRefStoreEpochAsync(string epoch, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(epoch);
        cancellationToken.ThrowIfCancellationRequested();
        var value = System.Text.Encoding.UTF8.GetBytes(epoch);
        if (value.Length > KeyLayout.MaxRefStoreEpochBytes) throw new ArgumentException($"A ref store marker is at most {KeyLayout.MaxRefStoreEpochBytes} bytes.", nameof(epoch));
        EnterRead();
        try { _db.Put(KeyLayout.RefStoreEpochKey, value, null, _writeOptions); Interlocked.Increment(ref _writes); }
        catch (RocksDbException e) { throw Unavailable("remember the ref store marker", e); }
        finally { _gate.ExitReadLock(); }
        return ValueTask.CompletedTask;
    }

    // ---------------------------------------------------------------- maintenance

    /// <summary>Flushes memtables to SST files and compacts every column family, dropping obsolete versions.</summary>
    public Task CompactAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() =>
        {
            EnterRead();
            try
            {
                using var flush = new FlushOptions().SetWaitForFlush(true);
                _db.Flush(flush);
                foreach (var family in new[] { _objects, _refs, _audit, _heads, _written })
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    _db.CompactRange((byte[]?)null, null, family);
                }
            }
            catch (RocksDbException e) { throw Unavailable("compact", e); }
            finally { _gate.ExitReadLock(); }
        }, cancellationToken);
    }

    /// <summary>Flushes every memtable into a new level-0 table file, without compacting (benchmarks: a store with several level-0 files).</summary>
    internal void FlushMemtables()
    {
        using var flush = new FlushOptions().SetWaitForFlush(true);
        _db.Flush(flush);
    }

    /// <summary>Level-0 table files of the objects column family (each one a point read may have to probe).</summary>
    internal long ObjectLevel0Files => Property("rocksdb.num-files-at-level0", _objects);

    /// <summary>
    /// What a point read of an object meets, for probes: entries in the objects family's memtables (active and immutable)
    /// and its table files per level (RocksDB's <c>rocksdb.levelstats</c>, condensed to "L0 n, L1 n, ...").
    /// </summary>
    internal string DescribeObjectsShape()
    {
        EnterRead();
        try
        {
            var levels = (_db.GetProperty("rocksdb.levelstats", _objects) ?? "")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(cells => cells.Length >= 3 && int.TryParse(cells[0], out _) && cells[1] != "0")
                .Select(cells => $"L{cells[0]} {cells[1]} files {cells[2]} MB")
                .ToList();
            return $"memtable {Property("rocksdb.num-entries-active-mem-table", _objects)} entries (+{Property("rocksdb.num-entries-imm-mem-tables", _objects)} immutable); "
                + $"tables {(levels.Count > 0 ? string.Join(", ", levels) : "none")}";
        }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>Bytes on disk of SST and WAL files (see <see cref="GetStatistics"/>).</summary>
    public long GetStorageBytes() => GetStatistics().TotalDiskBytes;

    /// <summary>Sizes and key-count estimates from RocksDB's properties and the WAL files.</summary>
    public RocksDbStorageStatistics GetStatistics()
    {
        EnterRead();
        try
        {
            long sst = 0, mem = 0;
            foreach (var family in new[] { _db.GetDefaultColumnFamily(), _objects, _refs, _audit, _heads, _written })
            {
                sst += Property("rocksdb.live-sst-files-size", family);
                mem += Property("rocksdb.cur-size-all-mem-tables", family);
            }
            return new RocksDbStorageStatistics(sst, WalBytes(), mem,
                Property("rocksdb.estimate-num-keys", _objects),
                Property("rocksdb.estimate-num-keys", _refs),
                Property("rocksdb.estimate-num-keys", _audit));
        }
        catch (RocksDbException e) { throw Unavailable("read statistics", e); }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>Bytes of the write-ahead log files on disk (what the next open replays, up to the last flush).</summary>
    private long WalBytes()
    {
        long wal = 0;
        var walDir = new DirectoryInfo(string.IsNullOrEmpty(_db.WalPath) ? System.IO.Path.GetFullPath(Options.Path) : _db.WalPath);
        if (walDir.Exists)
            foreach (var f in walDir.EnumerateFiles("*.log")) wal += f.Length;
        return wal;
    }

    private long Property(string name, ColumnFamilyHandle family)
        => long.TryParse(_db.GetProperty(name, family), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>Test hook: writes raw bytes under a raw key of a column family (to simulate corruption).</summary>
    internal void PutRaw(string columnFamily, byte[] key, byte[] value)
    {
        EnterRead();
        try { _db.Put(key, value, _db.GetColumnFamily(columnFamily), _writeOptions); }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>Test hook: the raw value under a raw key of a column family, or null.</summary>
    internal byte[]? GetRaw(string columnFamily, byte[] key)
    {
        EnterRead();
        try { return _db.Get(key, _db.GetColumnFamily(columnFamily)); }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>Test hook: every key and value of a column family, in key order.</summary>
    internal List<(byte[] Key, byte[] Value)> ReadRaw(string columnFamily)
    {
        var all = new List<(byte[], byte[])>();
        EnterRead();
        try
        {
            using var it = _db.NewIterator(_db.GetColumnFamily(columnFamily));
            for (it.SeekToFirst(); it.Valid(); it.Next()) all.Add((it.Key(), it.Value()));
            return all;
        }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>Test hook: deletes a raw key of a column family (to simulate a lost object).</summary>
    internal void DeleteRaw(string columnFamily, byte[] key)
    {
        EnterRead();
        try { _db.Remove(key, _db.GetColumnFamily(columnFamily), _writeOptions); }
        finally { _gate.ExitReadLock(); }
    }

    /// <summary>Waits for running calls, then closes the database. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _gate.EnterWriteLock();
        try
        {
            if (_disposed) return;
            _disposed = true;
            FlushLargeMemtables();
            _db.Dispose();
            RocksDbTelemetry.Closed(_logger, Options.Path);
        }
        finally { _gate.ExitWriteLock(); }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// RocksDB does not flush memtables at close when writes went through the WAL, so the next open replays them.
    /// A small log (a CLI call's few writes) replays in microseconds and is left; a large one (a bulk load) is flushed
    /// here, so the next open stays fast. A crash instead leaves at most <see cref="RocksDbBackendOptions.MaxTotalWalSizeBytes"/>.
    /// The size that decides is the log's bytes on disk — what the next open would replay — not the memtables' memory,
    /// which includes their arenas and filters and so exceeds any small threshold with no writes at all.
    /// </summary>
    private void FlushLargeMemtables()
    {
        if (_db.ReadOnly) return;
        try
        {
            if (WalBytes() < Options.FlushAtCloseThresholdBytes) return;
            using var flush = new FlushOptions().SetWaitForFlush(true);
            _db.Flush(flush);
        }
        catch (Exception e) when (e is RocksDbException or IOException or UnauthorizedAccessException)
        {
            // Nothing is lost: the WAL still holds every acknowledged write and the next open replays it.
        }
    }

    private void EnterRead()
    {
        _gate.EnterReadLock();
        if (!_disposed) return;
        _gate.ExitReadLock();
        throw new ObjectDisposedException(nameof(RocksDbBackend));
    }

    private static RefState DecodeState(byte[] value, RepositoryName repository, RefName name)
    {
        try { return RefState.Decode(value); }
        catch (CorruptObjectException e)
        {
            throw new CorruptObjectException(null, $"stored state of ref {name} in repository '{repository}' is malformed", e) { Repository = repository.Value, Ref = name.FullName };
        }
    }

    private static int StripeHash(ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode();
    }

    private static string Printable(string s)
        => string.Concat(s.Take(80).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    /// <summary>
    /// A failed RocksDB call as the library's exception: damaged files (a block checksum mismatch, a truncated table)
    /// are <see cref="CorruptObjectException"/> — stored data is corrupt, retrying will not help — anything else is
    /// <see cref="BackendUnavailableException"/>.
    /// </summary>
    private VersionStoreException Unavailable(string what, RocksDbException e)
        => IsCorruption(e)
            ? new CorruptObjectException(null, $"cannot {what}: the database at '{Options.Path}' is damaged ({Brief(e)})", e)
            : new BackendUnavailableException(BackendName, $"cannot {what} in '{Options.Path}': {e.Message}", e);

    private static bool IsCorruption(RocksDbException e) => e.Message.StartsWith("Corruption:", StringComparison.Ordinal);

    private static bool IsLockError(RocksDbException e)
        => e.Message.Contains("lock file", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("lock hold by current process", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("/LOCK:", StringComparison.Ordinal);

    /// <summary>RocksDB's reason without its prefix and file paths, for a message people read ("checksum mismatch").</summary>
    private static string Brief(RocksDbException e)
    {
        var m = e.Message.StartsWith("Corruption:", StringComparison.Ordinal) ? e.Message["Corruption:".Length..].Trim() : e.Message;
        return m.Length > 200 ? m[..200] + "…" : m;
    }
}
