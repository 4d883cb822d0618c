using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VersionStore.AspNetCore.Internal;
using VersionStore.Releases;

namespace VersionStore.AspNetCore;

/// <summary>Registers and maps the VersionStore HTTP API.</summary>
public static class VersionStoreApiExtensions
{
    /// <summary>The configuration section holding the built-in scheme's keys (<c>Name</c>, <c>Key</c> or <c>KeyHash</c>, <c>Role</c> per entry).</summary>
    public const string KeysSection = "VersionStore:Api:Keys";

    /// <summary>The request header a browser session must send on every write when it is not authenticated by an <c>Authorization</c> header (CSRF guard for cookie-based host schemes).</summary>
    public const string CsrfHeader = "X-VersionStore-Request";

    /// <summary>
    /// Registers the API's services: options (with the keys of configuration section <see cref="KeysSection"/>), authentication
    /// with the built-in API-key scheme, the authorization policies of <see cref="VersionStorePolicies"/>, the OpenAPI
    /// document <c>v1</c>, a <see cref="ReleaseGuardRegistry"/> and a <see cref="ChannelReader"/> over the store's head cache
    /// (<see cref="IHeadCache"/>: a registered one, else the store's fail-static head cache in distributed mode, else one in
    /// memory). The application registers the <see cref="RepositoryStore"/> itself.
    /// </summary>
    public static IServiceCollection AddVersionStoreApi(this IServiceCollection services, Action<VersionStoreApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<VersionStoreApiOptions>().Configure<IServiceProvider>((o, sp) =>
        {
            if (sp.GetService<IConfiguration>() is { } config)
                foreach (var entry in config.GetSection(KeysSection).GetChildren())
                    o.Keys.Add(new VersionStoreApiKey { Name = entry["Name"], Key = entry["Key"], KeyHash = entry["KeyHash"], Role = entry["Role"]?.Trim().ToLowerInvariant() });
        });
        services.Configure(configure);
        services.AddProblemDetails();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(VersionStoreApiKeyDefaults.AuthenticationScheme, null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<VersionStoreApiOptions>>((auth, api) =>
        {
            var schemes = api.Value.AuthenticationSchemes.ToArray();
            auth.AddPolicy(VersionStorePolicies.Read, p => p.AddAuthenticationSchemes(schemes).RequireRole(VersionStoreRoles.All));
            auth.AddPolicy(VersionStorePolicies.Publish, p => p.AddAuthenticationSchemes(schemes).RequireRole(VersionStoreRoles.Publisher, VersionStoreRoles.Admin));
            auth.AddPolicy(VersionStorePolicies.MoveProtectedChannel, p => p.AddAuthenticationSchemes(schemes).RequireRole(VersionStoreRoles.Admin));
            auth.AddPolicy(VersionStorePolicies.Administer, p => p.AddAuthenticationSchemes(schemes).RequireRole(VersionStoreRoles.Admin));
        });
        VersionStoreOpenApi.Add(services);
        services.TryAddSingleton(sp => new ChannelReader(sp.GetRequiredService<RepositoryStore>(), sp.GetService<IHeadCache>()));
        services.TryAddSingleton(sp => new ReleaseGuardRegistry(sp.GetRequiredService<RepositoryStore>(), sp.GetRequiredService<IOptions<VersionStoreApiOptions>>().Value.GuardOptions));
        services.TryAddSingleton<IWorkflowChangeFeed>(sp =>
        {
            var store = sp.GetRequiredService<RepositoryStore>();
            return new PollingRefChangeFeed(store, sp.GetRequiredService<IOptions<VersionStoreApiOptions>>().Value.LivePollInterval, store.Options.TimeProvider,
                sp.GetRequiredService<ILogger<PollingRefChangeFeed>>());
        });
        return services;
    }

    /// <summary>
    /// Maps the API under <paramref name="prefix"/> (default <c>/v1</c>) on a route group and returns it. Every endpoint
    /// requires policy <see cref="VersionStorePolicies.Read"/>; writes <see cref="VersionStorePolicies.Publish"/>, and moving a
    /// protected channel <see cref="VersionStorePolicies.MoveProtectedChannel"/>. Errors are RFC 7807 problem details:
    /// 400 malformed request, 401 not signed in, 403 role too low (or a cookie-authenticated write without the
    /// <see cref="CsrfHeader"/> header), 404 unknown workflow, ref or version, 409 a concurrent change won (or a stale
    /// expected version), 422 a rollback whose verifiers failed (it was undone) or a version that is not a workflow,
    /// 502 a storage backend cannot deliver the content.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (for example no API key at all).</exception>
    public static RouteGroupBuilder MapVersionStoreApi(this IEndpointRouteBuilder endpoints, string prefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<VersionStoreApiOptions>>().Value;
        options.Validate();
        var group = endpoints.MapGroup(prefix);
        group.RequireAuthorization(VersionStorePolicies.Read);
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (HttpMethods.IsPost(http.Request.Method) && http.Request.Headers.Authorization.Count == 0 && http.Request.Headers[CsrfHeader].Count == 0)
                return Problem(StatusCodes.Status403Forbidden, "Forbidden", $"A write from a browser session needs the {CsrfHeader} header (cross-site request guard).", http);
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (ToProblem(e, http) is { } problem)
            {
                return problem;
            }
        });
        ApiEndpoints.Map(group, options);
        GcEndpoints.Map(group, options);
        return group;
    }

    internal static IResult Problem(int status, string title, string detail, HttpContext context, IDictionary<string, object?>? extensions = null)
        => Results.Problem(detail, context.Request.Path, status, title, $"https://httpstatuses.io/{status}", extensions);

    private static IResult? ToProblem(Exception e, HttpContext context) => e switch
    {
        // OverflowException: a number outside what the model can hold is the request's fault, wherever it is converted.
        BadRequestException or JsonException or InvalidNameException or InvalidRequestException or ArgumentException or FormatException or OverflowException
            => Problem(StatusCodes.Status400BadRequest, "Bad request", e is JsonException j ? ApiEndpoints.DescribeJsonError(j) : e.Message, context),
        BadHttpRequestException b => Problem(b.StatusCode, "Bad request", e.Message, context),
        ForbiddenException => Problem(StatusCodes.Status403Forbidden, "Forbidden", e.Message, context),
        NotFoundException or RevisionNotFoundException => Problem(StatusCodes.Status404NotFound, "Not found", e.Message, context),
        RefConflictException c => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, context,
            new Dictionary<string, object?> { ["ref"] = c.Ref, ["expected"] = c.Expected?.ToString(), ["actual"] = c.Actual?.ToString() }),
        NameConflictException or AmbiguousRevisionException => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, context),
        VersionPrunedException => Problem(StatusCodes.Status410Gone, "Version pruned", e.Message, context),
        PayloadTooLargeException => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", e.Message, context),
        NotAWorkflowException => Problem(StatusCodes.Status422UnprocessableEntity, "Not a workflow", e.Message, context),
        BackendUnavailableException or ObjectNotFoundException or CorruptObjectException
            => Problem(StatusCodes.Status502BadGateway, "Storage backend failure", e.Message, context),
        _ => null,
    };
}
