using System.Net;
using System.Text;
using System.Text.Json;

namespace VersionStore.AspNetCore.Tests;

/// <summary>The administrative retention, pin, branch-deletion and GC endpoints.</summary>
public sealed class GcApiTests
{
    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task Retention_pins_and_gc_over_http_prune_refuse_with_410_and_need_the_token()
    {
        await using var host = await ApiHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/v1/gc", Body("{}"))).StatusCode);

        var policy = await JsonAsync(await host.Client.PutAsync("/v1/workflows/support-bot/retention", Body("""{"keep_last": 1, "reason": "space"}""")));
        Assert.Equal(1, policy.GetProperty("keep_last").GetInt32());
        Assert.Equal(1, (await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/retention"))).GetProperty("keep_last").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.PostAsync("/v1/workflows/support-bot/pins", Body("""{"revision": "v1.5.0"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.Client.PostAsync("/v1/workflows/support-bot/pins", Body("""{"revision": "v1.5.0", "reason": "investigation"}"""))).StatusCode);
        Assert.Equal(1, (await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/pins"))).GetArrayLength());

        // Prune: drop the tags of the first two versions, keep only main's head (plus the pin, the channel's history).
        await host.Repo.DeleteRefAsync(RefName.Tag("v1.4.0"));
        await host.Repo.DeleteRefAsync(RefName.Tag("v1.6.0"));
        await host.Repo.CommitAsync("main", new SnapshotChanges().Put("workflow.yml", "app: {}"), new CommitOptions { Author = "ana", Message = "v1.7.0" });
        long freed = 0;
        for (var i = 0; i < 3; i++)
            freed += (await JsonAsync(await host.Client.PostAsync("/v1/gc", Body("""{"grace_period_seconds": 0}""")))).GetProperty("bytes_freed").GetInt64();
        Assert.True(freed > 0);

        var refused = await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body($$"""{"target_version": "{{host.Third}}", "reason": "x", "branch": "main"}"""));
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Contains("pruned by retention", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/v1/workflows/support-bot/pins/{host.Bad}")).StatusCode);
        Assert.True((await host.Repo.VerifyAsync()).IsHealthy);
    }
}
