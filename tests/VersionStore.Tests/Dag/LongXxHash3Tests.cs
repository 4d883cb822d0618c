using System.IO.Hashing;
using VersionStore.Graph;

namespace VersionStore.Tests.Dag;

/// <summary>The commit-graph base checksum's own XXH3-64 equals System.IO.Hashing's, bit for bit (the file format must not change).</summary>
public sealed class LongXxHash3Tests
{
    [Theory]
    [InlineData(240)] // still the library's short-input path
    [InlineData(241)]
    [InlineData(1_023)]
    [InlineData(1_024)]
    [InlineData(1_025)]
    [InlineData(1_088)]
    [InlineData(2_048)]
    [InlineData(2_113)]
    [InlineData(100_003)]
    [InlineData(1_048_576)]
    public void Equals_XxHash3_of_the_appended_parts_for_every_split_and_seed(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        foreach (var head in new[] { 0, 1, 8, 63, 64 })
            foreach (var seed in new long[] { 0, 16, -3, long.MaxValue })
            {
                var expected = new XxHash3(seed);
                expected.Append(data);
                Assert.Equal(expected.GetCurrentHashAsUInt64(), LongXxHash3.Hash(data.AsSpan(0, head), data.AsSpan(head), seed));
                if (length <= 240) continue;
                // Both accumulate paths (the precompiled scalar one a ReadyToRun process takes, the vector one a JIT process takes).
                Assert.Equal(expected.GetCurrentHashAsUInt64(), LongXxHash3.HashPrecompiled(data.AsSpan(0, head), data.AsSpan(head), seed));
                Assert.Equal(expected.GetCurrentHashAsUInt64(), LongXxHash3.HashOptimized(data.AsSpan(0, head), data.AsSpan(head), seed));
            }
    }

    [Fact]
    public void A_head_longer_than_a_stripe_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => LongXxHash3.Hash(new byte[65], new byte[1000], 0));
}
