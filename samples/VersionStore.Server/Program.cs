// The VersionStore web console (at /), HTTP API (at /v1) and OpenAPI document (/openapi/v1.json) over the embedded RocksDB store.
//   VSTORE_API_TOKEN=secret dotnet run --project samples/VersionStore.Server -- --urls http://127.0.0.1:5080 --store /tmp/vstore
// API keys with roles come from configuration section VersionStore:Api:Keys (appsettings.json or environment, e.g.
// VersionStore__Api__Keys__0__Name=ana VersionStore__Api__Keys__0__Key=... VersionStore__Api__Keys__0__Role=publisher);
// VSTORE_API_TOKEN is one admin key named "admin".
// Options: --store <folder> (RocksDB database; default: a "vstore" folder under the temp folder),
//          --seed <workflow.yml>... (creates workflow "demo" with one version per Dify file, one entry per node, tags v1.0.0…,
//          publishes the first to prod as last-known-good; --seed-workflow <id> names the workflow, --seed-prod <tag> then publishes that tag to prod).
using VersionStore;
using VersionStore.AspNetCore;
using VersionStore.Releases;
using VersionStore.Server;
using VersionStore.Workflows;

var builder = WebApplication.CreateBuilder(args);
var storePath = Path.GetFullPath(builder.Configuration["store"] ?? Path.Combine(Path.GetTempPath(), "vstore"));
var token = Environment.GetEnvironmentVariable("VSTORE_API_TOKEN");
if (string.IsNullOrEmpty(token) && !builder.Configuration.GetSection(VersionStoreApiExtensions.KeysSection).GetChildren().Any())
{
    Console.Error.WriteLine($"Set VSTORE_API_TOKEN (one admin key) or configure API keys in {VersionStoreApiExtensions.KeysSection}.");
    return 2;
}

builder.Services.AddServerStore(storePath); // embedded RocksDB through services.AddVersionStore(b => b.UseRocksDb(…))
builder.Services.AddVersionStoreApi(o => o.BearerToken = token);

var app = builder.Build();
var store = app.Services.GetRequiredService<RepositoryStore>();

// Finish rollbacks a previous process left half-done (moved, verification pending): without the verifiers at
// hand the outcome is unknown, so they are compensated.
await foreach (var name in store.ListRepositoriesAsync())
    foreach (var r in await store.GetRepository(name).RecoverPendingRollbacksAsync(actor: "server-startup"))
        app.Logger.LogWarning("Recovered pending rollback of {Workflow} {Ref}: {Status}", name.Value, r.Ref, r.Status);

if (builder.Configuration.GetSection("seed").Value is { } seed)
{
    var repo = store.GetRepository(builder.Configuration["seed-workflow"] ?? "demo");
    var channels = new ReleaseChannels(repo);
    var files = seed.Split(',', StringSplitOptions.RemoveEmptyEntries);
    for (var i = 0; i < files.Length; i++)
    {
        var c = await repo.CommitWorkflowAsync("main", DifyWorkflowCodec.Parse(File.ReadAllText(files[i])), new CommitOptions { Author = "seed", Message = $"v1.{i}.0" });
        await repo.CreateTagAsync($"v1.{i}.0", c.Id.ToString(), force: true);
        if (i == 0)
        {
            await channels.PublishAsync("prod", c.Id.ToString(), "seed");
            await channels.MarkLastKnownGoodAsync("prod", c.Id, "seed");
        }
    }
    if (builder.Configuration["seed-prod"] is { } prod) await channels.PublishAsync("prod", prod, "seed", "seeded release");
}

app.MapVersionStoreApi();
app.MapVersionStoreConsole();
app.MapVersionStoreOpenApi();
await app.RunAsync();
return 0;
