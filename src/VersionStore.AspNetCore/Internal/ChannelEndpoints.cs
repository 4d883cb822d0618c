using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using VersionStore.Releases;

namespace VersionStore.AspNetCore.Internal;

/// <summary>
/// Release-channel endpoints: resolve a channel for a caller key (gray release), publish (stable or at a percentage),
/// promote the canary, and a server-sent-events stream of the channel's changes.
/// </summary>
internal static class ChannelEndpoints
{
    public static void Map(RouteGroupBuilder g, VersionStoreApiOptions options)
    {
        g.MapGet("/workflows/{id}/channels/{channel}", (string id, string channel, string? key, HttpContext http, RepositoryStore store, ChannelReader reader) => ResolveAsync(id, channel, key, http, store, reader))
            .Named("GetChannel", "The version a channel serves, for a caller key when given (gray release: the canary for its share of keys); fail-static: the last stable version seen, marked stale, when the backends fail")
            .Produces<ServedChannelDto>().Problems(400, 401, 403, 404, 502);
        g.MapGet("/workflows/{id}/channels/{channel}/events", (string id, string channel, HttpContext http, RepositoryStore store) => EventsAsync(id, channel, http, store))
            .Named("ChannelEvents", "Server-sent events: the channel's state now, then one 'channel' event per change (id = audit sequence)")
            .Produces<ChannelEventDto>(StatusCodes.Status200OK, "text/event-stream").Problems(400, 401, 403, 404, 502);
        g.MapPost("/workflows/{id}/channels/{channel}/publish", (string id, string channel, HttpContext http, RepositoryStore store, IAuthorizationService auth) => PublishAsync(id, channel, http, store, auth, options))
            .Named("Publish", "Publish a version to a channel (creating it on first publish), or with 'percent' to that share of keys beside the stable version (gray release)")
            .Accepts<PublishBody>("application/json").Produces<PublishDto>().RequireAuthorization(VersionStorePolicies.Publish)
            .Problems(400, 401, 403, 404, 409, 413, 502);
        g.MapPost("/workflows/{id}/channels/{channel}/promote", (string id, string channel, HttpContext http, RepositoryStore store, IAuthorizationService auth) => PromoteAsync(id, channel, http, store, auth, options))
            .Named("Promote", "Make the channel's canary its stable version")
            .Accepts<PromoteBody>("application/json").Produces<PublishDto>().RequireAuthorization(VersionStorePolicies.Publish)
            .Problems(400, 401, 403, 404, 409, 502);
    }

    /// <summary>
    /// The version a caller runs: with <c>key</c>, the canary for its share of keys, else the stable version. Fail-static:
    /// when the store is down, the last stable version seen (header <c>X-VersionStore-Stale: true</c>; no canary then).
    /// </summary>
    private static async Task<IResult> ResolveAsync(string id, string channel, string? key, HttpContext http, RepositoryStore store, ChannelReader reader)
    {
        if (key is { Length: > 1024 }) throw new BadRequestException("'key' is at most 1024 characters.");
        var ct = http.RequestAborted;
        var name = ReleaseChannels.ChannelRef(channel);
        var served = await reader.GetAsync(new RepositoryName(id), name, ct).ConfigureAwait(false)
            ?? throw new NotFoundException($"Workflow '{id}' has no channel '{channel}'.");
        var state = new ChannelState { Stable = served.Version };
        var stale = served.Stale;
        string? problem = served.Problem;
        if (!stale)
        {
            try
            {
                state = await new ReleaseChannels(store.GetRepository(id)).GetStateAsync(channel, ct).ConfigureAwait(false);
            }
            catch (BackendUnavailableException e)
            {
                (stale, problem) = (true, e.Message); // failed between the two reads: serve the stable version just read
            }
        }
        if (stale) http.Response.Headers["X-VersionStore-Stale"] = "true";
        var canary = key is not null && state.IsCanary(key);
        var version = canary ? state.Canary!.Value : state.Stable ?? served.Version;
        return Results.Json(new ServedChannelDto(id, name.ShortName, version.ToString(), version == served.Version ? served.Subject : null, stale, served.SeenAt, problem,
            (state.Stable ?? served.Version).ToString(), state.Canary?.ToString(), state.CanaryPercent, key, key is null ? null : canary ? "canary" : "stable",
            state.Sequence), ApiJson.Options);
    }

