using VersionStore.Conformance;
using Xunit;
using Xunit.Abstractions;

namespace VersionStore.Docs.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md and src/*/README.md compiles, warning-free, as a console program against the
/// packages; the ones that need no server run, in a fresh folder. A fragment names a prelude in a marker on the line
/// before its fence (<c>&lt;!-- snippet: run; prelude: repo --&gt;</c>); a block that needs servers or runs forever says
/// <c>snippet: compile</c>. So a README cannot lie.
/// </summary>
public sealed class ReadmeSnippetTests(ITestOutputHelper output)
{
    private static string Root => TestData.RepositoryRoot;

    /// <summary>Every snippet, as (file, line).</summary>
    public static TheoryData<string, int> All()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in Snippets.Readmes(Root))
            foreach (var s in Snippets.Extract(Root, file))
                data.Add(s.File, s.Line);
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task The_snippet_compiles_and_runs_as_its_marker_says(string file, int line)
    {
        var snippet = Snippets.Extract(Root, file).Single(s => s.Line == line);
        if (snippet.Servers)
        {
            Assert.True(snippet.Code.Contains(Snippet.S3Example, StringComparison.Ordinal) || snippet.Code.Contains(Snippet.RedisExample, StringComparison.Ordinal),
                $"{snippet}: 'servers' but it names neither {Snippet.S3Example} nor {Snippet.RedisExample}");
            snippet = snippet with
            {
                Code = snippet.Code.Replace(Snippet.S3Example, ServerEnvironment.S3Endpoint.ToString().TrimEnd('/'), StringComparison.Ordinal)
                    .Replace(Snippet.RedisExample, ServerEnvironment.RedisEndpoint, StringComparison.Ordinal),
            };
        }
        if (snippet.Mode == SnippetMode.None)
        {
            output.WriteLine($"not a program: {snippet.Reason}");
            return;
        }
        var assembly = SnippetCompiler.Compile(snippet);
        if (snippet.Mode == SnippetMode.Compile) return;

        using var folder = new TempDirectory("snippet");
        foreach (var f in snippet.Files)
            File.Copy(Path.Combine(Root, f), Path.Combine(folder.Path, Path.GetFileName(f)));
        var printed = await SnippetCompiler.RunAsync(assembly, folder.Path, TimeSpan.FromSeconds(60));
        output.WriteLine(printed);
    }

    [Fact]
    public void Every_readme_has_snippets_and_every_marker_is_well_formed()
    {
        var counts = Snippets.Readmes(Root).ToDictionary(f => f, f => Snippets.Extract(Root, f).ToList());
        Assert.Contains("README.md", counts.Keys);
        Assert.True(counts.Count >= 10, string.Join(", ", counts.Keys));
        foreach (var (file, snippets) in counts)
        {
            output.WriteLine($"{file}: {snippets.Count} snippets ({string.Join(", ", snippets.GroupBy(s => s.Mode).Select(g => $"{g.Count()} {g.Key}"))})");
            if (file != Path.Combine("src", "VersionStore.Cli", "README.md")) Assert.NotEmpty(snippets); // the CLI's README is shell only
        }
        // A snippet that builds a fail-static read must not be compile-only by accident: most of them run.
        var all = counts.Values.SelectMany(s => s).ToList();
        Assert.True(all.Count(s => s.Mode == SnippetMode.Run) * 2 >= all.Count, $"{all.Count(s => s.Mode == SnippetMode.Run)} of {all.Count} snippets run");
    }

    [Fact]
    public void A_broken_snippet_is_reported_with_its_file_and_line()
    {
        var broken = new Snippet("README.md", 10, "var x = NoSuchType.Create();", SnippetMode.Run, null, [], null);
        var e = Assert.Throws<SnippetException>(() => SnippetCompiler.Compile(broken));
        Assert.Contains("README.md(11", e.Message);
        Assert.Contains("NoSuchType", e.Message);
        var warning = new Snippet("README.md", 1, "string s = null;\nConsole.WriteLine(s);", SnippetMode.Run, null, [], null);
        Assert.Contains("CS8600", Assert.Throws<SnippetException>(() => SnippetCompiler.Compile(warning)).Message);
    }

    [Fact]
    public async Task A_snippet_that_throws_fails_its_test()
    {
        var throwing = new Snippet("README.md", 1, "throw new InvalidOperationException(\"nope\");", SnippetMode.Run, null, [], null);
        using var folder = new TempDirectory("snippet");
        var e = await Assert.ThrowsAsync<SnippetException>(() => SnippetCompiler.RunAsync(SnippetCompiler.Compile(throwing), folder.Path, TimeSpan.FromSeconds(30)));
        Assert.Contains("nope", e.Message);
    }
}
