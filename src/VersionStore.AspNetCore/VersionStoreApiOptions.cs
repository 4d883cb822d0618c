using VersionStore.Releases;

namespace VersionStore.AspNetCore;

/// <summary>Options of the HTTP API (<see cref="VersionStoreApiExtensions.MapVersionStoreApi"/>) and the console.</summary>
public sealed class VersionStoreApiOptions
{
    /// <summary>
    /// The one-admin-key shortcut (<c>VSTORE_API_TOKEN</c>): a key of role <see cref="VersionStoreRoles.Admin"/> named
    /// <see cref="BearerTokenName"/>, presented as <c>Authorization: Bearer …</c>. Optional when <see cref="Keys"/> holds keys
    /// or the host authenticates with its own scheme.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>The identity (audit actor) of <see cref="BearerToken"/>.</summary>
    /// <value>"admin".</value>
    public string BearerTokenName { get; set; } = "admin";

    /// <summary>
    /// API keys with roles. <see cref="VersionStoreApiExtensions.AddVersionStoreApi"/> adds the entries of the configuration
    /// section <c>VersionStore:Api:Keys</c> (each with <c>Name</c>, <c>Key</c> or <c>KeyHash</c>, and <c>Role</c>).
    /// </summary>
    public IList<VersionStoreApiKey> Keys { get; } = [];

    /// <summary>
    /// The authentication schemes the API's policies accept. The default is the built-in API-key scheme; a host that
    /// signs people in with its own scheme (OIDC, cookies) names it here and maps its users to the roles of
    /// <see cref="VersionStoreRoles"/> (role claims).
    /// </summary>
    /// <value>[<see cref="VersionStoreApiKeyDefaults.AuthenticationScheme"/>].</value>
    public IList<string> AuthenticationSchemes { get; } = [VersionStoreApiKeyDefaults.AuthenticationScheme];

    /// <summary>Channels only <see cref="VersionStoreRoles.Admin"/> may move (publish or roll back).</summary>
    /// <value>["prod"].</value>
    public IList<string> ProtectedChannels { get; } = ["prod"];

    /// <summary>The channel a rollback acts on when the request names neither a channel nor a branch.</summary>
    /// <value>"prod".</value>
    public string DefaultChannel { get; set; } = "prod";

    /// <summary>Audit actor when the signed-in identity has no name.</summary>
    /// <value>"api".</value>
    public string DefaultActor { get; set; } = "api";

    /// <summary>Most versions or audit entries one list request returns.</summary>
    /// <value>1000.</value>
    public int MaxListLimit { get; set; } = 1000;

    /// <summary>How often the live-update stream (<c>GET …/events</c>) polls the refs of a watched workflow; one poll per workflow, however many clients listen.</summary>
    /// <value>250 ms.</value>
    public TimeSpan LivePollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Verifiers every rollback requested through the API runs after the ref moves (a failure undoes it: HTTP 422).</summary>
    public IReadOnlyList<IRollbackVerifier> RollbackVerifiers { get; set; } = [];

    /// <summary>Options of the release guard created per workflow and channel on first health sample; defaults when null (with the store's clock).</summary>
    public Func<string, string, ReleaseGuardOptions>? GuardOptions { get; set; }

    /// <summary>True when <paramref name="channel"/> is one of <see cref="ProtectedChannels"/>.</summary>
    public bool IsProtected(string channel) => ProtectedChannels.Contains(channel, StringComparer.Ordinal);

    internal bool UsesApiKeys => AuthenticationSchemes.Contains(VersionStoreApiKeyDefaults.AuthenticationScheme, StringComparer.Ordinal);

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (UsesApiKeys && string.IsNullOrEmpty(BearerToken) && Keys.Count == 0)
            errors.Add("no API key is configured (set VSTORE_API_TOKEN, BearerToken or VersionStore:Api:Keys, or name the host's own AuthenticationSchemes)");
        if (AuthenticationSchemes.Count == 0) errors.Add($"{nameof(AuthenticationSchemes)} needs at least one scheme");
        for (var i = 0; i < Keys.Count; i++)
            if (Keys[i].Problem() is { } p) errors.Add($"{nameof(Keys)}[{i}]: {p}");
        foreach (var c in ProtectedChannels)
            if (RefName.ValidateShortName(c) is { } p) errors.Add($"{nameof(ProtectedChannels)}: {p}");
        if (RefName.ValidateShortName(DefaultChannel) is { } d) errors.Add($"{nameof(DefaultChannel)}: {d}");
        if (string.IsNullOrWhiteSpace(DefaultActor)) errors.Add($"{nameof(DefaultActor)} is required");
        if (string.IsNullOrWhiteSpace(BearerTokenName)) errors.Add($"{nameof(BearerTokenName)} is required");
        if (RollbackVerifiers is null) errors.Add($"{nameof(RollbackVerifiers)} is required");
        if (MaxListLimit < 1) errors.Add($"{nameof(MaxListLimit)} must be at least 1");
        if (LivePollInterval <= TimeSpan.Zero) errors.Add($"{nameof(LivePollInterval)} must be positive");
        if (errors.Count > 0) throw new ArgumentException("Invalid VersionStoreApiOptions: " + string.Join("; ", errors) + ".");
    }
}
