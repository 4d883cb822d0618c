using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VersionStore.Releases;

/// <summary>Registers live channels with a host: <c>services.AddLiveChannel("support-bot", "prod")</c>, then inject <see cref="LiveChannels"/>.</summary>
public static class LiveChannelServiceCollectionExtensions
{
    /// <summary>
    /// Follows <paramref name="channel"/> of <paramref name="repository"/> for the host's lifetime: a hosted service starts
    /// it (fail-static from <see cref="LiveChannelOptions.HeadCache"/>, else from a registered <see cref="IHeadCache"/> or the store's fail-static head cache)
    /// before the application serves, and stops it at shutdown. The application registers the <see cref="RepositoryStore"/>.
    /// </summary>
    public static IServiceCollection AddLiveChannel(this IServiceCollection services, string repository, string channel, Action<LiveChannelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var key = (new RepositoryName(repository).Value, ReleaseChannels.ChannelRef(channel).ShortName);
        services.AddSingleton(new LiveChannelRegistration(key.Item1, key.Item2, configure));
        services.TryAddSingleton<LiveChannels>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LiveChannelHostedService>());
        return services;
    }
}

/// <summary>One channel to follow (see <see cref="LiveChannelServiceCollectionExtensions.AddLiveChannel"/>).</summary>
/// <param name="Repository">The repository.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Configure">Configures its options.</param>
public sealed record LiveChannelRegistration(string Repository, string Channel, Action<LiveChannelOptions>? Configure);

/// <summary>The live channels of the process (started by the hosted service), by repository and channel.</summary>
public sealed class LiveChannels : IAsyncDisposable
{
    private readonly Dictionary<(string, string), LiveChannel> _started = [];
    private readonly Lock _lock = new();
    private readonly IServiceProvider _services;

    /// <summary>Created by the container.</summary>
    public LiveChannels(IServiceProvider services) => _services = services;

    /// <summary>The live channel of <paramref name="channel"/> of <paramref name="repository"/>.</summary>
    /// <exception cref="InvalidOperationException">It was not registered with <c>AddLiveChannel</c>, or the host has not started it yet.</exception>
    public LiveChannel Get(string repository, string channel)
    {
        lock (_lock)
            return _started.TryGetValue((repository, channel), out var live) ? live
                : throw new InvalidOperationException($"Live channel {repository}/{channel} is not started: register it with AddLiveChannel and start the host.");
    }

    /// <summary>Every started live channel.</summary>
    public IReadOnlyList<LiveChannel> All
    {
        get { lock (_lock) return [.. _started.Values]; }
    }

    internal async Task StartAllAsync(CancellationToken cancellationToken)
    {
        var store = _services.GetRequiredService<RepositoryStore>();
        foreach (var r in _services.GetServices<LiveChannelRegistration>())
        {
            lock (_lock) if (_started.ContainsKey((r.Repository, r.Channel))) continue;
            var options = new LiveChannelOptions
            {
                HeadCache = _services.GetService<IHeadCache>(),
                LoggerFactory = _services.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            };
            r.Configure?.Invoke(options);
            var live = await LiveChannel.StartAsync(store, r.Repository, r.Channel, options, cancellationToken).ConfigureAwait(false);
            lock (_lock) _started[(r.Repository, r.Channel)] = live;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var live in All) await live.DisposeAsync().ConfigureAwait(false);
        lock (_lock) _started.Clear();
    }
}

/// <summary>Starts the registered live channels with the host and stops them at shutdown.</summary>
internal sealed class LiveChannelHostedService(LiveChannels channels) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => channels.StartAllAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await channels.DisposeAsync().ConfigureAwait(false);
}
