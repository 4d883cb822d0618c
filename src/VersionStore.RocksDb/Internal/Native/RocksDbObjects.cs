using System.Runtime.InteropServices;
using System.Text;
using static VersionStore.RocksDb.Internal.Native.RocksDbNative;

namespace VersionStore.RocksDb.Internal.Native;

// Thin owners of the RocksDB C API objects the backend uses. Each native object is held by a SafeHandle, so it is
// released exactly once (by Dispose or, for the short-lived option objects the backend builds at open, by the
// finalizer). The member names follow the managed RocksDbSharp binding this layer replaces.

/// <summary>A failure reported by RocksDB (the message of its <c>Status</c>).</summary>
internal sealed class RocksDbException : Exception
{
    public RocksDbException(string message) : base(message) { }
    public RocksDbException() { }
    public RocksDbException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Compression of SST blocks (<c>rocksdb_*_compression</c>).</summary>
internal enum Compression { No = 0, Snappy = 1, Zlib = 2, Bz2 = 3, Lz4 = 4, Lz4hc = 5, Xpress = 6, Zstd = 7 }

/// <summary>RocksDB's info-log level.</summary>
internal enum InfoLogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3, Fatal = 4, Header = 5 }

/// <summary>WAL recovery mode (<c>rocksdb_*_recovery</c>).</summary>
internal enum Recovery { TolerateCorruptedTailRecords = 0, AbsoluteConsistency = 1, PointInTime = 2, SkipAnyCorruptedRecords = 3 }

/// <summary>A native handle released by a C API destroy function.</summary>
internal sealed class NativeHandle : SafeHandle
{
    private readonly Action<nint> _destroy;

    public NativeHandle(nint handle, Action<nint> destroy) : base(0, true)
    {
        if (handle == 0) throw new RocksDbException("RocksDB returned no object (out of memory?)");
        SetHandle(handle);
        _destroy = destroy;
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw pointer; valid while this handle is alive (callers keep it alive with <see cref="GC.KeepAlive"/> where needed).</summary>
    public nint Pointer => handle;

    protected override bool ReleaseHandle()
    {
        _destroy(handle);
        return true;
    }
}

/// <summary>A bloom filter policy; ownership passes to the table options it is set on.</summary>
internal sealed class BloomFilterPolicy
{
    private BloomFilterPolicy(nint pointer) => Pointer = pointer;

    internal nint Pointer { get; }

    /// <summary>Creates a bloom filter of <paramref name="bitsPerKey"/> bits per key (full filter unless <paramref name="useBlockBasedBuilder"/>).</summary>
    public static BloomFilterPolicy Create(int bitsPerKey = 10, bool useBlockBasedBuilder = false)
        => new(useBlockBasedBuilder ? rocksdb_filterpolicy_create_bloom(bitsPerKey) : rocksdb_filterpolicy_create_bloom_full(bitsPerKey));
}

/// <summary>A block cache; the table options keep their own reference to it.</summary>
internal sealed class Cache
{
    private Cache(nint pointer) => Handle = new NativeHandle(pointer, static p => rocksdb_cache_destroy(p));

    internal NativeHandle Handle { get; }

    /// <summary>An LRU cache of <paramref name="capacity"/> bytes.</summary>
    public static Cache CreateLru(ulong capacity) => new(rocksdb_cache_create_lru((nuint)capacity));
}

/// <summary>Block-based table options (copied into each column family's table factory when set).</summary>
internal sealed class BlockBasedTableOptions
{
    internal NativeHandle Handle { get; } = new(rocksdb_block_based_options_create(), static p => rocksdb_block_based_options_destroy(p));

    public BlockBasedTableOptions SetFilterPolicy(BloomFilterPolicy policy) { rocksdb_block_based_options_set_filter_policy(Handle.Pointer, policy.Pointer); return this; }
    public BlockBasedTableOptions SetFormatVersion(int version) { rocksdb_block_based_options_set_format_version(Handle.Pointer, version); return this; }
    public BlockBasedTableOptions SetBlockCache(Cache cache) { rocksdb_block_based_options_set_block_cache(Handle.Pointer, cache.Handle.Pointer); GC.KeepAlive(cache); return this; }
    public BlockBasedTableOptions SetNoBlockCache(bool value) { rocksdb_block_based_options_set_no_block_cache(Handle.Pointer, value ? (byte)1 : (byte)0); return this; }
}

/// <summary>Options (<c>rocksdb_options_t</c>) of the database or of one column family.</summary>
internal class OptionsBase<TSelf> where TSelf : OptionsBase<TSelf>
{
    internal NativeHandle Handle { get; } = new(rocksdb_options_create(), static p => rocksdb_options_destroy(p));

