using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace VersionStore;

/// <summary>Registers a VersionStore in a service collection.</summary>
public static class VersionStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the store <paramref name="configure"/> composes: a singleton <see cref="VersionStoreHost"/>, its
    /// <see cref="RepositoryStore"/>, and its <see cref="IHeadCache"/> when it keeps one. The container disposes the
    /// host. The container's <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> are used unless
    /// <paramref name="configure"/> set others on <c>Options.Store</c>.
    /// </summary>
    /// <remarks>
    /// The store is opened once, on first resolution, blocking that first caller (the local RocksDB open is synchronous;
    /// Redis and S3 that are down do not stop it). Invalid configuration throws <see cref="InvalidStoreConfigurationException"/> then.
    /// </remarks>
    /// <example><code>builder.Services.AddVersionStore(b => b.UseRocksDb("/var/lib/app/vstore"));</code></example>
    public static IServiceCollection AddVersionStore(this IServiceCollection services, Action<IVersionStoreBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(sp =>
        {
            var builder = new VersionStoreBuilder();
            if (sp.GetService<ILoggerFactory>() is { } logging) builder.Options.Store.LoggerFactory = logging;
            if (sp.GetService<TimeProvider>() is { } clock) builder.Options.Store.TimeProvider = clock;
            configure(builder);
            return builder.BuildAsync().AsTask().GetAwaiter().GetResult();
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<VersionStoreHost>().Store);
        return services;
    }
}
