using System.Diagnostics;

namespace VersionStore.Hostile.Tests;

/// <summary>One in-process <c>vstore</c> run.</summary>
public sealed record CliResult(int Code, string Stdout, string Stderr)
{
    /// <summary>The one <c>vstore: error:</c> line, asserting the exit code and that nothing else reached stderr.</summary>
    public string Error(int code)
    {
        Assert.True(Code == code, $"expected exit {code}, got {Code}; stderr: {Stderr}; stdout: {Stdout}");
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("vstore: error: ", lines[0]);
        Assert.DoesNotContain("   at ", Stderr);
        return lines[0];
    }

    public string Ok()
    {
        Assert.True(Code == 0, $"exit {Code}; stderr: {Stderr}");
        return Stdout;
    }
}

/// <summary>A store folder in a temp directory (the CLI's current directory) and in-process runs against it.</summary>
public sealed class Cli : IDisposable
{
    private readonly TempDirectory _dir = new("hostile");

    public string Root => _dir.Path;

    public string Store => Path.Combine(Root, ".vstore");

    public string PathOf(params string[] parts) => _dir.Combine(parts);

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment
        {
            GetVariable = name => name is "VSTORE_AUTHOR" or "VSTORE_ACTOR" ? "hostile" : null,
            CurrentDirectory = Root,
            UserName = "os-user",
        };
        var code = await CliApp.RunAsync(args, stdout, stderr, environment);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A fresh store with one commit of folder <c>f</c> (file <c>a</c>) to <c>r/main</c>; returns the commit id.</summary>
    public async Task<string> InitAsync()
    {
        (await RunAsync("init")).Ok();
        return await CommitFolderAsync("f", ("a", "1"));
    }

    public async Task<string> CommitFolderAsync(string folder, params (string Path, string Text)[] files)
    {
        var dir = PathOf(folder);
        foreach (var (p, text) in files)
        {
            var full = Path.Combine(dir, p);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        return (await RunAsync("commit", "r", "--branch", "main", "--from", dir)).Ok().Trim();
    }

    /// <summary>Runs a shell command in <see cref="Root"/> (mkfifo, odd file names .NET cannot create).</summary>
    public void Shell(string script)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { WorkingDirectory = Root, RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"sh -c '{script}': {p.StandardError.ReadToEnd()}");
    }

    public void Dispose() => _dir.Dispose();
}
