using Xunit;

namespace VersionStore.S3.Tests;

/// <summary>Option validation, without a server.</summary>
public sealed class S3PackStoreOptionsTests
{
    [Fact]
    public void Validate_reports_every_error_together()
    {
        var options = new S3PackStoreOptions
        {
            BucketName = "No_Such",
            Prefix = "a/../b",
            ServiceUrl = "ftp://x",
            AccessKey = "only-one",
            PackSizeTarget = 10,
            Timeout = TimeSpan.Zero,
            MaxConcurrentRequests = 0,
        };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        foreach (var name in new[] { "BucketName", "Prefix", "ServiceUrl", "SecretKey", "PackSizeTarget", "Timeout", "MaxConcurrentRequests" })
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("vstore", true)]
    [InlineData("vstore/prod-1/objects_2", true)]
    [InlineData("vstore/", true)]
    [InlineData("/vstore", false)]
    [InlineData("a//b", false)]
    [InlineData("a/./b", false)]
    [InlineData("..", false)]
    [InlineData("a b", false)]
    [InlineData("a/é", false)]
    [InlineData("/", false)]
    public void Prefix_must_be_validated_segments(string prefix, bool valid)
    {
        var options = new S3PackStoreOptions { BucketName = "bucket", Prefix = prefix };
        if (valid) options.Validate();
        else Assert.Contains("Prefix", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_with_a_bucket_are_valid()
    {
        new S3PackStoreOptions { BucketName = "vstore-cold" }.Validate();
    }
}
