using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace VersionStore.AspNetCore.Internal;

/// <summary>The OpenAPI document <c>v1</c>: the API's endpoints, snake_case bodies, problem responses and the API-key bearer scheme.</summary>
internal static class VersionStoreOpenApi
{
    public const string DocumentName = "v1";

    public static void Add(IServiceCollection services) => services.AddOpenApi(DocumentName, o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "VersionStore API";
            document.Info.Description = "Versioned workflow store: versions, compare, publish, audited rollback, release guard, live ref events. "
                + "Every endpoint needs a signed-in identity (the built-in scheme: Authorization: Bearer <API key>); roles viewer, publisher, admin.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[VersionStoreApiKeyDefaults.AuthenticationScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key of VersionStore:Api:Keys (or VSTORE_API_TOKEN) as a bearer token.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(VersionStoreApiKeyDefaults.AuthenticationScheme, document)] = [] });
            return Task.CompletedTask;
        });
        o.AddSchemaTransformer((schema, context, _) =>
        {
            // The API writes its own types in snake_case (ApiJson); the generator reads the host's JSON options.
            if (context.JsonTypeInfo.Type.Namespace == typeof(VersionStoreOpenApi).Namespace && schema.Properties is { Count: > 0 } props)
            {
                var renamed = props.ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), p => p.Value);
                props.Clear();
                foreach (var (k, v) in renamed) props[k] = v;
                if (schema.Required is { Count: > 0 } required)
                {
                    var names = required.Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToList();
                    required.Clear();
                    foreach (var n in names) required.Add(n);
                }
            }
            return Task.CompletedTask;
        });
    });
}
