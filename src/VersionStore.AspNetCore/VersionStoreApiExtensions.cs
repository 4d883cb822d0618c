using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VersionStore.AspNetCore.Internal;
using VersionStore.Releases;

namespace VersionStore.AspNetCore;

/// <summary>Registers and maps the VersionStore HTTP API.</summary>
public static class VersionStoreApiExtensions
{
    /// <summary>
    /// Registers the API's services: options, a <see cref="ReleaseGuardRegistry"/>, an <see cref="ILastSeenCache"/>
    /// (in memory unless one is registered) and a <see cref="ChannelReader"/>. The application registers the
    /// <see cref="RepositoryStore"/> itself.
    /// </summary>
    public static IServiceCollection AddVersionStoreApi(this IServiceCollection services, Action<VersionStoreApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.AddProblemDetails();
        services.TryAddSingleton<ILastSeenCache, InMemoryLastSeenCache>();
        services.TryAddSingleton(sp => new ChannelReader(sp.GetRequiredService<RepositoryStore>(), sp.GetRequiredService<ILastSeenCache>()));
        services.TryAddSingleton(sp => new ReleaseGuardRegistry(sp.GetRequiredService<RepositoryStore>(), sp.GetRequiredService<IOptions<VersionStoreApiOptions>>().Value.GuardOptions));
        return services;
    }

    /// <summary>
    /// Maps the API under <paramref name="prefix"/> (default <c>/v1</c>) on a route group and returns it. Every endpoint
    /// requires the bearer token; errors are RFC 7807 problem details: 400 malformed request, 401 missing or wrong
    /// token, 404 unknown workflow, ref or version, 409 a concurrent change won (or a stale expected version), 422 a
    /// rollback whose verifiers failed (it was undone), 502 a storage backend cannot deliver the content.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (for example no bearer token).</exception>
    public static RouteGroupBuilder MapVersionStoreApi(this IEndpointRouteBuilder endpoints, string prefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<VersionStoreApiOptions>>().Value;
        options.Validate();
        var token = Encoding.UTF8.GetBytes(options.BearerToken!);
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(async (context, next) =>
        {
            if (!Authorized(context.HttpContext.Request, token))
            {
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "A valid bearer token is required.", context.HttpContext);
            }
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (ToProblem(e, context.HttpContext) is { } problem)
            {
                return problem;
            }
        });
        ApiEndpoints.Map(group, options);
        GcEndpoints.Map(group);
        return group;
    }

    private static bool Authorized(HttpRequest request, byte[] token)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var presented = Encoding.UTF8.GetBytes(header[7..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, token);
    }

    internal static IResult Problem(int status, string title, string detail, HttpContext context, IDictionary<string, object?>? extensions = null)
        => Results.Problem(detail, context.Request.Path, status, title, $"https://httpstatuses.io/{status}", extensions);

    private static IResult? ToProblem(Exception e, HttpContext context) => e switch
    {
        BadRequestException or JsonException or InvalidNameException or InvalidOperationArgumentException or ArgumentException or FormatException
            => Problem(StatusCodes.Status400BadRequest, "Bad request", e.Message, context),
        BadHttpRequestException b => Problem(b.StatusCode, "Bad request", e.Message, context),
        NotFoundException or RevisionNotFoundException => Problem(StatusCodes.Status404NotFound, "Not found", e.Message, context),
        RefConflictException c => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, context,
            new Dictionary<string, object?> { ["ref"] = c.Ref, ["expected"] = c.Expected?.ToString(), ["actual"] = c.Actual?.ToString() }),
        NameConflictException or AmbiguousRevisionException => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, context),
        VersionPrunedException => Problem(StatusCodes.Status410Gone, "Version pruned", e.Message, context),
        PayloadTooLargeException => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", e.Message, context),
        BackendUnavailableException or ObjectNotFoundException or CorruptObjectException
            => Problem(StatusCodes.Status502BadGateway, "Storage backend failure", e.Message, context),
        _ => null,
    };
}
