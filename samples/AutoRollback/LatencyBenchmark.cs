using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VersionStore;
using VersionStore.AspNetCore;
using VersionStore.Releases;

namespace AutoRollback;

/// <summary>
/// Trigger-to-rollback-visible latency on the embedded RocksDB store: from handing the guard a critical alert until a
/// fresh read of the channel returns the last-known-good version. Library: <c>ReleaseGuard.IngestAsync</c> then
/// <c>Repository.TryGetRefAsync</c>. HTTP: <c>POST …/health</c> then <c>GET …/channels/prod</c> on loopback Kestrel.
/// Each iteration first re-publishes the bad version (not timed).
/// </summary>
internal static class LatencyBenchmark
{
    public static async Task RunAsync(int iterations)
    {
        var folder = Path.Combine(Path.GetTempPath(), "vstore-latency-" + Guid.NewGuid().ToString("N")[..8]);
        await using var host = await new VersionStoreBuilder().UseRocksDb(folder).BuildAsync();
        var store = host.Store;
        var repo = store.GetRepository("support-bot");
        var channels = new ReleaseChannels(repo);
        var (good, bad, _) = Workflows.Load();
        var v1 = (await repo.CommitAsync("main", good, new CommitOptions { Author = "ana", Message = "v1.4.0" })).Id;
        var v2 = (await repo.CommitAsync("main", bad, new CommitOptions { Author = "ana", Message = "v1.5.0" })).Id;
        await channels.PublishAsync("prod", v1.ToString(), "ana");
        await channels.MarkLastKnownGoodAsync("prod", v1, "ana");
        var alert = new HealthSample { Alert = "LLMOutputGarbled", AlertSeverity = AlertSeverity.Critical };

        // Library.
        var guard = new ReleaseGuard(channels, "prod", new ReleaseGuardOptions { InstanceId = "bench" });
        var library = new List<double>();
        for (var i = 0; i < iterations + 20; i++)
        {
            await channels.PublishAsync("prod", v2.ToString(), "ana");
            var start = Stopwatch.GetTimestamp();
            var decision = await guard.IngestAsync(alert);
            var head = await repo.TryGetRefAsync(ReleaseChannels.ChannelRef("prod"));
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (decision?.Action != GuardAction.RolledBack || head?.Target != v1) throw new InvalidOperationException($"iteration {i}: {decision?.Action} {head?.Target}");
            if (i >= 20) library.Add(elapsed);   // first 20: warm-up
        }

        // HTTP.
        const string token = "bench-token";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(store);
        builder.Services.AddVersionStoreApi(o =>
        {
            o.BearerToken = token;
            o.GuardOptions = (_, _) => new ReleaseGuardOptions { InstanceId = "bench-http" };
        });
        await using var app = builder.Build();
        app.MapVersionStoreApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var http = new List<double>();
        var body = """{"alert": "LLMOutputGarbled", "alert_severity": "critical"}""";
        for (var i = 0; i < iterations + 20; i++)
        {
            await channels.PublishAsync("prod", v2.ToString(), "ana");
            var start = Stopwatch.GetTimestamp();
            using var post = await client.PostAsync("/v1/workflows/support-bot/channels/prod/health", new StringContent(body, Encoding.UTF8, "application/json"));
            var served = await client.GetStringAsync("/v1/workflows/support-bot/channels/prod");
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!post.IsSuccessStatusCode || !served.Contains(v1.ToString(), StringComparison.Ordinal)) throw new InvalidOperationException($"iteration {i}: {(int)post.StatusCode} {served}");
            if (i >= 20) http.Add(elapsed);
        }
        await app.StopAsync();

        Console.WriteLine($"trigger-to-rollback-visible latency, RocksDB embedded store, {iterations} iterations after 20 warm-up (ms):");
        Print("library (IngestAsync + ref read)", library);
        Print("HTTP (POST health + GET channel)", http);
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    private static void Print(string what, List<double> values)
    {
        values.Sort();
        double P(double q) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)];
        Console.WriteLine($"  {what,-36} p50 {P(0.50),7:0.000}  p99 {P(0.99),7:0.000}  max {values[^1],7:0.000}");
    }
}