    private TSelf Self => (TSelf)this;

    public TSelf SetCompression(Compression value) { rocksdb_options_set_compression(Handle.Pointer, (int)value); return Self; }
    public TSelf SetWriteBufferSize(ulong bytes) { rocksdb_options_set_write_buffer_size(Handle.Pointer, (nuint)bytes); return Self; }
    /// <summary>A bloom filter over whole keys in the memtable, of <paramref name="ratio"/> × the write buffer size: a point read of a key the memtable does not hold skips its skip-list search.</summary>
    public TSelf SetMemtableWholeKeyFilter(double ratio) { rocksdb_options_set_memtable_whole_key_filtering(Handle.Pointer, 1); rocksdb_options_set_memtable_prefix_bloom_size_ratio(Handle.Pointer, ratio); return Self; }
    public TSelf SetBlockBasedTableFactory(BlockBasedTableOptions table) { rocksdb_options_set_block_based_table_factory(Handle.Pointer, table.Handle.Pointer); GC.KeepAlive(table); return Self; }
}

/// <summary>Options of one column family.</summary>
internal sealed class ColumnFamilyOptions : OptionsBase<ColumnFamilyOptions>;

/// <summary>Database-wide options.</summary>
internal sealed class DbOptions : OptionsBase<DbOptions>
{
    public DbOptions SetCreateIfMissing(bool value) { rocksdb_options_set_create_if_missing(Handle.Pointer, value ? (byte)1 : (byte)0); return this; }
    public DbOptions SetCreateMissingColumnFamilies(bool value) { rocksdb_options_set_create_missing_column_families(Handle.Pointer, value ? (byte)1 : (byte)0); return this; }
    /// <summary>A cache of key → value for point reads in front of the table files (the options keep their own reference).</summary>
    public DbOptions SetRowCache(Cache cache) { rocksdb_options_set_row_cache(Handle.Pointer, cache.Handle.Pointer); GC.KeepAlive(cache); return this; }
    public DbOptions SetMaxOpenFiles(int value) { rocksdb_options_set_max_open_files(Handle.Pointer, value); return this; }
    public DbOptions SetInfoLogLevel(InfoLogLevel value) { rocksdb_options_set_info_log_level(Handle.Pointer, (int)value); return this; }
    public DbOptions SetKeepLogFileNum(ulong value) { rocksdb_options_set_keep_log_file_num(Handle.Pointer, (nuint)value); return this; }
    public DbOptions SetWalRecoveryMode(Recovery value) { rocksdb_options_set_wal_recovery_mode(Handle.Pointer, (int)value); return this; }
    public DbOptions SetParanoidChecks(bool value) { rocksdb_options_set_paranoid_checks(Handle.Pointer, value ? (byte)1 : (byte)0); return this; }
    public DbOptions SetMaxTotalWalSize(ulong bytes) { rocksdb_options_set_max_total_wal_size(Handle.Pointer, bytes); return this; }
    public DbOptions SetSkipStatsUpdateOnDbOpen(bool value) { rocksdb_options_set_skip_stats_update_on_db_open(Handle.Pointer, value ? (byte)1 : (byte)0); return this; }
    public DbOptions SetStatsDumpPeriodSec(uint seconds) { rocksdb_options_set_stats_dump_period_sec(Handle.Pointer, seconds); return this; }

    /// <summary>
    /// Applies RocksDB options written as <c>name=value;name=value</c> (RocksDB's own option-string syntax), for
    /// options the C API has no setter for. An unknown name or a bad value throws <see cref="RocksDbException"/>.
    /// </summary>
    public unsafe DbOptions SetFromString(string options)
    {
        var text = Encoding.UTF8.GetBytes(options + "\0");
        nint error = 0;
        fixed (byte* p = text) rocksdb_get_options_from_string(Handle.Pointer, p, Handle.Pointer, &error);
        Check(error);
        return this;
    }
}

/// <summary>The column families to open: the default one first, then named ones.</summary>
internal sealed class ColumnFamilies : IEnumerable<(string Name, ColumnFamilyOptions Options)>
{
    private readonly List<(string Name, ColumnFamilyOptions Options)> _families = [];

