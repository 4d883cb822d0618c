using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VersionStore.AspNetCore.Internal;

namespace VersionStore.AspNetCore.Tests;

/// <summary>Authorization, the console's endpoints (every status they document), the live stream, OpenAPI and the API snags.</summary>
public sealed class ConsoleApiTests
{
    private const string W = "/v1/workflows/support-bot";

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detailContains = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (detailContains is not null) Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
        return problem;
    }

    private static readonly string[] ConsoleReads = ["/v1/me", "/v1/workflows", $"{W}/refs", $"{W}/versions/v1.5.0/graph", $"{W}/compare?from=v1.4.0&to=v1.5.0", $"{W}/events"];

    [Fact]
    public async Task Console_endpoints_need_a_signed_in_identity_401_and_answer_every_role()
    {
        await using var host = await ApiHost.StartAsync();
        using var anonymous = host.ClientFor(null);
        using var wrong = host.ClientFor("not-a-key");
        using var viewer = host.ClientFor(ApiHost.ViewerKey);
        foreach (var path in ConsoleReads)
        {
            var none = await anonymous.GetAsync(path);
            await ProblemAsync(none, HttpStatusCode.Unauthorized);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
            await ProblemAsync(await wrong.GetAsync(path), HttpStatusCode.Unauthorized);
            if (path.EndsWith("/events", StringComparison.Ordinal)) continue;
            Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(path)).StatusCode);
        }
        var me = await JsonAsync(await viewer.GetAsync("/v1/me"));
        Assert.Equal(("vera", "viewer", false, false), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(),
            me.GetProperty("can_publish").GetBoolean(), me.GetProperty("can_move_protected_channels").GetBoolean()));
        using var publisher = host.ClientFor(ApiHost.PublisherKey);
        me = await JsonAsync(await publisher.GetAsync("/v1/me"));
        Assert.Equal(("piet", "publisher", true, false), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(),
            me.GetProperty("can_publish").GetBoolean(), me.GetProperty("can_move_protected_channels").GetBoolean()));
        Assert.True((await JsonAsync(await host.Client.GetAsync("/v1/me"))).GetProperty("can_move_protected_channels").GetBoolean());
    }

    [Fact]
    public async Task Viewers_read_publishers_move_unprotected_refs_only_admins_move_prod_403_and_the_actor_is_the_identity()
    {
        await using var host = await ApiHost.StartAsync();
        using var viewer = host.ClientFor(ApiHost.ViewerKey);
        using var publisher = host.ClientFor(ApiHost.PublisherKey);
        await ProblemAsync(await viewer.PostAsync($"{W}/rollback", Body("""{"reason": "x"}""")), HttpStatusCode.Forbidden, "vera");
        await ProblemAsync(await viewer.PostAsync($"{W}/channels/gray/publish", Body("""{"version": "v1.4.0"}""")), HttpStatusCode.Forbidden);
        await ProblemAsync(await viewer.PostAsync($"{W}/channels/prod/health", Body("""{"requests": 1, "errors": 0}""")), HttpStatusCode.Forbidden);
        await ProblemAsync(await publisher.PostAsync($"{W}/rollback", Body("""{"reason": "x"}""")), HttpStatusCode.Forbidden, "Channel 'prod' is protected");
        await ProblemAsync(await publisher.PostAsync($"{W}/channels/prod/publish", Body("""{"version": "v1.4.0"}""")), HttpStatusCode.Forbidden, "protected");
        Assert.Equal(host.Bad, await host.HeadAsync());

        Assert.Equal(HttpStatusCode.OK, (await publisher.PostAsync($"{W}/channels/gray/publish", Body("""{"version": "v1.6.0", "reason": "canary"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await publisher.PostAsync($"{W}/rollback", Body("""{"channel": "gray", "target_version": "v1.4.0", "reason": "canary bad"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await publisher.PostAsync($"{W}/rollback", Body("""{"branch": "main", "target_version": "v1.4.0", "reason": "bad edit"}"""))).StatusCode);
        var gray = await JsonAsync(await viewer.GetAsync($"{W}/audit?channel=gray"));
        Assert.All(gray.EnumerateArray(), e => Assert.Equal("piet", e.GetProperty("actor").GetString()));

        // the actor is never a field of the request
        await ProblemAsync(await host.Client.PostAsync($"{W}/rollback", Body("""{"reason": "x", "actor": "someone-else"}""")), HttpStatusCode.BadRequest, "signed-in identity");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync($"{W}/rollback", Body("""{"reason": "admin rollback"}"""))).StatusCode);
        Assert.Equal("admin", (await JsonAsync(await viewer.GetAsync($"{W}/audit?channel=prod&limit=1")))[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Console_endpoints_404_409_422_and_502()
    {
        await using var host = await ApiHost.StartAsync();
        using var viewer = host.ClientFor(ApiHost.ViewerKey);
        foreach (var path in (string[])["/v1/workflows/no-such-bot/refs", "/v1/workflows/no-such-bot/events", $"{W}/versions/v9.9.9/graph", $"{W}/compare?from=v1.4.0&to=v9.9.9"])
            await ProblemAsync(await viewer.GetAsync(path), HttpStatusCode.NotFound);
        await ProblemAsync(await viewer.GetAsync($"{W}/compare?from=v1.4.0"), HttpStatusCode.BadRequest, "'from' and 'to'");

        // 409: the console sends the head it showed as expected_version; a channel that moved meanwhile wins
        var stale = await host.Client.PostAsync($"{W}/rollback", Body($$"""{"channel": "prod", "target_version": "v1.4.0", "reason": "x", "expected_version": "{{host.Third}}"}"""));
        await ProblemAsync(stale, HttpStatusCode.Conflict);
        Assert.Equal(host.Bad, await host.HeadAsync());

        // 422: a version that holds no Dify workflow cannot be drawn or compared
        var notes = await host.Repo.CommitAsync("notes", new SnapshotChanges().Put("README.txt", "not a workflow"u8.ToArray()), new CommitOptions { Author = "ana", Message = "notes" });
        await ProblemAsync(await viewer.GetAsync($"{W}/versions/{notes.Id}/graph"), HttpStatusCode.UnprocessableEntity, "holds no Dify workflow");
        await ProblemAsync(await viewer.GetAsync($"{W}/compare?from=v1.4.0&to={notes.Id}"), HttpStatusCode.UnprocessableEntity);

        // 502: the backend is down
        host.BackendDown = true;
        foreach (var path in (string[])["/v1/workflows", $"{W}/refs", $"{W}/versions/v1.5.0/graph", $"{W}/compare?from=v1.4.0&to=v1.5.0", $"{W}/events"])
            await ProblemAsync(await viewer.GetAsync(path), HttpStatusCode.BadGateway);
    }

    [Fact]
    public async Task Graph_and_compare_give_nodes_edges_and_parameter_level_changes()
    {
        await using var host = await ApiHost.StartAsync();
        var graph = await JsonAsync(await host.Client.GetAsync($"{W}/versions/v1.4.0/graph"));
        Assert.Equal(11, graph.GetProperty("nodes").GetArrayLength());
        Assert.Equal(10, graph.GetProperty("edges").GetArrayLength());
        var llm = graph.GetProperty("nodes").EnumerateArray().First(n => n.GetProperty("type").GetString() == "llm");
        Assert.True(llm.GetProperty("parameters").TryGetProperty("data.model.provider", out _));

        var cmp = await JsonAsync(await host.Client.GetAsync($"{W}/compare?from=v1.5.0&to=v1.6.0"));
        var node = cmp.GetProperty("changes").EnumerateArray().First(c => c.GetProperty("title").GetString() == "口座KB検索");
        Assert.Equal(("node", "modified", "knowledge-retrieval"), (node.GetProperty("element").GetString(), node.GetProperty("change").GetString(), node.GetProperty("node_type").GetString()));
        var p = node.GetProperty("parameters").EnumerateArray().First(x => x.GetProperty("path").GetString() == "data.dataset_ids[0]");
        Assert.NotEqual(p.GetProperty("before").GetString(), p.GetProperty("after").GetString());
        Assert.Empty((await JsonAsync(await host.Client.GetAsync($"{W}/compare?from=v1.4.0&to=v1.4.0"))).GetProperty("changes").EnumerateArray());
    }

    [Fact]
    public async Task Versions_page_by_offset_and_filter_by_author_tag_and_channel()
    {
        await using var host = await ApiHost.StartAsync();
        await host.Repo.CommitAsync("main", new SnapshotChanges().Put("extra", "x"u8.ToArray()), new CommitOptions { Author = "bob", Message = "untagged" });
        async Task<string[]> Subjects(string query) => [.. (await JsonAsync(await host.Client.GetAsync($"{W}/versions?{query}"))).EnumerateArray().Select(v => v.GetProperty("subject").GetString()!)];
        Assert.Equal(["untagged", "v1.6.0"], await Subjects("limit=2"));
        Assert.Equal(["v1.5.0", "v1.4.0"], await Subjects("limit=2&offset=2"));
        Assert.Equal(["v1.6.0", "v1.5.0", "v1.4.0"], await Subjects("named=true"));
        Assert.Equal(["untagged"], await Subjects("author=bob"));
        Assert.Equal(["v1.5.0", "v1.4.0"], await Subjects("channel=prod"));
        await ProblemAsync(await host.Client.GetAsync($"{W}/versions?offset=-1"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Audit_takes_short_ref_names_like_versions_does()
    {
        await using var host = await ApiHost.StartAsync();
        var main = await JsonAsync(await host.Client.GetAsync($"{W}/audit?ref=main"));
        Assert.Equal(3, main.GetArrayLength());
        Assert.All(main.EnumerateArray(), e => Assert.Equal("refs/heads/main", e.GetProperty("ref").GetString()));
        var prod = await JsonAsync(await host.Client.GetAsync($"{W}/audit?ref=prod"));
        Assert.Equal("refs/channels/prod", prod[0].GetProperty("ref").GetString());
        Assert.Equal("refs/tags/v1.4.0", (await JsonAsync(await host.Client.GetAsync($"{W}/audit?ref=v1.4.0")))[0].GetProperty("ref").GetString());
        Assert.Equal(3, (await JsonAsync(await host.Client.GetAsync($"{W}/audit?ref=refs/heads/main"))).GetArrayLength());
        await ProblemAsync(await host.Client.GetAsync($"{W}/audit?ref=bad..name"), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"reason": "x", "rollback_to": "v1"}""", "unknown field 'rollback_to'")]
    [InlineData("""{"reason": 5}""", "invalid value at 'reason'")]
    [InlineData("""{"reason": "x",""", "Malformed JSON body")]
    public async Task A_bad_json_body_names_the_field_never_an_internal_type(string body, string detail)
    {
        await using var host = await ApiHost.StartAsync();
        var problem = await ProblemAsync(await host.Client.PostAsync($"{W}/rollback", Body(body)), HttpStatusCode.BadRequest, detail);
        var text = problem.GetProperty("detail").GetString()!;
        Assert.DoesNotContain("VersionStore", text);
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("Body", text);
    }

    [Fact]
    public async Task The_event_stream_announces_ready_then_each_ref_move_and_listeners_share_one_poll()
    {
        await using var host = await ApiHost.StartAsync();
        var feed = (PollingRefChangeFeed)host.Services.GetRequiredService<IWorkflowChangeFeed>();
        using var viewer = host.ClientFor(ApiHost.ViewerKey);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        async Task<StreamReader> OpenAsync()
        {
            var response = await viewer.GetAsync($"{W}/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            Assert.Equal(("ready", "{}"), await NextEventAsync(reader, timeout.Token));
            return reader;
        }
        using var a = await OpenAsync();
        using var b = await OpenAsync();
        Assert.Equal(1, feed.ActiveWatches);

        var published = await host.Client.PostAsync($"{W}/channels/gray/publish", Body("""{"version": "v1.6.0", "reason": "canary"}"""));
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        foreach (var reader in new[] { a, b })
        {
            var (name, data) = await NextEventAsync(reader, timeout.Token);
            Assert.Equal("ref", name);
            var change = JsonDocument.Parse(data).RootElement;
            Assert.Equal("refs/channels/gray", change.GetProperty("ref").GetString());
            Assert.Equal(host.Third.ToString(), change.GetProperty("new").GetString());
            Assert.Equal(("publish", "admin", "canary"), (change.GetProperty("operation").GetString(), change.GetProperty("actor").GetString(), change.GetProperty("reason").GetString()));
        }
    }

    private static async Task<(string Name, string Data)> NextEventAsync(StreamReader reader, CancellationToken ct)
    {
        string name = "message", data = "";
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) return (name, data);
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
        }
        throw new EndOfStreamException("the event stream ended");
    }

    [Fact]
    public async Task The_poll_stops_when_the_last_listener_leaves()
    {
        await using var host = await ApiHost.StartAsync();
        var feed = (PollingRefChangeFeed)host.Services.GetRequiredService<IWorkflowChangeFeed>();
        using var cts = new CancellationTokenSource();
        var enumerator = feed.WatchAsync(host.Repo.Name, cts.Token).GetAsyncEnumerator(cts.Token);
        var pending = enumerator.MoveNextAsync();
        Assert.Equal(1, feed.ActiveWatches);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        await enumerator.DisposeAsync();
        Assert.Equal(0, feed.ActiveWatches);
    }

    /// <summary>A host's own scheme: here a header naming user and role, standing in for a cookie or OIDC sign-in.</summary>
    private sealed class HeaderScheme(IOptionsMonitor<AuthenticationSchemeOptions> o, ILoggerFactory l, UrlEncoder e) : AuthenticationHandler<AuthenticationSchemeOptions>(o, l, e)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-User"].ToString().Split(':') is not [var name, var role]) return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "Host");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "Host")));
        }
    }

    [Fact]
    public async Task A_host_scheme_plugs_in_and_its_browser_writes_need_the_csrf_header()
    {
        await using var host = await ApiHost.StartAsync(
            configure: b => b.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderScheme>("Host", null),
            options: o =>
            {
                o.AuthenticationSchemes.Clear();
                o.AuthenticationSchemes.Add("Host");
            });
        using var client = host.ClientFor(null);
        client.DefaultRequestHeaders.Add("X-Test-User", "olga:admin");
        Assert.Equal("olga", (await JsonAsync(await client.GetAsync("/v1/me"))).GetProperty("name").GetString());
        await ProblemAsync(await client.PostAsync($"{W}/rollback", Body("""{"reason": "x"}""")), HttpStatusCode.Forbidden, VersionStoreApiExtensions.CsrfHeader);
        Assert.Equal(host.Bad, await host.HeadAsync());
        client.DefaultRequestHeaders.Add(VersionStoreApiExtensions.CsrfHeader, "console");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"{W}/rollback", Body("""{"reason": "olga says"}"""))).StatusCode);
        Assert.Equal("olga", (await JsonAsync(await client.GetAsync($"{W}/audit?channel=prod&limit=1")))[0].GetProperty("actor").GetString());
        // the built-in keys are not accepted by this host (its own scheme challenges)
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/v1/me")).StatusCode);
    }

    [Fact]
    public async Task The_console_is_served_from_embedded_assets_with_a_strict_content_security_policy()
    {
        await using var host = await ApiHost.StartAsync();
        using var anonymous = host.ClientFor(null);
        var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("console/app.js", await page.Content.ReadAsStringAsync());
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        foreach (var asset in (string[])["console/app.js", "console/api.js", "console/graph.js", "console/app.css"])
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/" + asset)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/console/../VersionStoreApiOptions.cs")).StatusCode);
        var config = await JsonAsync(await anonymous.GetAsync("/console/config.json"));
        Assert.Equal(("/v1", "api-key"), (config.GetProperty("api").GetString(), config.GetProperty("sign_in").GetString()));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_mapped_api_route_its_bodies_problems_and_the_security_scheme()
    {
        await using var host = await ApiHost.StartAsync();
        using var anonymous = host.ClientFor(null);
        var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await JsonAsync(response);
        var paths = doc.GetProperty("paths");
        var routes = host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/v1", StringComparison.Ordinal)).ToList();
        Assert.True(routes.Count >= 14, $"only {routes.Count} API routes found");
        foreach (var route in routes)
        {
            var path = route.RoutePattern.RawText!;
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the OpenAPI document");
            foreach (var method in route.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var op), $"{method} {path} is not in the OpenAPI document");
                var responses = op.GetProperty("responses");
                Assert.True(responses.TryGetProperty("401", out var unauthorized), $"{method} {path}: no 401");
                Assert.True(unauthorized.GetProperty("content").TryGetProperty("application/problem+json", out _));
                if (method == "POST") Assert.True(op.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), $"{path}: no body");
            }
        }
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty(VersionStoreApiKeyDefaults.AuthenticationScheme);
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.True(doc.GetProperty("security")[0].TryGetProperty(VersionStoreApiKeyDefaults.AuthenticationScheme, out _));
        var rollbackBody = doc.GetProperty("components").GetProperty("schemas").GetProperty("RollbackBody").GetProperty("properties");
        Assert.True(rollbackBody.TryGetProperty("target_version", out _), rollbackBody.ToString());
        Assert.False(paths.TryGetProperty("/", out _));
    }
}
