using System.Security.Cryptography;

namespace VersionStore.Internal;

/// <summary>
/// The one place an object's SHA-256 is taken (its id, <see cref="ObjectId.Compute"/>, and every check of stored bytes
/// against an id): by <see cref="DirectSha256"/> where OpenSSL is there to call directly (no per-call EVP context and
/// interop overhead: ~0.5–1 µs less per node-sized object), otherwise with one hash object per thread reused from call
/// to call (a one-shot hash sets up and frees a native context each time: ~0.25 µs of a ~1.2 µs node hash). The digest
/// is the same either way. Counted by <see cref="HashCounter"/>.
/// </summary>
internal static class ObjectHash
{
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>Writes SHA-256 of <paramref name="data"/> into <paramref name="hash"/> (32 bytes).</summary>
    public static void Compute(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        if (!DirectSha256.TryHash(data, hash))
        {
            var sha = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(data);
            sha.GetHashAndReset(hash);
        }
        if (HashCounter.Active) HashCounter.Increment();
    }

    /// <summary>Writes SHA-256 of <paramref name="first"/> followed by <paramref name="second"/> into <paramref name="hash"/> (32 bytes), without joining them.</summary>
    public static void Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> hash)
    {
        if (!DirectSha256.TryHash(first, second, hash))
        {
            var sha = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(first);
            sha.AppendData(second);
            sha.GetHashAndReset(hash);
        }
        if (HashCounter.Active) HashCounter.Increment();
    }
}
