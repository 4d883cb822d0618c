namespace VersionStore.Tests.Encoding;

public sealed class ObjectIdTests
{
    private static readonly ObjectId Sample = ObjectId.Compute("abc"u8);

    [Fact]
    public void Compute_is_sha256_of_the_bytes()
        => Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sample.ToString());

    [Fact]
    public void Parse_and_format_round_trip_in_either_case()
    {
        Assert.Equal(Sample, ObjectId.Parse(Sample.ToString()));
        Assert.Equal(Sample, ObjectId.Parse(Sample.ToString().ToUpperInvariant()));
        Assert.Equal(Sample, new ObjectId(Sample.ToByteArray()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ba7816bf")]
    [InlineData("zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad00")]
    public void Parse_rejects_anything_but_64_hex_digits(string text)
    {
        Assert.False(ObjectId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => ObjectId.Parse(text));
    }

    [Fact]
    public void Prefixes_abbreviations_and_ordering()
    {
        Assert.True(Sample.StartsWith("ba78"));
        Assert.True(Sample.StartsWith("BA78"));
        Assert.False(Sample.StartsWith("ba79"));
        Assert.Equal("ba7816bf8f01", Sample.ToString(12));
        Assert.True(ObjectId.IsHexPrefix("ba7816"));
        Assert.False(ObjectId.IsHexPrefix("main"));
        Assert.True(ObjectId.Zero.IsZero);
        Assert.True(ObjectId.Zero < Sample);
        Assert.Equal(string.CompareOrdinal(Sample.ToString(), ObjectId.Compute("abd"u8).ToString()) < 0, Sample < ObjectId.Compute("abd"u8));
    }

    [Fact]
    public void Compute_and_format_do_not_allocate_per_object()
    {
        Span<char> hex = stackalloc char[64];
        var data = new byte[64];
        var node = new byte[3000]; // above the stack buffer: hashed incrementally
        _ = ObjectId.Compute(data);
        _ = ObjectCodec.HashBlob(node);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            var id = ObjectId.Compute(data);
            id.TryFormat(hex, out _, default, null);
            _ = ObjectCodec.HashBlob(data);
            _ = ObjectCodec.HashBlob(node);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