    public ColumnFamilies(ColumnFamilyOptions defaultOptions) => _families.Add(("default", defaultOptions));

    public int Count => _families.Count;

    public void Add(string name, ColumnFamilyOptions options) => _families.Add((name, options));

    public IEnumerator<(string Name, ColumnFamilyOptions Options)> GetEnumerator() => _families.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Write options (<c>rocksdb_writeoptions_t</c>).</summary>
internal sealed class WriteOptions
{
    internal NativeHandle Handle { get; } = new(rocksdb_writeoptions_create(), static p => rocksdb_writeoptions_destroy(p));

    public WriteOptions SetSync(bool value) { rocksdb_writeoptions_set_sync(Handle.Pointer, value ? (byte)1 : (byte)0); return this; }
}

/// <summary>Flush options.</summary>
internal sealed class FlushOptions : IDisposable
{
    public void Dispose() => Handle.Dispose();

    internal NativeHandle Handle { get; } = new(rocksdb_flushoptions_create(), static p => rocksdb_flushoptions_destroy(p));

    public FlushOptions SetWaitForFlush(bool value) { rocksdb_flushoptions_set_wait(Handle.Pointer, value ? (byte)1 : (byte)0); return this; }
}

/// <summary>
/// Read options with optional iteration bounds. RocksDB keeps a pointer to each bound, so the bounds are copied
/// into native memory owned (and freed) by this object.
/// </summary>
internal sealed unsafe class ReadOptions : IDisposable
{
    private nint _lower;
    private nint _upper;

    internal NativeHandle Handle { get; } = new(rocksdb_readoptions_create(), static p => rocksdb_readoptions_destroy(p));

    public ReadOptions SetIterateLowerBound(ReadOnlySpan<byte> key)
    {
        _lower = Replace(_lower, key);
        rocksdb_readoptions_set_iterate_lower_bound(Handle.Pointer, (byte*)_lower, (nuint)key.Length);
        return this;
    }

    public ReadOptions SetIterateUpperBound(ReadOnlySpan<byte> key)
    {
        _upper = Replace(_upper, key);
        rocksdb_readoptions_set_iterate_upper_bound(Handle.Pointer, (byte*)_upper, (nuint)key.Length);
        return this;
    }

    private static nint Replace(nint old, ReadOnlySpan<byte> key)
    {
        if (old != 0) NativeMemory.Free((void*)old);
        var copy = (nint)NativeMemory.Alloc((nuint)Math.Max(1, key.Length));
        key.CopyTo(new Span<byte>((void*)copy, key.Length));
        return copy;
    }

    public void Dispose()
    {
        Handle.Dispose();
        if (_lower != 0) NativeMemory.Free((void*)_lower);
        if (_upper != 0) NativeMemory.Free((void*)_upper);
        _lower = _upper = 0;
        GC.SuppressFinalize(this);
    }

    ~ReadOptions()
    {
        // The handle's own finalizer destroys the options; the bounds are plain native memory.
        if (_lower != 0) NativeMemory.Free((void*)_lower);
        if (_upper != 0) NativeMemory.Free((void*)_upper);
    }
}

/// <summary>A handle of an open column family (valid until its database is disposed).</summary>
internal sealed class ColumnFamilyHandle
{
    internal ColumnFamilyHandle(nint pointer, string name)
    {
        Pointer = pointer;
        Name = name;
    }

    internal nint Pointer { get; }

    public string Name { get; }
}

/// <summary>An atomic batch of writes.</summary>
internal sealed unsafe class WriteBatch : IDisposable
{
    internal NativeHandle Handle { get; } = new(rocksdb_writebatch_create(), static p => rocksdb_writebatch_destroy(p));

    public int Count() => rocksdb_writebatch_count(Handle.Pointer);

    public WriteBatch Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ColumnFamilyHandle family)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
            rocksdb_writebatch_put_cf(Handle.Pointer, family.Pointer, k, (nuint)key.Length, v, (nuint)value.Length);
        return this;
    }

