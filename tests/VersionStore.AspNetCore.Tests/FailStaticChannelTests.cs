using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
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
/// A channel read over HTTP from a distributed composition (<c>services.AddVersionStore</c>: shared ref store, remote
/// object store, local store with its head cache) goes through the one head cache: with the ref store down, or after it
/// lost its state, the API answers the remembered version with <c>"stale": true</c>.
/// </summary>
public sealed class FailStaticChannelTests
{
    [Fact]
    public async Task With_the_ref_store_down_or_emptied_the_channel_endpoint_answers_the_remembered_version_marked_stale()
    {
        var sharedRefs = new SharedRefs();
        var remote = new InMemoryObjectStore();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddVersionStore(b => b.UseInMemory()
            .UseSharedRefStore((_, _) => ValueTask.FromResult(new SharedRefStorePart("redis", sharedRefs, null)))
            .UseRemoteObjectStore((_, _) => ValueTask.FromResult(new RemoteObjectStorePart("s3", remote))));
        builder.Services.AddVersionStoreApi(o => o.BearerToken = ApiHost.Token);
        await using var app = builder.Build();
        app.MapVersionStoreApi();
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiHost.Token);

        var host = app.Services.GetRequiredService<VersionStoreHost>();
        Assert.NotNull(host.FailStatic);
        Assert.Same(host.FailStatic!.Heads, app.Services.GetRequiredService<ChannelReader>().Heads); // one head cache
        var repo = host.GetRepository("support-bot");
        var versions = TestData.HistoryVersions("ivytechnx-bnk-03-customer-inquiry");
        var v1 = await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(versions[0])), new CommitOptions { Author = "ana", Message = "v1.4.0" });
        await new ReleaseChannels(repo).PublishAsync("prod", v1.Id.ToString(), "ana", "release 1.4.0");

        async Task<(HttpResponseMessage Response, JsonElement Json)> GetProdAsync()
        {
            var response = await client.GetAsync("/v1/workflows/support-bot/channels/prod");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
        }

        var fresh = await GetProdAsync();
        Assert.False(fresh.Json.GetProperty("stale").GetBoolean());

        sharedRefs.Fail = true; // Redis down
        var down = await GetProdAsync();
        Assert.Equal("true", down.Response.Headers.GetValues("X-VersionStore-Stale").Single());
        Assert.Equal((v1.Id.ToString(), true, "v1.4.0"), (down.Json.GetProperty("version").GetString(), down.Json.GetProperty("stale").GetBoolean(), down.Json.GetProperty("subject").GetString()));
        Assert.Contains("Redis is unavailable", down.Json.GetProperty("problem").GetString());
        Assert.True(host.FailStatic.StaleReadCount > 0);

        sharedRefs.Fail = false;
        sharedRefs.Current = new InMemoryRefStore(); // Redis back, without its data
        var lost = await GetProdAsync();
        Assert.Equal((v1.Id.ToString(), true), (lost.Json.GetProperty("version").GetString(), lost.Json.GetProperty("stale").GetBoolean()));
        Assert.Contains("lost its state", lost.Json.GetProperty("problem").GetString());
        await app.StopAsync();
    }

    /// <summary>The shared ref store: fails while <see cref="Fail"/> is set; replace <see cref="Current"/> to lose its state.</summary>
    private sealed class SharedRefs : IRefStore, IRefStoreEpoch
    {
        public volatile bool Fail;

        public InMemoryRefStore Current { get; set; } = new();

        public string BackendName => "Redis";

        private InMemoryRefStore Live => Fail ? throw new BackendUnavailableException("Redis", "connection refused (injected)") : Current;

        public ValueTask<RefState?> TryGetRefAsync(RepositoryName repository, RefName name, CancellationToken cancellationToken = default) => Live.TryGetRefAsync(repository, name, cancellationToken);

        public IAsyncEnumerable<(RefName Name, RefState State)> ListRefsAsync(RepositoryName repository, CancellationToken cancellationToken = default) => Live.ListRefsAsync(repository, cancellationToken);

        public ValueTask<bool> TryUpdateRefAsync(RefUpdate update, CancellationToken cancellationToken = default) => Live.TryUpdateRefAsync(update, cancellationToken);

        public IAsyncEnumerable<AuditEntry> ReadAuditAsync(RepositoryName repository, RefName name, long? beforeSequence = null, CancellationToken cancellationToken = default)
            => Live.ReadAuditAsync(repository, name, beforeSequence, cancellationToken);

        public IAsyncEnumerable<RepositoryName> ListRepositoriesAsync(CancellationToken cancellationToken = default) => Live.ListRepositoriesAsync(cancellationToken);

        public ValueTask<string?> TryGetEpochAsync(CancellationToken cancellationToken = default) => Live.TryGetEpochAsync(cancellationToken);

        public ValueTask<string> EnsureEpochAsync(string epoch, CancellationToken cancellationToken = default) => Live.EnsureEpochAsync(epoch, cancellationToken);
    }
}
