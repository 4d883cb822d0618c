using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VersionStore.AspNetCore;
using VersionStore.Releases;

namespace VersionStore.Hostile.Tests;

/// <summary>The real HTTP API on Kestrel at 127.0.0.1:0 over an in-memory store: workflow "wf" (a real Dify export), channel prod.</summary>
public sealed class Api : IAsyncDisposable
{
    public const string Token = "hostile-token";
    private readonly WebApplication _app;

    private Api(WebApplication app, HttpClient client, Repository repo)
    {
        _app = app;
        Client = client;
        Repo = repo;
    }

    public HttpClient Client { get; }

    public Repository Repo { get; }

    public static async Task<Api> StartAsync()
    {
        var store = new RepositoryStore(new InMemoryObjectStore(), new InMemoryRefStore());
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(store);
        builder.Services.AddVersionStoreApi(o => o.BearerToken = Token);
        var app = builder.Build();
        app.MapVersionStoreApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var repo = store.GetRepository("wf");
        var versions = TestData.HistoryVersions(TestData.HistoryNames()[0]);
        foreach (var v in versions.Take(2))
            await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(v)), new CommitOptions { Author = "ana" });
        await new ReleaseChannels(repo).PublishAsync("prod", "main", "ana");
        return new Api(app, client, repo);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
