using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using VersionStore.Releases;

namespace VersionStore.AspNetCore.Internal;

internal static class ApiEndpoints
{
    public static void Map(RouteGroupBuilder g, VersionStoreApiOptions options)
    {
        g.MapPost("/workflows/{id}/rollback", (string id, HttpContext http, RepositoryStore store, IAuthorizationService auth) => RollbackAsync(id, http, store, auth, options))
            .Named("Rollback", "Roll a channel (default: the default channel) or a branch back, audited with the signed-in actor")
            .Accepts<RollbackBody>("application/json").Produces<RollbackDto>().RequireAuthorization(VersionStorePolicies.Publish)
            .Problems(400, 401, 403, 404, 409, 413, 422, 502);
        g.MapPost("/workflows/{id}/channels/{channel}/health", (string id, string channel, HttpContext http, RepositoryStore store, ReleaseGuardRegistry guards) => HealthAsync(id, channel, http, store, guards))
            .Named("PostHealth", "Feed health samples to the channel's release guard")
            .Accepts<HealthBody>("application/json").Produces<HealthDto>().RequireAuthorization(VersionStorePolicies.Publish)
            .Problems(400, 401, 403, 404, 502);
        g.MapGet("/workflows/{id}/versions", (string id, string? @ref, int? limit, int? offset, string? author, bool? named, string? channel, HttpContext http, RepositoryStore store)
                => VersionsAsync(id, new VersionQuery(@ref, limit, offset, author, named, channel), store, options, http))
            .Named("ListVersions", "The log of a ref, newest first, paged by offset; filters: author, named (tagged) only, versions a channel served")
            .Produces<List<VersionDto>>().Problems(400, 401, 403, 404, 502);
        g.MapGet("/workflows/{id}/versions/{rev}", (string id, string rev, HttpContext http, RepositoryStore store) => ShowAsync(id, rev, store, http))
            .Named("ShowVersion", "One version: commit, trailers, tags, entries").Produces<ShowDto>().Problems(400, 401, 403, 404, 409, 502);
        g.MapGet("/workflows/{id}/diff", (string id, string? from, string? to, HttpContext http, RepositoryStore store) => DiffAsync(id, from, to, store, http))
            .Named("Diff", "Entry-level changes between two revisions").Produces<List<ChangeDto>>().Problems(400, 401, 403, 404, 409, 502);
        g.MapGet("/workflows/{id}/audit", (string id, string? @ref, string? channel, int? limit, HttpContext http, RepositoryStore store) => AuditAsync(id, @ref, channel, limit, store, options, http))
            .Named("Audit", "Audit entries of a ref (short or full name) or channel, newest first; every ref when neither is given")
            .Produces<List<AuditDto>>().Problems(400, 401, 403, 404, 502);
        ChannelEndpoints.Map(g, options);
        ConsoleApiEndpoints.Map(g, options);
    }

    /// <summary>Names an endpoint and documents it for OpenAPI.</summary>
    internal static RouteHandlerBuilder Named(this RouteHandlerBuilder b, string name, string summary) => b.WithName("VersionStore" + name).WithSummary(summary).WithTags("VersionStore");

    /// <summary>Declares the problem responses an endpoint can give.</summary>
    internal static RouteHandlerBuilder Problems(this RouteHandlerBuilder b, params int[] statuses)
    {
        foreach (var s in statuses) b.ProducesProblem(s);
        return b;
    }

