using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using VersionStore.Releases;

namespace VersionStore.AspNetCore.Internal;

/// <summary>The read endpoints the console is built on (also plain API): identity, workflows, refs, graph, compare, live events.</summary>
internal static class ConsoleApiEndpoints
{
    public static void Map(RouteGroupBuilder g, VersionStoreApiOptions options)
    {
        g.MapGet("/me", (HttpContext http, IAuthorizationService auth) => MeAsync(http, auth, options))
            .Named("Me", "The signed-in identity, its role and what it may do").Produces<MeDto>().Problems(401, 403);
        g.MapGet("/workflows", (HttpContext http, RepositoryStore store) => WorkflowsAsync(store, options, http))
            .Named("ListWorkflows", "Every workflow (repository) of the store, in name order").Produces<List<WorkflowDto>>().Problems(401, 403, 502);
        g.MapGet("/workflows/{id}/refs", (string id, HttpContext http, RepositoryStore store) => RefsAsync(id, store, options, http))
            .Named("ListRefs", "Branches, tags and channels (head, last-known-good, protected) of a workflow").Produces<RefsDto>().Problems(400, 401, 403, 404, 502);
        g.MapGet("/workflows/{id}/versions/{rev}/graph", (string id, string rev, HttpContext http, RepositoryStore store) => GraphAsync(id, rev, store, http))
            .Named("VersionGraph", "A version's workflow as nodes (position, parameters) and edges").Produces<GraphDto>().Problems(400, 401, 403, 404, 409, 422, 502);
        g.MapGet("/workflows/{id}/compare", (string id, string? from, string? to, HttpContext http, RepositoryStore store) => CompareAsync(id, from, to, store, http))
            .Named("Compare", "Node, edge and settings changes between two versions, parameter by parameter for a modified element")
            .Produces<CompareDto>().Problems(400, 401, 403, 404, 409, 422, 502);
        g.MapGet("/workflows/{id}/events", (string id, HttpContext http, RepositoryStore store, IWorkflowChangeFeed feed, IHostApplicationLifetime lifetime) => EventsAsync(id, http, store, feed, lifetime))
            .Named("Events", "Server-sent events: 'ready' once, then one 'ref' event per ref move of the workflow (live updates)")
            .Produces<WorkflowRefChange>(StatusCodes.Status200OK, "text/event-stream").Problems(400, 401, 403, 404, 502);
    }

    private static async Task<IResult> MeAsync(HttpContext http, IAuthorizationService auth, VersionStoreApiOptions options)
    {
        var publish = (await auth.AuthorizeAsync(http.User, VersionStorePolicies.Publish).ConfigureAwait(false)).Succeeded;
        var admin = (await auth.AuthorizeAsync(http.User, options.DefaultChannel, VersionStorePolicies.MoveProtectedChannel).ConfigureAwait(false)).Succeeded;
        return ApiEndpoints.Json(new MeDto(ApiEndpoints.Actor(http, options), ApiKeyAuthenticationHandler.RoleOf(http.User), publish, admin && publish,
            [.. options.ProtectedChannels], options.DefaultChannel));
    }

    private static async Task<IResult> WorkflowsAsync(RepositoryStore store, VersionStoreApiOptions options, HttpContext http)
    {
        var list = new List<WorkflowDto>();
        await foreach (var name in store.ListRepositoriesAsync(http.RequestAborted).ConfigureAwait(false))
        {
            list.Add(new WorkflowDto(name.Value));
            if (list.Count >= options.MaxListLimit) break;
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return ApiEndpoints.Json(list);
    }

    private static async Task<IResult> RefsAsync(string id, RepositoryStore store, VersionStoreApiOptions options, HttpContext http)
    {
        var ct = http.RequestAborted;
        var repo = await ApiEndpoints.WorkflowAsync(id, store, ct).ConfigureAwait(false);
        var branches = new List<RefDto>();
        var tags = new List<RefDto>();
        var all = new Dictionary<string, RefInfo>(StringComparer.Ordinal);
        await foreach (var r in repo.ListRefsAsync(cancellationToken: ct).ConfigureAwait(false))
        {
            if (r.Name.Kind == RefKind.Branch) branches.Add(new RefDto(r.Name.ShortName, r.Target.ToString(), r.Sequence));
            else if (r.Name.Kind == RefKind.Tag) tags.Add(new RefDto(r.Name.ShortName, r.Target.ToString(), r.Sequence));
            else all[r.Name.ShortName] = r;
        }
        var channels = new List<ChannelDto>();
        var releases = new ReleaseChannels(repo);
        foreach (var (name, r) in all)
        {
            if (!ReleaseChannels.IsChannel(r.Name)) continue;
            var info = await releases.GetAsync(name, ct).ConfigureAwait(false);
            channels.Add(new ChannelDto(name, info.Head?.ToString(), info.LastKnownGood?.ToString(), info.ChangedAt, info.Sequence, options.IsProtected(name)));
        }
        channels.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return ApiEndpoints.Json(new RefsDto(branches, tags, channels));
    }

    private static async Task<IResult> GraphAsync(string id, string rev, RepositoryStore store, HttpContext http)
    {
        var repo = await ApiEndpoints.WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        var (commit, doc) = await WorkflowView.LoadAsync(repo, rev, http.RequestAborted).ConfigureAwait(false);
        return ApiEndpoints.Json(WorkflowView.Graph(commit, doc));
    }

    private static async Task<IResult> CompareAsync(string id, string? from, string? to, RepositoryStore store, HttpContext http)
    {
        if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to)) throw new BadRequestException("'from' and 'to' are required.");
        var repo = await ApiEndpoints.WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        var (a, before) = await WorkflowView.LoadAsync(repo, from, http.RequestAborted).ConfigureAwait(false);
        var (b, after) = await WorkflowView.LoadAsync(repo, to, http.RequestAborted).ConfigureAwait(false);
        return ApiEndpoints.Json(new CompareDto(a.Id.ToString(), b.Id.ToString(), a.Tree == b.Tree ? [] : WorkflowView.Compare(before, after)));
    }

    private static async Task EventsAsync(string id, HttpContext http, RepositoryStore store, IWorkflowChangeFeed feed, IHostApplicationLifetime lifetime)
    {
        // A stream never ends by itself: end it when the client leaves or the host stops (else shutdown waits for it).
        using var both = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = both.Token;
        var repo = await ApiEndpoints.WorkflowAsync(id, store, ct).ConfigureAwait(false);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            var changes = feed.WatchAsync(repo.Name, ct).GetAsyncEnumerator(ct);
            await using (changes.ConfigureAwait(false))
            {
                // Subscribed before 'ready': a client that reloads on 'ready' misses nothing.
                var first = changes.MoveNextAsync();
                await http.Response.WriteAsync("event: ready\ndata: {}\n\n", ct).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                while (await first.ConfigureAwait(false))
                {
                    var data = JsonSerializer.Serialize(changes.Current, ApiJson.Options);
                    await http.Response.WriteAsync($"event: ref\ndata: {data}\n\n", ct).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                    first = changes.MoveNextAsync();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away
        }
    }
}