    /// <summary><c>text/event-stream</c>: the channel's state now, then one event per change (id = audit sequence) until the client disconnects.</summary>
    private static async Task<IResult> EventsAsync(string id, string channel, HttpContext http, RepositoryStore store)
    {
        var repo = store.GetRepository(id);
        var name = ReleaseChannels.ChannelRef(channel);
        if (await repo.TryGetRefAsync(name, http.RequestAborted).ConfigureAwait(false) is null)
            throw new NotFoundException($"Workflow '{id}' has no channel '{channel}'.");
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(StreamAsync(repo, id, name, http.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(Repository repo, string id, RefName name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var change in repo.WatchAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var state = ChannelState.From(change.Target, change.Sequence, change.Entry);
            var dto = new ChannelEventDto(id, name.ShortName, state.Stable?.ToString(), state.Canary?.ToString(), state.CanaryPercent, change.Sequence, change.Time,
                change.Entry?.Operation, change.Entry?.Actor, change.Entry?.Reason);
            yield return new SseItem<string>(JsonSerializer.Serialize(dto, ApiJson.Options), "channel") { EventId = change.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
    }

    private static async Task<IResult> PublishAsync(string id, string channel, HttpContext http, RepositoryStore store, IAuthorizationService auth, VersionStoreApiOptions options)
    {
        var body = await ApiEndpoints.ReadBodyAsync<PublishBody>(http).ConfigureAwait(false);
        ApiEndpoints.RejectActorField(body.Actor);
        if (string.IsNullOrWhiteSpace(body.Version)) throw new BadRequestException("'version' is required.");
        if (body.Percent is not null && body.ExpectedVersion is not null) throw new BadRequestException("'expected_version' cannot be combined with 'percent'.");
        var ct = http.RequestAborted;
        var repo = await ApiEndpoints.WorkflowAsync(id, store, ct).ConfigureAwait(false);
        await ApiEndpoints.DemandMayMoveAsync(ReleaseChannels.ChannelRef(channel).ShortName, http, auth, options).ConfigureAwait(false);
        var channels = new ReleaseChannels(repo);
        var actor = ApiEndpoints.Actor(http, options);
        AuditEntry entry;
        if (body.Percent is { } percent)
        {
            entry = await channels.PublishAsync(channel, body.Version, percent, actor, body.Reason, ct).ConfigureAwait(false);
        }
        else
        {
            ObjectId? expected = body.ExpectedVersion switch
            {
                null => null,
                "" or "none" => ObjectId.Zero,
                var v => await repo.ResolveAsync(v, ct).ConfigureAwait(false),
            };
            entry = await channels.PublishAsync(channel, body.Version, actor, body.Reason, expected, ct).ConfigureAwait(false);
        }
        return Changed(id, entry);
    }

    private static async Task<IResult> PromoteAsync(string id, string channel, HttpContext http, RepositoryStore store, IAuthorizationService auth, VersionStoreApiOptions options)
    {
        var body = http.Request.ContentLength is null or 0 ? new PromoteBody(null, null) : await ApiEndpoints.ReadBodyAsync<PromoteBody>(http).ConfigureAwait(false);
        ApiEndpoints.RejectActorField(body.Actor);
        var repo = await ApiEndpoints.WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        await ApiEndpoints.DemandMayMoveAsync(ReleaseChannels.ChannelRef(channel).ShortName, http, auth, options).ConfigureAwait(false);
        var entry = await new ReleaseChannels(repo).PromoteAsync(channel, ApiEndpoints.Actor(http, options), body.Reason, http.RequestAborted).ConfigureAwait(false);
        return Changed(id, entry);
    }

    private static IResult Changed(string id, AuditEntry entry)
    {
        var state = ChannelState.From(entry.New, entry.Sequence, entry);
        return Results.Json(new PublishDto(id, entry.Ref.ShortName, (state.Stable ?? ObjectId.Zero).ToString(), entry.Sequence, entry.Time)
        {
            Operation = entry.Operation,
            Canary = state.Canary?.ToString(),
            CanaryPercent = state.CanaryPercent,
        }, ApiJson.Options);
    }
}

internal sealed record PromoteBody(string? Reason, string? Actor);

internal sealed record ServedChannelDto(string Workflow, string Channel, string Version, string? Subject, bool Stale, DateTimeOffset SeenAt, string? Problem,
    string Stable, string? Canary, double CanaryPercent, string? Key, string? Cohort, long Sequence);

internal sealed record ChannelEventDto(string Workflow, string Channel, string? Stable, string? Canary, double CanaryPercent, long Sequence, DateTimeOffset? Time,
    string? Operation, string? Actor, string? Reason);
