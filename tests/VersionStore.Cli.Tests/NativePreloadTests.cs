using System.Diagnostics;

namespace VersionStore.Cli.Tests;

/// <summary>
/// The executable's native preload (<see cref="NativePreload"/>): started for commands that open a store, never for
/// help, version or completion scripts, and a store command run through the real <c>Program.Main</c> (a child process of
/// <c>vstore.dll</c>, the preload thread racing the command's own open and hashing) still answers right.
/// </summary>
public sealed class NativePreloadTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData(new[] { "log", "r", "main" }, true)]
    [InlineData(new[] { "rollback", "r", "--branch", "main", "--to", "main~1", "--reason", "bad release" }, true)]
    [InlineData(new[] { "--store", "/x", "repos" }, true)]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--version" }, false)]
    [InlineData(new[] { "--help" }, false)]
    [InlineData(new[] { "log", "-h" }, false)]
    [InlineData(new[] { "completion", "bash" }, false)]
    public void Starts_only_for_commands_that_open_a_store(string[] args, bool wanted)
        => Assert.Equal(wanted, NativePreload.Wanted(args));

    [Fact]
    public async Task A_store_command_through_the_executable_answers_with_the_preload_racing_it()
    {
        await _cli.InitAsync();
        var first = await _cli.CommitAsync("r", "main", _cli.WriteFolder("a", ("workflow.yml", "v1")));
        var second = await _cli.CommitAsync("r", "main", _cli.WriteFolder("b", ("workflow.yml", "v2")));
        for (var i = 0; i < 3; i++)
        {
            var (code, stdout, stderr) = await RunProcessAsync("log", "r", "main", "--oneline");
            Assert.True(code == 0, stderr);
            var ids = ShortIds(stdout);
            Assert.Equal(2, ids.Length);
            Assert.StartsWith(ids[0], second, StringComparison.Ordinal);
            Assert.StartsWith(ids[1], first, StringComparison.Ordinal);
        }
        var (rc, _, err) = await RunProcessAsync("rollback", "r", "--branch", "main", "--to", first, "--reason", "bad release", "--mode", "reset");
        Assert.True(rc == 0, err);
        var (_, head, _) = await RunProcessAsync("log", "r", "main", "-n", "1", "--oneline");
        var id = Assert.Single(ShortIds(head));
        Assert.StartsWith(id, first, StringComparison.Ordinal);
    }

    /// <summary>The first word of each <c>--oneline</c> line: a commit's short id.</summary>
    private static string[] ShortIds(string oneline)
        => [.. oneline.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(' ')[0])];

    private async Task<(int Code, string Stdout, string Stderr)> RunProcessAsync(params string[] args)
    {
        using var process = Process.Start(_cli.ExecutableStartInfo(args))!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