    public WriteBatch Delete(ReadOnlySpan<byte> key, ColumnFamilyHandle family)
    {
        fixed (byte* k = key)
            rocksdb_writebatch_delete_cf(Handle.Pointer, family.Pointer, k, (nuint)key.Length);
        return this;
    }

    public void Clear() => rocksdb_writebatch_clear(Handle.Pointer);

    public void Dispose() => Handle.Dispose();
}

/// <summary>An iterator over one column family. Key and value spans are valid until the iterator moves.</summary>
internal sealed unsafe class Iterator : IDisposable
{
    private readonly ReadOptions? _readOptions;

    internal Iterator(nint pointer, ReadOptions? readOptions)
    {
        Handle = new NativeHandle(pointer, static p => rocksdb_iter_destroy(p));
        _readOptions = readOptions;
    }

    internal NativeHandle Handle { get; }

    /// <summary>Whether the iterator is on an entry; throws when it stopped because of an error.</summary>
    public bool Valid()
    {
        if (rocksdb_iter_valid(Handle.Pointer) != 0) return true;
        nint error = 0;
        rocksdb_iter_get_error(Handle.Pointer, &error);
        Check(error);
        return false;
    }

    public Iterator SeekToFirst() { rocksdb_iter_seek_to_first(Handle.Pointer); return this; }
    public Iterator SeekToLast() { rocksdb_iter_seek_to_last(Handle.Pointer); return this; }

    public Iterator Seek(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key) rocksdb_iter_seek(Handle.Pointer, k, (nuint)key.Length);
        return this;
    }

    public Iterator SeekForPrev(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key) rocksdb_iter_seek_for_prev(Handle.Pointer, k, (nuint)key.Length);
        return this;
    }

    public Iterator Next() { rocksdb_iter_next(Handle.Pointer); return this; }
    public Iterator Prev() { rocksdb_iter_prev(Handle.Pointer); return this; }

    public ReadOnlySpan<byte> GetKeySpan()
    {
        nuint length;
        var p = rocksdb_iter_key(Handle.Pointer, &length);
        return new ReadOnlySpan<byte>(p, checked((int)length));
    }

    public ReadOnlySpan<byte> GetValueSpan()
    {
        nuint length;
        var p = rocksdb_iter_value(Handle.Pointer, &length);
        return new ReadOnlySpan<byte>(p, checked((int)length));
    }

    public byte[] Key() => GetKeySpan().ToArray();

    public byte[] Value() => GetValueSpan().ToArray();

    public void Dispose()
    {
        Handle.Dispose();
        GC.KeepAlive(_readOptions); // the native iterator reads its bounds from memory the options own
    }
}

/// <summary>An open RocksDB database and its column family handles.</summary>
internal sealed unsafe class NativeDb : IDisposable
{
    private readonly Dictionary<string, ColumnFamilyHandle> _families;
    private readonly ColumnFamilyHandle[] _handles;
    private readonly ReadOptions _defaultRead = new();
    private readonly WriteOptions _defaultWrite = new();
    private nint _db;

    private NativeDb(nint db, ColumnFamilyHandle[] handles, string path, bool readOnly)
    {
        _db = db;
        _handles = handles;
        _families = handles.ToDictionary(h => h.Name, StringComparer.Ordinal);
        Path = path;
        ReadOnly = readOnly;
    }

    /// <summary>The database folder (also the WAL folder: no separate WAL directory is configured).</summary>
    public string Path { get; }

    /// <summary>The WAL folder.</summary>
    public string WalPath => Path;

    /// <summary>Opened read-only (no writes, no file lock, no WAL of its own).</summary>
    public bool ReadOnly { get; }

