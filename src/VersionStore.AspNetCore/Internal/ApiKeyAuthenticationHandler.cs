using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VersionStore.AspNetCore.Internal;

/// <summary>
/// The built-in scheme: <c>Authorization: Bearer &lt;key&gt;</c> against the configured keys (compared as SHA-256 in constant
/// time), giving a principal named after the key with its role. Challenges and forbids answer RFC 7807 problems.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder, IOptions<VersionStoreApiOptions> apiOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    private readonly Lazy<IReadOnlyList<(byte[] Hash, string Name, string Role)>> _keys = new(() => Load(apiOptions.Value));

    private static List<(byte[] Hash, string Name, string Role)> Load(VersionStoreApiOptions o)
    {
        var keys = new List<(byte[], string, string)>();
        if (!string.IsNullOrEmpty(o.BearerToken)) keys.Add((SHA256.HashData(Encoding.UTF8.GetBytes(o.BearerToken)), o.BearerTokenName, VersionStoreRoles.Admin));
        foreach (var k in o.Keys)
            if (k.Problem() is null) keys.Add((k.Hash()!, k.Name!, k.Role!));
        return keys;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.Fail("not a bearer token"));
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim()));
        (byte[] Hash, string Name, string Role)? match = null;
        foreach (var k in _keys.Value)
            if (CryptographicOperations.FixedTimeEquals(presented, k.Hash)) match ??= k;
        if (match is not { } m) return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, m.Name), new Claim(ClaimTypes.Role, m.Role)], Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", "A valid API key is required (Authorization: Bearer <key>).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", $"'{Context.User.Identity?.Name}' ({RoleOf(Context.User)}) may not do this.");

    internal static string RoleOf(ClaimsPrincipal user)
    {
        for (var i = VersionStoreRoles.All.Count - 1; i >= 0; i--)
            if (user.IsInRole(VersionStoreRoles.All[i])) return VersionStoreRoles.All[i];
        return "no role";
    }

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        Response.ContentType = "application/problem+json";
        var problem = new Dictionary<string, object?>
        {
            ["type"] = $"https://httpstatuses.io/{status}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = Request.Path.Value,
        };
        return Response.WriteAsync(JsonSerializer.Serialize(problem), Context.RequestAborted);
    }
}
