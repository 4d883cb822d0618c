using VersionStore.Releases;

namespace VersionStore.AspNetCore;

/// <summary>Options of the HTTP API (<see cref="VersionStoreApiExtensions.MapVersionStoreApi"/>).</summary>
public sealed class VersionStoreApiOptions
{
    /// <summary>The bearer token every request must present (<c>Authorization: Bearer …</c>). Required: the API refuses to start without one.</summary>
    public string? BearerToken { get; set; }

    /// <summary>The channel a rollback acts on when the request names neither a channel nor a branch.</summary>
    /// <value>"prod".</value>
    public string DefaultChannel { get; set; } = "prod";

    /// <summary>Audit actor when a request names none.</summary>
    /// <value>"api".</value>
    public string DefaultActor { get; set; } = "api";

    /// <summary>Most versions or audit entries one list request returns.</summary>
    /// <value>1000.</value>
    public int MaxListLimit { get; set; } = 1000;

    /// <summary>Verifiers every rollback requested through the API runs after the ref moves (a failure undoes it: HTTP 422).</summary>
    public IReadOnlyList<IRollbackVerifier> RollbackVerifiers { get; set; } = [];

    /// <summary>Options of the release guard created per workflow and channel on first health sample; defaults when null (with the store's clock).</summary>
    public Func<string, string, ReleaseGuardOptions>? GuardOptions { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(BearerToken)) errors.Add($"{nameof(BearerToken)} is required (set VSTORE_API_TOKEN)");
        if (RefName.ValidateShortName(DefaultChannel) is { } p) errors.Add($"{nameof(DefaultChannel)}: {p}");
        if (string.IsNullOrWhiteSpace(DefaultActor)) errors.Add($"{nameof(DefaultActor)} is required");
        if (RollbackVerifiers is null) errors.Add($"{nameof(RollbackVerifiers)} is required");
        if (MaxListLimit < 1) errors.Add($"{nameof(MaxListLimit)} must be at least 1");
        if (errors.Count > 0) throw new ArgumentException("Invalid VersionStoreApiOptions: " + string.Join("; ", errors) + ".");
    }
}
