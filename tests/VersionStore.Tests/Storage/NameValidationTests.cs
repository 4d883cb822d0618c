namespace VersionStore.Tests.Storage;

public sealed class NameValidationTests
{
    [Theory]
    [InlineData("main")]
    [InlineData("release/v1.4.0")]
    [InlineData("team-a/gray_2")]
    [InlineData("発行")]
    public void Valid_ref_names_are_accepted(string name) => Assert.Equal("refs/heads/" + name, RefName.Branch(name).FullName);

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a..b")]
    [InlineData("/main")]
    [InlineData("main/")]
    [InlineData("a//b")]
    [InlineData("ma\u0000in")]
    [InlineData("ma\nin")]
    [InlineData("ma in")]
    [InlineData("a~1")]
    [InlineData("a^")]
    [InlineData("a:b")]
    [InlineData("a?")]
    [InlineData("a*")]
    [InlineData("a[")]
    [InlineData("a\\b")]
    [InlineData(".hidden")]
    [InlineData("x/.hidden")]
    [InlineData("x.lock")]
    [InlineData("x.")]
    [InlineData("a@{1}")]
    [InlineData("@")]
    [InlineData("-rf")]
    public void Invalid_ref_names_are_rejected_with_the_reason(string name)
    {
        var e = Assert.Throws<InvalidNameException>(() => RefName.Branch(name));
        Assert.Contains("Invalid branch name", e.Message);
        Assert.Equal(name, e.Name);
    }

    [Fact]
    public void Ref_names_over_255_bytes_are_rejected()
    {
        Assert.Throws<InvalidNameException>(() => RefName.Tag(new string('t', 250)));
        Assert.Throws<InvalidNameException>(() => RefName.Tag(new string('ノ', 90))); // 270 UTF-8 bytes
    }

    [Theory]
    [InlineData("refs/heads/main", RefKind.Branch, "main")]
    [InlineData("refs/tags/v1.4.0", RefKind.Tag, "v1.4.0")]
    [InlineData("refs/channels/prod", RefKind.Channel, "prod")]
    public void Full_names_parse(string full, RefKind kind, string shortName)
    {
        var name = RefName.Parse(full);
        Assert.Equal(kind, name.Kind);
        Assert.Equal(shortName, name.ShortName);
    }

    [Theory]
    [InlineData("refs/remotes/x")]
    [InlineData("heads/main")]
    [InlineData("refs/heads/")]
    [InlineData("refs/heads/a..b")]
    public void Bad_full_names_do_not_parse(string full) => Assert.Throws<InvalidNameException>(() => RefName.Parse(full));

    [Theory]
    [InlineData("support-bot")]
    [InlineData("wf_123.v2")]
    public void Valid_repository_names(string name) => Assert.Equal(name, new RepositoryName(name).Value);

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a..b")]
    [InlineData("a/b")]
    [InlineData("{vs:other}")]
    [InlineData("-x")]
    [InlineData("a b")]
    [InlineData("ワーク")]
    public void Invalid_repository_names(string name) => Assert.Throws<InvalidNameException>(() => new RepositoryName(name));

    [Fact]
    public void Repository_names_over_128_characters_are_rejected()
        => Assert.Throws<InvalidNameException>(() => new RepositoryName(new string('r', 129)));
}
