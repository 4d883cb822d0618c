using Microsoft.Extensions.Configuration;

namespace VersionStore;

/// <summary>Adds Redis (shared refs, audit log and hot object cache) to an <see cref="IVersionStoreBuilder"/>: distributed mode.</summary>
public static class RedisVersionStoreBuilderExtensions
{
    /// <summary>
    /// Uses Redis at <paramref name="configuration"/> (a StackExchange.Redis configuration string) as the shared ref store
    /// and hot object cache. Needs a remote object store (<c>UseS3</c>) as the durable tier.
    /// </summary>
    public static IVersionStoreBuilder UseRedis(this IVersionStoreBuilder builder, string configuration)
        => builder.UseRedis(o => o.Configuration = configuration);

    /// <summary>As <see cref="UseRedis(IVersionStoreBuilder, string)"/>, with <see cref="RedisBackendOptions"/> set by <paramref name="configure"/>.</summary>
    public static IVersionStoreBuilder UseRedis(this IVersionStoreBuilder builder, Action<RedisBackendOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisBackendOptions();
        configure(options);
        return builder.UseRedis(options);
    }

    /// <summary>
    /// As <see cref="UseRedis(IVersionStoreBuilder, string)"/>, with <see cref="RedisBackendOptions"/> bound from
    /// <paramref name="section"/>: either the configuration string itself (<c>"Redis": "r1:6379"</c>) or an object
    /// (<c>{ "Configuration": "r1:6379", "KeyPrefix": "app:", "OperationTimeout": "00:00:01" }</c>).
    /// </summary>
    public static IVersionStoreBuilder UseRedis(this IVersionStoreBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        var options = new RedisBackendOptions();
        if (section is IConfigurationSection { Value: { Length: > 0 } value }) options.Configuration = value;
        else builder.Bind(nameof(RedisBackendOptions), () => section.Bind(options));
        return builder.UseRedis(options);
    }

    private static IVersionStoreBuilder UseRedis(this IVersionStoreBuilder builder, RedisBackendOptions options)
    {
        builder.Validate(options.Validate);
        if (options.FullConfiguration() is null && string.IsNullOrWhiteSpace(options.Configuration))
            builder.AddProblem($"Invalid RedisBackendOptions: {nameof(RedisBackendOptions.Configuration)} is required");
        return builder.UseSharedRefStore(async (context, cancellationToken) =>
        {
            if (options.LoggerFactory is Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory) options.LoggerFactory = context.Options.Store.LoggerFactory;
            var redis = context.Own(await RedisBackend.ConnectAsync(options, cancellationToken).ConfigureAwait(false));
            return new SharedRefStorePart("redis", redis.Refs, redis.Objects);
        });
    }
}