    internal static async Task<T> ReadBodyAsync<T>(HttpContext http) where T : class
    {
        if (http.Request.ContentLength == 0) throw new BadRequestException("A JSON body is required.");
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, ApiJson.Options, http.RequestAborted).ConfigureAwait(false)
                ?? throw new BadRequestException("A JSON object is required.");
        }
        catch (JsonException e)
        {
            throw new BadRequestException(DescribeJsonError(e));
        }
    }

    /// <summary>A JSON error for people: the field and position, never the serializer's message (it names internal types).</summary>
    internal static string DescribeJsonError(JsonException e)
    {
        var at = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
        var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? null : e.Path;
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal) && path is not null)
            return path == "$.actor"
                ? "'actor' is not accepted: the audit actor is the signed-in identity."
                : $"Malformed JSON body: unknown field '{path.TrimStart('$', '.')}'{at}.";
        return path is null ? $"Malformed JSON body{at}." : $"Malformed JSON body: invalid value at '{path.TrimStart('$', '.')}'{at}.";
    }

    internal static async Task<Repository> WorkflowAsync(string id, RepositoryStore store, CancellationToken cancellationToken)
    {
        var repo = store.GetRepository(id);
        await foreach (var _ in repo.ListRefsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)) return repo;
        throw new NotFoundException($"Workflow '{id}' does not exist.");
    }

    internal static IResult Json<T>(T value, int status = StatusCodes.Status200OK) => Results.Json(value, ApiJson.Options, statusCode: status);

    /// <summary>The audit actor: the signed-in identity, never a field of the request.</summary>
    internal static string Actor(HttpContext http, VersionStoreApiOptions options) => http.User.Identity?.Name is { Length: > 0 } name ? name : options.DefaultActor;

    /// <summary>Throws <see cref="ForbiddenException"/> when <paramref name="channel"/> is protected and the user may not move it.</summary>
    internal static async Task DemandMayMoveAsync(string channel, HttpContext http, IAuthorizationService auth, VersionStoreApiOptions options)
    {
        if (!options.IsProtected(channel)) return;
        if ((await auth.AuthorizeAsync(http.User, channel, VersionStorePolicies.MoveProtectedChannel).ConfigureAwait(false)).Succeeded) return;
        throw new ForbiddenException($"Channel '{channel}' is protected: only an admin may move it ('{Actor(http, options)}' is {ApiKeyAuthenticationHandler.RoleOf(http.User)}).");
    }

    internal static void RejectActorField(string? actor)
    {
        if (actor is not null) throw new BadRequestException("'actor' is not accepted: the audit actor is the signed-in identity.");
    }

    private static async Task<IResult> RollbackAsync(string id, HttpContext http, RepositoryStore store, IAuthorizationService auth, VersionStoreApiOptions options)
    {
        var body = await ReadBodyAsync<RollbackBody>(http).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body.Reason)) throw new BadRequestException("'reason' is required.");
        if (body.Channel is not null && body.Branch is not null) throw new BadRequestException("Name a channel or a branch, not both.");
        var mode = body.Mode?.ToLowerInvariant() switch
        {
            null => (RollbackMode?)null,
            "revert" => RollbackMode.Revert,
            "reset" => RollbackMode.Reset,
            _ => throw new BadRequestException("'mode' is 'revert' or 'reset'."),
        };
        var ct = http.RequestAborted;
        var repo = await WorkflowAsync(id, store, ct).ConfigureAwait(false);
        var actor = Actor(http, options);
        ObjectId? expected = body.ExpectedVersion is null ? null : await repo.ResolveAsync(body.ExpectedVersion, ct).ConfigureAwait(false);
        RollbackResult result;
        if (body.Branch is null)
        {
            var channel = body.Channel ?? options.DefaultChannel;
            if (await repo.TryGetRefAsync(ReleaseChannels.ChannelRef(channel), ct).ConfigureAwait(false) is null)
                throw new NotFoundException($"Workflow '{id}' has no channel '{channel}'.");
            await DemandMayMoveAsync(channel, http, auth, options).ConfigureAwait(false);
            result = await new ReleaseChannels(repo).RollbackAsync(channel, body.TargetVersion, body.Reason, actor, expected, mode ?? RollbackMode.Reset, options.RollbackVerifiers, ct).ConfigureAwait(false);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(body.TargetVersion)) throw new BadRequestException("'target_version' is required to roll back a branch.");
            result = await repo.RollbackAsync(new RollbackRequest
            {
                Ref = RefName.Branch(body.Branch),
                Target = body.TargetVersion,
                Reason = body.Reason,
                Actor = actor,
                ExpectedHead = expected,
                Mode = mode ?? RollbackMode.Revert,
                Verifiers = options.RollbackVerifiers,
            }, ct).ConfigureAwait(false);
        }
        var dto = RollbackDto.Create(id, result);
        return result.Status switch
        {
            RollbackStatus.Rejected => VersionStoreApiExtensions.Problem(StatusCodes.Status502BadGateway, "Target content unavailable",
                $"The storage backend cannot deliver the content of {result.To}: {result.Verification.Failure}. Nothing changed.", http, new Dictionary<string, object?> { ["rollback"] = dto }),
            RollbackStatus.Compensated => VersionStoreApiExtensions.Problem(StatusCodes.Status422UnprocessableEntity, "Rollback verification failed",
                $"The rollback was undone: {result.Verification.Failure}.", http, new Dictionary<string, object?> { ["rollback"] = dto }),
            _ => Json(dto),
        };
    }

    private static async Task<IResult> HealthAsync(string id, string channel, HttpContext http, RepositoryStore store, ReleaseGuardRegistry guards)
    {
        var body = await ReadBodyAsync<HealthBody>(http).ConfigureAwait(false);
        if (body.Samples is { Count: > HealthBody.MaxSamples }) throw new BadRequestException($"At most {HealthBody.MaxSamples} samples per request (got {body.Samples.Count}).");
        var samples = body.Samples is { Count: > 0 } many ? many.Select(s => s.ToSample()).ToList() : [body.ToSample()];
        try
        {
            foreach (var s in samples) s.Validate();
        }
        catch (ArgumentException e)
        {
            throw new BadRequestException(e.Message);
        }
        var repo = await WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        if (await repo.TryGetRefAsync(ReleaseChannels.ChannelRef(channel), http.RequestAborted).ConfigureAwait(false) is null)
            throw new NotFoundException($"Workflow '{id}' has no channel '{channel}'.");
        var guard = guards.Get(id, channel);
        var decision = await guard.IngestAsync(samples, http.RequestAborted).ConfigureAwait(false);
        return Json(new HealthDto(id, guard.Channel, samples.Count, guard.Phase.ToString(), HealthDto.From(id, decision)));
    }

    internal sealed record VersionQuery(string? Ref, int? Limit, int? Offset, string? Author, bool? Named, string? Channel);

    /// <summary>Most commits one filtered listing walks (a filter that matches little cannot make a request walk a whole long history).</summary>
    internal const int MaxFilterScan = 100_000;

    private static async Task<IResult> VersionsAsync(string id, VersionQuery q, RepositoryStore store, VersionStoreApiOptions options, HttpContext http)
    {
        var ct = http.RequestAborted;
        var repo = await WorkflowAsync(id, store, ct).ConfigureAwait(false);
        var tags = await TagsAsync(repo, ct).ConfigureAwait(false);
        var max = Math.Clamp(q.Limit ?? 100, 1, options.MaxListLimit);
        var skip = q.Offset ?? 0;
        if (skip < 0) throw new BadRequestException("'offset' cannot be negative.");
        HashSet<ObjectId>? served = null;
        if (q.Channel is not null)
        {
            served = [];
            await foreach (var e in repo.AuditAsync(ReleaseChannels.ChannelRef(q.Channel), ct).ConfigureAwait(false))
                if (e.New is { } v) served.Add(v);
        }
        var filtered = q.Author is not null || q.Named == true || served is not null;
        var list = new List<VersionDto>();
        var scanned = 0;
        await foreach (var c in repo.LogAsync(new LogOptions { IncludeReachableFrom = [q.Ref ?? "main"], MaxCount = filtered ? MaxFilterScan : (int)Math.Min((long)skip + max, int.MaxValue) }, ct).ConfigureAwait(false))
        {
            scanned++;
            var names = tags.TryGetValue(c.Id, out var t) ? t : [];
            if (q.Author is not null && !string.Equals(c.Author, q.Author, StringComparison.OrdinalIgnoreCase)) continue;
            if (q.Named == true && names.Count == 0) continue;
            if (served is not null && !served.Contains(c.Id)) continue;
            if (skip > 0)
            {
                skip--;
                continue;
            }
            list.Add(VersionDto.From(c, names));
            if (list.Count >= max) break;
        }
        return Json(list);
    }

    private static async Task<IResult> ShowAsync(string id, string rev, RepositoryStore store, HttpContext http)
    {
        var ct = http.RequestAborted;
        var repo = await WorkflowAsync(id, store, ct).ConfigureAwait(false);
        var snapshot = await repo.CheckoutAsync(rev, ct).ConfigureAwait(false);
        var entries = new List<EntryDto>();
        await foreach (var e in snapshot.EnumerateAsync(ct).ConfigureAwait(false)) entries.Add(new EntryDto(e.Path, e.BlobId.ToString()));
        var tags = await TagsAsync(repo, ct).ConfigureAwait(false);
        var c = snapshot.Commit;
        var trailers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in c.Trailers) trailers[t.Key] = t.Value;
        return Json(new ShowDto(c.Id.ToString(), c.Message, c.Author, c.Timestamp, [.. c.Parents.Select(p => p.ToString())], trailers,
            tags.TryGetValue(c.Id, out var names) ? names : [], entries));
    }

    private static async Task<IResult> DiffAsync(string id, string? from, string? to, RepositoryStore store, HttpContext http)
    {
        if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to)) throw new BadRequestException("'from' and 'to' are required.");
        var repo = await WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        var changes = await repo.DiffAsync(from, to, http.RequestAborted).ConfigureAwait(false);
        return Json(changes.Select(c => new ChangeDto(c.Path, c.Kind.ToString().ToLowerInvariant(), c.OldId?.ToString(), c.NewId?.ToString())).ToList());
    }

    private static async Task<IResult> AuditAsync(string id, string? refName, string? channel, int? limit, RepositoryStore store, VersionStoreApiOptions options, HttpContext http)
    {
        var ct = http.RequestAborted;
        var repo = await WorkflowAsync(id, store, ct).ConfigureAwait(false);
        RefName? name = channel is not null ? ReleaseChannels.ChannelRef(channel) : refName is not null ? await ResolveRefNameAsync(repo, refName, ct).ConfigureAwait(false) : null;
        var max = Math.Clamp(limit ?? 100, 1, options.MaxListLimit);
        var list = new List<AuditDto>();
        await foreach (var e in repo.AuditAsync(name, ct).ConfigureAwait(false))
        {
            list.Add(AuditDto.From(e));
            if (list.Count >= max) break;
        }
        return Json(list);
    }

    private static readonly RefKind[] ResolveOrder = [RefKind.Branch, RefKind.Channel, RefKind.Tag];

    /// <summary>
    /// A ref named in full (<c>refs/heads/main</c>) or short (<c>main</c>, <c>prod</c>, <c>prod.guard</c>, <c>v1.4.0</c>): the first
    /// existing branch, channel or tag of that name; a branch of that name when none exists (its audit may outlive it).
    /// </summary>
    internal static async Task<RefName> ResolveRefNameAsync(Repository repo, string text, CancellationToken ct)
    {
        if (RefName.TryParse(text, out var full)) return full.Value;
        if (RefName.ValidateShortName(text) is { } problem) throw new BadRequestException($"'{text}' is not a ref name: {problem}.");
        foreach (var kind in ResolveOrder)
        {
            var candidate = RefName.Create(kind, text);
            if (await repo.TryGetRefAsync(candidate, ct).ConfigureAwait(false) is not null) return candidate;
        }
        return RefName.Branch(text);
    }

    internal static async Task<Dictionary<ObjectId, List<string>>> TagsAsync(Repository repo, CancellationToken ct)
    {
        var tags = new Dictionary<ObjectId, List<string>>();
        await foreach (var t in repo.ListRefsAsync(RefKind.Tag, ct).ConfigureAwait(false))
        {
            if (!tags.TryGetValue(t.Target, out var l)) tags[t.Target] = l = [];
            l.Add(t.Name.ShortName);
        }
        return tags;
    }
}
