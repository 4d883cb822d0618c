using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace VersionStore.Releases;

/// <summary>
/// The complete state of a release channel: its stable version and, during a gray release, a canary version served to
/// <see cref="CanaryBasisPoints"/>/10,000 of the callers' keys. It is carried by one ref change: the channel ref
/// targets the stable version, and the audit entry of that change names the canary in its details
/// (<c>Canary</c>, <c>Canary-Percent</c> in basis points, <c>Rollout</c>; docs/FORMAT.md "Channel state"). An entry without
/// them means "no canary" — so a rollback or a plain publish retires a canary by construction, and stable, canary and
/// percentage always move together in one audited compare-and-swap.
/// </summary>
/// <remarks>
/// Gray keys: <c>bucket = XxHash3_64(UTF-8(key), seed = rollout id) mod 10,000</c>; a key gets the canary when
/// <c>bucket &lt; CanaryBasisPoints</c>. The rollout id is fixed when a canary starts and kept while its percentage
/// changes, so resolution is deterministic, uniform, and sticky while the percentage only grows.
/// </remarks>
public sealed record ChannelState
{
    /// <summary>Audit detail naming the canary version (full id).</summary>
    public const string CanaryDetail = "Canary";

    /// <summary>Audit detail holding the canary's share in basis points (1–9999: 1000 = 10 %).</summary>
    public const string CanaryPercentDetail = "Canary-Percent";

    /// <summary>Audit detail holding the rollout id (16 lower-case hex digits) that seeds the gray hash.</summary>
    public const string RolloutDetail = "Rollout";

    /// <summary>Basis points of 100 %.</summary>
    public const int FullBasisPoints = 10_000;

    /// <summary>The version every key not in the canary's share runs (null: nothing published).</summary>
    public ObjectId? Stable { get; init; }

    /// <summary>The canary version, when a gray release is under way.</summary>
    public ObjectId? Canary { get; init; }

    /// <summary>The canary's share of keys in basis points (0 without a canary).</summary>
    public int CanaryBasisPoints { get; init; }

    /// <summary>The canary's share in percent.</summary>
    public double CanaryPercent => CanaryBasisPoints / 100.0;

    /// <summary>Seed of the gray hash for this rollout (0 without a canary).</summary>
    public ulong RolloutId { get; init; }

    /// <summary>The channel ref's audit sequence this state was read at (0: the channel does not exist).</summary>
    public long Sequence { get; init; }

    /// <summary>When this state was set (its audit entry's time), when known.</summary>
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>The channel does not exist (yet).</summary>
    public static ChannelState None { get; } = new();

    /// <summary>The state that a channel ref at <paramref name="target"/> with newest audit entry <paramref name="entry"/> holds.</summary>
    /// <exception cref="CorruptObjectException">The entry's canary details are malformed.</exception>
    public static ChannelState From(ObjectId? target, long sequence, AuditEntry? entry)
    {
        if (target is null) return None with { Sequence = sequence, ChangedAt = entry?.Time };
        string? canary = null, percent = null, rollout = null;
        if (entry is not null)
            foreach (var d in entry.Details)
            {
                if (d.Key == CanaryDetail) canary = d.Value;
                else if (d.Key == CanaryPercentDetail) percent = d.Value;
                else if (d.Key == RolloutDetail) rollout = d.Value;
            }
        if (canary is null) return new ChannelState { Stable = target, Sequence = sequence, ChangedAt = entry?.Time };
        if (!ObjectId.TryParse(canary, out var canaryId) || canary.Length != ObjectId.HexLength
            || !int.TryParse(percent, NumberStyles.None, CultureInfo.InvariantCulture, out var bp) || bp is < 1 or >= FullBasisPoints
            || rollout is not { Length: 16 } || !ulong.TryParse(rollout, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var rid))
            throw new CorruptObjectException(null, $"audit entry {entry!.Ref.ShortName}@{{{entry.Sequence}}} has malformed canary details");
        return new ChannelState { Stable = target, Canary = canaryId, CanaryBasisPoints = bp, RolloutId = rid, Sequence = sequence, ChangedAt = entry!.Time };
    }

    /// <summary>The audit details that record this state's canary (empty without one).</summary>
    public IReadOnlyList<Trailer> ToDetails() => Canary is not { } c ? [] :
    [
        new(CanaryDetail, c.ToString()),
        new(CanaryPercentDetail, CanaryBasisPoints.ToString(CultureInfo.InvariantCulture)),
        new(RolloutDetail, RolloutId.ToString("x16", CultureInfo.InvariantCulture)),
    ];

    /// <summary>
    /// The version a caller with <paramref name="key"/> (user, tenant, session id) runs: the canary when the key's bucket
    /// falls in its share, else the stable version. No allocation for keys up to 256 UTF-8 bytes.
    /// </summary>
    public ObjectId? Resolve(ReadOnlySpan<char> key)
    {
        if (Canary is not { } canary) return Stable;
        return Bucket(RolloutId, key) < CanaryBasisPoints ? canary : Stable;
    }

    /// <summary>True when <paramref name="key"/> gets the canary.</summary>
    public bool IsCanary(ReadOnlySpan<char> key) => Canary is not null && Bucket(RolloutId, key) < CanaryBasisPoints;

    /// <summary>The gray bucket of <paramref name="key"/> for rollout <paramref name="rolloutId"/>, in [0, 10000).</summary>
    public static int Bucket(ulong rolloutId, ReadOnlySpan<char> key)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        var buffer = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(key, buffer);
            return (int)(XxHash3.HashToUInt64(buffer[..n], unchecked((long)rolloutId)) % FullBasisPoints);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The rollout id of a canary of <paramref name="channel"/> started at audit sequence <paramref name="sequence"/>: SHA-256("rollout\n" + channel + "\n" + canary + "\n" + sequence), first 8 bytes little-endian.</summary>
    public static ulong NewRolloutId(string channel, ObjectId canary, long sequence)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"rollout\n{channel}\n{canary}\n{sequence.ToString(CultureInfo.InvariantCulture)}"));
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }

    /// <summary>Basis points of a percentage with at most two decimals in [0, 100].</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range, not a number, or finer than 0.01.</exception>
    public static int ToBasisPoints(double percent)
    {
        if (double.IsNaN(percent) || percent is < 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentage is between 0 and 100.");
        var bp = Math.Round(percent * 100);
        if (Math.Abs(bp - percent * 100) > 1e-6)
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentage has at most two decimals (0.01 % steps).");
        return (int)bp;
    }
}
