using System.Security.Cryptography;
using CsCheck;
using VersionStore.S3.Internal;
using Xunit;

namespace VersionStore.S3.Tests;

/// <summary>The pack hash computed beside the writer, without a server.</summary>
public sealed class PackHasherTests
{
    /// <summary>Feeds <paramref name="data"/> the way a writer does: the finished length grows in steps, the buffer is
    /// sometimes outgrown (copied, the old one retired while a chunk may read it), then the rest is hashed at the end.</summary>
    private static byte[] HashLikeAWriter(PackHasher hasher, byte[] data, int[] steps, int minimum)
    {
        var buffer = new byte[Math.Max(16, data.Length / 3)];
        var length = 0;
        foreach (var step in steps.Append(data.Length))
        {
            var next = Math.Min(data.Length, length + step);
            if (next > buffer.Length)
            {
                var grown = new byte[Math.Max(next, buffer.Length * 2)];
                buffer.AsSpan(0, length).CopyTo(grown);
                hasher.Retire(System.Buffers.ArrayPool<byte>.Shared.Rent(16)); // a pooled buffer goes back once no chunk reads it
                buffer = grown;
            }
            data.AsSpan(length, next - length).CopyTo(buffer.AsSpan(length));
            length = next;
            hasher.Offer(buffer, length, minimum);
        }
        var hash = new byte[32];
        hasher.Finish(buffer, length, hash);
        return hash;
    }

    [Fact]
    public void Chunks_hashed_on_the_pool_or_taken_over_by_the_writer_give_the_sha256_of_the_whole()
    {
        Gen.Select(Gen.Byte.Array[0, 600_000], Gen.Int[1, 90_000].Array[0, 40], Gen.Int[1, 70_000]).Sample((data, steps, minimum) =>
        {
            using var hasher = new PackHasher(); // one per sample: samples run on several threads
            for (var pack = 0; pack < 2; pack++) // and reused for a second pack, as a writer does
            {
                Assert.Equal(SHA256.HashData(data), HashLikeAWriter(hasher, data, steps, minimum));
                Assert.Equal(0, hasher.Hashed);
            }
        }, iter: 150);
    }

    [Fact]
    public void A_reset_halfway_forgets_the_bytes_hashed_so_far()
    {
        using var hasher = new PackHasher();
        var first = new byte[300_000];
        new Random(5).NextBytes(first);
        for (var i = 64 * 1024; i <= first.Length; i += 64 * 1024) hasher.Offer(first, i, 64 * 1024);
        Assert.True(hasher.Hashed > 0);
        hasher.Reset();
        Assert.Equal(0, hasher.Hashed);
        var second = first.AsSpan(0, 200_000).ToArray();
        Assert.Equal(SHA256.HashData(second), HashLikeAWriter(hasher, second, [70_000, 70_000], 64 * 1024));
    }
}
