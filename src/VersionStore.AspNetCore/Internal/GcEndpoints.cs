using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace VersionStore.AspNetCore.Internal;

/// <summary>
/// Retention, pins, branch deletion and garbage collection over HTTP: administrative operations (policy
/// <see cref="VersionStorePolicies.Administer"/>, tagged <c>admin</c>). The audit actor is the signed-in identity.
/// </summary>
internal static class GcEndpoints
{
    public const string AdminTag = "admin";

    public static void Map(RouteGroupBuilder g, VersionStoreApiOptions options)
    {
        g.MapGet("/workflows/{id}/retention", (string id, HttpContext http, RepositoryStore store) => GetRetentionAsync(id, store, http)).Admin();
        g.MapPut("/workflows/{id}/retention", (string id, HttpContext http, RepositoryStore store) => SetRetentionAsync(id, store, http, options)).Admin().Accepts<RetentionBody>("application/json");
        g.MapGet("/workflows/{id}/pins", (string id, HttpContext http, RepositoryStore store) => ListPinsAsync(id, store, http)).Admin();
        g.MapPost("/workflows/{id}/pins", (string id, HttpContext http, RepositoryStore store) => PinAsync(id, store, http, options)).Admin().Accepts<PinBody>("application/json");
        g.MapDelete("/workflows/{id}/pins/{rev}", (string id, string rev, string? reason, HttpContext http, RepositoryStore store) => UnpinAsync(id, rev, reason, store, http, options)).Admin();
        g.MapDelete("/workflows/{id}/branches/{name}", (string id, string name, HttpContext http, RepositoryStore store) => DeleteBranchAsync(id, name, store, http, options)).Admin();
        g.MapPost("/gc", (HttpContext http, RepositoryStore store) => CollectAsync(store, http, options)).Admin().Accepts<GcBody>("application/json");
    }

    private static RouteHandlerBuilder Admin(this RouteHandlerBuilder b)
        => b.WithTags("VersionStore", AdminTag).RequireAuthorization(VersionStorePolicies.Administer).Problems(400, 401, 403, 404, 409, 410, 502);

    private static IResult Json<T>(T value, int status = StatusCodes.Status200OK) => Results.Json(value, ApiJson.Options, statusCode: status);

    private static Task<T> BodyAsync<T>(HttpContext http) where T : class => ApiEndpoints.ReadBodyAsync<T>(http);

    private static async Task<Repository> WorkflowAsync(string id, RepositoryStore store, CancellationToken cancellationToken)
    {
        var repo = store.GetRepository(id);
        if (await repo.ExistsAsync(cancellationToken).ConfigureAwait(false)) return repo;
        throw new NotFoundException($"Workflow '{id}' does not exist.");
    }

    private static async Task<IResult> GetRetentionAsync(string id, RepositoryStore store, HttpContext http)
    {
        var repo = await WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        var policy = await repo.GetRetentionPolicyAsync(http.RequestAborted).ConfigureAwait(false);
        return Json(new RetentionModel(policy.KeepLast, policy.KeepDays));
    }

    private static async Task<IResult> SetRetentionAsync(string id, RepositoryStore store, HttpContext http, VersionStoreApiOptions options)
    {
        var body = await BodyAsync<RetentionBody>(http).ConfigureAwait(false);
        var repo = await WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        var policy = new RetentionPolicy(body.KeepLast, body.KeepDays);
        await repo.SetRetentionPolicyAsync(policy, ApiEndpoints.Actor(http, options), body.Reason, http.RequestAborted).ConfigureAwait(false);
        return Json(new RetentionModel(policy.KeepLast, policy.KeepDays));
    }

    private static async Task<IResult> ListPinsAsync(string id, RepositoryStore store, HttpContext http)
    {
        var repo = await WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        var pins = new List<PinModel>();
        await foreach (var p in repo.ListPinsAsync(http.RequestAborted).ConfigureAwait(false)) pins.Add(PinModel.From(p));
        return Json(pins);
    }

    private static async Task<IResult> PinAsync(string id, RepositoryStore store, HttpContext http, VersionStoreApiOptions options)
    {
        var body = await BodyAsync<PinBody>(http).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body.Revision)) throw new BadRequestException("'revision' is required.");
        if (string.IsNullOrWhiteSpace(body.Reason)) throw new BadRequestException("'reason' is required.");
        var repo = await WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        var pin = await repo.PinAsync(body.Revision, ApiEndpoints.Actor(http, options), body.Reason, http.RequestAborted).ConfigureAwait(false);
        return Json(PinModel.From(pin), StatusCodes.Status201Created);
    }

    private static async Task<IResult> UnpinAsync(string id, string rev, string? reason, RepositoryStore store, HttpContext http, VersionStoreApiOptions options)
    {
        var repo = await WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        await repo.UnpinAsync(rev, ApiEndpoints.Actor(http, options), reason, http.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteBranchAsync(string id, string name, RepositoryStore store, HttpContext http, VersionStoreApiOptions options)
    {
        var repo = await WorkflowAsync(id, store, http.RequestAborted).ConfigureAwait(false);
        await repo.DeleteRefAsync(RefName.Branch(name), ApiEndpoints.Actor(http, options), "branch deleted", http.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> CollectAsync(RepositoryStore store, HttpContext http, VersionStoreApiOptions apiOptions)
    {
        var body = http.Request.ContentLength is null or 0 ? new GcBody(null, null, null) : await BodyAsync<GcBody>(http).ConfigureAwait(false);
        var options = new GcOptions { DryRun = body.DryRun ?? false, Repositories = body.Repositories, Actor = ApiEndpoints.Actor(http, apiOptions) };
        if (body.GracePeriodSeconds is { } seconds)
        {
            if (seconds is < 0 or > 365 * 86400) throw new BadRequestException("'grace_period_seconds' must be between 0 and one year.");
            options.GracePeriod = TimeSpan.FromSeconds(seconds);
        }
        foreach (var r in body.Repositories ?? []) await WorkflowAsync(r, store, http.RequestAborted).ConfigureAwait(false);
        var result = await store.CollectGarbageAsync(options, null, http.RequestAborted).ConfigureAwait(false);
        return Json(new GcModel(result.DryRun, result.ObjectsDeleted, result.BytesFreed, result.ObjectsMarked, result.ObjectsScanned, result.VersionsPruned,
            result.CandidatesPlanned, [.. result.Tiers.Select(t => new GcTierModel(t.Tier, t.ObjectsDeleted, t.BytesFreed))], result.Problems));
    }

    private sealed record RetentionModel(int? KeepLast, int? KeepDays);

    private sealed record RetentionBody(int? KeepLast, int? KeepDays, string? Reason);

    private sealed record PinBody(string? Revision, string? Reason);

    private sealed record PinModel(string Ref, string Target, string Actor, string? Reason, DateTimeOffset Time)
    {
        public static PinModel From(PinInfo p) => new(p.Name.FullName, p.Target.ToString(), p.Actor, p.Reason, p.Time);
    }

    private sealed record GcBody(bool? DryRun, double? GracePeriodSeconds, string[]? Repositories);

    private sealed record GcTierModel(string Tier, long ObjectsDeleted, long BytesFreed);

    private sealed record GcModel(bool DryRun, long ObjectsDeleted, long BytesFreed, long ObjectsMarked, long ObjectsScanned, long VersionsPruned,
        long CandidatesPlanned, GcTierModel[] Tiers, IReadOnlyList<string> Problems);
}
