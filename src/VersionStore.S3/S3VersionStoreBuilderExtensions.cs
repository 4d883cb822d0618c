using Microsoft.Extensions.Configuration;
using VersionStore.S3;
using VersionStore.S3.Internal;

namespace VersionStore;

/// <summary>Adds the S3 pack store to an <see cref="IVersionStoreBuilder"/>: the durable tier in distributed mode, the archive beside an embedded store.</summary>
public static class S3VersionStoreBuilderExtensions
{
    /// <summary>
    /// Uses S3 (<see cref="S3PackStoreOptions"/> set by <paramref name="configure"/>) as the remote object store. It opens
    /// on first use and retries until it opens, so the application starts while S3 is down. Credentials: those set on the
    /// options, else the AWS SDK's default credential chain (environment, profile, instance role) — never read here.
    /// In distributed mode a miss re-lists the bucket every time (<see cref="S3PackStoreOptions.MissRefreshInterval"/> = 0):
    /// a ref read in Redis may name objects another process packed a moment ago.
    /// </summary>
    public static IVersionStoreBuilder UseS3(this IVersionStoreBuilder builder, Action<S3PackStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new S3PackStoreOptions();
        configure(options);
        return builder.UseS3(options);
    }

    /// <summary>
    /// As <see cref="UseS3(IVersionStoreBuilder, Action{S3PackStoreOptions})"/>, with <see cref="S3PackStoreOptions"/>
    /// bound from <paramref name="section"/> (e.g. <c>{ "BucketName": "vstore", "Prefix": "prod", "ServiceUrl": "http://127.0.0.1:4568",
    /// "ForcePathStyle": true, "S3CompatibleMode": true }</c>).
    /// </summary>
    public static IVersionStoreBuilder UseS3(this IVersionStoreBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        var options = new S3PackStoreOptions();
        builder.Bind(nameof(S3PackStoreOptions), () => section.Bind(options));
        return builder.UseS3(options);
    }

    private static IVersionStoreBuilder UseS3(this IVersionStoreBuilder builder, S3PackStoreOptions options)
    {
        builder.Validate(options.Validate);
        return builder.UseRemoteObjectStore((context, _) =>
        {
            if (ReferenceEquals(options.TimeProvider, SystemClock.Default)) options.TimeProvider = context.TimeProvider;
            if (options.LoggerFactory is Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory) options.LoggerFactory = context.Options.Store.LoggerFactory;
            if (context.Mode == DeploymentMode.Distributed) options.MissRefreshInterval = TimeSpan.Zero;
            return ValueTask.FromResult(new RemoteObjectStorePart("s3", context.Own(new LazyS3Store(options))));
        });
    }
}
