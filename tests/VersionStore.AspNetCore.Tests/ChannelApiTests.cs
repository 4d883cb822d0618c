using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VersionStore.Cli;
using VersionStore.Conformance;

namespace VersionStore.AspNetCore.Tests;

/// <summary>Channel endpoints: resolve per key (gray), publish with percent, promote, the server-sent-events stream, and the product's rollback call on a channel created by the CLI.</summary>
public sealed class ChannelApiTests
{
    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task Publish_with_percent_resolves_keys_to_the_canary_for_its_share_and_promote_makes_it_stable()
    {
        await using var host = await ApiHost.StartAsync(); // prod: stable v1.5.0
        var gray = await JsonAsync(await host.Client.PostAsync("/v1/workflows/support-bot/channels/prod/publish", Body("""{"version": "v1.6.0", "percent": 20, "reason": "gray"}""")));
        Assert.Equal(("canary.publish", host.Third.ToString(), 20.0), (gray.GetProperty("operation").GetString(), gray.GetProperty("canary").GetString(), gray.GetProperty("canary_percent").GetDouble()));

        var canaryKeys = 0;
        for (var i = 0; i < 400; i++)
        {
            var key = "tenant-" + i.ToString(CultureInfo.InvariantCulture);
            var r = await JsonAsync(await host.Client.GetAsync($"/v1/workflows/support-bot/channels/prod?key={key}"));
            var cohort = r.GetProperty("cohort").GetString();
            Assert.Equal(cohort == "canary" ? host.Third.ToString() : host.Bad.ToString(), r.GetProperty("version").GetString());
            if (cohort == "canary") canaryKeys++;
            if (i < 20) Assert.Equal(r.GetProperty("version").GetString(), (await JsonAsync(await host.Client.GetAsync($"/v1/workflows/support-bot/channels/prod?key={key}"))).GetProperty("version").GetString());
        }
        Assert.InRange(canaryKeys, 40, 120); // 20 % of 400 (±10 points on a small sample; the 10,000-key share test is in Releases.Tests)
        var noKey = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/channels/prod"));
        Assert.Equal(host.Bad.ToString(), noKey.GetProperty("version").GetString());

        var promoted = await JsonAsync(await host.Client.PostAsync("/v1/workflows/support-bot/channels/prod/promote", Body("""{"reason": "healthy"}""")));
        Assert.Equal(("canary.promote", host.Third.ToString()), (promoted.GetProperty("operation").GetString(), promoted.GetProperty("version").GetString()));
        var bad = await host.Client.PostAsync("/v1/workflows/support-bot/channels/prod/publish", Body("""{"version": "v1.4.0", "percent": 150}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.PostAsync("/v1/workflows/support-bot/channels/prod/promote", null)).StatusCode); // no canary
    }

    [Fact]
    public async Task The_events_stream_sends_the_current_state_then_each_change_as_server_sent_events()
    {
        await using var host = await ApiHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/workflows/support-bot/channels/prod/events");
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await ReadEventAsync(reader);
        Assert.Equal(host.Bad.ToString(), first.GetProperty("stable").GetString());

        await JsonAsync(await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body("""{"target_version": "v1.4.0", "reason": "bad output"}""")));
        var rolledBack = await ReadEventAsync(reader);
        Assert.Equal((host.Good.ToString(), "rollback.reset", "bad output"), (rolledBack.GetProperty("stable").GetString(), rolledBack.GetProperty("operation").GetString(), rolledBack.GetProperty("reason").GetString()));
        await JsonAsync(await host.Client.PostAsync("/v1/workflows/support-bot/channels/prod/publish", Body("""{"version": "v1.6.0", "percent": 5, "reason": "gray"}""")));
        var canary = await ReadEventAsync(reader);
        Assert.Equal((host.Third.ToString(), 5.0), (canary.GetProperty("canary").GetString(), canary.GetProperty("canary_percent").GetDouble()));
    }

    private static async Task<JsonElement> ReadEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? data = null, type = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            else if (line.Length == 0 && data is not null)
            {
                Assert.Equal("channel", type);
                return JsonDocument.Parse(data).RootElement;
            }
        }
    }

    [Fact]
    public async Task The_product_rollback_call_works_on_a_prod_channel_created_with_vstore_publish()
    {
        using var dir = new TempDirectory("api-cli");
        var versions = TestData.HistoryVersions("ivytechnx-bnk-03-customer-inquiry");
        async Task<string> Vstore(params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = await CliApp.RunAsync([.. args, "--store", dir.Combine("store")], stdout, stderr, new CliEnvironment { CurrentDirectory = dir.Path, UserName = "ana" });
            Assert.True(code == 0, $"vstore {string.Join(' ', args)}: exit {code}: {stderr}");
            return stdout.ToString().Trim();
        }
        await Vstore("init");
        var v1 = await Vstore("commit", "support-bot", "--branch", "main", "--from", versions[0], "-m", "v1.4.0");
        var v2 = await Vstore("commit", "support-bot", "--branch", "main", "--from", versions[1], "-m", "v1.5.0");
        await Vstore("publish", "support-bot", v1, "--channel", "prod", "--reason", "release 1.4.0");
        await Vstore("publish", "support-bot", v2, "--channel", "prod", "--reason", "release 1.5.0");

        using var backend = RocksDbBackend.Open(new RocksDbBackendOptions { Path = dir.Combine("store"), CreateIfMissing = false });
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new RepositoryStore(backend, backend));
        builder.Services.AddVersionStoreApi(o => o.BearerToken = ApiHost.Token);
        await using var app = builder.Build();
        app.MapVersionStoreApi();
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiHost.Token);

        var result = await JsonAsync(await client.PostAsync("/v1/workflows/support-bot/rollback", Body($$"""{"target_version": "{{v1}}", "reason": "model output degraded"}""")));
        Assert.Equal(("succeeded", v1), (result.GetProperty("status").GetString(), result.GetProperty("new_head").GetString()));
        Assert.Equal(v1, (await JsonAsync(await client.GetAsync("/v1/workflows/support-bot/channels/prod"))).GetProperty("version").GetString());
        await app.StopAsync();
    }
}
