using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VersionStore.Conformance;
using VersionStore.Server;

namespace VersionStore.AspNetCore.Tests;

/// <summary>The HTTP server sample's store (<see cref="ServerComposition.AddServerStore"/>) on real Kestrel and RocksDB: a rollback over HTTP is one RocksDB write.</summary>
public sealed class ServerStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("server-store");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_servers_store_writes_a_revert_rollback_over_HTTP_in_one_RocksDB_write()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddServerStore(_dir.Combine("store"));
        builder.Services.AddVersionStoreApi(o => o.BearerToken = ApiHost.Token);
        await using var app = builder.Build();
        app.MapVersionStoreApi();
        await app.StartAsync();
        var host = app.Services.GetRequiredService<VersionStoreHost>();
        Assert.Equal(DeploymentMode.Embedded, host.Mode);
        var rocks = host.Get<RocksDbBackend>()!;
        Assert.Same(rocks, host.Store.Objects); // no decorator between the commit writer and RocksDB

        var repo = host.Store.GetRepository("support-bot");
        var files = TestData.WorkflowFiles().Take(2).Select(File.ReadAllBytes).ToList();
        var v1 = await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", files[0]), new CommitOptions { Author = "ana", Message = "v1" });
        var before = rocks.WriteCount;
        await repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", files[1]), new CommitOptions { Author = "ana", Message = "v2" });
        Assert.Equal(1, rocks.WriteCount - before);

        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiHost.Token);
        before = rocks.WriteCount;
        using var response = await client.PostAsync(new Uri("/v1/workflows/support-bot/rollback", UriKind.Relative), new StringContent(
            $$"""{"branch":"main","target_version":"{{v1.Id}}","reason":"v2 answers degraded","mode":"revert","actor":"oncall"}""", Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, rocks.WriteCount - before); // revert commit + ref + audit entry in one batch
        await app.StopAsync();
    }
}
