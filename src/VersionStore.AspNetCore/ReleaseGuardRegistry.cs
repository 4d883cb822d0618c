using System.Collections.Concurrent;
using VersionStore.Releases;

namespace VersionStore.AspNetCore;

/// <summary>The release guards of a process, one per workflow and channel, created on first use.</summary>
public sealed class ReleaseGuardRegistry
{
    private readonly ConcurrentDictionary<(string Workflow, string Channel), Lazy<ReleaseGuard>> _guards = new();
    private readonly RepositoryStore _store;
    private readonly Func<string, string, ReleaseGuardOptions> _options;

    /// <summary>Creates the registry; <paramref name="options"/> gives each guard its options (defaults with the store's clock when null).</summary>
    public ReleaseGuardRegistry(RepositoryStore store, Func<string, string, ReleaseGuardOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? ((_, _) => new ReleaseGuardOptions { TimeProvider = store.Options.TimeProvider });
    }

    /// <summary>The guard of <paramref name="channel"/> of <paramref name="workflow"/>.</summary>
    public ReleaseGuard Get(string workflow, string channel)
    {
        var key = (new RepositoryName(workflow).Value, ReleaseChannels.ChannelRef(channel).ShortName);
        return _guards.GetOrAdd(key, k => new Lazy<ReleaseGuard>(() =>
            new ReleaseGuard(new ReleaseChannels(_store.GetRepository(k.Item1)), k.Item2, _options(k.Item1, k.Item2)))).Value;
    }

    /// <summary>Every guard created so far.</summary>
    public IReadOnlyList<ReleaseGuard> All => [.. _guards.Values.Select(l => l.Value)];
}
