using Microsoft.Extensions.Configuration;

namespace VersionStore;

/// <summary>Adds the embedded RocksDB backend to an <see cref="IVersionStoreBuilder"/>.</summary>
public static class RocksDbVersionStoreBuilderExtensions
{
    /// <summary>
    /// Uses the RocksDB database at <paramref name="path"/> as the local store: the whole store in the embedded modes
    /// (objects, refs and audit log in one database, one atomic write per commit); the warm cache and the head cache of
    /// fail-static reads in distributed mode.
    /// </summary>
    /// <example><code>services.AddVersionStore(b => b.UseRocksDb("/var/lib/app/vstore"));</code></example>
    public static IVersionStoreBuilder UseRocksDb(this IVersionStoreBuilder builder, string path)
        => builder.UseRocksDb(o => o.Path = path);

    /// <summary>As <see cref="UseRocksDb(IVersionStoreBuilder, string)"/>, with <see cref="RocksDbBackendOptions"/> set by <paramref name="configure"/>.</summary>
    public static IVersionStoreBuilder UseRocksDb(this IVersionStoreBuilder builder, Action<RocksDbBackendOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RocksDbBackendOptions();
        configure(options);
        return builder.UseRocksDb(options);
    }

    /// <summary>
    /// As <see cref="UseRocksDb(IVersionStoreBuilder, string)"/>, with <see cref="RocksDbBackendOptions"/> bound from
    /// <paramref name="section"/> (e.g. <c>{ "Path": "/var/lib/app/vstore", "SyncWrites": true }</c>).
    /// </summary>
    public static IVersionStoreBuilder UseRocksDb(this IVersionStoreBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        var options = new RocksDbBackendOptions();
        builder.Bind(nameof(RocksDbBackendOptions), () => section.Bind(options));
        return builder.UseRocksDb(options);
    }

    private static IVersionStoreBuilder UseRocksDb(this IVersionStoreBuilder builder, RocksDbBackendOptions options)
    {
        builder.Validate(options.Validate);
        return builder.UseLocalStore((context, _) =>
        {
            // Object write times (the GC grace period) follow the store's clock unless the options name another.
            if (ReferenceEquals(options.TimeProvider, SystemClock.Default)) options.TimeProvider = context.TimeProvider;
            if (options.LoggerFactory is Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory) options.LoggerFactory = context.Options.Store.LoggerFactory;
            var backend = context.Own(RocksDbBackend.Open(options));
            return ValueTask.FromResult(new LocalStorePart("rocksdb", backend, backend, backend, backend.Path));
        });
    }
}
