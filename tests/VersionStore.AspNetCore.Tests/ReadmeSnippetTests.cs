using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VersionStore.AspNetCore.Tests;

/// <summary>
/// The package README's host snippet, as written there (the store in memory instead of RocksDB), runs and serves;
/// tests/VersionStore.Docs.Tests compiles the README's own text.
/// </summary>
public sealed class ReadmeSnippetTests
{
    [Fact]
    public async Task The_readme_host_serves_the_console_the_api_and_the_openapi_document()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        // --- from README.md
        builder.Services.AddVersionStore(b => b.UseInMemory());   // README: b.UseRocksDb("/var/lib/vstore")
        builder.Services.AddVersionStoreApi(o =>
        {
            o.BearerToken = "readme-key";   // README: Environment.GetEnvironmentVariable("VSTORE_API_TOKEN")
            o.ProtectedChannels.Add("payments-prod");                                  // "prod" is protected by default
        });
        var app = builder.Build();
        app.MapVersionStoreApi();        // the API under /v1; returns the RouteGroupBuilder for more filters or metadata
        app.MapVersionStoreConsole();    // the console at /
        app.MapVersionStoreOpenApi();    // GET /openapi/v1.json
        // ---
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/workflows")).StatusCode);
            client.DefaultRequestHeaders.Authorization = new("Bearer", "readme-key");
            Assert.Equal("[]", await client.GetStringAsync("/v1/workflows"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
