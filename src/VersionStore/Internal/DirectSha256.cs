using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace VersionStore.Internal;

/// <summary>
/// SHA-256 straight from OpenSSL's digest functions (<c>SHA256_Init/Update/Final</c> of <c>libcrypto.so.3</c>, the
/// library .NET's own cryptography uses on Linux), for verifying many small objects in a row: .NET's hashing goes
/// through OpenSSL's EVP layer and its interop shim, which clears OpenSSL's error queue and sets up or resets a digest
/// context around every call — ~0.5–1 µs per object, more than hashing a node-sized object takes. Here a context lives
/// on the stack and the calls go to the same SHA-NI/AVX2 code directly.
/// </summary>
/// <remarks>
/// Only where the library loads, exports the three functions and passes a known-answer check against
/// <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> at first use; everywhere else (Windows, macOS, another
/// OpenSSL) <see cref="Available"/> is false and callers use .NET's hashing. The digest is the same either way. Off
/// as well when OpenSSL runs in FIPS mode (<c>EVP_default_properties_is_fips_enabled</c>): the low-level functions are
/// not the FIPS provider's, so a FIPS deployment keeps every hash on the provider .NET uses.
/// </remarks>
internal static unsafe class DirectSha256
{
    /// <summary>Bytes reserved for OpenSSL's <c>SHA256_CTX</c> (112 bytes in OpenSSL 1.1 and 3.x).</summary>
    private const int ContextBytes = 256;

    private static readonly delegate* unmanaged<byte*, int> s_init;
    private static readonly delegate* unmanaged<byte*, byte*, nuint, int> s_update;
    private static readonly delegate* unmanaged<byte*, byte*, int> s_final;

    /// <summary>True when <see cref="TryHash(ReadOnlySpan{byte}, Span{byte})"/> hashes with OpenSSL directly.</summary>
    public static bool Available { get; }

    static DirectSha256()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libcrypto.so.3", out var library)) return;
        if (!NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
            || !NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
            || !NativeLibrary.TryGetExport(library, "SHA256_Final", out var final)
            || !NativeLibrary.TryGetExport(library, "EVP_default_properties_is_fips_enabled", out var fips)) return;
        if (((delegate* unmanaged<nint, int>)fips)(0) != 0) return;
        s_init = (delegate* unmanaged<byte*, int>)init;
        s_update = (delegate* unmanaged<byte*, byte*, nuint, int>)update;
        s_final = (delegate* unmanaged<byte*, byte*, int>)final;
        Available = KnownAnswersMatch();
    }

    /// <summary>Writes SHA-256 of <paramref name="data"/> into <paramref name="hash"/> (32 bytes); false when unavailable or OpenSSL failed.</summary>
    public static bool TryHash(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        if (!Available || hash.Length < ObjectId.Size) return false;
        return Hash(data, hash);
    }

    /// <summary>Writes SHA-256 of <paramref name="first"/> followed by <paramref name="second"/> into <paramref name="hash"/>
    /// (32 bytes) without joining them; false when unavailable or OpenSSL failed.</summary>
    public static bool TryHash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> hash)
    {
        if (!Available || hash.Length < ObjectId.Size) return false;
        var context = stackalloc byte[ContextBytes];
        fixed (byte* a = first)
        fixed (byte* b = second)
        fixed (byte* h = hash)
            return s_init(context) == 1 && s_update(context, a, (nuint)first.Length) == 1
                && s_update(context, b, (nuint)second.Length) == 1 && s_final(h, context) == 1;
    }

    private static bool Hash(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        var context = stackalloc byte[ContextBytes];
        fixed (byte* d = data)
        fixed (byte* h = hash)
            return s_init(context) == 1 && s_update(context, d, (nuint)data.Length) == 1 && s_final(h, context) == 1;
    }

    /// <summary>The direct digest equals .NET's on empty input, one block, a block boundary and a multi-block input.</summary>
    private static bool KnownAnswersMatch()
    {
        Span<byte> expected = stackalloc byte[ObjectId.Size];
        Span<byte> actual = stackalloc byte[ObjectId.Size];
        var input = new byte[1000];
        for (var i = 0; i < input.Length; i++) input[i] = (byte)(i * 31 + 7);
        foreach (var length in (ReadOnlySpan<int>)[0, 3, 55, 56, 64, 1000])
        {
            SHA256.HashData(input.AsSpan(0, length), expected);
            if (!Hash(input.AsSpan(0, length), actual) || !actual.SequenceEqual(expected)) return false;
        }
        return true;
    }
}
