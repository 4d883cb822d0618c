using System.Globalization;
using System.Text;

namespace VersionStore;

/// <summary>
/// Which versions of a repository keep their snapshots. A version outside retention keeps its commit (history, ids
/// and audit stay intact and verifiable); only its snapshot (trees and blobs no retained version shares) may be pruned
/// by garbage collection. Whatever the policy, these are always kept: every ref head (branches, tags, channels and their
/// companions — last-known-good, canary, guard log), every pin, and every version any channel ref ever pointed to
/// (the audit log is never truncated, so "what was live when" stays checkable).
/// </summary>
/// <param name="KeepLast">Keep the newest N versions of each branch, following first parents; null: no count limit.</param>
/// <param name="KeepDays">Keep every version younger than D days (commit timestamp); null: no age limit.</param>
/// <remarks>With both null (the default) every version is kept. With one or both set, a version is kept when any rule keeps it.</remarks>
public sealed record RetentionPolicy(int? KeepLast = null, int? KeepDays = null)
{
    /// <summary>The default: every version keeps its snapshot.</summary>
    public static RetentionPolicy KeepEverything { get; } = new();

    /// <summary>True when no rule limits retention.</summary>
    public bool KeepsEverything => KeepLast is null && KeepDays is null;

    /// <summary>Throws <see cref="InvalidRequestException"/> when a rule is out of range.</summary>
    public void Validate()
    {
        if (KeepLast is < 1 or > 1_000_000) throw new InvalidRequestException("--keep-last must be between 1 and 1,000,000 versions.");
        if (KeepDays is < 0 or > 36_500) throw new InvalidRequestException("--keep-days must be between 0 and 36,500 days.");
    }

    /// <inheritdoc />
    public override string ToString()
        => KeepsEverything ? "keep every version"
            : string.Join(", ", new[] { KeepLast is { } n ? $"keep the last {n} versions of each branch" : null, KeepDays is { } d ? $"keep versions younger than {d} days" : null }.Where(s => s is not null));

    internal byte[] Encode()
        => Encoding.UTF8.GetBytes($"keep-last={KeepLast?.ToString(CultureInfo.InvariantCulture) ?? ""}\nkeep-days={KeepDays?.ToString(CultureInfo.InvariantCulture) ?? ""}\n");

    internal static RetentionPolicy Decode(ReadOnlySpan<byte> bytes)
    {
        int? last = null, days = null;
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (line.Split('=', 2)[0], line.Contains('=') ? line.Split('=', 2)[1] : "");
            int? parsed = value.Length == 0 ? null
                : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
                : throw new CorruptObjectException(null, $"stored retention policy has a bad value '{InvalidNameException.Sanitize(line)}'");
            if (key == "keep-last") last = parsed;
            else if (key == "keep-days") days = parsed;
        }
        return new RetentionPolicy(last, days);
    }
}

/// <summary>A pin: an explicit hold on a version, so retention and garbage collection keep its snapshot.</summary>
/// <param name="Name">The pin ref (<c>refs/pins/&lt;commit id&gt;</c>).</param>
/// <param name="Target">The pinned commit.</param>
/// <param name="Actor">Who pinned it.</param>
/// <param name="Reason">Why.</param>
/// <param name="Time">When.</param>
public sealed record PinInfo(RefName Name, ObjectId Target, string Actor, string? Reason, DateTimeOffset Time);
