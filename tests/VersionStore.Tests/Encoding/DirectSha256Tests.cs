using System.Runtime.InteropServices;
using System.Security.Cryptography;
using CsCheck;
using VersionStore.Internal;

namespace VersionStore.Tests.Encoding;

/// <summary>The verifier's direct OpenSSL SHA-256 equals .NET's SHA-256 on every input, and is in use wherever OpenSSL 3 loads outside FIPS mode.</summary>
public sealed class DirectSha256Tests
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IsFipsEnabled(nint libraryContext);

    /// <summary>Without OpenSSL 3 (not Linux) the direct hash refuses, and the verifier uses .NET's: nothing else to compare.</summary>
    private static bool NotHere()
    {
        if (DirectSha256.Available) return false;
        Assert.False(DirectSha256.TryHash([], new byte[32]));
        return true;
    }

    [Fact]
    public void Is_available_where_libcrypto_3_loads_outside_fips_mode()
    {
        nint library = 0;
        var loads = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcrypto.so.3", out library);
        var fips = loads && NativeLibrary.TryGetExport(library, "EVP_default_properties_is_fips_enabled", out var f)
            && Marshal.GetDelegateForFunctionPointer<IsFipsEnabled>(f)(0) != 0;
        Assert.Equal(loads && !fips, DirectSha256.Available);
    }

    [Fact]
    public void Equals_dotnet_sha256_on_any_bytes()
    {
        if (NotHere()) return;
        Gen.Byte.Array[0, 5000].Sample(bytes =>
        {
            var direct = new byte[32];
            return DirectSha256.TryHash(bytes, direct) && direct.AsSpan().SequenceEqual(SHA256.HashData(bytes));
        }, iter: 2000, seed: "4ZfRz0kq1X7m");
    }

    [Fact]
    public void Two_parts_hash_as_their_concatenation()
    {
        if (NotHere()) return;
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Byte.Array[0, 5000]).Sample((first, second) =>
        {
            var direct = new byte[32];
            return DirectSha256.TryHash(first, second, direct) && direct.AsSpan().SequenceEqual(SHA256.HashData([.. first, .. second]));
        }, iter: 1000, seed: "0Qd3aL9cWm2T");
    }

    [Fact]
    public void Ids_computed_on_the_write_path_are_dotnet_sha256()
    {
        // ObjectId.Compute and ObjectCodec.HashBlob (both sides of its 1 KiB split) hash directly where they can: the ids
        // must stay SHA-256 of the encoded object, whichever hasher ran.
        Gen.Byte.Array[0, 5000].Sample(bytes =>
        {
            var encoded = ObjectCodec.EncodeBlob(bytes);
            var expected = new ObjectId(SHA256.HashData(encoded));
            return ObjectId.Compute(encoded) == expected && ObjectCodec.HashBlob(bytes) == expected;
        }, iter: 1000, seed: "7hVqP2nX0sLe");
    }

    [Fact]
    public void Real_objects_hash_to_their_ids()
    {
        if (NotHere()) return;
        var hash = new byte[32];
        foreach (var blob in Conformance.TestData.DifyBlobs(500))
        {
            Assert.True(DirectSha256.TryHash(blob.Data.Span, hash));
            Assert.Equal(blob.Id, new ObjectId(hash));
        }
    }
}
