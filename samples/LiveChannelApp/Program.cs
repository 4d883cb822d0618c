// LiveChannelApp: a service that runs whatever version of the "support-bot" workflow its prod channel names, and
// switches live when the channel moves — no restart, no store read per request.
//
// Run:       dotnet run --project samples/LiveChannelApp            (embedded RocksDB in ./live-demo-store)
// Try:       curl 'localhost:5080/run?user=ana'                     -> which version served this run, and its model
//            curl -X POST 'localhost:5080/publish?version=v2&percent=25'   gray release: 25 % of users get v2
//            curl -X POST 'localhost:5080/rollback?to=v1&reason=bad+answers'
// Self-test: dotnet run --project samples/LiveChannelApp -- --selftest   (publishes, gray, rolls back, checks each switch; exit 0)
using System.Text;
using System.Text.Json;
using VersionStore;
using VersionStore.Releases;

const string Workflow = "support-bot";
const string Channel = "prod";
var selfTest = args.Contains("--selftest");
var path = selfTest ? Path.Combine(Path.GetTempPath(), "live-demo-" + Guid.NewGuid().ToString("N")[..8]) : Path.GetFullPath("live-demo-store");

await using var host = await new VersionStoreBuilder().UseRocksDb(path).BuildAsync(); // embedded: one RocksDB database
var store = host.Store;
await SeedAsync(store.GetRepository(Workflow));

var builder = WebApplication.CreateSlimBuilder(args.Where(a => a != "--selftest").ToArray());
builder.WebHost.UseUrls(selfTest ? "http://127.0.0.1:0" : "http://127.0.0.1:5080");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton(store);
builder.Services.AddSingleton<IHeadCache>(host.Heads ?? new InMemoryHeadCache()); // fail-static head cache: the local RocksDB's
builder.Services.AddLiveChannel(Workflow, Channel);                                      // started with the host
var app = builder.Build();
var channels = new ReleaseChannels(store.GetRepository(Workflow));

// A "run": the version comes from memory (one volatile read), its content was prefetched when the channel moved.
app.MapGet("/run", (string? user, LiveChannels live) =>
{
    var channel = live.Get(Workflow, Channel);
    var snapshot = channel.Current;                     // one immutable snapshot for the whole run
    var key = user ?? "anonymous";
    var version = snapshot.Resolve(key);
    var content = snapshot.ContentFor(key);
    var model = content is not null && content.TryGetValue("nodes/llm", out var llm)
        ? JsonDocument.Parse(llm).RootElement.GetProperty("model").GetString() : "(content not loaded)";
    return Results.Json(new
    {
        user = key,
        version = version?.ToString(12),
        cohort = snapshot.State.IsCanary(key) ? "canary" : "stable",
        model,
        stale = snapshot.IsStale,
        sequence = snapshot.Sequence,
    });
});
app.MapPost("/publish", async (string version, double? percent, string? reason) =>
{
    var entry = await channels.PublishAsync(Channel, version, percent ?? 100, "demo", reason ?? "published from the demo");
    return Results.Json(new { entry.Operation, entry.Sequence });
});
app.MapPost("/rollback", async (string to, string reason) =>
{
    var result = await channels.RollbackAsync(Channel, to, reason, "demo");
    return Results.Json(new { status = result.Status.ToString(), to = result.NewHead.ToString(12), elapsed_ms = result.Elapsed.TotalMilliseconds });
});

await app.StartAsync();
var live = app.Services.GetRequiredService<LiveChannels>().Get(Workflow, Channel);
live.Changed += (_, c) => Console.WriteLine($"channel {Channel} moved: {c.Previous.Version?.ToString(12)} -> {c.Current.Version?.ToString(12)}" +
    (c.Current.State.Canary is { } canary ? $" (canary {canary.ToString(12)} at {c.Current.State.CanaryPercent} %)" : ""));
Console.WriteLine($"serving {Workflow}/{Channel} at {app.Urls.First()} — version {live.Version?.ToString(12)}; store {path}");
if (!selfTest)
{
    await app.WaitForShutdownAsync();
    return 0;
}

// --selftest: every switch is visible to the very next run.
using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
async Task<JsonElement> RunAsync(string user) => JsonDocument.Parse(await http.GetStringAsync($"/run?user={user}")).RootElement;
async Task ExpectAsync(string user, string model)
{
    var run = await RunAsync(user);
    var got = run.GetProperty("model").GetString();
    Console.WriteLine($"run for {user}: {run.GetProperty("version")} ({run.GetProperty("cohort")}) model {got}");
    if (got != model) throw new InvalidOperationException($"expected model {model} for {user}, got {got}");
}
async Task WaitForSequenceAsync(long sequence)
{
    for (var i = 0; i < 500 && live.Current.Sequence < sequence; i++) await Task.Delay(2);
}
await ExpectAsync("ana", "gpt-4o-mini");
await WaitForSequenceAsync((await channels.PublishAsync(Channel, "v2", "demo", "switch model")).Sequence);
await ExpectAsync("ana", "gpt-4o");
var rollback = await channels.RollbackAsync(Channel, "v1", "answers too long", "demo");
await WaitForSequenceAsync(live.Current.Sequence + 1);
Console.WriteLine($"rolled back in {rollback.Elapsed.TotalMilliseconds:0.###} ms");
await ExpectAsync("ana", "gpt-4o-mini");
await WaitForSequenceAsync((await channels.PublishAsync(Channel, "v2", 50, "demo", "gray 50 %")).Sequence);
var users = Enumerable.Range(0, 200).Select(i => "user-" + i).ToList();
var canaryRuns = 0;
foreach (var u in users) if ((await RunAsync(u)).GetProperty("cohort").GetString() == "canary") canaryRuns++;
Console.WriteLine($"gray 50 %: {canaryRuns} of {users.Count} users run v2");
if (canaryRuns is < 60 or > 140) throw new InvalidOperationException("gray share out of range");
await app.StopAsync();
Directory.Delete(path, recursive: true);
Console.WriteLine("selftest: ok");
return 0;

static async Task SeedAsync(Repository repo)
{
    if (await repo.TryGetRefAsync(RefName.Tag("v1")) is not null) return;
    await repo.CommitAsync("main", new SnapshotChanges()
        .Put("nodes/start", Encoding.UTF8.GetBytes("""{"type":"start"}"""))
        .Put("nodes/llm", Encoding.UTF8.GetBytes("""{"type":"llm","model":"gpt-4o-mini","prompt":"Answer briefly."}""")),
        new CommitOptions { Author = "ana@example.com", Message = "v1" });
    await repo.CreateTagAsync("v1", "main");
    await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", Encoding.UTF8.GetBytes("""{"type":"llm","model":"gpt-4o","prompt":"Answer briefly."}""")),
        new CommitOptions { Author = "ana@example.com", Message = "v2: switch model" });
    await repo.CreateTagAsync("v2", "main");
    await new ReleaseChannels(repo).PublishAsync("prod", "v1", "ana@example.com", "first release");
}
