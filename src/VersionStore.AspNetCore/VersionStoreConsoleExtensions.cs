using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace VersionStore.AspNetCore;

/// <summary>Maps the web console and the OpenAPI document.</summary>
public static class VersionStoreConsoleExtensions
{
    private const string ResourcePrefix = "VersionStore.Console/";

    private static readonly Lazy<IReadOnlyDictionary<string, Asset>> Assets = new(LoadAssets);

    /// <summary>
    /// Maps the web console at <paramref name="pattern"/> (default <c>/</c>): a page of plain HTML, CSS and ES modules
    /// embedded in this assembly (no CDN, works offline) that talks to the API mapped by
    /// <see cref="VersionStoreApiExtensions.MapVersionStoreApi"/> at <paramref name="apiPrefix"/>. The assets are public (the
    /// data is not: every API call needs a signed-in identity); they are served with a strict Content-Security-Policy.
    /// </summary>
    public static IEndpointConventionBuilder MapVersionStoreConsole(this IEndpointRouteBuilder endpoints, string pattern = "/", string apiPrefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentException.ThrowIfNullOrEmpty(apiPrefix);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<VersionStoreApiOptions>>().Value;
        var root = pattern.EndsWith('/') ? pattern : pattern + "/";
        var group = endpoints.MapGroup(root);
        group.AllowAnonymous().ExcludeFromDescription();
        if (root != "/") endpoints.MapGet(root.TrimEnd('/'), () => Results.Redirect(root)).AllowAnonymous().ExcludeFromDescription();
        var config = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["api"] = apiPrefix.TrimEnd('/'),
            ["sign_in"] = options.UsesApiKeys ? "api-key" : "host",
            ["csrf_header"] = VersionStoreApiExtensions.CsrfHeader,
        });
        group.MapGet("", (HttpContext http) => Serve(http, Assets.Value["index.html"]));
        group.MapGet("console/config.json", (HttpContext http) => Serve(http, new Asset(config, "application/json")));
        group.MapGet("console/{*file}", (string file, HttpContext http) =>
            Assets.Value.TryGetValue(file, out var asset) && file != "index.html" ? Serve(http, asset) : Results.NotFound());
        return group;
    }

    /// <summary>Maps the OpenAPI document registered by <see cref="VersionStoreApiExtensions.AddVersionStoreApi"/> at <c>/openapi/v1.json</c> (anonymous: it holds no data).</summary>
    public static IEndpointConventionBuilder MapVersionStoreOpenApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapOpenApi().AllowAnonymous();
    }

    private static IResult Serve(HttpContext http, Asset asset)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static Dictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(VersionStoreConsoleExtensions).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var file = name[ResourcePrefix.Length..].Replace('\\', '/');
            assets[file] = new Asset(buffer.ToArray(), Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            });
        }
        return assets;
    }

    private sealed class Asset(byte[] bytes, string contentType)
    {
        public byte[] Bytes { get; } = bytes;
        public string ContentType { get; } = contentType;
        public string ETag { get; } = "\"" + Convert.ToHexString(SHA256.HashData(bytes), 0, 8) + "\"";
    }
}
