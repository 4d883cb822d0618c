using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using VersionStore.Releases;

namespace VersionStore.AspNetCore.Internal;

internal static class ApiEndpoints
{
    public static void Map(RouteGroupBuilder g, VersionStoreApiOptions options)
    {
        g.MapPost("/workflows/{id}/rollback", (string id, HttpContext http, RepositoryStore store) => RollbackAsync(id, http, store, options));
        g.MapPost("/workflows/{id}/channels/{channel}/health", (string id, string channel, HttpContext http, RepositoryStore store, ReleaseGuardRegistry guards) => HealthAsync(id, channel, http, store, guards));
        g.MapGet("/workflows/{id}/versions", (string id, string? @ref, int? limit, HttpContext http, RepositoryStore store) => VersionsAsync(id, @ref, limit, store, options, http));
        g.MapGet("/workflows/{id}/versions/{rev}", (string id, string rev, HttpContext http, RepositoryStore store) => ShowAsync(id, rev, store, http));
        g.MapGet("/workflows/{id}/diff", (string id, string? from, string? to, HttpContext http, RepositoryStore store) => DiffAsync(id, from, to, store, http));
        ChannelEndpoints.Map(g, options);
        g.MapGet("/workflows/{id}/audit", (string id, string? @ref, string? channel, int? limit, HttpContext http, RepositoryStore store) => AuditAsync(id, @ref, channel, limit, store, options, http));
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
            throw new BadRequestException("Malformed JSON body: " + e.Message);
        }
    }

    internal static async Task<Repository> WorkflowAsync(string id, RepositoryStore store, CancellationToken cancellationToken)
    {
        var repo = store.GetRepository(id);
        await foreach (var _ in repo.ListRefsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)) return repo;
        throw new NotFoundException($"Workflow '{id}' does not exist.");
    }

    private static IResult Json<T>(T value, int status = StatusCodes.Status200OK) => Results.Json(value, ApiJson.Options, statusCode: status);

    private static async Task<IResult> RollbackAsync(string id, HttpContext http, RepositoryStore store, VersionStoreApiOptions options)
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
        var actor = body.Actor ?? options.DefaultActor;
        ObjectId? expected = body.ExpectedVersion is null ? null : await repo.ResolveAsync(body.ExpectedVersion, ct).ConfigureAwait(false);
        RollbackResult result;
        if (body.Branch is null)
        {
            var channel = body.Channel ?? options.DefaultChannel;
            if (await repo.TryGetRefAsync(ReleaseChannels.ChannelRef(channel), ct).ConfigureAwait(false) is null)
                throw new NotFoundException($"Workflow '{id}' has no channel '{channel}'.");
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

    private static async Task<IResult> VersionsAsync(string id, string? refName, int? limit, RepositoryStore store, VersionStoreApiOptions options, HttpContext http)
    {
        var ct = http.RequestAborted;
        var repo = await WorkflowAsync(id, store, ct).ConfigureAwait(false);
        var tags = await TagsAsync(repo, ct).ConfigureAwait(false);
        var max = Math.Clamp(limit ?? 100, 1, options.MaxListLimit);
        var list = new List<VersionDto>();
        await foreach (var c in repo.LogAsync(new LogOptions { IncludeReachableFrom = [refName ?? "main"], MaxCount = max }, ct).ConfigureAwait(false))
            list.Add(VersionDto.From(c, tags.TryGetValue(c.Id, out var t) ? t : []));
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
        RefName? name = channel is not null ? ReleaseChannels.ChannelRef(channel) : refName is not null ? RefName.Parse(refName) : null;
        var max = Math.Clamp(limit ?? 100, 1, options.MaxListLimit);
        var list = new List<AuditDto>();
        await foreach (var e in repo.AuditAsync(name, ct).ConfigureAwait(false))
        {
            list.Add(AuditDto.From(e));
            if (list.Count >= max) break;
        }
        return Json(list);
    }

    private static async Task<Dictionary<ObjectId, List<string>>> TagsAsync(Repository repo, CancellationToken ct)
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
