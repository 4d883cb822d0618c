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
/// The API on real Kestrel at 127.0.0.1:0 over an in-memory store wrapped in <see cref="ChaosStore"/>s (named Redis in their errors), seeded with
/// workflow "support-bot": three real Dify versions tagged v1.4.0–v1.6.0; prod published at v1.4.0 (last-known-good), then v1.5.0.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    public const string Token = "test-token-7f3a";
    public const string ViewerKey = "viewer-key-1d2e";
    public const string PublisherKey = "publisher-key-9c8b";
    private readonly WebApplication _app;

    private ApiHost(WebApplication app, HttpClient client, ChaosStore objects, ChaosStore refs, Repository repo)
    {
        _app = app;
        Client = client;
        Objects = objects;
        Refs = refs;
        Repo = repo;
    }

    public HttpClient Client { get; }
    public ChaosStore Objects { get; }
    public ChaosStore Refs { get; }

    /// <summary>True: every object and ref call fails as if Redis were down; false: it is back.</summary>
    public bool BackendDown
    {
        set => Objects.Down = Refs.Down = value;
    }

    public Repository Repo { get; }
    public ObjectId Good { get; private set; }
    public ObjectId Bad { get; private set; }
    public ObjectId Third { get; private set; }
    public Uri BaseAddress => Client.BaseAddress!;

    public static async Task<ApiHost> StartAsync(IRollbackVerifier? verifier = null, Action<WebApplicationBuilder>? configure = null, Action<VersionStoreApiOptions>? options = null)
    {
        var objects = ChaosStore.Wrap(new InMemoryObjectStore(), "Redis");
        var refs = ChaosStore.Wrap(new InMemoryRefStore(), "Redis");
        var store = new RepositoryStore(objects, refs);
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
        var host = new ApiHost(app, client, objects, refs, store.GetRepository("support-bot"));
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
