using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace VersionStore;

/// <summary>
/// Registers a VersionStore in a <see cref="IServiceCollection"/>: the <see cref="VersionStoreHost"/> of the mode the
/// options name, and its <see cref="RepositoryStore"/> (what <c>VersionStore.AspNetCore</c>'s API and application code
/// resolve). The DI-free path is <see cref="VersionStoreBuilder.OpenAsync"/>.
/// </summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="VersionStoreHost"/> opened from the options (validated when first resolved) and the
    /// singleton <see cref="RepositoryStore"/> it holds. The container disposes the host (closing RocksDB, Redis and S3).
    /// </summary>
    /// <remarks>
    /// Opening is done once, on first resolution, blocking that first caller: the local RocksDB open is synchronous, a Redis
    /// that is down does not stop the host from starting (calls fail or fall back until it returns), and S3 opens lazily.
    /// </remarks>
    /// <example><code>builder.Services.AddVersionStore(o => { o.DataPath = "/var/lib/app/vstore"; });</code></example>
    public static IServiceCollection AddVersionStore(this IServiceCollection services, Action<DistributedStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(_ =>
        {
            var options = new DistributedStoreOptions();
            configure(options);
            return VersionStoreBuilder.OpenAsync(options).GetAwaiter().GetResult();
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<VersionStoreHost>().Store);
        return services;
    }
}
