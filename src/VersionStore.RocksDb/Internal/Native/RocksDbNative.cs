using System.Reflection;
using System.Runtime.InteropServices;

namespace VersionStore.RocksDb.Internal.Native;

/// <summary>
/// The RocksDB C API functions this backend calls (<c>rocksdb/c.h</c>), bound with source-generated
/// <see cref="LibraryImportAttribute"/> stubs to the <c>librocksdb</c> shipped in the RocksDB NuGet package.
/// </summary>
/// <remarks>
/// Each stub is resolved by the runtime on its first call, so loading the backend costs one <c>dlopen</c> and a
/// few dozen symbol look-ups — not the hundreds of eagerly resolved delegates of the managed RocksDbSharp binding
/// (300–500 ms at process start). Every argument is blittable (pointers, integers), so the generated stubs do no
/// marshalling, and the binding is trimming- and NativeAOT-safe. On musl the package's <c>librocksdb-musl</c> is
/// loaded instead.
/// </remarks>
internal static unsafe partial class RocksDbNative
{
    private const string Library = "rocksdb";

    static RocksDbNative() => NativeLibrary.SetDllImportResolver(typeof(RocksDbNative).Assembly, Resolve);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library || !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal)) return 0;
        return NativeLibrary.TryLoad("rocksdb-musl", assembly, searchPath, out var handle) ? handle : 0;
    }

    // ------------------------------------------------------------ options
    [LibraryImport(Library)] internal static partial nint rocksdb_options_create();
    [LibraryImport(Library)] internal static partial void rocksdb_options_destroy(nint options);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_create_if_missing(nint options, byte value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_create_missing_column_families(nint options, byte value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_max_open_files(nint options, int value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_info_log_level(nint options, int value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_keep_log_file_num(nint options, nuint value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_wal_recovery_mode(nint options, int value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_paranoid_checks(nint options, byte value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_max_total_wal_size(nint options, ulong value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_skip_stats_update_on_db_open(nint options, byte value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_stats_dump_period_sec(nint options, uint value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_compression(nint options, int value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_write_buffer_size(nint options, nuint value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_block_based_table_factory(nint options, nint tableOptions);
    [LibraryImport(Library)]
    internal static partial void rocksdb_get_options_from_string(nint baseOptions, byte* optionsText, nint newOptions, nint* error);

    [LibraryImport(Library)] internal static partial nint rocksdb_block_based_options_create();
    [LibraryImport(Library)] internal static partial void rocksdb_block_based_options_destroy(nint options);
    [LibraryImport(Library)] internal static partial void rocksdb_block_based_options_set_filter_policy(nint options, nint policy);
    [LibraryImport(Library)] internal static partial void rocksdb_block_based_options_set_format_version(nint options, int value);
    [LibraryImport(Library)] internal static partial void rocksdb_block_based_options_set_block_cache(nint options, nint cache);
    [LibraryImport(Library)] internal static partial void rocksdb_block_based_options_set_no_block_cache(nint options, byte value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_memtable_whole_key_filtering(nint options, byte value);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_memtable_prefix_bloom_size_ratio(nint options, double value);
    [LibraryImport(Library)] internal static partial nint rocksdb_filterpolicy_create_bloom_full(double bitsPerKey);
    [LibraryImport(Library)] internal static partial nint rocksdb_filterpolicy_create_bloom(double bitsPerKey);
    [LibraryImport(Library)] internal static partial nint rocksdb_cache_create_lru(nuint capacity);
    [LibraryImport(Library)] internal static partial void rocksdb_cache_destroy(nint cache);
    [LibraryImport(Library)] internal static partial void rocksdb_options_set_row_cache(nint options, nint cache);

    [LibraryImport(Library)] internal static partial nint rocksdb_writeoptions_create();
    [LibraryImport(Library)] internal static partial void rocksdb_writeoptions_destroy(nint options);
    [LibraryImport(Library)] internal static partial void rocksdb_writeoptions_set_sync(nint options, byte value);
    [LibraryImport(Library)] internal static partial nint rocksdb_readoptions_create();
    [LibraryImport(Library)] internal static partial void rocksdb_readoptions_destroy(nint options);
    [LibraryImport(Library)] internal static partial void rocksdb_readoptions_set_iterate_upper_bound(nint options, byte* key, nuint length);
    [LibraryImport(Library)] internal static partial void rocksdb_readoptions_set_iterate_lower_bound(nint options, byte* key, nuint length);
    [LibraryImport(Library)] internal static partial nint rocksdb_flushoptions_create();
    [LibraryImport(Library)] internal static partial void rocksdb_flushoptions_destroy(nint options);
    [LibraryImport(Library)] internal static partial void rocksdb_flushoptions_set_wait(nint options, byte value);

    // ------------------------------------------------------------ database
    [LibraryImport(Library)]
    internal static partial nint rocksdb_open_column_families(nint options, byte* name, int count, byte** names, nint* familyOptions, nint* handles, nint* error);
    [LibraryImport(Library)]
    internal static partial nint rocksdb_open_for_read_only_column_families(nint options, byte* name, int count, byte** names, nint* familyOptions, nint* handles, byte errorIfWalFileExists, nint* error);
    [LibraryImport(Library)] internal static partial void rocksdb_close(nint db);
    [LibraryImport(Library)] internal static partial void rocksdb_column_family_handle_destroy(nint handle);

    [LibraryImport(Library)]
    internal static partial nint rocksdb_get_pinned_cf(nint db, nint readOptions, nint family, byte* key, nuint keyLength, nint* error);
    [LibraryImport(Library)] internal static partial byte* rocksdb_pinnableslice_value(nint slice, nuint* length);
    [LibraryImport(Library)] internal static partial void rocksdb_pinnableslice_destroy(nint slice);
    [LibraryImport(Library)]
    internal static partial void rocksdb_multi_get_cf(nint db, nint readOptions, nint* families, nuint count, byte** keys, nuint* keyLengths, byte** values, nuint* valueLengths, nint* errors);
    [LibraryImport(Library)]
    internal static partial void rocksdb_batched_multi_get_cf(nint db, nint readOptions, nint family, nuint count, byte** keys, nuint* keyLengths, nint* values, nint* errors, byte sortedInput);
    [LibraryImport(Library)]
    internal static partial void rocksdb_put_cf(nint db, nint writeOptions, nint family, byte* key, nuint keyLength, byte* value, nuint valueLength, nint* error);
    [LibraryImport(Library)]
    internal static partial void rocksdb_delete_cf(nint db, nint writeOptions, nint family, byte* key, nuint keyLength, nint* error);
    [LibraryImport(Library)] internal static partial void rocksdb_write(nint db, nint writeOptions, nint batch, nint* error);
    [LibraryImport(Library)] internal static partial void rocksdb_flush_cf(nint db, nint flushOptions, nint family, nint* error);
    [LibraryImport(Library)]
    internal static partial void rocksdb_compact_range_cf(nint db, nint family, byte* start, nuint startLength, byte* limit, nuint limitLength);
    [LibraryImport(Library)] internal static partial byte* rocksdb_property_value_cf(nint db, nint family, byte* name);
    [LibraryImport(Library)] internal static partial void rocksdb_free(void* pointer);

    // ------------------------------------------------------------ write batch
    [LibraryImport(Library)] internal static partial nint rocksdb_writebatch_create();
    [LibraryImport(Library)] internal static partial void rocksdb_writebatch_destroy(nint batch);
    [LibraryImport(Library)] internal static partial void rocksdb_writebatch_clear(nint batch);
    [LibraryImport(Library)] internal static partial int rocksdb_writebatch_count(nint batch);
    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_put_cf(nint batch, nint family, byte* key, nuint keyLength, byte* value, nuint valueLength);
    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_delete_cf(nint batch, nint family, byte* key, nuint keyLength);

    // ------------------------------------------------------------ iterator
    [LibraryImport(Library)] internal static partial nint rocksdb_create_iterator_cf(nint db, nint readOptions, nint family);
    [LibraryImport(Library)] internal static partial void rocksdb_iter_destroy(nint iterator);
    [LibraryImport(Library)] internal static partial byte rocksdb_iter_valid(nint iterator);
    [LibraryImport(Library)] internal static partial void rocksdb_iter_seek_to_first(nint iterator);
    [LibraryImport(Library)] internal static partial void rocksdb_iter_seek_to_last(nint iterator);
    [LibraryImport(Library)] internal static partial void rocksdb_iter_seek(nint iterator, byte* key, nuint length);
    [LibraryImport(Library)] internal static partial void rocksdb_iter_seek_for_prev(nint iterator, byte* key, nuint length);
    [LibraryImport(Library)] internal static partial void rocksdb_iter_next(nint iterator);
    [LibraryImport(Library)] internal static partial void rocksdb_iter_prev(nint iterator);
    [LibraryImport(Library)] internal static partial byte* rocksdb_iter_key(nint iterator, nuint* length);
    [LibraryImport(Library)] internal static partial byte* rocksdb_iter_value(nint iterator, nuint* length);
    [LibraryImport(Library)] internal static partial void rocksdb_iter_get_error(nint iterator, nint* error);

    /// <summary>Throws <see cref="RocksDbException"/> with the message RocksDB left in <paramref name="error"/> (and frees it), if any.</summary>
    internal static void Check(nint error)
    {
        if (error == 0) return;
        var message = Marshal.PtrToStringUTF8(error) ?? "unknown RocksDB error";
        rocksdb_free((void*)error);
        throw new RocksDbException(message);
    }
}
