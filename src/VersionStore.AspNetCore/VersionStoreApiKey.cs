using System.Security.Cryptography;
using System.Text;

namespace VersionStore.AspNetCore;

/// <summary>One API key of the built-in scheme: who presents it and with which role.</summary>
public sealed class VersionStoreApiKey
{
    /// <summary>The identity of the key's holder, recorded as the audit actor (e.g. <c>ana</c>, <c>ci-deploy</c>).</summary>
    public string? Name { get; set; }

    /// <summary>The key itself. Prefer <see cref="KeyHash"/> in configuration files.</summary>
    public string? Key { get; set; }

    /// <summary>SHA-256 of the UTF-8 key as 64 hex digits, optionally prefixed <c>sha256:</c> (<c>printf %s KEY | sha256sum</c>).</summary>
    public string? KeyHash { get; set; }

    /// <summary>The role: <see cref="VersionStoreRoles.Viewer"/>, <see cref="VersionStoreRoles.Publisher"/> or <see cref="VersionStoreRoles.Admin"/>.</summary>
    public string? Role { get; set; }

    /// <summary>The SHA-256 of the key (from <see cref="Key"/> or <see cref="KeyHash"/>); null when neither is valid.</summary>
    internal byte[]? Hash()
    {
        if (!string.IsNullOrEmpty(Key)) return SHA256.HashData(Encoding.UTF8.GetBytes(Key));
        if (string.IsNullOrEmpty(KeyHash)) return null;
        var hex = KeyHash.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? KeyHash[7..] : KeyHash;
        if (hex.Length != 64) return null;
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Name)) return "Name is required";
        if (!string.IsNullOrEmpty(Key) && !string.IsNullOrEmpty(KeyHash)) return $"key '{Name}' has both Key and KeyHash";
        if (Hash() is null) return $"key '{Name}' needs a Key or a KeyHash of 64 hex digits (SHA-256)";
        if (!VersionStoreRoles.All.Contains(Role ?? "", StringComparer.Ordinal)) return $"key '{Name}' has role '{Role}' (viewer, publisher or admin)";
        return null;
    }
}

/// <summary>The roles the API's policies know.</summary>
public static class VersionStoreRoles
{
    /// <summary>Reads workflows, versions, diffs, channels and audit.</summary>
    public const string Viewer = "viewer";

    /// <summary>A viewer who also publishes and rolls back (not protected channels).</summary>
    public const string Publisher = "publisher";

    /// <summary>A publisher who also moves protected channels.</summary>
    public const string Admin = "admin";

    /// <summary>Every role, least to most.</summary>
    public static IReadOnlyList<string> All { get; } = [Viewer, Publisher, Admin];
}

/// <summary>The authorization policies the API's endpoints require (a host may redefine them after <c>AddVersionStoreApi</c>).</summary>
public static class VersionStorePolicies
{
    /// <summary>Read endpoints: any of the three roles.</summary>
    public const string Read = "VersionStore.Read";

    /// <summary>Publish, roll back, health samples: publisher or admin.</summary>
    public const string Publish = "VersionStore.Publish";

    /// <summary>Moving a protected channel: admin.</summary>
    public const string MoveProtectedChannel = "VersionStore.MoveProtectedChannel";
}

/// <summary>Names of the built-in API-key scheme.</summary>
public static class VersionStoreApiKeyDefaults
{
    /// <summary>The scheme name.</summary>
    public const string AuthenticationScheme = "VersionStoreApiKey";
}
