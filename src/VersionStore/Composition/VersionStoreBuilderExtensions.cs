using Microsoft.Extensions.Configuration;

namespace VersionStore;

/// <summary>The core's own parts and options for an <see cref="IVersionStoreBuilder"/>.</summary>
public static class VersionStoreBuilderExtensions
{
    /// <summary>Adds the in-process object cache (L1, the hottest tier) of at most <paramref name="maxBytes"/> encoded bytes.</summary>
    public static IVersionStoreBuilder UseMemoryCache(this IVersionStoreBuilder builder, long maxBytes = 64L * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (maxBytes <= 0) builder.AddProblem("the memory cache needs a positive size in bytes");
        builder.Options.MemoryCacheBytes = maxBytes;
        return builder;
    }

    /// <summary>Adds the in-process object cache, sized by <c>MaxBytes</c> of <paramref name="section"/> (default 64 MiB).</summary>
    public static IVersionStoreBuilder UseMemoryCache(this IVersionStoreBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return builder.UseMemoryCache(section.GetValue("MaxBytes", 64L * 1024 * 1024));
    }

    /// <summary>A local store held in memory (objects, refs, audit, remembered heads): tests and experiments.</summary>
    public static IVersionStoreBuilder UseInMemory(this IVersionStoreBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseLocalStore((_, _) => ValueTask.FromResult(new LocalStorePart("memory-store", new InMemoryObjectStore(), new InMemoryRefStore(), new InMemoryHeadCache(), null)));
    }

    /// <summary>Changes the builder's own options.</summary>
    public static IVersionStoreBuilder Configure(this IVersionStoreBuilder builder, Action<VersionStoreBuilderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        configure(builder.Options);
        return builder;
    }

    /// <summary>
    /// Binds the builder's own options (<see cref="VersionStoreBuilderOptions"/>: <c>Mode</c>, <c>MemoryCacheBytes</c>,
    /// breaker and archiver settings, <c>Store</c> limits) from <paramref name="section"/>; a value that does not
    /// convert is recorded as a problem.
    /// </summary>
    public static IVersionStoreBuilder Configure(this IVersionStoreBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        var options = builder.Options;
        return builder.Bind(nameof(VersionStoreBuilderOptions), () => section.Bind(options));
    }

    /// <summary>
    /// For backend extensions: runs <paramref name="bind"/> (a <c>section.Bind(options)</c> call of the extension's own,
    /// concretely typed options, which the configuration binding source generator turns into trimming- and
    /// NativeAOT-safe code), recording a value that does not convert (named by its configuration path) as a problem of
    /// <paramref name="what"/> instead of throwing.
    /// </summary>
    public static IVersionStoreBuilder Bind(this IVersionStoreBuilder builder, string what, Action bind)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(bind);
        try
        {
            bind();
        }
        catch (InvalidOperationException e)
        {
            builder.AddProblem($"{what}: {(e.InnerException ?? e).Message.TrimEnd('.')}");
        }
        return builder;
    }

    /// <summary>
    /// For backend extensions: runs an options class's <c>Validate()</c> (which throws <see cref="ArgumentException"/>
    /// listing every problem) and records its message as a problem, so the build reports all backends' problems at once.
    /// </summary>
    public static IVersionStoreBuilder Validate(this IVersionStoreBuilder builder, Action validate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(validate);
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            builder.AddProblem(e.Message);
        }
        return builder;
    }
}
