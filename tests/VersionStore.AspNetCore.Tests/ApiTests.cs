using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace VersionStore.AspNetCore.Tests;

/// <summary>The HTTP API over a real loopback socket: every status code the API documents.</summary>
public sealed class ApiTests
{
    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detailContains = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (detailContains is not null) Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Rollback_without_target_goes_to_the_channel_last_known_good_and_reports_effective_time()
    {
        await using var host = await ApiHost.StartAsync();
        var response = await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body("""{"reason": "model output degraded"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await JsonAsync(response);
        Assert.Equal("succeeded", json.GetProperty("status").GetString());
        Assert.Equal(host.Good.ToString(), json.GetProperty("new_head").GetString());
        Assert.Equal("refs/channels/prod", json.GetProperty("ref").GetString());
        Assert.True(json.GetProperty("effective_time").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
        Assert.Equal(host.Good, await host.HeadAsync());

        var channel = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/channels/prod"));
        Assert.Equal((host.Good.ToString(), false), (channel.GetProperty("version").GetString(), channel.GetProperty("stale").GetBoolean()));

        var audit = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/audit?channel=prod&limit=1"));
        Assert.Equal("rollback.reset", audit[0].GetProperty("operation").GetString());
        Assert.Equal("model output degraded", audit[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Branch_rollback_with_a_named_target_reverts()
    {
        await using var host = await ApiHost.StartAsync();
        var response = await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body("""{"target_version": "v1.4.0", "reason": "bad edit", "branch": "main"}"""));
        var json = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("refs/heads/main", json.GetProperty("ref").GetString());
        Assert.NotEqual(host.Good.ToString(), json.GetProperty("new_head").GetString());   // a revert commit
        var diff = await JsonAsync(await host.Client.GetAsync($"/v1/workflows/support-bot/diff?from=v1.4.0&to=main"));
        Assert.Equal(0, diff.GetArrayLength());
    }

    [Fact]
    public async Task Missing_or_wrong_token_is_401()
    {
        await using var host = await ApiHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        var none = await anonymous.PostAsync("/v1/workflows/support-bot/rollback", Body("""{"reason": "x"}"""));
        await AssertProblemAsync(none, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "test-token-7f3b");
        await AssertProblemAsync(await anonymous.GetAsync("/v1/workflows/support-bot/channels/prod"), HttpStatusCode.Unauthorized);
        Assert.Equal(host.Bad, await host.HeadAsync());
    }

    [Theory]
    [InlineData("""{"reason": "x",""", "Malformed JSON")]
    [InlineData("""{"target_version": "v1.4.0"}""", "'reason' is required")]
    [InlineData("""{"reason": "x", "rollback_to": "v1"}""", "Malformed JSON")]
    [InlineData("""{"reason": "x", "mode": "sideways"}""", "'mode'")]
    [InlineData("""{"reason": "x", "branch": "main"}""", "'target_version' is required")]
    public async Task Malformed_body_is_400(string body, string detail)
    {
        await using var host = await ApiHost.StartAsync();
        await AssertProblemAsync(await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body(body)), HttpStatusCode.BadRequest, detail);
        Assert.Equal(host.Bad, await host.HeadAsync());
    }

    [Fact]
    public async Task Unknown_workflow_channel_or_version_is_404()
    {
        await using var host = await ApiHost.StartAsync();
        await AssertProblemAsync(await host.Client.PostAsync("/v1/workflows/no-such-bot/rollback", Body("""{"reason": "x"}""")), HttpStatusCode.NotFound, "no-such-bot");
        await AssertProblemAsync(await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body("""{"reason": "x", "target_version": "v9.9.9"}""")), HttpStatusCode.NotFound, "v9.9.9");
        await AssertProblemAsync(await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body("""{"reason": "x", "channel": "gray"}""")), HttpStatusCode.NotFound, "gray");
        await AssertProblemAsync(await host.Client.GetAsync("/v1/workflows/support-bot/versions/v9.9.9"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await host.Client.GetAsync("/v1/workflows/support-bot/channels/gray"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Two_concurrent_rollbacks_with_the_same_expected_version_give_one_200_and_one_409()
    {
        await using var host = await ApiHost.StartAsync();
        var body = $$"""{"target_version": "v1.4.0", "reason": "p99 regression", "expected_version": "{{host.Bad}}"}""";
        var responses = await Task.WhenAll(
            host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body(body)),
            host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body(body)));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var loser = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        await AssertProblemAsync(loser, HttpStatusCode.Conflict);
        Assert.Equal(host.Good, await host.HeadAsync());
        var audit = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/audit?channel=prod"));
        Assert.Single(audit.EnumerateArray(), e => e.GetProperty("operation").GetString()!.StartsWith("rollback", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_target_whose_content_the_backend_cannot_deliver_is_502_and_nothing_changes()
    {
        await using var host = await ApiHost.StartAsync();
        // A version whose snapshot tree was lost from the object store.
        var tree = ObjectId.Compute("lost tree"u8);
        var encoded = ObjectCodec.EncodeCommit(tree, [host.Good], 2, DateTimeOffset.UtcNow, "x", "v1.4.1", []);
        var id = ObjectId.Compute(encoded);
        await host.Objects.WriteAsync([new EncodedObject(id, encoded)]);
        var response = await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body($$"""{"target_version": "{{id}}", "reason": "x"}"""));
        await AssertProblemAsync(response, HttpStatusCode.BadGateway, "missing");
        Assert.Equal("rejected", (await JsonAsync(response)).GetProperty("rollback").GetProperty("status").GetString());
        Assert.Equal(host.Bad, await host.HeadAsync());

        host.BackendDown = true;
        await AssertProblemAsync(await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body("""{"reason": "x"}""")), HttpStatusCode.BadGateway, "Redis is unavailable");
    }

    [Fact]
    public async Task Channel_endpoint_keeps_serving_the_last_version_seen_marked_stale_when_the_backend_fails()
    {
        await using var host = await ApiHost.StartAsync();
        var fresh = await host.Client.GetAsync("/v1/workflows/support-bot/channels/prod");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.False(fresh.Headers.Contains("X-VersionStore-Stale"));

        host.BackendDown = true;
        var stale = await host.Client.GetAsync("/v1/workflows/support-bot/channels/prod");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("true", stale.Headers.GetValues("X-VersionStore-Stale").Single());
        var json = await JsonAsync(stale);
        Assert.Equal((host.Bad.ToString(), true), (json.GetProperty("version").GetString(), json.GetProperty("stale").GetBoolean()));
        Assert.Contains("unavailable", json.GetProperty("problem").GetString());
        // Never seen: no stale answer to give.
        await AssertProblemAsync(await host.Client.GetAsync("/v1/workflows/support-bot/channels/gray"), HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task Health_samples_feed_the_guard_which_rolls_back_on_a_critical_alert()
    {
        await using var host = await ApiHost.StartAsync();
        var ok = await host.Client.PostAsync("/v1/workflows/support-bot/channels/prod/health", Body("""{"samples": [{"requests": 100, "errors": 1, "latency_p99_ms": 300}]}"""));
        var okJson = await JsonAsync(ok);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(JsonValueKind.Null, okJson.GetProperty("decision").ValueKind);

        var response = await host.Client.PostAsync("/v1/workflows/support-bot/channels/prod/health", Body("""{"alert": "LLMOutputGarbled", "alert_severity": "critical", "source": "evals"}"""));
        var json = await JsonAsync(response);
        Assert.True(json.GetProperty("decision").ValueKind == JsonValueKind.Object, json.ToString());
        Assert.Equal("RolledBack", json.GetProperty("decision").GetProperty("action").GetString());
        Assert.Equal("succeeded", json.GetProperty("decision").GetProperty("rollback").GetProperty("status").GetString());
        Assert.Equal(host.Good, await host.HeadAsync());
        var log = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/audit?ref=refs/channels/prod.guard"));
        Assert.Equal("guard.rolled-back", log[0].GetProperty("operation").GetString());
        Assert.Contains("LLMOutputGarbled", log[0].GetProperty("details").GetProperty("Evidence-1").GetString());

        await AssertProblemAsync(await host.Client.PostAsync("/v1/workflows/support-bot/channels/prod/health", Body("""{"requests": 1, "errors": 2}""")), HttpStatusCode.BadRequest, "errors cannot exceed");
    }

    private sealed class SmokeTestVerifier : IRollbackVerifier
    {
        public ValueTask<string?> VerifyAsync(Repository repository, Commit target, CancellationToken cancellationToken) => ValueTask.FromResult<string?>("smoke test: /chat returned 500");
    }

    [Fact]
    public async Task A_rollback_whose_verifier_fails_is_undone_and_422()
    {
        await using var host = await ApiHost.StartAsync(new SmokeTestVerifier());
        var response = await host.Client.PostAsync("/v1/workflows/support-bot/rollback", Body("""{"reason": "x"}"""));
        await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "smoke test");
        Assert.Equal("compensated", (await JsonAsync(response)).GetProperty("rollback").GetProperty("status").GetString());
        Assert.Equal(host.Bad, await host.HeadAsync());
        var audit = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/audit?channel=prod&limit=2"));
        Assert.Equal(["rollback.compensate", "rollback.reset"], audit.EnumerateArray().Select(e => e.GetProperty("operation").GetString()));
    }

    [Fact]
    public async Task Publish_list_show_and_diff()
    {
        await using var host = await ApiHost.StartAsync();
        var published = await host.Client.PostAsync("/v1/workflows/support-bot/channels/gray/publish", Body("""{"version": "v1.6.0", "reason": "canary"}"""));
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(host.Third.ToString(), (await JsonAsync(published)).GetProperty("version").GetString());
        await AssertProblemAsync(await host.Client.PostAsync("/v1/workflows/support-bot/channels/gray/publish", Body($$"""{"version": "v1.4.0", "expected_version": "{{host.Bad}}"}""")), HttpStatusCode.Conflict);

        var versions = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/versions?ref=main&limit=2"));
        Assert.Equal(2, versions.GetArrayLength());
        Assert.Equal("v1.6.0", versions[0].GetProperty("tags")[0].GetString());

        var show = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/versions/v1.5.0"));
        Assert.Equal("workflow.yml", show.GetProperty("entries")[0].GetProperty("path").GetString());

        var diff = await JsonAsync(await host.Client.GetAsync("/v1/workflows/support-bot/diff?from=v1.4.0&to=v1.5.0"));
        Assert.Equal("modified", diff[0].GetProperty("change").GetString());
        await AssertProblemAsync(await host.Client.GetAsync("/v1/workflows/support-bot/diff?from=v1.4.0"), HttpStatusCode.BadRequest);
    }
}
