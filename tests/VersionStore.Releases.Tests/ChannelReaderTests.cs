using VersionStore.Conformance;

namespace VersionStore.Releases.Tests;

public sealed class ChannelReaderTests
{
    [Fact]
    public async Task Serves_the_last_seen_version_marked_stale_when_the_backends_fail()
    {
        var f = await ReleaseFixture.CreateAsync();
        var failing = new FailingStores(f.Objects, f.Refs);
        var store = new RepositoryStore(failing, failing, new VersionStoreOptions { TimeProvider = f.Time });
        using var dir = new TempDirectory("lastseen");
        var reader = new ChannelReader(store, new FileLastSeenCache(dir.Path));
        var prod = ReleaseChannels.ChannelRef("prod");

        var fresh = await reader.GetAsync(new RepositoryName("support-bot"), prod);
        Assert.Equal((f.Bad, false, "v1.5.0"), (fresh!.Version, fresh.Stale, fresh.Subject));

        failing.Fail = true;
        var stale = await new ChannelReader(store, new FileLastSeenCache(dir.Path)).GetAsync(new RepositoryName("support-bot"), prod);   // survives a restart
        Assert.Equal((f.Bad, true), (stale!.Version, stale.Stale));
        Assert.Contains("Redis is unavailable", stale.Problem);
        await Assert.ThrowsAsync<BackendUnavailableException>(() => reader.GetAsync(new RepositoryName("support-bot"), ReleaseChannels.ChannelRef("gray")));

        failing.Fail = false;
        Assert.Null(await reader.GetAsync(new RepositoryName("support-bot"), ReleaseChannels.ChannelRef("gray")));
    }

    [Fact]
    public void Companion_ref_suffixes_are_reserved()
    {
        Assert.Throws<InvalidNameException>(() => ReleaseChannels.ChannelRef("prod.lkg"));
        Assert.Throws<InvalidNameException>(() => ReleaseChannels.ChannelRef("prod.guard"));
        Assert.Equal("refs/channels/prod.lkg", ReleaseChannels.LastKnownGoodRef("prod").FullName);
        Assert.False(ReleaseChannels.IsChannel(ReleaseChannels.GuardLogRef("prod")));
    }

    [Fact]
    public async Task Channel_history_lists_publishes_and_rollbacks_and_rollback_defaults_to_last_known_good()
    {
        var f = await ReleaseFixture.CreateAsync();
        var result = await f.Channels.RollbackAsync("prod", null, "p99 regression", "ops");
        Assert.Equal((RollbackStatus.Succeeded, f.Good, f.Good), (result.Status, result.To, result.NewHead));
        var ops = await f.Channels.HistoryAsync("prod").Select(e => e.Operation).ToListAsync();
        Assert.Equal(["rollback.reset", "publish", "publish"], ops);
        Assert.Equal(["prod"], await f.Channels.ListAsync().Select(r => r.Name.ShortName).ToListAsync());
        await Assert.ThrowsAsync<RefConflictException>(() => f.Channels.PublishAsync("prod", f.Third.ToString(), "ana", expectedCurrent: f.Bad));
    }
}

/// <summary>Wraps stores and fails every call with BackendUnavailableException while <see cref="Fail"/> is set.</summary>
public sealed class FailingStores(IObjectStore objects, IRefStore refs) : IObjectStore, IRefStore
{
    public volatile bool Fail;

    private void Check()
    {
        if (Fail) throw new BackendUnavailableException("Redis", "connection refused (injected)");
    }

    public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default) { Check(); return objects.TryReadAsync(id, cancellationToken); }
    public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) { Check(); return objects.ContainsAsync(id, cancellationToken); }
    public ValueTask WriteAsync(IReadOnlyList<EncodedObject> o, CancellationToken cancellationToken = default) { Check(); return objects.WriteAsync(o, cancellationToken); }
    public IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default) { Check(); return objects.FindByPrefixAsync(hexPrefix, limit, cancellationToken); }
    public ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default) { Check(); return refs.TryGetRefAsync(repository, name, cancellationToken); }
    public IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, CancellationToken cancellationToken = default) { Check(); return refs.ListRefsAsync(repository, cancellationToken); }
    public ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default) { Check(); return refs.TryUpdateRefAsync(update, cancellationToken); }
    public IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default) { Check(); return refs.ReadAuditAsync(repository, name, beforeSequence, cancellationToken); }
    public IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default) { Check(); return refs.ListRepositoriesAsync(cancellationToken); }
}