    /// <summary>Opens the database with the given column families (the default one first).</summary>
    public static NativeDb Open(DbOptions options, string path, ColumnFamilies families, bool readOnly = false)
    {
        var count = families.Count;
        var names = new nint[count];
        var familyOptions = new nint[count];
        var handles = new nint[count];
        var nameList = new string[count];
        try
        {
            var i = 0;
            foreach (var (name, opts) in families)
            {
                names[i] = Marshal.StringToCoTaskMemUTF8(name);
                familyOptions[i] = opts.Handle.Pointer;
                nameList[i] = name;
                i++;
            }
            var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
            nint error = 0;
            nint db;
            fixed (byte* p = pathBytes)
            fixed (nint* n = names)
            fixed (nint* o = familyOptions)
            fixed (nint* h = handles)
            {
                db = readOnly
                    ? rocksdb_open_for_read_only_column_families(options.Handle.Pointer, p, count, (byte**)n, o, h, 0, &error)
                    : rocksdb_open_column_families(options.Handle.Pointer, p, count, (byte**)n, o, h, &error);
            }
            GC.KeepAlive(options);
            GC.KeepAlive(families);
            Check(error);
            var wrapped = new ColumnFamilyHandle[count];
            for (var j = 0; j < count; j++) wrapped[j] = new ColumnFamilyHandle(handles[j], nameList[j]);
            return new NativeDb(db, wrapped, path, readOnly);
        }
        finally
        {
            foreach (var n in names) if (n != 0) Marshal.FreeCoTaskMem(n);
        }
    }

    /// <summary>The handle of an opened column family.</summary>
    public ColumnFamilyHandle GetColumnFamily(string name)
        => _families.TryGetValue(name, out var handle) ? handle : throw new RocksDbException($"column family '{name}' is not open");

