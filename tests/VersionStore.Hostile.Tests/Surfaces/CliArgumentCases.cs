namespace VersionStore.Hostile.Tests.Surfaces;

/// <summary>
/// Crafted command lines against a store holding r/main (two commits, tag v1): each exits with its expected code and
/// one printable error line (no CLR type names, no stack trace, never "internal error"), within 10 s and 256 MiB.
/// </summary>
public sealed class CliArgumentCases(ITestOutputHelper log) : IDisposable
{
    private readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    private static readonly string Huge = new('m', 1 << 20);

    public static TheoryData<string, string[], int> Cases => new()
    {
        { "unknown option as a revision", ["log", "r", "--bogus"], 2 },
        { "unknown short option", ["show", "r", "-x"], 2 },
        { "option-like repository", ["log", "--r"], 2 },
        { "after --, a dash is a value", ["log", "r", "--", "-main"], 3 },
        { "non-integer count", ["log", "r", "-n", "abc"], 2 },
        { "count beyond int", ["log", "r", "-n", "99999999999999999999"], 2 },
        { "negative count", ["log", "r", "-n", "-1"], 2 },
        { "huge ancestor step", ["show", "r", "main~999999999999"], 3 },
        { "huge parent number", ["show", "r", "main^99999"], 3 },
        { "huge reflog position", ["show", "r", "main@{99999999999999999999}"], 3 },
        { "1 MiB revision", ["show", "r", Huge], 3 },
        { "three-dot garbage range", ["log", "r", "main..main..main"], 3 },
        { "NUL in a revision", ["show", "r", "ma\0in"], 3 },
        { "ESC in a revision", ["show", "r", "\u001b[31mmain"], 3 },
        { "traversal repository", ["log", "../../etc"], 3 },
        { "NUL repository", ["log", "r\0x"], 3 },
        { "empty repository", ["log", ""], 3 },
        { "bad branch name", ["commit", "r", "-b", "a..b", "--from", "f"], 3 },
        { "option value that looks like an option", ["commit", "r", "-b", "-x", "--from", "f"], 3 },
        { "1 MiB commit message", ["commit", "r", "-b", "main", "--from", "f", "-m", Huge], 3 },
        { "actor with a newline", ["tag", "r", "v2", "main", "--actor", "a\nb"], 3 },
        { "actor with ESC", ["branch", "r", "b2", "main", "--actor", "\u001b]0;x\u0007"], 3 },
        { "actor with a bidi override", ["branch", "r", "b3", "main", "--actor", "adm\u202Enim"], 3 },
        { "author with CR", ["commit", "r", "-b", "main", "--from", "f", "--author", "x\ry"], 3 },
        { "empty rollback reason", ["rollback", "r", "--branch", "main", "--to", "v1", "--reason", ""], 3 },
        { "rollback mode garbage", ["rollback", "r", "--branch", "main", "--to", "v1", "--reason", "x", "--mode", "\u001b"], 2 },
        { "missing config file", ["log", "r", "--config", "nope.json"], 3 },
        { "config that is not JSON", ["log", "r", "--config", "garbage.json"], 3 },
        { "config with a wrong type", ["log", "r", "--config", "wrongtype.json"], 3 },
        { "store that is a file", ["log", "r", "--store", "f/a"], 3 },
        { "store that does not exist", ["log", "r", "--store", "/nonexistent/store"], 3 },
        { "--from /dev/zero", ["commit", "r", "-b", "main", "--from", "/dev/zero"], 3 },
        { "--from a link to /dev/zero", ["commit", "r", "-b", "main", "--from", "zero.yml"], 3 },
        { "--from a link to /dev/urandom", ["commit", "r", "-b", "main", "--from", "random.json"], 3 },
        { "checkout to the store", ["checkout", "r", "main", "--to", ".vstore", "--force"], 3 },
        { "workflow file into the store", ["checkout", "r", "main", "--as-workflow", ".vstore/CURRENT", "--force"], 3 },
        { "stale expected head", ["commit", "r", "-b", "main", "--from", "f", "--expected-head", new string('0', 63) + "1"], 4 },
        { "parent that rewinds", ["commit", "r", "-b", "main", "--from", "f", "--parent", "main~1"], 4 },
        { "parent that does not exist", ["commit", "r", "-b", "main", "--from", "f", "--parent", new string('a', 64)], 3 },
        { "merge-base of garbage", ["merge-base", "r", "main", "\u0007"], 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Exits_with_its_code_and_one_printable_line(string name, string[] args, int expected)
    {
        await _cli.InitAsync();
        await _cli.CommitFolderAsync("f", ("a", "2"));
        (await _cli.RunAsync("tag", "r", "v1", "main~1")).Ok();
        File.WriteAllText(_cli.PathOf("garbage.json"), "{{{ not json");
        File.WriteAllText(_cli.PathOf("wrongtype.json"), "{\"dataPath\": \".vstore\", \"memoryCacheBytes\": \"lots\"}");
        File.CreateSymbolicLink(_cli.PathOf("zero.yml"), "/dev/zero");
        File.CreateSymbolicLink(_cli.PathOf("random.json"), "/dev/urandom");
        CliResult result = null!;
        var cost = await Bounded.RunAsync(name, async () => result = await _cli.RunAsync(args));
        var line = result.Error(expected);
        Assert.DoesNotContain("System.", line);
        Assert.DoesNotContain("internal error", line);
        Assert.All(line, c => Assert.False(char.IsControl(c), $"control character U+{(int)c:X4} in: {line}"));
        Assert.True(line.Length < 4096, $"error line of {line.Length} characters");
        (await _cli.RunAsync("verify")).Ok();
        log.WriteLine($"{name}: exit {result.Code}: {line[..Math.Min(line.Length, 160)]} ({cost})");
    }
}
