using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VersionStore.Releases;

/// <summary>
/// The signature of a webhook (docs/WEBHOOKS.md): <c>X-VersionStore-Timestamp: &lt;unix seconds&gt;</c> and
/// <c>X-VersionStore-Signature: v1=&lt;hex HMAC-SHA256(secret, timestamp + "." + body)&gt;</c>. A receiver recomputes it
/// over the raw body, compares in constant time, and rejects timestamps outside its tolerance (replays).
/// </summary>
public static class WebhookSignature
{
    /// <summary>Header carrying the timestamp.</summary>
    public const string TimestampHeader = "X-VersionStore-Timestamp";

    /// <summary>Header carrying the signature.</summary>
    public const string SignatureHeader = "X-VersionStore-Signature";

    /// <summary>The signature header value of <paramref name="body"/> sent at <paramref name="unixSeconds"/>.</summary>
    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var prefix = Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>True when <paramref name="signature"/> is the signature of <paramref name="body"/> at <paramref name="timestamp"/> and the timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string? timestamp, ReadOnlySpan<byte> body, string? signature, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || signature is null) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}