    /// <summary>The default column family.</summary>
    public ColumnFamilyHandle GetDefaultColumnFamily() => _handles[0];

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key, ColumnFamilyHandle? family = null, ReadOptions? readOptions = null)
    {
        nint error = 0;
        nint slice;
        fixed (byte* k = key)
            slice = rocksdb_get_pinned_cf(Db, (readOptions ?? _defaultRead).Handle.Pointer, (family ?? _handles[0]).Pointer, k, (nuint)key.Length, &error);
        Check(error);
        if (slice == 0) return null;
        try
        {
            nuint length;
            var value = rocksdb_pinnableslice_value(slice, &length);
            return new ReadOnlySpan<byte>(value, checked((int)length)).ToArray();
        }
        finally { rocksdb_pinnableslice_destroy(slice); }
    }

    /// <summary>Whether <paramref name="key"/> is present (the value is pinned, never copied).</summary>
    public bool HasKey(ReadOnlySpan<byte> key, ColumnFamilyHandle? family = null)
    {
        nint error = 0;
        nint slice;
        fixed (byte* k = key)
            slice = rocksdb_get_pinned_cf(Db, _defaultRead.Handle.Pointer, (family ?? _handles[0]).Pointer, k, (nuint)key.Length, &error);
        Check(error);
        if (slice == 0) return false;
        rocksdb_pinnableslice_destroy(slice);
        return true;
    }

    /// <summary>
    /// One batched RocksDB <c>MultiGet</c> of many keys of one column family (<paramref name="keyLength"/> bytes per key,
    /// packed one after another in <paramref name="keys"/>), each value found handed to <paramref name="visitor"/> in key
    /// order as the pinned slice RocksDB returned — no copy. A failed key fails the whole call before anything is visited;
    /// an exception from the visitor ends the visits. Every slice is released either way. The pointer arrays are pooled.
    /// </summary>
    public void MultiGet(ReadOnlySpan<byte> keys, int keyLength, ColumnFamilyHandle family, IObjectBytesVisitor visitor)
    {
        var count = keys.Length / keyLength;
        if (count == 0) return;
        var pool = System.Buffers.ArrayPool<nint>.Shared;
        var keyPointers = pool.Rent(count);
        var keyLengths = pool.Rent(count);
        var values = pool.Rent(count);
        var errors = pool.Rent(count);
        try
        {
            fixed (byte* k = keys)
            {
                for (var i = 0; i < count; i++)
                {
                    keyPointers[i] = (nint)(k + (i * keyLength));
                    keyLengths[i] = keyLength;
                }
                fixed (nint* kp = keyPointers)
                fixed (nint* kl = keyLengths)
                fixed (nint* v = values)
                fixed (nint* e = errors)
                    rocksdb_batched_multi_get_cf(Db, _defaultRead.Handle.Pointer, family.Pointer, (nuint)count, (byte**)kp, (nuint*)kl, v, e, 0);
            }
            string? firstError = null;
            for (var i = 0; i < count; i++)
            {
                if (errors[i] == 0) continue;
                firstError ??= Marshal.PtrToStringUTF8(errors[i]);
                rocksdb_free((void*)errors[i]);
            }
            var released = 0; // the slices before this position are released
            try
            {
                if (firstError is not null) throw new RocksDbException(firstError);
                while (released < count)
                {
                    var index = released++;
                    var slice = values[index];
                    if (slice == 0) continue;
                    try
                    {
                        nuint length;
                        var value = rocksdb_pinnableslice_value(slice, &length);
                        visitor.Visit(index, new ReadOnlySpan<byte>(value, checked((int)length)));
                    }
                    finally { rocksdb_pinnableslice_destroy(slice); }
                }
            }
            finally
            {
                for (var i = released; i < count; i++)
                    if (values[i] != 0) rocksdb_pinnableslice_destroy(values[i]);
            }
        }
        finally
        {
            pool.Return(keyPointers);
            pool.Return(keyLengths);
            pool.Return(values);
            pool.Return(errors);
        }
    }

    /// <summary>Writes one key.</summary>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ColumnFamilyHandle? family = null, WriteOptions? writeOptions = null)
    {
        nint error = 0;
        fixed (byte* k = key)
        fixed (byte* v = value)
            rocksdb_put_cf(Db, (writeOptions ?? _defaultWrite).Handle.Pointer, (family ?? _handles[0]).Pointer, k, (nuint)key.Length, v, (nuint)value.Length, &error);
        Check(error);
    }

    /// <summary>Deletes one key.</summary>
    public void Remove(ReadOnlySpan<byte> key, ColumnFamilyHandle? family = null, WriteOptions? writeOptions = null)
    {
        nint error = 0;
        fixed (byte* k = key)
            rocksdb_delete_cf(Db, (writeOptions ?? _defaultWrite).Handle.Pointer, (family ?? _handles[0]).Pointer, k, (nuint)key.Length, &error);
        Check(error);
    }

    /// <summary>Applies a batch atomically.</summary>
    public void Write(WriteBatch batch, WriteOptions? writeOptions = null)
    {
        nint error = 0;
        rocksdb_write(Db, (writeOptions ?? _defaultWrite).Handle.Pointer, batch.Handle.Pointer, &error);
        GC.KeepAlive(batch);
        Check(error);
    }

    /// <summary>A new iterator over <paramref name="family"/>; it keeps <paramref name="readOptions"/> (and their bounds) alive.</summary>
    public Iterator NewIterator(ColumnFamilyHandle? family = null, ReadOptions? readOptions = null)
        => new(rocksdb_create_iterator_cf(Db, (readOptions ?? _defaultRead).Handle.Pointer, (family ?? _handles[0]).Pointer), readOptions);

    /// <summary>Flushes the memtables of every open column family to SST files.</summary>
    public void Flush(FlushOptions flushOptions)
    {
        foreach (var family in _handles)
        {
            nint error = 0;
            rocksdb_flush_cf(Db, flushOptions.Handle.Pointer, family.Pointer, &error);
            Check(error);
        }
        GC.KeepAlive(flushOptions);
    }

    /// <summary>Compacts the key range [<paramref name="start"/>, <paramref name="limit"/>) of a column family (null: unbounded).</summary>
    public void CompactRange(byte[]? start, byte[]? limit, ColumnFamilyHandle? family = null)
    {
        fixed (byte* s = start)
        fixed (byte* l = limit)
            rocksdb_compact_range_cf(Db, (family ?? _handles[0]).Pointer, s, (nuint)(start?.Length ?? 0), l, (nuint)(limit?.Length ?? 0));
    }

    /// <summary>A RocksDB property of a column family, or null when unknown.</summary>
    public string? GetProperty(string name, ColumnFamilyHandle? family = null)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        byte* value;
        fixed (byte* n = nameBytes) value = rocksdb_property_value_cf(Db, (family ?? _handles[0]).Pointer, n);
        if (value == null) return null;
        try { return Marshal.PtrToStringUTF8((nint)value); }
        finally { rocksdb_free(value); }
    }

    private nint Db => _db != 0 ? _db : throw new ObjectDisposedException(nameof(NativeDb));

    /// <summary>Destroys the column family handles and closes the database.</summary>
    public void Dispose()
    {
        if (_db == 0) return;
        foreach (var h in _handles) rocksdb_column_family_handle_destroy(h.Pointer);
        rocksdb_close(_db);
        _db = 0;
        _defaultRead.Dispose();
        _defaultWrite.Handle.Dispose();
    }
}
