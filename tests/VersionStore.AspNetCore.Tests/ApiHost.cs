using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VersionStore.Conformance;
using VersionStore.Releases;

namespace VersionStore.AspNetCore.Tests;

/// <summary>
/// The API on real Kestrel at 127.0.0.1:0 over an in-memory store wrapped in <see cref="FailingStores"/>, seeded with
/// workflow "support-bot": three real Dify versions tagged v1.4.0–v1.6.0; prod published at v1.4.0 (last-known-good), then v1.5.0.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string Token = "test-token-7f3a";
    public const string ViewerKey = "viewer-key-1d2e";
    public const string PublisherKey = "publisher-key-9c8b";
    private readonly WebApplication _app;

    private ApiHost(WebApplication app, HttpClient client, FailingStores stores, Repository repo)
    {
        _app = app;
        Client = client;
        Stores = stores;
        Repo = repo;
    }

    public HttpClient Client { get; }
    public FailingStores Stores { get; }
    public Repository Repo { get; }
    public ObjectId Good { get; private set; }
    public ObjectId Bad { get; private set; }
    public ObjectId Third { get; private set; }
    public Uri BaseAddress => Client.BaseAddress!;

    public static async Task<ApiHost> StartAsync(IRollbackVerifier? verifier = null, Action<WebApplicationBuilder>? configure = null, Action<VersionStoreApiOptions>? options = null)
    {
        var stores = new FailingStores(new InMemoryObjectStore(), new InMemoryRefStore());
        var store = new RepositoryStore(stores, stores);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(store);
        builder.Services.AddVersionStoreApi(o =>
        {
            o.BearerToken = Token;
            o.Keys.Add(new VersionStoreApiKey { Name = "vera", Key = ViewerKey, Role = VersionStoreRoles.Viewer });
            o.Keys.Add(new VersionStoreApiKey { Name = "piet", KeyHash = "sha256:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(PublisherKey))), Role = VersionStoreRoles.Publisher });
            if (verifier is not null) o.RollbackVerifiers = [verifier];
            options?.Invoke(o);
        });
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapVersionStoreApi();
        app.MapVersionStoreConsole();
        app.MapVersionStoreOpenApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var host = new ApiHost(app, client, stores, store.GetRepository("support-bot"));
        await host.SeedAsync();
        return host;
    }

    private async Task SeedAsync()
    {
        var versions = TestData.HistoryVersions("ivytechnx-bnk-03-customer-inquiry");
        var ids = new List<ObjectId>();
        for (var i = 0; i < 3; i++)
        {
            var c = await Repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(versions[i])), new CommitOptions { Author = "ana", Message = $"v1.{4 + i}.0" });
            await Repo.CreateTagAsync($"v1.{4 + i}.0", c.Id.ToString());
            ids.Add(c.Id);
        }
        (Good, Bad, Third) = (ids[0], ids[1], ids[2]);
        var channels = new ReleaseChannels(Repo);
        await channels.PublishAsync("prod", "v1.4.0", "ana");
        await channels.MarkLastKnownGoodAsync("prod", Good, "ana");
        await channels.PublishAsync("prod", "v1.5.0", "ana");
    }

    public HttpClient ClientFor(string? key)
    {
        var c = new HttpClient { BaseAddress = BaseAddress };
        if (key is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    public IServiceProvider Services => _app.Services;

    public async Task<ObjectId?> HeadAsync(string channel = "prod") => (await Repo.TryGetRefAsync(ReleaseChannels.ChannelRef(channel)))?.Target;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Wraps stores and fails every call with BackendUnavailableException while <see cref="Fail"/> is set.</summary>
public sealed class FailingStores(IObjectStore objects, IRefStore refs) : IObjectStore, IRefStore, ISweepableObjectStore, IRefChangeFeed
{
    public volatile bool Fail;

    private void Check()
    {
        if (Fail) throw new BackendUnavailableException("Redis", "connection refused (injected)");
    }

    public IObjectStore Objects => objects;
    public ValueTask<ReadOnlyMemory<byte>?> TryReadAsync(ObjectId id, CancellationToken cancellationToken = default) { Check(); return objects.TryReadAsync(id, cancellationToken); }
    public ValueTask<bool> ContainsAsync(ObjectId id, CancellationToken cancellationToken = default) { Check(); return objects.ContainsAsync(id, cancellationToken); }
    public ValueTask WriteAsync(IReadOnlyList<EncodedObject> o, CancellationToken cancellationToken = default) { Check(); return objects.WriteAsync(o, cancellationToken); }
    public IAsyncEnumerable<ObjectId> FindByPrefixAsync(string hexPrefix, int limit, CancellationToken cancellationToken = default) { Check(); return objects.FindByPrefixAsync(hexPrefix, limit, cancellationToken); }
    public ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default) { Check(); return refs.TryGetRefAsync(repository, name, cancellationToken); }
    public IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, CancellationToken cancellationToken = default) { Check(); return refs.ListRefsAsync(repository, cancellationToken); }
    public ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default) { Check(); return refs.TryUpdateRefAsync(update, cancellationToken); }
    public IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default) { Check(); return refs.ReadAuditAsync(repository, name, beforeSequence, cancellationToken); }
    public IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default) { Check(); return refs.ListRepositoriesAsync(cancellationToken); }
    // A decorator forwards the optional sweep capability of what it wraps.
    public IAsyncEnumerable<StoredObjectInfo> ListObjectsAsync(CancellationToken cancellationToken = default) { Check(); return ((ISweepableObjectStore)objects).ListObjectsAsync(cancellationToken); }
    public ValueTask<IReadOnlyList<TierSweepResult>> DeleteObjectsAsync(IReadOnlyCollection<ObjectId> ids, DateTimeOffset writtenBefore, CancellationToken cancellationToken = default) { Check(); return ((ISweepableObjectStore)objects).DeleteObjectsAsync(ids, writtenBefore, cancellationToken); }
    public ValueTask<IAsyncDisposable> SubscribeAsync(RepositoryName repository, IRefChangeListener listener, CancellationToken cancellationToken = default)
    {
        Check();
        return refs is IRefChangeFeed feed ? feed.SubscribeAsync(repository, listener, cancellationToken) : throw new NotSupportedException();
    }
}
