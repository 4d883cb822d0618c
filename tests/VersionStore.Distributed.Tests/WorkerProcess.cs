using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;

namespace VersionStore.Distributed.Tests;

/// <summary>Runs the <c>VersionStore.Distributed.Worker</c> child process (an "application process") and reads its output lines.</summary>
internal static class WorkerProcess
{
    public static Process Start(string[] args, ConcurrentQueue<string> lines)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "VersionStore.Distributed.Worker.dll");
        Assert.True(File.Exists(dll), $"worker not built: {dll}");
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue("ERR " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static async Task<string> WaitForLineAsync(Process p, ConcurrentQueue<string> lines, string prefix, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var line = lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null) return line;
            if (p.HasExited || sw.Elapsed > timeout)
                throw new Xunit.Sdk.XunitException($"worker did not print '{prefix}' (exited: {p.HasExited}); output:\n{string.Join('\n', lines)}");
            await Task.Delay(20);
        }
    }
}
