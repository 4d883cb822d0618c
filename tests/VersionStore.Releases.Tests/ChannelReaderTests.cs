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
        var heads = new InMemoryHeadCache();
        var reader = new ChannelReader(store, heads);
        var prod = ReleaseChannels.ChannelRef("prod");

        var fresh = await reader.GetAsync(new RepositoryName("support-bot"), prod);
        Assert.Equal((f.Bad, false, "v1.5.0"), (fresh!.Version, fresh.Stale, fresh.Subject));
        Assert.Equal(f.Bad, (await heads.TryGetAsync(new RepositoryName("support-bot"), prod))!.State.Target); // the core head cache

        failing.Fail = true;
        var restarted = new RepositoryStore(failing, failing, new VersionStoreOptions { TimeProvider = f.Time }); // no decoded objects cached
        var stale = await new ChannelReader(restarted, heads).GetAsync(new RepositoryName("support-bot"), prod);   // another reader, same head cache
        Assert.Equal((f.Bad, true, fresh.SeenAt), (stale!.Version, stale.Stale, stale.SeenAt));
        Assert.Null(stale.Subject); // the objects are down too
        Assert.Contains("Redis is unavailable", stale.Problem);
        await Assert.ThrowsAsync<BackendUnavailableException>(() => reader.GetAsync(new RepositoryName("support-bot"), ReleaseChannels.ChannelRef("gray")));

        failing.Fail = false;
        Assert.Null(await reader.GetAsync(new RepositoryName("support-bot"), ReleaseChannels.ChannelRef("gray")));
    }

    [Fact]
    public async Task In_distributed_mode_it_reads_through_the_fail_static_ref_store_and_its_head_cache_like_branches_and_live_channels()
    {
        var f = await ReleaseFixture.CreateAsync();
        var failing = new FailingStores(f.Objects, f.Refs);
        var heads = new InMemoryHeadCache();
        var refs = new FailStaticRefStore(failing, heads, f.Time);
        var store = new RepositoryStore(f.Objects, refs, new VersionStoreOptions { TimeProvider = f.Time });
        var reader = new ChannelReader(store);
        Assert.Same(heads, reader.Heads);
        var prod = ReleaseChannels.ChannelRef("prod");
        var repo = new RepositoryName("support-bot");

        Assert.False((await reader.GetAsync(repo, prod))!.Stale);
        var staleReads = 0;
        refs.StaleRead += (_, _) => staleReads++;
        failing.Fail = true;
        var stale = await reader.GetAsync(repo, prod);
        Assert.Equal((f.Bad, true, "v1.5.0", 1), (stale!.Version, stale.Stale, stale.Subject, staleReads)); // objects still readable
        Assert.Contains("Redis is unavailable", stale.Problem);

        // The ref store lost its state: the same answer, the cause says so.
        var lost = new ChannelReader(new RepositoryStore(f.Objects, new FailStaticRefStore(new InMemoryRefStore(), heads, f.Time)));
        var served = await lost.GetAsync(repo, prod);
        Assert.Equal((f.Bad, true), (served!.Version, served.Stale));
        Assert.Contains("lost its state", served.Problem);
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
