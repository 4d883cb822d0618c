using System.Text.Json;
using VersionStore.Cli;
using VersionStore.Conformance;

namespace VersionStore.Cli.Tests;

/// <summary>The result of one in-process <c>vstore</c> run.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Asserts success with nothing on stderr, and returns stdout.</summary>
    public string Ok()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}; stderr: {Stderr}; stdout: {Stdout}");
        Assert.Equal("", Stderr);
        return Stdout;
    }

    /// <summary>Asserts a failure with <paramref name="exitCode"/> and exactly one <c>vstore: error:</c> line on stderr (no stack trace).</summary>
    public string Fails(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"expected exit {exitCode}, got {ExitCode}; stderr: {Stderr}; stdout: {Stdout}");
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("vstore: error: ", lines[0]);
        Assert.DoesNotContain("   at ", Stderr);
        return lines[0];
    }

    /// <summary>Stdout parsed as one JSON document.</summary>
    public JsonElement Json()
    {
        Ok();
        using var doc = JsonDocument.Parse(Stdout);
        return doc.RootElement.Clone();
    }

    /// <summary>The non-empty stdout lines.</summary>
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// Runs <c>vstore</c> in-process against a store in a fresh temp folder. The temp folder is the current directory
/// of every run, so the default store (<c>./.vstore</c>) lands there; environment variables are private to the harness.
/// </summary>
public sealed class CliHarness : IDisposable
{
    private readonly TempDirectory _dir = new("cli");

    /// <summary>Environment variables seen by the CLI.</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal) { ["VSTORE_AUTHOR"] = "test-author", ["VSTORE_ACTOR"] = "test-actor" };

    /// <summary>Pretend stderr is an interactive terminal (progress bars), as <see cref="CliEnvironment.ErrorIsTerminal"/>.</summary>
    public bool ErrorIsTerminal { get; set; }

    /// <summary>Called with each store a command opens (through the CLI's one store-opening path).</summary>
    public Action<VersionStoreHost>? StoreOpened { get; set; }

    /// <summary>The temp folder (the CLI's current directory).</summary>
    public string Root => _dir.Path;

    /// <summary>The default store folder (<c>./.vstore</c> under <see cref="Root"/>).</summary>
    public string DefaultStore => Path.Combine(Root, ".vstore");

    /// <summary>
    /// A child process of the real executable (<c>vstore.dll</c> through <c>Program.Main</c>, on the same <c>dotnet</c>
    /// host as the tests), in <see cref="Root"/> with <see cref="DefaultStore"/> as <c>VSTORE_PATH</c>; add variables to
    /// its <see cref="ProcessStartInfo.Environment"/> before starting it.
    /// </summary>
    public System.Diagnostics.ProcessStartInfo ExecutableStartInfo(IEnumerable<string> args)
    {
        var host = Environment.ProcessPath is { } path && System.IO.Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new System.Diagnostics.ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        info.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "vstore.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["VSTORE_PATH"] = DefaultStore;
        return info;
    }

    /// <summary>A path under <see cref="Root"/>.</summary>
    public string PathOf(params string[] parts) => _dir.Combine(parts);

    /// <summary>Runs one command line.</summary>
    public async Task<CliRun> RunAsync(params string[] args) => await RunAsync(args, CancellationToken.None);

    /// <summary>Runs one command line with a cancellation token.</summary>
    public async Task<CliRun> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            GetVariable = name => Variables.TryGetValue(name, out var v) ? v : null,
            CurrentDirectory = Root,
            UserName = "os-user",
            StoreOpened = StoreOpened,
            ErrorIsTerminal = ErrorIsTerminal,
        };
        var code = await CliApp.RunAsync(args, stdout, stderr, environment, cancellationToken);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Creates the default store.</summary>
    public async Task InitAsync() => (await RunAsync("init")).Ok();

    /// <summary>Commits <paramref name="from"/> and returns the new id.</summary>
    public async Task<string> CommitAsync(string repo, string branch, string from, params string[] extra)
    {
        var id = (await RunAsync(["commit", repo, "--branch", branch, "--from", from, .. extra])).Ok().Trim();
        Assert.Equal(64, id.Length);
        return id;
    }

    /// <summary>Writes files (relative path → text) into a new folder under <see cref="Root"/> and returns its path.</summary>
    public string WriteFolder(string name, params (string Path, string Text)[] files)
    {
        var folder = PathOf(name);
        Directory.CreateDirectory(folder);
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        return folder;
    }

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();
}

/// <summary>The real Dify edit history the CLI tests use (three versions of a stock-analysis workflow).</summary>
public static class StockAnalysis
{
    public const string History = "wwwzhouhui-stock-analysis";

    public static IReadOnlyList<string> Versions => TestData.HistoryVersions(History);
}
