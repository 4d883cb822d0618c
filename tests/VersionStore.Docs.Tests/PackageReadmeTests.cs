using System.Text.RegularExpressions;
using VersionStore.Conformance;
using Xunit;

namespace VersionStore.Docs.Tests;

/// <summary>A package README is read on nuget.org, outside this repository: it says how to install first and links absolutely.</summary>
public sealed partial class PackageReadmeTests
{
    private const string Repository = "https://github.com/versionstore/VersionStore";

    private static string Root => TestData.RepositoryRoot;

    public static TheoryData<string> Packages()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(Root, "src")).Order(StringComparer.Ordinal))
            if (File.Exists(Path.Combine(dir, "README.md"))) data.Add(Path.GetFileName(dir));
        return data;
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^```(?<lang>\w*)\s*$", RegexOptions.Multiline)]
    private static partial Regex Fence();

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_first_code_block_installs_the_package(string package)
    {
        var text = File.ReadAllText(Path.Combine(Root, "src", package, "README.md"));
        var first = Fence().Match(text);
        Assert.True(first.Success, $"{package}: no code block");
        var end = text.IndexOf("```", first.Index + first.Length, StringComparison.Ordinal);
        var block = text[(first.Index + first.Length)..end];
        var install = package == "VersionStore.Cli" ? $"dotnet tool install --global {package}" : $"dotnet add package {package}";
        Assert.True(block.Contains(install, StringComparison.Ordinal), $"{package}: the first code block does not say `{install}`:\n{block}");
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Every_link_is_absolute_and_into_the_repository_or_the_web(string package)
    {
        var text = File.ReadAllText(Path.Combine(Root, "src", package, "README.md"));
        foreach (Match m in Link().Matches(text))
        {
            var target = m.Groups["target"].Value;
            Assert.True(target.StartsWith("https://", StringComparison.Ordinal) || target.StartsWith('#'), $"{package}: relative link '{target}' is dead on nuget.org");
            if (target.StartsWith(Repository + "/blob/", StringComparison.Ordinal) || target.StartsWith(Repository + "/tree/", StringComparison.Ordinal))
            {
                var path = target.Split("/main/", 2)[1].Split('#')[0];
                Assert.True(File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path)), $"{package}: link to '{path}', which is not in the repository");
            }
        }
        Assert.DoesNotContain("DESIGN.md", text);
    }

    [Theory]
    [InlineData("VersionStore")]
    [InlineData("VersionStore.RocksDb")]
    [InlineData("VersionStore.Redis")]
    [InlineData("VersionStore.S3")]
    public void A_backend_readme_shows_the_dependency_injection_and_the_DI_free_forms(string package)
    {
        var text = File.ReadAllText(Path.Combine(Root, "src", package, "README.md"));
        Assert.Matches(@"[Ss]ervices\.AddVersionStore\(b => b\s*\.Use", text);
        Assert.Contains("new VersionStoreBuilder()", text);
    }
}
